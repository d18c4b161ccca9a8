"""Typographic defects layout could not avoid, read from WeasyPrint's laid-out pages.

``layout_findings`` walks each page's box tree once (margin boxes and the footnote area left
out) and records, per page, its lines grouped in *runs*: the consecutive lines of one block
box, that is of one paragraph on that page. A paragraph split across pages is the last run
of a page and the first run of the next page with the same element. A second, linear pass
over these summaries finds

- ``orphan``: a paragraph split across pages with only its first line on the first page;
- ``widow``: a paragraph split across pages with only its last line on the next page;
- ``runt``: a paragraph of two or more lines whose last line is one short word;
- ``hyphen-across-page``: the last line of a page ends with a word WeasyPrint hyphenated;
- ``hyphen-ladder``: more than three consecutive hyphenated lines of one paragraph on a page;
- ``uneven-spread``: facing full text pages whose text ends at different heights.

WeasyPrint facts relied on: a ``TextBox`` ending a hyphenated line holds the hyphenate
character (``style["hyphenate_character"]``, U+2010 by default) at the end of its ``text``;
lengths are CSS px (1px = 0.75pt) from the top of the page box; a paragraph broken across
pages is a separate ``BlockBox`` on each page, all with the same ``element``; anonymous boxes
carry the element of the box they are made for; footnote calls are ``InlineBox``es whose
``element_tag`` ends with ``::footnote-call``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import (
    BlockReplacedBox,
    FootnoteAreaBox,
    InlineBox,
    LineBox,
    MarginBox,
    ParentBox,
    TableBox,
    TextBox,
)

from . import Finding, source_position

PT_PER_PX = 0.75
UNEVEN_TOLERANCE_PT = 1.0
LADDER_MAX = 3  # more consecutive hyphenated lines than this is a ladder
RUNT_MAX_LETTERS = 5
QUOTE_WORDS = 6
CHAPTER_CLASSES = frozenset({"bodymatter", "frontmatter", "backmatter"})
# Elements whose lines are not paragraphs of running text.
UNCHECKED_TAGS = frozenset({"pre", "table", "h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass
class _Run:
    """The consecutive lines of one block box on one page."""

    element: object
    checked: bool  # paragraph checks apply: not code, table, heading or note
    source: str | None
    line: int | None
    lines: list = field(default_factory=list)  # LineBox
    hyphenated: list = field(default_factory=list)  # bool per line: ends with a hyphenated word


@dataclass
class _Page:
    skip: bool  # front matter or blank: nothing reported, no spread compared
    runs: list = field(default_factory=list)
    bottom: float | None = None  # lowest line (or block image) bottom in the main flow, px
    footnotes: bool = False
    opens_chapter: bool = False
    chapters: list = field(default_factory=list)  # chapter section elements, in order


@dataclass(frozen=True)
class _Context:
    source: str | None
    line: int | None
    checked: bool


class _Walker:
    """Collects a page's runs; remembers across pages which chapters were already seen."""

    def __init__(self):
        self.seen_chapters: set[int] = set()
        self.element_texts: dict[int, str] = {}

    def page(self, page_box) -> _Page:
        page_type = page_box.page_type
        if page_type.blank or page_type.name == "front":
            return _Page(skip=True)
        page = _Page(skip=False)
        context = _Context(None, None, True)
        for child in page_box.children:
            if isinstance(child, FootnoteAreaBox):
                page.footnotes = page.footnotes or bool(child.children)
            elif not isinstance(child, MarginBox):
                self._walk(child, context, None, page)
        return page

    def _walk(self, box, context: _Context, parent_element, page: _Page) -> None:
        style = box.style
        if style["position"] in ("absolute", "fixed") or style["float"] not in ("none", "footnote"):
            return
        element = box.element
        if element is not None and element is not parent_element:
            context = self._enter(box, element, context, page)
        lines = None
        for child in box.children:
            if isinstance(child, LineBox):
                if lines is None:
                    lines = _Run(element, context.checked, context.source, context.line)
                    page.runs.append(lines)
                lines.lines.append(child)
                lines.hyphenated.append(context.checked and self._hyphenated(child, element))
                bottom = child.position_y + child.height
                if page.bottom is None or bottom > page.bottom:
                    page.bottom = bottom
            elif isinstance(child, BlockReplacedBox):
                bottom = child.position_y + child.margin_height()
                if page.bottom is None or bottom > page.bottom:
                    page.bottom = bottom
            elif isinstance(child, ParentBox) and not isinstance(child, (FootnoteAreaBox, MarginBox)):
                self._walk(child, context, element, page)

    def _enter(self, box, element, context: _Context, page: _Page) -> _Context:
        get = getattr(element, "get", None)
        if get is None:
            return context
        source, line = source_position(element, context.source, context.line)
        checked = context.checked
        tag = element.tag if isinstance(element.tag, str) else ""
        classes = (get("class") or "").split()
        if tag.rpartition("}")[2] in UNCHECKED_TAGS or isinstance(box, TableBox) or "footnote" in classes:
            checked = False
        if tag.rpartition("}")[2] == "section" and CHAPTER_CLASSES.intersection(classes):
            if not page.chapters or page.chapters[-1] is not element:
                page.chapters.append(element)
            if id(element) not in self.seen_chapters:
                self.seen_chapters.add(id(element))
                page.opens_chapter = True
        if (source, line, checked) == (context.source, context.line, context.checked):
            return context
        return _Context(source, line, checked)

    def _hyphenated(self, line_box, paragraph) -> bool:
        """Whether the line ends with a word WeasyPrint hyphenated (not a hyphen the author typed)."""
        text_box = _last_text_box(line_box)
        if text_box is None:
            return False
        style = text_box.style
        character = style["hyphenate_character"]
        if not character or style["hyphens"] == "none" or not text_box.text.endswith(character):
            return False
        # Pango also breaks after a hyphen in the text: if the author typed the same word part
        # followed by the hyphenate character, this is their hyphen.
        words = text_box.text[:-len(character)].split()
        fragment = words[-1] if words else ""
        source_text = self._text_of(paragraph)
        return character not in source_text or (fragment + character) not in source_text

    def _text_of(self, element) -> str:
        key = id(element)
        text = self.element_texts.get(key)
        if text is None:
            itertext = getattr(element, "itertext", None)
            text = "".join(itertext()) if itertext is not None else ""
            self.element_texts[key] = text
        return text


