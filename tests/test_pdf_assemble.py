"""octavo.pdf.assemble: chunk PDFs laid out by WeasyPrint joined into one book."""

from __future__ import annotations

import io
from functools import cache

import fontpkg_eb_garamond
import pikepdf
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from octavo.pdf.assemble import FolioStyle, OutlineEntry, assemble

FONT = fontpkg_eb_garamond.ROOT / "files" / "EBGaramond[wght].ttf"
STYLE = FolioStyle(font_path=FONT, size_pt=9, baseline_from_bottom_pt=30,
                   recto_x_pt=200, verso_x_pt=168)
CSS = "@page { size: 130mm 210mm } section { break-before: right }"

FRONT = """<h1 id="toc">Contents</h1>
<p><a href="#toc">Contents</a> <a href="octavo-dest:ch-2">Two</a>
<a href="octavo-dest:kapitel-å">Å</a></p>"""
PART_ONE = """<section><h1 id="ch-1">One</h1><p>First.</p></section>
<section><h3 id="ch-1-a">One A</h3><p>Second.</p></section>"""
PART_TWO = """<section><h1 id="ch-2">Two</h1><p><a href="octavo-dest:ch-1">Back</a></p></section>
<section><h1 id="kapitel-å">Å</h1><p>Last.</p></section>"""

OUTLINE = [OutlineEntry("Contents", 1, "toc"), OutlineEntry("One", 1, "ch-1"),
           OutlineEntry("One A", 3, "ch-1-a"), OutlineEntry("Two", 1, "ch-2"),
           OutlineEntry("Å", 2, "kapitel-å")]


@cache
def part(body: str, tags: bool) -> bytes:
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Book</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")
    return HTML(string=html).write_pdf(pdf_tags=tags)


def parts(tags: bool) -> list[bytes]:
    return [part(FRONT, tags), part(PART_ONE, tags), part(PART_TWO, tags)]


def page_counts(tags: bool) -> list[int]:
    return [len(pikepdf.open(io.BytesIO(p)).pages) for p in parts(tags)]


def layout(tags: bool) -> tuple[list[bool], list[str | None]]:
    """Blank pages so that every part starts on a recto; folios on all but blanks and page 0."""
    counts = page_counts(tags)
    blank_after = [count % 2 == 1 for count in counts[:-1]] + [False]
    total = sum(counts) + sum(blank_after)
    blanks = {sum(counts[: i + 1]) + sum(blank_after[:i]) for i, b in enumerate(blank_after) if b}
    folios = [None if i == 0 or i in blanks else str(i + 1) for i in range(total)]
    return blank_after, folios


@cache
def book_bytes(tags: bool) -> bytes:
    blank_after, folios = layout(tags)
    return assemble(parts(tags), blank_after=blank_after, folios=folios, folio_style=STYLE,
                    outline=OUTLINE)


def open_book(tags: bool) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(book_bytes(tags)))


def page_index(pdf: pikepdf.Pdf, page: pikepdf.Object) -> int:
    return [p.objgen for p in pdf.pages].index(page.objgen)


def named_destinations(pdf: pikepdf.Pdf) -> dict[bytes, pikepdf.Object]:
    names = pdf.Root.Names.Dests.Names
    return {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}


def destination_page(pdf: pikepdf.Pdf, element_id: str) -> int:
    [page] = [page_index(pdf, dest[0]) for key, dest in named_destinations(pdf).items()
              if str(pikepdf.String(key)) == element_id]
    return page


def test_page_count_includes_inserted_blanks():
    blank_after, folios = layout(False)
    assert sum(blank_after) >= 1  # the fixture does exercise blank insertion
    pdf = open_book(False)
    assert len(pdf.pages) == sum(page_counts(False)) + sum(blank_after) == len(folios)


def test_inserted_blank_copies_the_boxes_of_the_previous_page():
    pdf = open_book(False)
    blank = pdf.pages[page_counts(False)[0]].obj
    previous = pdf.pages[page_counts(False)[0] - 1].obj
    assert list(blank.MediaBox) == list(previous.MediaBox)
    assert list(blank.TrimBox) == list(previous.TrimBox)
    reader = PdfReader(io.BytesIO(book_bytes(False)))
    assert reader.pages[page_counts(False)[0]].extract_text() == ""


