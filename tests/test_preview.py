"""The author's loop: ``octavo serve`` (HTTP, server-sent events, a real headless Chromium) and
``octavo build --watch``."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import watchfiles

from octavo.preview import PreviewServer, ProjectWatcher
from octavo.preview.site import static_file

CHROMIUM = Path("/usr/bin/chromium")
CHAPTER_ONE = '# One\n\n"Hello," she said.[^a]\n\n[^a]: A note at the end.\n'
BROKEN_ONE = '# One\n\n"Hello," she said.\n\nThen it broke.[^nope]\n'  # the undefined note is on line 5
CHAPTER_TWO = "# Two\n\nThe second chapter.\n"
TIMEOUT = 15


@pytest.fixture
def project(make_project) -> Path:
    return make_project({
        "manuscript/01.md": CHAPTER_ONE,
        "manuscript/02.md": CHAPTER_TWO,
        "styles/book.css": "p { color: #222; }\n",
    })


@pytest.fixture
def server(project):
    logged: list[tuple[str, str]] = []
    preview = PreviewServer(project, port=0, build_outputs=False, log=lambda kind, message: logged.append((kind, message)))
    preview.logged = logged
    with preview:
        yield preview


def get(server: PreviewServer, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """A raw GET: the path goes out as written (no client-side clean-up of ``..``)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class EventStream:
    """The server-sent events of one page, read in a thread: ``(event, data)`` on a queue."""

    def __init__(self, server: PreviewServer, page: str, version: str):
        self.events: queue.Queue = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        self.connection.request("GET", f"/_octavo/events?page={quote(page)}&version={version}")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data = "message", []
        try:
            while line := self.response.fp.readline():
                line = line.decode("utf-8").rstrip("\n")
                if not line:
                    if data:
                        self.events.put((event, "\n".join(data)))
                    event, data = "message", []
                elif line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: "):
                    data.append(line[len("data: "):])
        except OSError:
            pass

    def wait_for(self, name: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                event, data = self.events.get(timeout=remaining)
            except queue.Empty:
                break
            if event == name:
                return data
            seen.append((event, data))
        raise AssertionError(f"no '{name}' event within {timeout} s; got {seen}")

    def close(self) -> None:
        self.connection.close()


def versions(server: PreviewServer) -> dict[str, str]:
    current, _, _ = server.state()
    assert current is not None
    return current


# -- the HTTP server -------------------------------------------------------------------------

def test_pages_styles_and_downloads_are_served(server):
    status, headers, body = get(server, "/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    index = body.decode()
    assert re.search(r'<li><a href="/ch-01.html(#[^"]+)?">One</a>', index)  # the chapter list
    assert re.search(r'<li><a href="/ch-02.html(#[^"]+)?">Two</a>', index)
    assert 'href="/build/test.epub"' in index and 'href="/build/test.pdf"' in index
    assert "new EventSource" in index

    status, headers, body = get(server, "/ch-01.html")
    chapter = body.decode()
    assert status == 200
    assert "“Hello,” she said." in chapter  # the typographer's quotes
    assert "A note at the end." in chapter and 'role="doc-footnote"' in chapter
    assert 'rel="next" href="/ch-02.html"' in chapter
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"?]+)\?v=', chapter)
    assert stylesheets == ["/octavo/css/fonts.css", "/octavo/css/base.css", "/octavo/css/epub.css", "/styles/book.css"]
    for href in stylesheets:
        status, headers, _ = get(server, href)
        assert status == 200 and headers["content-type"].startswith("text/css"), href
    font = re.search(r'url\("(/octavo/fonts/[^"]+)"\)', get(server, "/octavo/css/fonts.css")[2].decode())[1]
    status, headers, body = get(server, font)
    assert status == 200 and headers["content-type"] == "font/ttf" and len(body) > 10_000

    # A page that is not there is a 404 that still listens, and reloads once the page exists.
    status, _, body = get(server, "/ch-09.html")
    assert status == 404 and b"EventSource" in body
    status, _, body = get(server, "/</script><script>alert(1)</script>.html")
    assert status == 404 and body.count(b"</script>") == 1  # the path cannot close the script


@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/octavo/css/../../../../../../etc/passwd",
    "/octavo/fonts/../../../../../etc/passwd",
    "//etc/passwd",
    "/manuscript/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/build/.octavo-cache/chapters",
    "/.hidden",
])
def test_nothing_outside_the_project_is_served(server, path):
    (server.root / ".hidden").write_text("secret")
    status, _, body = get(server, path)
    assert status == 404, (path, body[:200])
    assert b"root:" not in body and b"secret" not in body


