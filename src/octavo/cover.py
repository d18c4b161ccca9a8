"""The cover: a paperback's full wrap as a one-page PDF, and the EPUB's front cover as a JPEG.

Both are laid out by WeasyPrint from ``cover-wrap.html.j2`` (the front's design is the shared
partial ``cover-front.html.j2``) and ``css/cover.css``; this module sets the geometry. The wrap
is, left to right, the back cover, the spine and the front cover, each panel the trim size
(the spine: the page count times the paper's thickness), with the bleed all round. WeasyPrint
writes the CSS page box as the PDF's TrimBox (the whole wrap without bleed) and the page box
plus ``bleed`` as the MediaBox; the BleedBox it writes stops 10 pt outside the trim, so it is
set to the MediaBox here.

The JPEG is the front alone at the 1:1.6 of retailers' e-book covers, rasterised by pdfium.
"""

from __future__ import annotations

import io
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

import pydyf
from barcode.errors import BarcodeError
from barcode.isxn import ISBN13
from barcode.writer import SVGWriter
from lxml import etree
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from . import __version__
from .cache import DiskCache, content_key
from .clock import iso
from .errors import OctavoError
from .model import Book
from .render import book_context, environment, text_direction
from .resources import SandboxFetcher
from .theme import CODE_FAMILY, CSS_DIR, THEME_DIR, font_face_css, font_roots

INCH_MM = 25.4
MM_PT = 72 / INCH_MM
MM_PX = 96 / INCH_MM  # WeasyPrint lays out in CSS pixels
# KDP prints spine text only on books of this many pages or more.
SPINE_TEXT_MIN_PAGES = 80
# Spine text keeps this far from the folds (KDP: 0.0625 in).
SPINE_MARGIN_MM = 0.0625 * INCH_MM
SPINE_FONT_MAX_PT = 13.0
SPINE_END_MM = 0.375 * INCH_MM  # and this far from the head and the foot
SPINE_FONT_FILL = 0.75  # of the width between the margins: room for ascenders and descenders
# The back's text stays this far above the barcode box, or above the trim without one.
BACK_TEXT_GAP_MM = 4.0
BACK_SAFE_MM = 12.7
# A long description is set smaller: (most characters, class).
DESCRIPTION_SIZES = ((700, "normal"), (1200, "small"))
# The EPUB's cover image: Amazon's and Apple's recommended 1600 × 2560 (1:1.6).
EBOOK_COVER_PX = (1600, 2560)
EBOOK_COVER_RATIO = 1.6
JPEG_QUALITY = 90
# Distributions whose version can change the JPEG's pixels (its cache key names them).
DRAWING_PACKAGES = ("weasyprint", "pypdfium2", "pillow", "fontpkg-eb-garamond", "fontpkg-noto-serif",
                    "fontpkg-ibm-plex-mono")
# EAN-13 at about 90 % magnification (X = 0.30 mm instead of 0.33 mm), with short bars, so
# that the symbol and the ISBN above it fit the customary 1.8 × 1 in white box.
BARCODE_OPTIONS = {
    "module_width": 0.30,
    "module_height": 14.0,
    "quiet_zone": 3.6,
    "font_size": 9,
    "text_distance": 1.4,
    "background": "white",
    "foreground": "black",
    "with_doctype": False,
    "compress": True,  # one line of XML, not pretty-printed
}


@dataclass(frozen=True)
class CoverGeometry:
    """Millimetres: the trim of one panel, the spine's width and the bleed."""

    trim_mm: tuple[float, float]
    spine_mm: float
    bleed_mm: float

    @property
    def width_mm(self) -> float:
        """The wrap's width without bleed (its TrimBox)."""
        return 2 * self.trim_mm[0] + self.spine_mm

    @property
    def height_mm(self) -> float:
        return self.trim_mm[1]


def spine_width_in(pages: int, inches_per_page: float) -> float:
    """The spine's width in inches: the page count times the paper's thickness (KDP's formula)."""
    if pages < 0:
        raise ValueError(f"a book has no negative page count ({pages})")
    return pages * inches_per_page


def cover_geometry(book: Book, pages: int, bleed_mm: float) -> CoverGeometry:
    spine = spine_width_in(pages, book.config.print.paper_inches_per_page) * INCH_MM
    return CoverGeometry(book.config.print.trim_mm, spine, bleed_mm)


