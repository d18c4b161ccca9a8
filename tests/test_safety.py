"""A manuscript is untrusted: nothing outside the project is read, nothing is fetched."""

from __future__ import annotations

import http.server
import threading
import zipfile

import pytest
from click.testing import CliRunner

from checkers import pdf_text
from octavo.cli import main


@pytest.fixture
def listener():
    """A local HTTP server that counts the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


@pytest.mark.parametrize("css", [
    '@import url("{url}/evil.css");',
    'body {{ background: url("{url}/pixel.png"); }}',
    '@font-face {{ font-family: X; src: url("{url}/font.ttf"); }}',
    'body {{ background: url("file:///etc/passwd"); }}',
    '@import "/etc/passwd";',
])
def test_stylesheet_cannot_reach_outside(css, listener, make_project):
    url, hits = listener
    root = make_project({"manuscript/01.md": "# One\n\nText.\n", "styles/book.css": css.format(url=url)})
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 1
    assert "styles/book.css:1: stylesheet reference" in result.output
    assert hits == []
    assert not [p for p in root.glob("build/*") if p.name != ".octavo-cache"]  # no book, no half-written file


def test_weasyprint_fetcher_refuses_what_slips_past(listener, make_project, tmp_path):
    """Defence in depth: a reference the CSS scan cannot see (an attachment link) is refused too."""
    from octavo.pdf.layout import sandbox_roots
    from octavo.project import load_book
    from octavo.resources import SandboxFetcher
    url, hits = listener
    book = load_book(make_project())
    fetcher = SandboxFetcher(sandbox_roots(book))
    for target in (f"{url}/x.css", "file:///etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(target)
    assert hits == []
    assert fetcher.fetch((book.root / "book.toml").as_uri()).read().startswith(b"[book]")


def test_manuscript_references_outside_are_refused_and_never_fetched(listener, make_project):
    url, hits = listener
    for text in (f"![x]({url}/x.png)", "![pw](/etc/passwd)", "[pw](file:///etc/passwd)",
                 "[js](javascript:alert(1))"):
        root = make_project({"manuscript/01.md": f"# One\n\n{text}\n"})
        result = CliRunner().invoke(main, ["build", str(root)])
        if result.exit_code == 0:  # a link markdown-it will not make: it stays text, never a link
            with zipfile.ZipFile(root / "build" / "test.epub") as archive:
                chapter = archive.read("EPUB/ch-01.xhtml").decode()
            assert 'href="file:' not in chapter and 'href="javascript:' not in chapter
            assert "root:x:0:0" not in pdf_text(root / "build" / "test.pdf")
    assert hits == []
