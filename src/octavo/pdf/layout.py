"""The print output: the book laid out by WeasyPrint in parts, then assembled into one PDF.

A long book is cut into parts (groups of whole chapters) that WeasyPrint lays out in parallel
worker processes. Every chapter opens on a recto, so every part starts on one, and a part's
layout does not depend on where it lands: what does (folios, the contents' page numbers,
links between parts, the outline) is added once every part is laid out. The front matter
(title page, copyright page, contents) is laid out last, with the page numbers known. Parts
are cached by content, so an edit re-lays out only the part it is in.

WeasyPrint reads through :class:`~octavo.resources.SandboxFetcher` only: the project, the
theme and the font packages, never the network.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import re
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .. import __version__
from ..cache import DiskCache, content_key
from ..clock import iso
from ..errors import OctavoError
from ..model import Book, Chapter
from ..preflight import Finding
from ..preflight.boxes import LiveArea, measure_pages
from ..preflight.layout import layout_findings
from ..project import numbered_html, project_stylesheets
from ..render import book_context, chapter_headings, environment, retarget_links
from ..resources import SandboxFetcher
from ..theme import (
    CSS_DIR,
    TEXT_FAMILY,
    THEME_DIR,
    THEME_STYLES,
    font_face_css,
    font_faces,
    font_roots,
)
from .assemble import FolioStyle, OutlineEntry, assemble
from .profiles import PrintTarget

_NOTEREF_RE = re.compile(
    r'<a href="#(?P<note>[^"]+)" id="(?P<ref>[^"]+)" class="noteref" epub:type="noteref" '
    r'role="doc-noteref">(?P<number>\d+)</a>')
LINK_PREFIX = "octavo-dest:"
# A part ends after a chapter whose id hashes to 0 modulo this: boundaries depend on the
# chapters' ids only, so an edit never moves them, and a 2,000-page book gets about 25 parts.
PART_MODULUS = 16
PART_MAX_CHARACTERS = 600_000
MM = 72 / 25.4
FOLIO_SIZE_PT = 9
FOLIO_BASELINE_MM = 11
FOLIO_DESCENT_EM = 0.3  # how far a folio's digits and punctuation may reach below the baseline
FOLIO_CLEARANCE_MM = 2  # above a printer's minimum bottom margin, for the descenders


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    live_area: LiveArea  # text's closest approach to each trim edge, folios included
    findings: list[Finding]  # what the laid-out pages showed (defects, image resolution), by book page


@dataclass(frozen=True)
class PartLayout:
    """What the assembly needs to know of one laid-out part."""

    pdf: bytes
    pages: int
    blank: tuple[bool, ...]  # per page: a blank page WeasyPrint inserted for a recto start
    anchors: dict[str, int]  # element id → page index in the part
    live_area: LiveArea
    findings: tuple[Finding, ...]  # pages 1-based in the part


def print_body(chapter: Chapter) -> str:
    """The chapter with each note moved to its call, where WeasyPrint floats it to the page foot."""
    notes = {note.id: note for note in chapter.notes}
    placed: set[str] = set()

    def footnote(match: re.Match) -> str:
        note_id = match["note"]
        if note_id in placed or note_id not in notes:
            return f'<a class="noteref" href="#{note_id}">{match["number"]}</a>'
        placed.add(note_id)
        content = notes[note_id].html.replace("<p>", '<span class="note-paragraph">').replace("</p>", "</span>")
        return (f'<span class="footnote" id="{note_id}" data-number="{match["number"]}" role="doc-footnote">'
                f'{content.strip()}</span>')

    return _NOTEREF_RE.sub(footnote, numbered_html(chapter, source_lines=True))


def stylesheet_sources(book: Book, target: PrintTarget) -> list[str | Path]:
    """The print stylesheets in cascade order: generated CSS as text, files as paths."""
    return [
        font_face_css(lambda face: face.path.as_uri()),
        *(CSS_DIR / name for name in THEME_STYLES["pdf"]),
        target.page_css(),
        *project_stylesheets(book, "pdf"),
    ]


def standalone_print_html(book: Book, moment: datetime, target: PrintTarget) -> str:
    """The print HTML with its stylesheets linked in, for laying out with the stock ``weasyprint``
    command (the benchmark's baseline); the PDF the build writes does not go this way."""
    links = "".join(f'<link rel="stylesheet" href="{source.as_uri()}"/>\n' if isinstance(source, Path)
                    else f"<style>{source}</style>\n" for source in stylesheet_sources(book, target))
    html = PrintHtml(book, moment).render(book.chapters, front=True)
    return html.replace("</head>", links + "</head>", 1)


def sandbox_roots(book: Book) -> list[Path]:
    """The folders WeasyPrint may read: the project, the theme and the font packages."""
    return [book.root, THEME_DIR, *font_roots()]


def book_parts(book: Book) -> list[list[Chapter]]:
    parts: list[list[Chapter]] = [[]]
    size = 0
    for chapter in book.chapters:
        parts[-1].append(chapter)
        size += len(chapter.html)
        boundary = int(hashlib.sha256(chapter.doc_id.encode()).hexdigest(), 16) % PART_MODULUS == 0
        if boundary or size > PART_MAX_CHARACTERS:
            parts.append([])
            size = 0
    return [part for part in parts if part]


class PrintHtml:
    """The print HTML of any part of the book, from one template and one context per build."""

    def __init__(self, book: Book, moment: datetime):
        self.template = environment(book.root).get_template("print.html.j2")
        self.context = {**book_context(book), "document_lang": book.metadata.language, "version": __version__,
                        "created": iso(moment), "modified": iso(moment)}

    def render(self, chapters: list[Chapter], *, front: bool = False, page_of: dict[str, int] | None = None) -> str:
        local_ids = {element_id for chapter in chapters for element_id in chapter.ids}

        def href(element_id: str) -> str:
            return f"#{element_id}" if element_id in local_ids else f"{LINK_PREFIX}{element_id}"

        return self.template.render(
            self.context, front=front, chapters=chapters, page_of=page_of, source_files=True,
            print_body=lambda chapter: retarget_links(print_body(chapter), local_ids, href),
            href=lambda chapter, element_id: href(element_id))


def lay_out_part(html: str, base_url: str, roots: list[Path], sources: list[str | Path], tagged: bool,
                 variant: str | None) -> PartLayout:
    """One part through WeasyPrint; runs in a worker process."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = SandboxFetcher(roots)
    font_config = FontConfiguration()
    color_profiles: dict = {}  # filled by @color-profile rules; the document takes the output intent from it
    shared = {"url_fetcher": fetcher, "font_config": font_config, "color_profiles": color_profiles}
    stylesheets = [CSS(filename=source, **shared) if isinstance(source, Path)
                   else CSS(string=source, base_url=THEME_DIR.as_uri() + "/", **shared)
                   for source in sources]
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config, color_profiles=color_profiles)
    if fetcher.refused:
        raise OctavoError("the book refers to " + "; ".join(sorted(set(fetcher.refused))))
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    live_area, image_findings = measure_pages(document.pages)
    return PartLayout(
        pdf=document.write_pdf(pdf_tags=tagged, pdf_variant=variant),
        pages=len(document.pages),
        blank=tuple(page._page_box.page_type.blank for page in document.pages),
        anchors=anchors,
        live_area=live_area,
        findings=tuple(image_findings + layout_findings(document)),
    )


def layout_salt(sources: list[str | Path], target: PrintTarget) -> str:
    """Everything besides a part's HTML that its layout depends on: the stylesheets, the PDF
    variant (and the code)."""
    return content_key(f"tagged={target.tagged}", f"variant={target.variant}",
                       *(source.read_bytes() if isinstance(source, Path) else source for source in sources))


def _use_temporary_folder(folder: str) -> None:
    tempfile.tempdir = folder


def lay_out_parts(htmls: list[str], arguments: tuple, cache: DiskCache, salt: str, jobs: int) -> list[PartLayout]:
    keys = [content_key(salt, html) for html in htmls]
    layouts: dict[int, PartLayout] = {}
    missing = []
    for index, key in enumerate(keys):
        if (cached := cache.get(key)) is not None:
            layouts[index] = cached
        else:
            missing.append(index)
    if jobs > 1 and len(missing) > 1:
        # Longest first, so the last part to finish is a short one.
        order = sorted(missing, key=lambda i: -len(htmls[i]))
        context = multiprocessing.get_context("fork")
        # Workers exit without running WeasyPrint's clean-up of its font folders: they make them
        # in a scratch folder that goes away with the pool.
        with tempfile.TemporaryDirectory(prefix="octavo-layout-") as scratch, ProcessPoolExecutor(
                max_workers=min(jobs, len(missing)), mp_context=context,
                initializer=_use_temporary_folder, initargs=(scratch,)) as pool:
            futures = {index: pool.submit(lay_out_part, htmls[index], *arguments) for index in order}
            for index in order:
                layouts[index] = futures[index].result()
    else:
        for index in missing:
            layouts[index] = lay_out_part(htmls[index], *arguments)
    for index in missing:
        cache.put(keys[index], layouts[index])
    return [layouts[index] for index in range(len(htmls))]


def folio_style(target: PrintTarget) -> FolioStyle:
    """Folios at the foot, centred; raised above the profile's minimum bottom margin if need be."""
    width, _ = target.trim_mm
    text_face = next(face for face in font_faces() if face.family == TEXT_FAMILY and face.style == "normal")
    minimum_mm = max(target.profile.min_margins_in(0, target.bleed_mm > 0).values(), default=0) * 25.4
    baseline_mm = max(FOLIO_BASELINE_MM, minimum_mm + FOLIO_CLEARANCE_MM)
    return FolioStyle(font_path=text_face.path, size_pt=FOLIO_SIZE_PT, baseline_from_bottom_pt=baseline_mm * MM,
                      recto_x_pt=width * MM / 2, verso_x_pt=width * MM / 2)


def trailing_blank_pages(target: PrintTarget, pages: int) -> int:
    """Blank pages the profile wants at the end of a book of ``pages`` pages."""
    if target.profile.last_page_blank:
        return 1 if pages % 2 else 2
    return pages % 2 if target.profile.even_pages else 0


def write_pdf(book: Book, moment: datetime, target: PrintTarget, *, jobs: int = 1,
              cache_dir: Path | None = None) -> PdfResult:
    sources = stylesheet_sources(book, target)
    arguments = (book.root.as_uri() + "/", sandbox_roots(book), sources, target.tagged, target.variant)
    cache, salt = DiskCache(cache_dir), layout_salt(sources, target)
    print_html = PrintHtml(book, moment)
    body = lay_out_parts([print_html.render(chapters) for chapters in book_parts(book)], arguments, cache, salt, jobs)

    # Body pages are numbered from 1; every part starts on a recto, after a blank verso if need be.
    page_of: dict[str, int] = {}
    folios: list[str | None] = []
    openers = {chapter.doc_id for chapter in book.chapters}
    for index, layout in enumerate(body):
        first = len(folios) + 1
        for element_id, page in layout.anchors.items():
            page_of.setdefault(element_id, first + page)
        opener_pages = {page for element_id, page in layout.anchors.items() if element_id in openers}
        folios += [None if layout.blank[page] or page in opener_pages else str(first + page)
                   for page in range(layout.pages)]
        if layout.pages % 2 and index < len(body) - 1:
            folios.append(None)

    # The contents' page numbers are known now; an edit that moves none of them reuses the front.
    front, = lay_out_parts([print_html.render([], front=True, page_of=page_of)], arguments, cache, salt, 1)
    front_folios = [None] * (front.pages + front.pages % 2)
    trailing = trailing_blank_pages(target, len(front_folios) + len(folios))
    blank_after = [front.pages % 2] + [layout.pages % 2 if index < len(body) - 1 else trailing
                                       for index, layout in enumerate(body)]
    folios += [None] * trailing
    outline = [OutlineEntry(heading.text, heading.level, heading.id)
               for chapter in book.chapters for heading in chapter_headings(chapter)] if target.profile.outline else []
    style = folio_style(target)
    data = assemble([front.pdf] + [layout.pdf for layout in body], blank_after=blank_after,
                    folios=front_folios + folios, folio_style=style, outline=outline,
                    link_prefix=LINK_PREFIX, links=target.profile.links or target.tagged)

    findings = list(front.findings)
    live_area = front.live_area
    first_page = len(front_folios) + 1
    for index, layout in enumerate(body):
        findings += [finding.on_page(first_page - 1) for finding in layout.findings]
        live_area = live_area.union(layout.live_area)
        first_page += layout.pages + blank_after[index + 1]
    if any(folios):
        folio_bottom_in = (style.baseline_from_bottom_pt - style.size_pt * FOLIO_DESCENT_EM) / 72
        live_area = live_area.with_folios(folio_bottom_in)
    return PdfResult(data=data, pages=len(front_folios) + len(folios), live_area=live_area, findings=findings)