def _mm(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") + "mm"


def spine_font_pt(geometry: CoverGeometry) -> float:
    """The largest spine text the spine's width takes, between its margins."""
    return min(SPINE_FONT_MAX_PT, (geometry.spine_mm - 2 * SPINE_MARGIN_MM) * MM_PT * SPINE_FONT_FILL)


def wrap_css(geometry: CoverGeometry, spine_size_pt: float | None, rtl: bool = False) -> str:
    """Page size, bleed and the panels' places for the full wrap; spine text at ``spine_size_pt``.
    A right-to-left book is bound on the right: its front is the left panel."""
    width, height = geometry.trim_mm
    spine, bleed = geometry.spine_mm, geometry.bleed_mm
    first, last = ("front", "back") if rtl else ("back", "front")
    rules = [
        f"@page {{ size: {_mm(geometry.width_mm)} {_mm(height)}; bleed: {_mm(bleed)}; marks: none; }}",
        f".{first} {{ left: 0; width: {_mm(width)}; }}",
        f".spine {{ left: {_mm(width)}; width: {_mm(spine)}; }}",
        f".{last} {{ left: {_mm(width + spine)}; width: {_mm(width)}; }}",
        # The picture covers the front panel and the bleed beyond its three outer edges.
        (f".front-image {{ top: -{_mm(bleed)}; left: {_mm(-bleed if rtl else 0)}; width: {_mm(width + bleed)}; "
         f"height: {_mm(height + 2 * bleed)}; }}"),
    ]
    if spine_size_pt is not None:
        # A box as long as the spine is high, centred on the spine, then turned a quarter.
        rules.append(
            f".spine-text {{ width: {_mm(height)}; height: {_mm(spine)}; line-height: {_mm(spine)}; "
            f"left: {_mm(spine / 2 - height / 2)}; top: {_mm(height / 2 - spine / 2)}; "
            f"font-size: {spine_size_pt:.2f}pt; }}")
    return "\n".join(rules)


def front_css(width_mm: float) -> str:
    """Page size for the front alone, at 1:1.6."""
    height_mm = width_mm * EBOOK_COVER_RATIO
    return "\n".join([
        f"@page {{ size: {_mm(width_mm)} {_mm(height_mm)}; bleed: 0; marks: none; }}",
        f".front {{ left: 0; width: {_mm(width_mm)}; }}",
        f".front-image {{ top: 0; width: {_mm(width_mm)}; height: {_mm(height_mm)}; }}",
    ])


def barcode_svg(isbn: str) -> str:
    """The EAN-13 symbol of an ISBN-13 as inline SVG, drawn by python-barcode."""
    try:
        symbol = ISBN13(isbn, writer=SVGWriter(), guardbar=True)
    except BarcodeError as error:
        raise OctavoError(f"no barcode for the print ISBN {isbn}: {error}", Path("book.toml"))
    data = symbol.render(dict(BARCODE_OPTIONS))
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True))
    tree.set("font-family", f'"{CODE_FAMILY}", monospace')  # the digits in a font of the theme
    tree.set("role", "img")
    tree.set("aria-label", f"ISBN {isbn}")
    return etree.tostring(tree, encoding="unicode")


def _html(book: Book, moment: datetime | None, *, wrap: bool, spine_text: bool = False,
          with_barcode: bool = False) -> str:
    metadata = book.metadata
    isbn = book.config.print.isbn if with_barcode else None
    context = {**book_context(book), "version": __version__, "created": iso(moment) if moment else None}
    length = len(metadata.description or "")
    description_size = next((size for most, size in DESCRIPTION_SIZES if length <= most), "smaller")
    return environment(book.root).get_template("cover-wrap.html.j2").render(
        context, wrap=wrap, spine_text=spine_text, isbn=isbn, description_size=description_size,
        barcode_svg=barcode_svg(isbn) if isbn else None,
        cover_url=metadata.cover.as_uri() if metadata.cover is not None else None)


def _stylesheets(geometry_css: str) -> list[str | Path]:
    return [font_face_css(lambda face: face.path.as_uri()), CSS_DIR / "cover.css", geometry_css]


def _bleed_box_is_media_box(document, pdf: pydyf.PDF) -> None:
    """WeasyPrint's BleedBox stops at most 10 pt outside the TrimBox; a printer wants all of it."""
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/Page" and "MediaBox" in item:
            item["BleedBox"] = pydyf.Array(list(item["MediaBox"]))


@contextmanager
def _font_timestamps(moment: datetime | None):
    """fontTools stamps the font subsets it writes with ``SOURCE_DATE_EPOCH``, or else the time of
    day: without the variable, the build's moment stands in, so the same inputs give the same bytes."""
    if moment is None or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _boxes(box):
    """The box and every box inside it, absolutely positioned ones included."""
    yield box
    if (placed := getattr(box, "_box", None)) is not None:
        yield from _boxes(placed)
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def _bottom_of_text(box) -> float:
    return max((line.position_y + line.height for line in _boxes(box) if type(line).__name__ == "LineBox"),
               default=0.0)


def _check_back_text(page_box) -> None:
    """The description must end above the barcode box, and inside the back's safe area."""
    text = limit = None
    for box in _boxes(page_box):
        element = getattr(box, "element", None)
        if element is None or type(box).__name__ == "AbsolutePlaceholder":
            continue
        classes = (element.get("class") or "").split()
        if "back-text" in classes and text is None:
            text = box
        elif "barcode-box" in classes:
            limit = box.position_y - BACK_TEXT_GAP_MM * MM_PX
        elif "back" in classes and limit is None:
            limit = box.position_y + box.height - BACK_SAFE_MM * MM_PX
    if text is not None and limit is not None and _bottom_of_text(text) > limit:
        raise OctavoError("the description ([book] description) is too long for the back cover: "
                          "it runs into the barcode or the margin; shorten it")


