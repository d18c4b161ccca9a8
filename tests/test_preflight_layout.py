"""preflight.layout: widows, orphans, runts, hyphens at page turns, hyphen ladders, uneven spreads.

Each test lays out a small document with a defect planted at a known place (a 100 × 150 mm
page, 15 mm margins, EB Garamond at 11pt on a 20px line: 22 lines a page) and checks the
finding's check, page and manuscript line.
"""

from __future__ import annotations

import pytest
import weasyprint
from weasyprint.formatting_structure.boxes import (
    FootnoteAreaBox,
    LineBox,
    MarginBox,
    TextBox,
)

from octavo.preflight import Finding
from octavo.preflight.layout import layout_findings
from octavo.theme import font_face_css

FONTS = font_face_css(lambda face: face.path.as_uri())
CSS = """
@page { size: 100mm 150mm; margin: 15mm }
html { font-family: "EB Garamond"; font-size: 11pt; line-height: 20px }
body { margin: 0 }
p { text-align: justify; hyphens: auto; margin: 0; widows: 2; orphans: 2 }
section.bodymatter { break-before: right }
.footnote { float: footnote; line-height: 20px }
"""
# Fills 20 of the page's 22 lines (or 21), so that what follows starts at the page foot.
TWO_LINES_LEFT = '<div style="height: 400px"></div>'
ONE_LINE_LEFT = '<div style="height: 420px"></div>'
NAM_LOREM = ("Nam Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
             "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
             "nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit "
             "esse cillum dolore eu fugiat nulla pariatur.")
PERSPICIATIS = ("Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, "
                "totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae")


def chapter(body: str, source: str = "manuscript/01.md") -> str:
    return f'<section class="chapter bodymatter" data-source="{source}">{body}</section>'


def render(body: str, *, lang: str = "en", css: str = "") -> weasyprint.document.Document:
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"/>'
            f"<style>{FONTS}{CSS}{css}</style></head><body>{body}</body></html>")
    return weasyprint.HTML(string=html).render()


def lines(document, index: int, *, notes: bool = True) -> list[str]:
    """The text of the lines on a page, main flow first, then the footnote area (unless not ``notes``)."""
    found = []
    for child in document.pages[index]._page_box.children:
        if isinstance(child, MarginBox) or (isinstance(child, FootnoteAreaBox) and not notes):
            continue
        for box in child.descendants():
            if isinstance(box, LineBox):
                found.append("".join(text.text for text in box.descendants() if isinstance(text, TextBox)))
    return found


def where(findings: list[Finding]) -> list[tuple[str, int | None, str | None, int | None]]:
    return [(finding.check, finding.page, finding.source, finding.line) for finding in findings]


def one_liners(first: int, last: int) -> str:
    return "".join(f'<p data-line="{n}">Line {n} of the text, which fits on one line.</p>'
                   for n in range(first, last + 1))


def test_clean_document_has_no_findings():
    document = render(chapter(
        one_liners(1, 50)
        + '<p data-line="60">A short paragraph of two lines, whose last line holds a few words and '
          'not just one.</p>'
        + one_liners(61, 80)))
    assert len(document.pages) == 4  # pages 2 and 3 face each other, full
    assert layout_findings(document) == []


def test_widow():
    document = render(chapter(
        TWO_LINES_LEFT + '<p data-line="7" style="widows: 1">The first line of the paragraph,<br/>'
                         'then its second line,<br/>and the last line alone overleaf.</p>'))
    assert len(document.pages) == 2
    findings = layout_findings(document)
    assert where(findings) == [("widow", 2, "manuscript/01.md", 7)]
    assert findings[0].severity == "warning"
    assert "“and the last line alone overleaf.”" in findings[0].message


def test_orphan():
    document = render(chapter(
        ONE_LINE_LEFT + '<p data-line="9" style="orphans: 1">The first line of the paragraph,<br/>'
                        'then its second line,<br/>and its third line.</p>'))
    assert len(document.pages) == 2
    findings = layout_findings(document)
    assert where(findings) == [("orphan", 1, "manuscript/01.md", 9)]
    assert "“The first line of the paragraph,”" in findings[0].message


@pytest.mark.parametrize(("last_word", "runt"), [("sunt.", True), ("explicabo.", False)])
def test_runt(last_word, runt):
    # The paragraph has no data-line of its own: the line is the blockquote's.
    document = render(chapter(
        one_liners(1, 3) + f'<blockquote data-line="20" style="margin: 0"><p>{PERSPICIATIS} {last_word}</p>'
                           '</blockquote>'))
    assert lines(document, 0)[-1] == last_word
    findings = layout_findings(document)
    assert where(findings) == ([("runt", 1, "manuscript/01.md", 20)] if runt else [])


def test_runt_on_the_page_of_the_last_line():
    document = render(chapter(
        '<div style="height: 380px"></div>' + f'<p data-line="12">{PERSPICIATIS} sunt.</p>'))
    assert len(document.pages) == 2 and lines(document, 1)[-1] == "sunt."
    assert where(layout_findings(document)) == [("runt", 2, "manuscript/01.md", 12)]


def test_hyphen_across_page():
    document = render(chapter(TWO_LINES_LEFT + f'<p data-line="11">{NAM_LOREM}</p>'))
    assert len(document.pages) == 2
    assert lines(document, 0)[-1].endswith("tempor in\u2010")  # WeasyPrint appends U+2010
    assert lines(document, 1)[0].startswith("cididunt")
    # Page 2 has three hyphenated lines in a row: not yet a ladder.
    assert [line[-1] for line in lines(document, 1)[1:5]] == ["\u2010", "\u2010", "\u2010", "e"]
    findings = layout_findings(document)
    assert where(findings) == [("hyphen-across-page", 1, "manuscript/01.md", 11)]
    assert "“adipiscing elit, sed do eiusmod tempor …”" in findings[0].message