@pytest.mark.parametrize("tags", [False, True])
def test_folios_are_text_on_the_right_pages_only(tags):
    blank_after, folios = layout(tags)
    texts_before = []  # each page's text as laid out, "" for the inserted blanks
    for source, blank in zip(parts(tags), blank_after):
        texts_before += [page.extract_text() for page in PdfReader(io.BytesIO(source)).pages]
        texts_before += [""] * blank
    pages = PdfReader(io.BytesIO(book_bytes(tags))).pages
    assert any(folios) and None in folios
    for page, before, folio in zip(pages, texts_before, folios, strict=True):
        if folio is None:
            assert page.extract_text() == before
        else:
            assert page.extract_text().replace(before, "").strip() == folio


def test_folio_font_is_an_embedded_truetype_subset():
    pdf = open_book(False)
    font = pdf.pages[2].Resources.Font.OctavoFolio
    assert font.Subtype == "/TrueType" and font.Encoding == "/WinAnsiEncoding"
    assert len(font.Widths) == font.LastChar - font.FirstChar + 1
    assert str(font.BaseFont)[7] == "+" and "/FontFile2" in font.FontDescriptor
    assert len(font.FontDescriptor.FontFile2.read_bytes()) < 20_000  # a subset, not the font


def test_folios_are_centred_artifacts_in_trim_box_coordinates():
    blank_after, folios = layout(False)
    shifted = pikepdf.open(io.BytesIO(part(PART_ONE, False)))
    for page in shifted.pages:  # a TrimBox away from the origin, as with bleed
        width, height = float(page.obj.TrimBox[2]), float(page.obj.TrimBox[3])
        page.obj.TrimBox = [10, 20, 10 + width, 20 + height]
    out = io.BytesIO()
    shifted.save(out)
    pdf = pikepdf.open(io.BytesIO(assemble(
        [part(FRONT, False), out.getvalue(), part(PART_TWO, False)], blank_after=blank_after,
        folios=folios, folio_style=STYLE, outline=[])))
    first_page_of_part_one = page_counts(False)[0] + blank_after[0]
    for index in (first_page_of_part_one, first_page_of_part_one + 1):
        page = pdf.pages[index]
        folio_stream = page.obj.Contents[-1].read_bytes()
        assert folio_stream.startswith(b"Q\n/Artifact") and folio_stream.endswith(b"EMC\n")
        instructions = {str(op): operands
                        for operands, op in pikepdf.parse_content_stream(page.obj.Contents[-1])}
        font = page.Resources.Font.OctavoFolio
        advances = sum(font.Widths[ord(char) - font.FirstChar] for char in folios[index])
        width = advances * STYLE.size_pt / 1000
        x, y = (float(value) for value in instructions["Td"])
        trim_left, trim_bottom = float(page.obj.TrimBox[0]), float(page.obj.TrimBox[1])
        centre = STYLE.recto_x_pt if index % 2 == 0 else STYLE.verso_x_pt
        assert x + width / 2 == pytest.approx(trim_left + centre, abs=0.01)
        assert y == pytest.approx(trim_bottom + STYLE.baseline_from_bottom_pt)
    assert float(pdf.pages[first_page_of_part_one].obj.TrimBox[0]) == 10


@pytest.mark.parametrize("tags", [False, True])
def test_cross_part_links_become_goto_actions_to_the_right_page(tags):
    pdf = open_book(tags)
    goto = {}
    for index, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", ()):
            if "/A" in annotation:
                assert annotation.A.S == "/GoTo"
                target = named_destinations(pdf)[bytes(annotation.A.D)]
                goto[(index, str(annotation.A.D))] = page_index(pdf, target[0])
    assert goto[(0, "ch-2")] == destination_page(pdf, "ch-2")
    assert goto[(0, "kapitel-å")] == destination_page(pdf, "kapitel-å")
    assert goto[(destination_page(pdf, "ch-2"), "ch-1")] == destination_page(pdf, "ch-1")
    assert destination_page(pdf, "ch-1") == page_counts(tags)[0] + 1  # after the blank


def test_internal_links_still_resolve():
    pdf = open_book(False)
    [internal] = [a for a in pdf.pages[0].obj.Annots if "/Dest" in a]
    assert bytes(internal.Dest) in named_destinations(pdf)


