"""The PDF as a printer and a reader see it."""

from __future__ import annotations

import re

import pikepdf
import pytest

from checkers import pdf_fonts, pdf_text

MM = 72 / 25.4


def test_page_size_is_the_trim(sample, feature_book):
    with pikepdf.open(sample.pdf) as pdf:
        width, height = float(pdf.pages[0].mediabox[2]), float(pdf.pages[0].mediabox[3])
        assert width == pytest.approx(130 * MM, abs=0.5) and height == pytest.approx(210 * MM, abs=0.5)
        assert all(float(page.mediabox[2]) == width for page in pdf.pages)
    with pikepdf.open(feature_book.pdf) as pdf:
        assert float(pdf.pages[0].mediabox[2]) == pytest.approx(5 * 72, abs=0.5)
        assert float(pdf.pages[0].mediabox[3]) == pytest.approx(8 * 72, abs=0.5)


@pytest.mark.parametrize("book", ["sample", "feature_book"])
def test_every_font_is_embedded(book, request):
    fonts = pdf_fonts(request.getfixturevalue(book).pdf)
    assert fonts and all(font["emb"] for font in fonts)


def test_latin_text_and_svg_use_only_the_theme_fonts(sample, feature_book):
    theme = ("EB-Garamond", "EBGaramond", "IBM-Plex-Mono", "Octavo-Fallback", "Noto-Serif")
    assert all(font["name"].split("+")[-1].startswith(theme) for font in pdf_fonts(sample.pdf))
    # The fixture's one Hebrew word needs a font the theme does not ship; everything else is the theme's.
    others = [f["name"] for f in pdf_fonts(feature_book.pdf) if not f["name"].split("+")[-1].startswith(theme)]
    assert len(others) <= 1


def test_metadata_title_authors_language(sample, feature_book):
    with pikepdf.open(sample.pdf) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Putin efter upproret"
        assert str(pdf.docinfo["/Author"]) == "Gwynne Dyer"
        assert str(pdf.Root.Lang) == "sv"
        assert "/StructTreeRoot" in pdf.Root  # tagged
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320")
    with pikepdf.open(feature_book.pdf) as pdf:
        assert "Ada Author" in str(pdf.docinfo["/Author"]) and "Bo Writer" in str(pdf.docinfo["/Author"])
        assert str(pdf.docinfo["/Keywords"]) == "Testing, Typography"
        assert str(pdf.docinfo["/Subject"]) == "A fixture book that uses every feature."


def test_outline_follows_the_headings(feature_book):
    with pikepdf.open(feature_book.pdf) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
        assert "Part One: War" in titles and "Peace" in titles
        war = next(item for item in outline.root if item.title == "Part One: War")
        assert [child.title for child in war.children] == ["The Road to Moscow"]


def test_swedish_quotes_and_dashes_in_the_printed_text(sample):
    text = pdf_text(sample.pdf)
    assert "”Wagner”" in text
    assert re.search(r"Putin[\u00a0 ]– med", text)
    assert '"' not in text


def test_contents_page_numbers_folios_and_recto_chapters(sample):
    pages = pdf_text(sample.pdf).split("\f")[:-1]
    toc = next(page for page in pages if "Innehåll" in page)
    numbers = {title: int(re.search(rf"{title}[ .]*?(\d+)", toc)[1]) for title in ("Putin efter upproret", "Author")}
    opener = next(i for i, page in enumerate(pages) if page.strip().startswith("Putin efter upproret\n\nDet är"))
    author = next(i for i, page in enumerate(pages) if page.strip().startswith("Author"))
    assert opener % 2 == 0 and author % 2 == 0  # 0-based even: rectos
    # Folios count from the chapter opening, which carries none; the next page carries its number.
    assert numbers["Author"] - numbers["Putin efter upproret"] == author - opener
    assert not re.search(r"^\s*\d+\s*$", pages[opener], re.M)
    assert re.search(rf"^\s*{numbers['Putin efter upproret'] + 1}\s*$", pages[opener + 1], re.M)
    blank = pages[author - 1]
    assert blank.strip() == ""  # a blank verso before a chapter carries nothing
    assert "Putin efter upproret" in pages[opener + 1].splitlines()[0]  # verso head: the book title


def test_footnotes_sit_on_the_page_of_their_call(feature_book):
    pages = [" ".join(page.split()) for page in pdf_text(feature_book.pdf).split("\f")]
    page = next(p for p in pages if "soldier’s boots were wet" in p)
    assert "Wet boots are ‘uncomfortable’." in page


def test_images_are_in_the_pdf(feature_book):
    with pikepdf.open(feature_book.pdf) as pdf:
        images = [name for page in pdf.pages for name in page.get_images()]
        assert images