@pytest.mark.parametrize("hyphen", ["-", "\u2010"])
def test_hyphen_typed_by_the_author_is_not_reported(hyphen):
    text = NAM_LOREM.replace("incididunt", f"in{hyphen}cididunt")
    document = render(chapter(TWO_LINES_LEFT + f'<p data-line="11">{text}</p>'))
    assert len(document.pages) == 2
    assert lines(document, 0)[-1].endswith(f"tempor in{hyphen}")
    assert lines(document, 1)[0].startswith("cididunt")
    assert layout_findings(document) == []


def test_hyphen_ladder():
    text = ("Försiktighetsåtgärderna vid järnvägsövergångarna diskuterades av sjukförsäkringshandläggarna "
            "och kommunfullmäktigeledamöterna under arbetsmiljöutbildningen.")
    document = render(chapter(one_liners(1, 2) + f'<p data-line="4" style="width: 35mm">{text}</p>'), lang="sv")
    assert [line[-1] for line in lines(document, 0)[2:8]] == ["a", "\u2010", "\u2010", "\u2010", "\u2010", "a"]
    findings = layout_findings(document)
    assert where(findings) == [("hyphen-ladder", 1, "manuscript/01.md", 4)]
    assert "4 consecutive lines" in findings[0].message
    assert "“vid järnvägsövergångar\u2010”" in findings[0].message


def test_uneven_spread():
    # Page 2 ends after line 32: the block that follows is kept together and goes to page 3.
    document = render(chapter(
        one_liners(1, 32) + f'<div style="break-inside: avoid">{one_liners(100, 114)}</div>' + one_liners(33, 44)))
    assert len(document.pages) == 4
    assert lines(document, 1)[-1].startswith("Line 32 ") and lines(document, 2)[0].startswith("Line 100 ")
    findings = layout_findings(document)
    assert where(findings) == [("uneven-spread", 2, "manuscript/01.md", 32)]
    # Line 32 is the 10th line of page 2: 15mm + 10 × 20px; page 3 is full: 15mm + 22 × 20px.
    assert "192.5 pt" in findings[0].message and "372.5 pt" in findings[0].message


def test_chapter_openers_ends_and_blank_pages_are_not_compared():
    kept = f'<div style="break-inside: avoid">{one_liners(100, 112)}</div>'
    document = render(
        chapter(one_liners(1, 50))
        # Chapter 2 opens on a verso (against the house style) and its first page ends short.
        + chapter(one_liners(1, 10) + kept + one_liners(11, 45), source="manuscript/02.md").replace(
            "<section ", '<section style="break-before: left" ', 1)
        + chapter(one_liners(1, 20) + TWO_LINES_LEFT + '<p data-line="40" style="widows: 1">The first line '
                  'of the paragraph,<br/>then its second line,<br/>and the last line alone overleaf.</p>',
                  source="manuscript/03.md"))
    # Chapter 1: pages 1–3 (3 ends short); chapter 2: pages 4 (opener, ends short) – 7 (ends short);
    # page 8 blank; chapter 3: pages 9–11 (11 holds the widow alone).
    assert len(document.pages) == 11
    assert [index for index, page in enumerate(document.pages) if page._page_box.page_type.blank] == [7]
    assert len(lines(document, 1)) == 22 and len(lines(document, 2)) == 6
    assert len(lines(document, 3)) == 10 and len(lines(document, 4)) == 22
    assert where(layout_findings(document)) == [("widow", 11, "manuscript/03.md", 40)]


def test_front_matter_is_not_reported():
    document = render(
        '<div style="page: front">' + TWO_LINES_LEFT + '<p data-line="3" style="widows: 1">The first line '
        'of the paragraph,<br/>then its second line,<br/>and the last line alone overleaf.</p></div>'
        + chapter(one_liners(1, 3)))
    assert len(document.pages) == 3
    assert [page._page_box.page_type.name for page in document.pages] == ["front", "front", ""]
    assert layout_findings(document) == []


def test_code_and_tables_are_not_reported():
    # Unchecked, the cell's last line would be a runt and the code's last line a widow and a runt.
    document = render(chapter(
        '<table data-line="5"><tr><td>A cell with two lines<br/>ab</td></tr></table>'
        + '<div style="height: 340px"></div>'
        + '<pre data-line="8" style="margin: 0; widows: 1; orphans: 1">print("the first line")\nprint("then a second line")\n'
          'print("and a third")\nend</pre>'))
    assert len(document.pages) == 2 and lines(document, 1) == ["end"]
    assert layout_findings(document) == []


def test_footnotes_are_not_reported():
    # Unchecked, the note's last line would be a runt; and the main text of its page ends short (the
    # note takes the foot) without its spread being uneven.
    note = '<span class="footnote">A note whose last line<br/>is.</span>'
    document = render(chapter(
        one_liners(1, 22) + f'<p data-line="30">A paragraph with a note.{note}</p>' + one_liners(31, 80)))
    assert len(document.pages) == 4
    assert lines(document, 1)[-1] == "is."
    assert len(lines(document, 1, notes=False)) < len(lines(document, 2, notes=False)) == 22
    assert layout_findings(document) == []