def test_outline_is_nested_and_points_at_the_right_pages():
    pdf = open_book(False)
    with pdf.open_outline() as outline:
        tree = [(item.title, page_index(pdf, item.destination[0]),
                 [(child.title, page_index(pdf, child.destination[0])) for child in item.children])
                for item in outline.root]
    assert tree == [
        ("Contents", 0, []),
        ("One", destination_page(pdf, "ch-1"), [("One A", destination_page(pdf, "ch-1-a"))]),
        ("Two", destination_page(pdf, "ch-2"), [("Å", destination_page(pdf, "kapitel-å"))]),
    ]


def test_metadata_comes_from_the_first_part():
    pdf = open_book(True)
    assert str(pdf.docinfo.Title) == "Book"
    assert str(pdf.Root.Lang) == "en"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle
    assert "/StructTreeRoot" not in open_book(False).Root


def structure_elements(element: pikepdf.Object):
    yield element
    kids = element.get("/K", ())
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from structure_elements(kid)


def test_structure_trees_are_merged():
    pdf = open_book(True)
    root = pdf.Root.StructTreeRoot
    [document] = root.K
    assert document.S == "/Document" and document.P.objgen == root.objgen
    sources = [pikepdf.open(io.BytesIO(p)) for p in parts(True)]
    part_kids = [kid.S for source in sources for kid in source.Root.StructTreeRoot.K[0].K]
    assert [kid.S for kid in document.K] == part_kids
    assert all(kid.P.objgen == document.objgen for kid in document.K)
    assert pdf.Root.MarkInfo.Marked is True

    numbers = root.ParentTree.Nums
    parent_tree = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    assert len(parent_tree) == len(numbers) // 2 and int(root.ParentTreeNextKey) > max(parent_tree)
    pages = {page.objgen for page in pdf.pages}
    for element in structure_elements(document):
        if "/Pg" in element:
            assert element.Pg.objgen in pages
    tagged_pages = 0
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            tagged_pages += 1
            for element in parent_tree[int(page.obj.StructParents)]:
                assert element.Pg.objgen == page.objgen
        for annotation in page.obj.get("/Annots", ()):
            link = parent_tree[int(annotation.StructParent)]
            assert link.S == "/Link"
            assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Obj") is not None
                       and kid.Obj.objgen == annotation.objgen for kid in link.K)
    assert tagged_pages == sum(page_counts(True))


@pytest.mark.parametrize("tags", [False, True])
def test_same_inputs_give_identical_bytes(tags):
    blank_after, folios = layout(tags)
    again = assemble(list(parts(tags)), blank_after=blank_after, folios=folios,
                     folio_style=STYLE, outline=OUTLINE)
    assert again == book_bytes(tags)


def test_unknown_link_destination_is_an_error():
    lost = part('<p><a href="octavo-dest:nowhere">?</a></p>', False)
    with pytest.raises(ValueError, match="nowhere"):
        assemble([lost, part(PART_ONE, False)], blank_after=[True, False],
                 folios=[None] * 5, folio_style=None, outline=[])


def test_unknown_outline_destination_is_an_error():
    blank_after, folios = layout(False)
    with pytest.raises(ValueError, match="nowhere"):
        assemble(parts(False), blank_after=blank_after, folios=folios, folio_style=STYLE,
                 outline=[OutlineEntry("Lost", 1, "nowhere")])


def test_an_id_defined_in_two_parts_is_an_error():
    with pytest.raises(ValueError, match="ch-1"):
        assemble([part(PART_ONE, False), part(PART_ONE, False)], blank_after=[True, False],
                 folios=[None] * 7, folio_style=None, outline=[])


def test_folios_must_match_the_pages():
    blank_after, folios = layout(False)
    with pytest.raises(ValueError, match="folios"):
        assemble(parts(False), blank_after=blank_after, folios=folios[:-1], folio_style=STYLE,
                 outline=[])
    with pytest.raises(ValueError, match="FOLIO_CHARACTERS"):
        assemble(parts(False), blank_after=blank_after, folios=["A"] * len(folios),
                 folio_style=STYLE, outline=[])


def test_outline_levels_start_at_one():
    blank_after, folios = layout(False)
    with pytest.raises(ValueError, match="level 0"):
        assemble(parts(False), blank_after=blank_after, folios=folios, folio_style=STYLE,
                 outline=[OutlineEntry("Contents", 0, "toc")])