def _spine_text_length_px(page_box) -> float:
    """How long the spine's line of text is (before it is turned), 0 without one."""
    for box in _boxes(page_box):
        element = getattr(box, "element", None)
        if element is not None and element.get("class") == "spine-text" and type(box).__name__ == "BlockBox":
            pieces = [child for line in box.children for child in line.children]
            if pieces:
                return (max(piece.position_x + piece.margin_width() for piece in pieces)
                        - min(piece.position_x for piece in pieces))
    return 0.0


def _render(book: Book, html: str, sources: list[str | Path]):
    fetcher = SandboxFetcher([book.root, THEME_DIR, *font_roots()])
    font_config = FontConfiguration()
    stylesheets = [CSS(filename=source, url_fetcher=fetcher, font_config=font_config) if isinstance(source, Path)
                   else CSS(string=source, base_url=THEME_DIR.as_uri() + "/", url_fetcher=fetcher,
                            font_config=font_config)
                   for source in sources]
    weasyprint_log = logging.getLogger("weasyprint")
    level = weasyprint_log.level
    weasyprint_log.setLevel(logging.ERROR)
    try:
        document = HTML(string=html, base_url=book.root.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=font_config)
        if fetcher.refused:
            raise OctavoError("the cover refers to " + "; ".join(sorted(set(fetcher.refused))))
        if len(document.pages) != 1:
            raise OctavoError(f"the cover came out on {len(document.pages)} pages, not one")
        return document
    finally:
        weasyprint_log.setLevel(level)


def _pdf(document, moment: datetime | None) -> bytes:
    with _font_timestamps(moment):
        return document.write_pdf(pdf_variant=None, finisher=_bleed_box_is_media_box)


def _lay_out(book: Book, html: str, sources: list[str | Path], moment: datetime | None) -> bytes:
    return _pdf(_render(book, html, sources), moment)


def write_cover(book: Book, pages: int, bleed_mm: float, moment: datetime) -> bytes:
    """The paperback's full wrap for a book of ``pages`` pages, as a one-page PDF.

    MediaBox: (2 × trim width + spine + 2 × bleed) × (trim height + 2 × bleed); TrimBox: the
    wrap without bleed; BleedBox: the MediaBox. Spine text only from 80 pages; the ISBN
    barcode only with ``[print] isbn``. The same inputs give the same bytes.
    """
    geometry = cover_geometry(book, pages, bleed_mm)
    spine_text = pages >= SPINE_TEXT_MIN_PAGES
    html = _html(book, moment, wrap=True, spine_text=spine_text, with_barcode=book.config.print.isbn is not None)
    size_pt = spine_font_pt(geometry) if spine_text else None
    rtl = text_direction(book.metadata.language) == "rtl"
    document = _render(book, html, _stylesheets(wrap_css(geometry, size_pt, rtl)))
    if size_pt is not None:
        # A long title (or many authors) is set smaller, to end inside the spine's head and foot margins.
        room = (geometry.height_mm - 2 * SPINE_END_MM) * MM_PX
        if (length := _spine_text_length_px(document.pages[0]._page_box)) > room:
            document = _render(book, html, _stylesheets(wrap_css(geometry, size_pt * room / length * 0.98, rtl)))
    _check_back_text(document.pages[0]._page_box)
    return _pdf(document, moment)


def _rasterise(pdf: bytes, size: tuple[int, int]) -> bytes:
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width_pt, height_pt = page.get_size()
        scale = min(size[0] / width_pt, size[1] / height_pt)
        image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    if image.size != size:  # a pixel off from the rounding of the page's size
        image = image.resize(size, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return output.getvalue()


def front_cover_key(book: Book) -> str:
    """What the JPEG front depends on: its HTML (metadata, templates), the theme's CSS and code
    (through content_key), the cover image and the versions of the libraries that draw it."""
    html = _html(book, None, wrap=False)
    cover = book.metadata.cover.read_bytes() if book.metadata.cover is not None else b""
    width, _ = book.config.print.trim_mm
    return content_key("front-cover-jpeg", html, front_css(width), cover, str(EBOOK_COVER_PX),
                       *(f"{name}={version(name)}" for name in DRAWING_PACKAGES))


def front_cover_jpeg(book: Book, moment: datetime, *, cache: DiskCache | None = None) -> bytes:
    """The front cover alone at 1:1.6, as a 1600 × 2560 RGB JPEG: the design of the wrap's front
    (the typographic front for a book without a cover image). Same inputs, same bytes; with a
    ``cache``, a rebuild with the same inputs does not rasterise again."""
    key = front_cover_key(book) if cache is not None else None
    if key is not None and (cached := cache.get(key)) is not None:
        return cached
    width, _ = book.config.print.trim_mm
    pdf = _lay_out(book, _html(book, moment, wrap=False), _stylesheets(front_css(width)), moment)
    data = _rasterise(pdf, EBOOK_COVER_PX)
    if key is not None:
        cache.put(key, data)
    return data
