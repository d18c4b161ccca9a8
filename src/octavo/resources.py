"""The one place that turns a reference into a file.

A manuscript is untrusted: every image, stylesheet, font or link target is resolved against
the project and the theme, and anything outside them, or on the network, is refused. The
Markdown checks, the EPUB packager and WeasyPrint's fetcher all go through here.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from .errors import OctavoError
from weasyprint.urls import URLFetcher, URLFetcherResponse

MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class RefusedReference(ValueError):
    """A reference that must not be followed; the message says why."""


def has_scheme(reference: str) -> bool:
    return bool(_SCHEME_RE.match(reference))


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def resolve_local(reference: str, base_dir: Path, root: Path) -> Path:
    """The file a relative reference names, refused if it leaves ``root`` or is remote."""
    if has_scheme(reference) or reference.startswith("//"):
        raise RefusedReference(f"'{reference}' is not a file of the project (remote or absolute references are refused)")
    path_part = unquote(urlsplit(reference).path)
    if path_part.startswith("/"):
        raise RefusedReference(f"'{reference}' is an absolute path; use a path relative to the file")
    target = (base_dir / path_part).resolve()
    if not target.is_relative_to(root.resolve()):
        raise RefusedReference(f"'{reference}' points outside the project (refused)")
    return target


_CSS_REFERENCE_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


def stylesheet_references(path: Path, root: Path) -> list[Path]:
    """The project files a stylesheet refers to; anything remote or outside is refused."""
    text = path.read_text(encoding="utf-8")
    files = []
    for match in _CSS_REFERENCE_RE.finditer(text):
        reference = (match[2] or match[4]).strip()
        if reference.startswith(("data:", "#")):
            continue
        line = text.count("\n", 0, match.start()) + 1
        try:
            target = resolve_local(reference, path.parent, root)
        except RefusedReference as refused:
            raise OctavoError(f"stylesheet reference {refused}", path.relative_to(root), line)
        if not target.is_file():
            raise OctavoError(f"stylesheet reference '{reference}' not found", path.relative_to(root), line)
        files.append(target)
    return files


_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_SVG_DROP = {"script", "foreignObject", "iframe", "object", "embed", "audio", "video", "handler"}


# SVG text without a font of its own is set in the book's face, not in whatever sans-serif the
# building machine has.
SVG_DEFAULT_FONT = '"EB Garamond", "Octavo Fallback Serif", serif'


# Elements that draw the resource their href names.
_SVG_EMBEDDERS = {"image", "feImage"}


def sanitize_svg(data: bytes) -> bytes:
    """The SVG without scripts, event handlers or references to anything outside itself."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    tree = etree.fromstring(data, parser)
    if "font-family" not in tree.attrib:
        tree.set("font-family", SVG_DEFAULT_FONT)
    for element in list(tree.iter()):
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _SVG_DROP:
            element.getparent().remove(element)
            continue
        for name in list(element.attrib):
            local_name = etree.QName(name).localname.lower()
            value = element.attrib[name].strip()
            if local_name.startswith("on"):
                del element.attrib[name]
            elif local_name == "href" and not value.startswith("#"):
                del element.attrib[name]
                if local in _SVG_EMBEDDERS:  # nothing left to draw: WeasyPrint would log an error
                    element.getparent().remove(element)
                    break
            elif "url(" in value.replace(" ", "") and not re.search(r"url\(\s*['\"]?#", value):
                del element.attrib[name]
        if local == "style" and element.text and "url(" in element.text:
            element.text = re.sub(r"url\(\s*['\"]?(?!#)[^)]*\)", "none", element.text)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


class SandboxFetcher(URLFetcher):
    """WeasyPrint's fetcher, confined to local files under the allowed roots and ``data:``.

    No network, no redirects, nothing outside the project or the theme (WeasyPrint's default
    would read ``file:///etc/passwd`` into a PDF attachment, or fetch from any host).
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []  # what the build reports once WeasyPrint is done

    def refuse(self, url: str, reason: str):
        self.refused.append(f"'{url}' {reason}")
        return ValueError(f"refused {url}: {reason}")

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith("file:"):
            raise self.refuse(url, "is on the network (Octavo reads only the project's files)")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise self.refuse(url, "is outside the project (refused)")
        data = path.read_bytes()
        if path.suffix.lower() == ".svg":
            data = sanitize_svg(data)
        return URLFetcherResponse(path.as_uri(), body=data, headers={"Content-Type": media_type(path)})
