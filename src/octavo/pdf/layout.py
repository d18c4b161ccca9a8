"""The print output: one HTML document of the book, laid out by WeasyPrint.

WeasyPrint reads through :class:`~octavo.resources.SandboxFetcher` only: the project, the
theme and the font packages, never the network.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .. import __version__
from ..clock import iso
from ..errors import OctavoError
from ..model import Book, Chapter
from ..project import numbered_html, project_stylesheets
from ..render import book_context, environment
from ..resources import SandboxFetcher
from ..theme import CSS_DIR, THEME_DIR, THEME_STYLES, font_face_css, font_roots

_NOTEREF_RE = re.compile(
    r'<a href="#(?P<note>[^"]+)" id="(?P<ref>[^"]+)" class="noteref" epub:type="noteref" '
    r'role="doc-noteref">(?P<number>\d+)</a>')


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int


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

    return _NOTEREF_RE.sub(footnote, numbered_html(chapter))


def print_html(book: Book, created: datetime, modified: datetime) -> str:
    env = environment(book.root)
    env.filters["print_body"] = print_body
    context = book_context(book)
    return env.get_template("print.html.j2").render(
        context, href=lambda chapter, element_id: f"#{element_id}", document_lang=book.metadata.language,
        version=__version__, created=iso(created), modified=iso(modified))


def print_stylesheets(book: Book, fetcher: SandboxFetcher, font_config: FontConfiguration) -> list[CSS]:
    width, height = book.config.print.trim_mm
    page = f"@page {{ size: {width:g}mm {height:g}mm; }}"
    fonts = font_face_css(lambda face: face.path.as_uri())
    options = {"url_fetcher": fetcher, "font_config": font_config}
    sheets = [CSS(string=fonts, base_url=THEME_DIR.as_uri() + "/", **options)]
    sheets += [CSS(filename=CSS_DIR / name, **options) for name in THEME_STYLES["pdf"]]
    sheets.append(CSS(string=page, **options))
    sheets += [CSS(filename=path, **options) for path in project_stylesheets(book, "pdf")]
    return sheets


def fetcher_for(book: Book) -> SandboxFetcher:
    return SandboxFetcher([book.root, THEME_DIR, *font_roots()])


def write_pdf(book: Book, moment: datetime) -> PdfResult:
    fetcher = fetcher_for(book)
    document_html = print_html(book, moment, moment)
    # WeasyPrint logs every refused fetch and unsupported CSS property; the build reports refusals itself.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    font_config = FontConfiguration()
    stylesheets = print_stylesheets(book, fetcher, font_config)
    document = HTML(string=document_html, base_url=book.root.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config)
    if fetcher.refused:
        raise OctavoError("the book refers to " + "; ".join(sorted(set(fetcher.refused))))
    data = document.write_pdf(pdf_tags=True)
    return PdfResult(data=data, pages=len(document.pages))