def _last_text_box(box):
    for child in reversed(box.children):
        if isinstance(child, TextBox):
            return child
        if isinstance(child, InlineBox):
            if (child.element_tag or "").endswith("::footnote-call"):
                continue
            found = _last_text_box(child)
            if found is not None:
                return found
        else:
            return None  # an image or inline block ends the line
    return None


def _line_text(line_box) -> str:
    parts: list[str] = []

    def collect(box):
        for child in box.children:
            if isinstance(child, TextBox):
                parts.append(child.text)
            elif isinstance(child, InlineBox) and not (child.element_tag or "").endswith("::footnote-call"):
                collect(child)

    collect(line_box)
    return " ".join("".join(parts).split())


def _quote(line_box) -> str:
    words = _line_text(line_box).split()
    text = " ".join(words[:QUOTE_WORDS]) + (" …" if len(words) > QUOTE_WORDS else "")
    return f"\u201c{text}\u201d"


def _is_runt(line_box) -> bool:
    words = _line_text(line_box).split()
    if len(words) != 1:
        return False
    word = words[0]
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(word[end - 1])[0] in "PS":
        end -= 1
    return end - start <= RUNT_MAX_LETTERS


def _finding(check: str, message: str, index: int, run: _Run | None) -> Finding:
    return Finding("warning", check, message, page=index + 1,
                   source=run.source if run else None, line=run.line if run else None)


def layout_findings(document: Document) -> list[Finding]:
    """Warnings for the widows, orphans, runts, hyphenation and uneven spreads of a laid-out
    ``weasyprint.document.Document``, each with its 1-based page and manuscript file and line."""
    walker = _Walker()
    pages = [walker.page(page._page_box) for page in document.pages]
    findings: list[Finding] = []
    carried = 0  # lines of the paragraph that continues from the previous page
    previous_last: _Run | None = None
    for index, page in enumerate(pages):
        following = pages[index + 1] if index + 1 < len(pages) else None
        next_first = following.runs[0] if following is not None and following.runs else None
        for position, run in enumerate(page.runs):
            continued = position == 0 and previous_last is not None and previous_last.element is run.element
            continues = position == len(page.runs) - 1 and next_first is not None and next_first.element is run.element
            count = len(run.lines)
            total = (carried if continued else 0) + count
            if run.checked:
                if continues and not continued and count == 1:
                    findings.append(_finding(
                        "orphan", f"orphan: the first line of a paragraph is alone at the foot of the page: "
                                  f"{_quote(run.lines[0])}", index, run))
                if continued and not continues and count == 1:
                    findings.append(_finding(
                        "widow", f"widow: the last line of a paragraph is alone at the top of the page: "
                                 f"{_quote(run.lines[0])}", index, run))
                if not continues and total >= 2 and _is_runt(run.lines[-1]):
                    findings.append(_finding(
                        "runt", f"runt: the last line of a paragraph is a single short word: "
                                f"{_quote(run.lines[-1])}", index, run))
                ladder = 0
                for number, hyphenated in enumerate([*run.hyphenated, False]):
                    if hyphenated:
                        ladder += 1
                        continue
                    if ladder > LADDER_MAX:
                        findings.append(_finding(
                            "hyphen-ladder", f"hyphen-ladder: {ladder} consecutive lines end with a hyphen, "
                                             f"from {_quote(run.lines[number - ladder])}", index, run))
                    ladder = 0
                if continues and run.hyphenated[-1]:
                    findings.append(_finding(
                        "hyphen-across-page", f"hyphen-across-page: a word is hyphenated across the page turn: "
                                              f"{_quote(run.lines[-1])}", index, run))
            carried = total if continues else 0
        previous_last = page.runs[-1] if page.runs else None
    findings.extend(_uneven_spreads(pages))
    findings.sort(key=lambda finding: finding.page)
    return findings


def _uneven_spreads(pages: list[_Page]) -> list[Finding]:
    """Facing full text pages (indexes 1 and 2, 3 and 4, …: the first page is a recto) whose
    text ends at different heights."""
    def ends_chapter(index: int) -> bool:
        page = pages[index]
        if index == len(pages) - 1 or len(page.chapters) > 1:
            return True  # the last page of the document, or a page on which a chapter ends
        following = pages[index + 1]
        return bool(page.chapters) and (not following.chapters or following.chapters[0] is not page.chapters[-1])

    def full(index: int) -> bool:
        page = pages[index]
        return (not page.skip and not page.opens_chapter and not page.footnotes and page.bottom is not None
                and not ends_chapter(index))

    findings = []
    for verso in range(1, len(pages) - 1, 2):
        if not (full(verso) and full(verso + 1)):
            continue
        left, right = pages[verso].bottom * PT_PER_PX, pages[verso + 1].bottom * PT_PER_PX
        if abs(left - right) > UNEVEN_TOLERANCE_PT:
            run = pages[verso].runs[-1] if pages[verso].runs else None
            findings.append(_finding(
                "uneven-spread", f"uneven-spread: the text ends {left:.1f} pt from the top of this page "
                                 f"and {right:.1f} pt on the facing page", verso, run))
    return findings