def test_symlink_out_of_the_project_is_not_followed(project, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (project / "manuscript" / "link.txt").symlink_to(outside)
    assert static_file("/manuscript/link.txt", project) is None
    assert static_file("/manuscript/01.md", project) == (project / "manuscript" / "01.md").resolve()


def test_only_local_host_names_are_answered(server):
    assert get(server, "/", host="attacker.example:80")[0] == 403  # DNS rebinding
    assert get(server, "/", host=f"localhost:{server.port}")[0] == 200


def test_a_build_error_is_pushed_and_the_last_good_page_stays(server, project):
    chapter = project / "manuscript" / "01.md"
    before = versions(server)
    stream = EventStream(server, "/ch-01.html", before["/ch-01.html"])
    try:
        chapter.write_text(BROKEN_ONE, encoding="utf-8")
        message = stream.wait_for("error")
        assert message.startswith("manuscript/01.md:5: "), message
        assert "[^nope]" in message
        assert any(kind == "error" and "manuscript/01.md:5:" in text for kind, text in server.logged)  # the terminal
        status, _, body = get(server, "/ch-01.html")
        assert status == 200 and "“Hello,” she said." in body.decode() and "broke" not in body.decode()
        assert versions(server) == before

        # A page that opens now hears the error at once.
        late = EventStream(server, "/ch-02.html", before["/ch-02.html"])
        assert late.wait_for("error", timeout=5) == message
        late.close()

        # The fix: a reload event with every page's version; only chapter one's changed.
        chapter.write_text(CHAPTER_ONE.replace("she said", "she whispered"), encoding="utf-8")
        after = json.loads(stream.wait_for("reload"))
        assert after["/ch-01.html"] != before["/ch-01.html"]
        assert after["/ch-02.html"] == before["/ch-02.html"] and after["/"] == before["/"]
        assert "“Hello,” she whispered." in get(server, "/ch-01.html")[2].decode()
    finally:
        stream.close()


def test_a_style_or_template_edit_reaches_every_page(server, project):
    before = versions(server)
    stream = EventStream(server, "/", before["/"])
    try:
        (project / "styles" / "book.css").write_text("p { color: #333; }\n", encoding="utf-8")
        after = json.loads(stream.wait_for("reload"))
        assert all(after[page] != before[page] for page in before)  # the stylesheet links changed

        # templates/ did not exist when the server started: a new folder is watched too.
        templates = project / "templates"
        templates.mkdir()
        (templates / "preview.html.j2").write_text("<!DOCTYPE html>\n{% if %}\n", encoding="utf-8")
        message = stream.wait_for("error")
        assert message.startswith("templates/preview.html.j2:2: template error"), message
        (templates / "preview.html.j2").unlink()
        assert json.loads(stream.wait_for("reload")) == after
    finally:
        stream.close()


def test_a_save_while_the_watch_restarts_is_not_missed(project, monkeypatch):
    """A new folder sets the recursive watch up again; a save made before that is done is seen by
    no watch, so the change that caused it is reported only then (setting up is slow here)."""
    watch = watchfiles.watch

    def slow_watch(*paths, recursive, **options):
        if recursive:
            time.sleep(0.5)
        return watch(*paths, recursive=recursive, **options)

    monkeypatch.setattr(watchfiles, "watch", slow_watch)
    stop = threading.Event()
    watcher = ProjectWatcher(project).start(stop)
    batches: queue.Queue = queue.Queue()  # when each change was reported

    def listen() -> None:
        for _ in watcher.changes(stop):
            batches.put(time.monotonic())

    threading.Thread(target=listen, daemon=True).start()
    try:
        (project / "templates").mkdir()
        time.sleep(0.2)  # the root watch has seen the folder; the recursive one is not yet on it
        (project / "templates" / "preview.html.j2").write_text("<!DOCTYPE html>\n", encoding="utf-8")
        saved = time.monotonic()
        while batches.get(timeout=TIMEOUT) < saved:  # a rebuild that reads the project after the save
            pass
    finally:
        stop.set()
        watcher.join()


def test_a_page_that_missed_a_change_reloads_when_it_connects(server):
    stream = EventStream(server, "/ch-02.html", "an-old-version")
    try:
        assert json.loads(stream.wait_for("reload", timeout=5)) == versions(server)
    finally:
        stream.close()


def test_a_project_that_never_built_shows_its_error_until_fixed(make_project):
    root = make_project({"manuscript/01.md": BROKEN_ONE})
    with PreviewServer(root, port=0, build_outputs=False, log=lambda kind, message: None) as preview:
        status, _, body = get(preview, "/")
        assert status == 200 and "manuscript/01.md:5:" in body.decode()
        (root / "manuscript" / "01.md").write_text(CHAPTER_ONE, encoding="utf-8")
        deadline = time.monotonic() + TIMEOUT
        while preview.state()[0] is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "“Hello,” she said." in get(preview, "/ch-01.html")[2].decode()


# -- the commands ----------------------------------------------------------------------------

def octavo(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "octavo", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8")


def read_until(process: subprocess.Popen, pattern: str, lines: list[str], timeout: float = 60) -> re.Match:
    """Read the command's output a line at a time until a line matches (the reading runs in a
    thread so a silent command cannot hang the test)."""
    found: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if match := re.search(pattern, line):
                found.put(match)
                return
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        match = found.get(timeout=timeout)
    except queue.Empty:
        match = None
    assert match is not None, f"no line matching {pattern!r} in {''.join(lines)!r}"
    return match


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_command_prints_its_url_and_stops_on_ctrl_c(project):
    process = octavo("serve", str(project), "--port", "0")
    lines: list[str] = []
    try:
        url = read_until(process, r"(http://127\.0\.0\.1:(\d+)/)", lines)
        connection = http.client.HTTPConnection("127.0.0.1", int(url[2]), timeout=10)
        connection.request("GET", "/ch-01.html")
        assert "“Hello,” she said." in connection.getresponse().read().decode()
        connection.close()
    finally:
        assert stop(process) == 0, "".join(lines)
    assert not list((project / "build").glob(".test.*")), "a stopped build left a temporary file"


def test_build_watch_rebuilds_on_each_save(project):
    chapter = project / "manuscript" / "01.md"
    process = octavo("build", str(project), "--watch", "--format", "epub")
    lines: list[str] = []
    try:
        read_until(process, r"✓ .*test\.epub", lines)
        chapter.write_text(BROKEN_ONE, encoding="utf-8")
        read_until(process, r"error: manuscript/01\.md:5: footnote \[\^nope\]", lines)
        chapter.write_text(CHAPTER_ONE, encoding="utf-8")
        read_until(process, r"✓ .*test\.epub .* after manuscript/01\.md", lines)
    finally:
        assert stop(process) == 0, "".join(lines)


# -- a real browser --------------------------------------------------------------------------

def chromium_or_skip():
    """Playwright's driver on Debian's Chromium; skipped on a machine without them, never in CI."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    else:
        if CHROMIUM.exists():
            return sync_playwright
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"the browser test must run in CI: {reason}")
    pytest.skip(reason)


def test_the_open_page_shows_a_save_without_a_manual_reload(server, project):
    sync_playwright = chromium_or_skip()
    chapter = project / "manuscript" / "01.md"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(server.url + "ch-01.html")
            assert "“Hello,” she said." in page.inner_text("main")
            page.wait_for_function("() => window.performance.getEntriesByType('resource').length > 0")
            page.evaluate("window.notReloaded = true")

            saved = time.monotonic()
            chapter.write_text(CHAPTER_ONE + "\nA zebra finch flew past the window.\n", encoding="utf-8")
            page.wait_for_function("document.body.innerText.includes('A zebra finch flew past')",
                                   timeout=TIMEOUT * 1000)
            print(f"save to new text on the page: {time.monotonic() - saved:.2f} s")
            assert page.evaluate("window.notReloaded") is None  # the page reloaded itself

            chapter.write_text(BROKEN_ONE, encoding="utf-8")
            banner = page.wait_for_selector("#octavo-error", state="visible", timeout=TIMEOUT * 1000)
            assert banner.inner_text().startswith("manuscript/01.md:5: ")
            assert "A zebra finch" in page.inner_text("main")  # the last good text stays

            chapter.write_text(CHAPTER_ONE.replace("Hello", "Goodbye"), encoding="utf-8")
            page.wait_for_function("document.body.innerText.includes('“Goodbye,” she said.')",
                                   timeout=TIMEOUT * 1000)
            assert not page.is_visible("#octavo-error")
        finally:
            browser.close()
