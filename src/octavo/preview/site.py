"""The reading view: the book as plain HTML pages for a browser, rendered from the model with the
theme's templates (``preview.html.j2`` around the EPUB's ``_chapter.html.j2``), and the one place
that maps a request path to something to send.

Nothing here touches the network or the disk outside the project, the theme and the font
packages: a path names a rendered page, a theme stylesheet, a font of the theme, or a file
under the project root that is not hidden (``build/.octavo-cache``, ``.git`` stay private).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import jinja2

from ..build import book_slug
from ..errors import OctavoError
from ..model import Book, Chapter
from ..pdf.profiles import print_target
from ..project import numbered_html, project_stylesheets
from ..render import book_context, environment, retarget_links
from ..resources import media_type, sanitize_svg
from ..theme import CSS_DIR, THEME_DIR, THEME_STYLES, font_face_css, font_faces

PAGE_TEMPLATE = "preview.html.j2"
INDEX = "/"
EVENTS_PATH = "/_octavo/events"
FONTS_CSS = "/octavo/css/fonts.css"
MISSING = "missing"  # the version of a page that does not exist (yet)
_VERSION_SLOT = "\x00octavo-version\x00"

HTML_TYPE = "text/html; charset=utf-8"


def digest(data: bytes, size: int = 12) -> str:
    return hashlib.sha256(data).hexdigest()[:size]


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    version: str


@dataclass(frozen=True)
class Download:
    label: str
    name: str
    href: str
    size: int | None  # None: not built yet
    built: str | None  # the local time it was written


@dataclass
class Site:
    """Everything rendered for one state of the book: URL path → resource."""

    resources: dict[str, Resource]

    def versions(self) -> dict[str, str]:
        """The version of every page, what a reload event carries."""
        return {path: res.version for path, res in self.resources.items() if res.content_type == HTML_TYPE}


def chapter_path(chapter: Chapter) -> str:
    return f"/{chapter.doc_id}.html"


def preview_href(chapter: Chapter, element_id: str) -> str:
    href = chapter_path(chapter)
    return href if element_id == chapter.doc_id else f"{href}#{element_id}"


def _js(value: str) -> str:
    """A JavaScript string literal that is safe inside ``<script>`` (no ``</script>`` can close it)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def live_script(page: str, version: str) -> str:
    """The page's end: an ``EventSource`` on the server's events; a ``reload`` event carries every
    page's version and reloads this one when its own changed, an ``error`` event shows the build's
    message in a banner, a ``status`` event the state of the EPUB and PDF."""
    return f"""<script>
(function () {{
  "use strict";
  var page = {_js(page)}, version = {_js(version)}, banner = null;
  function showError(message) {{
    if (!banner) {{
      banner = document.createElement("div");
      banner.id = "octavo-error";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;margin:0;" +
        "padding:.8em 1.2em;background:#8b1a1a;color:#fff;font:15px/1.45 system-ui,sans-serif;" +
        "white-space:pre-wrap;box-shadow:0 2px 10px rgba(0,0,0,.35)";
      document.body.appendChild(banner);
    }}
    banner.textContent = message;
    banner.hidden = false;
  }}
  if (!window.EventSource) return;
  var events = new EventSource({_js(EVENTS_PATH)} + "?page=" + encodeURIComponent(page) +
                               "&version=" + encodeURIComponent(version));
  events.addEventListener("reload", function (event) {{
    var versions = JSON.parse(event.data);
    if (banner) banner.hidden = true;
    if ((versions[page] || {_js(MISSING)}) !== version) {{ events.close(); location.reload(); }}
  }});
  events.addEventListener("error", function (event) {{
    if (typeof event.data === "string") showError(event.data);  /* not the connection's own error */
  }});
  events.addEventListener("status", function (event) {{
    var status = document.getElementById("octavo-status");
    if (status) status.textContent = event.data;
  }});
}})();
</script>
"""


def finish_page(html: str, page: str) -> Resource:
    """The page with its live-reload script; its version is the digest of everything else in it."""
    head, body_end, tail = html.rpartition("</body>")
    if not body_end:
        head, tail = html, ""
    version = digest(html.encode("utf-8"))
    html = head + live_script(page, version) + body_end + tail
    return Resource(html.encode("utf-8"), HTML_TYPE, version)


def missing_page(page: str) -> Resource:
    html = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>"
            "<body style=\"font:16px/1.5 system-ui,sans-serif;margin:3em auto;max-width:36em\">"
            "<h1>Not in the book</h1><p>No page here (any more). <a href=\"/\">Back to the contents</a></p>"
            "</body></html>\n")
    head, _, tail = html.rpartition("</body>")
    body = head + live_script(page, MISSING) + "</body>" + tail
    return Resource(body.encode("utf-8"), HTML_TYPE, MISSING)


def error_page(message: str, title: str = "Octavo preview") -> Resource:
    """What ``/`` shows before the book ever built: the error, until a change fixes it."""
    html = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title></head>"
            "<body style=\"font:16px/1.5 system-ui,sans-serif;margin:3em auto;max-width:42em\">"
            f"<h1>{escape(title)}</h1><p>The book does not build yet:</p>"
            f"<pre style=\"white-space:pre-wrap;color:#8b1a1a\">{escape(message)}</pre>"
            "<p>Save a fix and this page reloads by itself.</p></body></html>\n")
    return finish_page(html, INDEX)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def downloads(book: Book, output_dir: Path, profile: str | None = None) -> list[Download]:
    """The EPUB and the PDF the build writes, with their size and time once they exist."""
    slug = book_slug(book)
    try:
        pdf_name = print_target(book.config.print, profile).file_name(slug)
    except OctavoError:
        pdf_name = f"{slug}.pdf"
    items = []
    for label, name in (("EPUB", f"{slug}.epub"), ("PDF", pdf_name)):
        path = output_dir / name
        try:
            href = "/" + path.relative_to(book.root.resolve()).as_posix()
        except ValueError:  # an output folder outside the project is not served
            href = ""
        if path.is_file():
            stat = path.stat()
            built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stat.st_mtime))
            items.append(Download(label, name, href, stat.st_size, built))
        else:
            items.append(Download(label, name, href, None, None))
    return items


def template_error(error: jinja2.TemplateError, root: Path) -> OctavoError:
    """A broken template as ``templates/x.j2:LINE: message``."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        path = Path(error.filename)
        for base in (root, THEME_DIR.parent):
            if path.is_relative_to(base):
                path = path.relative_to(base)
                break
        return OctavoError(f"template error: {error.message}", path, error.lineno)
    return OctavoError(f"template error: {error}")


_ENVIRONMENTS: dict[tuple, jinja2.Environment] = {}


def cached_environment(root: Path) -> jinja2.Environment:
    """The project's Jinja environment, kept between renders: compiling the templates costs more
    than rendering them. Jinja reloads a template whose file changed; a template added to or
    removed from ``templates/`` makes a new environment, since it changes which file a name means."""
    templates = root / "templates"
    names = tuple(sorted(path.relative_to(templates).as_posix() for path in templates.rglob("*")
                         if path.is_file())) if templates.is_dir() else None
    key = (root.resolve(), names)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        if len(_ENVIRONMENTS) > 8:
            _ENVIRONMENTS.clear()
        env = _ENVIRONMENTS[key] = environment(root)
    return env


def render_site(book: Book, output_dir: Path, profile: str | None = None) -> Site:
    """Every page of the reading view and the stylesheets they link, for this state of the book."""
    root = book.root.resolve()
    resources: dict[str, Resource] = {}
    faces = font_face_css(lambda face: f"/octavo/fonts/{face.file_name}").encode()
    resources[FONTS_CSS] = Resource(faces, "text/css; charset=utf-8", digest(faces))
    # Stylesheet links carry their content's digest: a style edit changes every page's version
    # (so each open page reloads) and no browser cache serves the old rules.
    hrefs = [f"{FONTS_CSS}?v={digest(faces)}"]
    hrefs += [f"/octavo/css/{name}?v={digest((CSS_DIR / name).read_bytes())}" for name in THEME_STYLES["epub"]]
    hrefs += [f"/{path.relative_to(root).as_posix()}?v={digest(path.read_bytes())}"
              for path in project_stylesheets(book, "epub")]

    env = cached_environment(book.root)
    context = book_context(book)
    owner = book.chapter_of_id()
    chapters = book.chapters
    common = {"stylesheets": hrefs, "href": preview_href, "downloads": downloads(book, output_dir, profile),
              "chapter_path": chapter_path, "index_path": INDEX, "size_text": _size}
    try:
        template = env.get_template(PAGE_TEMPLATE)
        html = template.render(context, page="index", title=book.metadata.title,
                               document_lang=book.metadata.language, previous=None,
                               next=chapters[0] if chapters else None, **common)
        resources[INDEX] = finish_page(html, INDEX)
        for index, chapter in enumerate(chapters):
            body = retarget_links(numbered_html(chapter), chapter.ids,
                                  lambda target: preview_href(owner[target], target))
            html = template.render(
                context, page="chapter", title=f"{chapter.title or book.metadata.title} · {book.metadata.title}",
                document_lang=chapter.lang, chapter=chapter, body=body, notes=chapter.notes,
                previous=chapters[index - 1] if index else None,
                next=chapters[index + 1] if index + 1 < len(chapters) else None, **common)
            path = chapter_path(chapter)
            resources[path] = finish_page(html, path)
    except jinja2.TemplateError as error:
        raise template_error(error, root) from error
    return Site(resources)


def _inside(path: Path, base: Path) -> bool:
    return path.is_relative_to(base) and path.is_file()


def static_file(url_path: str, root: Path) -> Path | None:
    """The file a request path names, or None: a theme stylesheet, a font of the theme, or a
    file under the project root. Hidden names and ``..`` are refused outright, and the resolved
    file must still be inside (a symlink out of the project is not followed)."""
    relative = unquote(url_path).lstrip("/")
    if "\x00" in relative or "\\" in relative:
        return None
    parts = PurePosixPath(relative).parts
    if not parts or any(part.startswith(".") for part in parts):
        return None
    if parts[:2] == ("octavo", "css") and len(parts) == 3:
        candidate = (CSS_DIR / parts[2]).resolve()
        return candidate if _inside(candidate, CSS_DIR.resolve()) else None
    if parts[:2] == ("octavo", "fonts") and len(parts) == 3:
        return next((face.path for face in font_faces() if face.file_name == parts[2]), None)
    root = root.resolve()
    candidate = (root / relative).resolve()
    return candidate if _inside(candidate, root) else None


def static_resource(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        data = sanitize_svg(data)
    kind = media_type(path)
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return data, kind
