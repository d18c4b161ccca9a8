"""The paperback's full-wrap cover PDF and the EPUB's generated front cover."""

from __future__ import annotations

import io
import time
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from checkers import pdf_fonts
from PIL import Image
from pypdf import PdfReader

from octavo.cache import DiskCache
from octavo.cover import front_cover_jpeg, spine_width_in, write_cover
from octavo.errors import OctavoError
from octavo.project import load_book

MOMENT = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
PT = 72 / 25.4
TRIM = (127.0, 203.2)  # 5x8in
KDP_BLEED = 3.175
ISBN = "9780306406157"
BOOK = ('[book]\ntitle = "The Lighthouse Keeper"\nsubtitle = "A Novel"\nauthors = ["Ada Writer"]\n'
        'language = "en"\ndescription = "A keeper, a storm and the longest night of the year."\n{book}'
        '[print]\ntrim = "5x8in"\npaper = "white"\n{print}')


def make_book(folder: Path, *, isbn: bool = True, cover: bool = False, description: str | None = None):
    (folder / "manuscript").mkdir(parents=True, exist_ok=True)
    (folder / "manuscript" / "01.md").write_text("# One\n\nText.\n", encoding="utf-8")
    book_extra = 'cover = "cover.png"\n' if cover else ""
    toml = BOOK.format(book=book_extra, print='isbn = "978-0-306-40615-7"\n' if isbn else "")
    if description is not None:
        toml = toml.replace("A keeper, a storm and the longest night of the year.", description)
    (folder / "book.toml").write_text(toml, encoding="utf-8")
    if cover:
        image = Image.new("RGB", (400, 640), (180, 40, 30))
        image.paste((250, 220, 40), (100, 200, 300, 440))
        image.save(folder / "cover.png")
    return load_book(folder)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    base = tmp_path_factory.mktemp("covers")
    return {
        "isbn": make_book(base / "isbn"),
        "plain": make_book(base / "plain", isbn=False),
        "image": make_book(base / "image", cover=True),
    }


@pytest.fixture(scope="module")
def covers(books, tmp_path_factory):
    """Cover PDFs, written once: (book, pages, bleed) → path."""
    folder = tmp_path_factory.mktemp("cover-pdfs")
    made: dict[tuple, Path] = {}

    def cover(name: str, pages: int, bleed: float = KDP_BLEED) -> Path:
        key = (name, pages, bleed)
        if key not in made:
            path = folder / f"{name}-{pages}-{bleed}.pdf"
            path.write_bytes(write_cover(books[name], pages, bleed, MOMENT))
            made[key] = path
        return made[key]
    return cover


def box(page, name: str) -> list[float]:
    return [float(value) for value in page[name]]


def spine_mm(pages: int) -> float:
    return spine_width_in(pages, 0.002252) * 25.4


def test_spine_width_is_pages_times_paper_thickness():
    assert spine_width_in(300, 0.002252) == pytest.approx(0.6756)
    assert spine_width_in(0, 0.0025) == 0
    with pytest.raises(ValueError):
        spine_width_in(-1, 0.0025)


@pytest.mark.parametrize("pages, bleed", [(300, KDP_BLEED), (40, 0.0), (120, 5.0)])  # 5 mm: past WeasyPrint's 10 pt BleedBox
def test_page_is_the_full_wrap_with_bleed(covers, pages, bleed):
    with pikepdf.open(covers("isbn", pages, bleed)) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0].obj
        media, trim, bleed_box = box(page, "/MediaBox"), box(page, "/TrimBox"), box(page, "/BleedBox")
    width = (2 * TRIM[0] + spine_mm(pages) + 2 * bleed) * PT
    height = (TRIM[1] + 2 * bleed) * PT
    assert media[2] - media[0] == pytest.approx(width, abs=0.5)
    assert media[3] - media[1] == pytest.approx(height, abs=0.5)
    # The TrimBox is the wrap without bleed, the bleed all round it; the BleedBox is all of it.
    assert trim[2] - trim[0] == pytest.approx((2 * TRIM[0] + spine_mm(pages)) * PT, abs=0.5)
    assert trim[3] - trim[1] == pytest.approx(TRIM[1] * PT, abs=0.5)
    for side in range(2):
        assert trim[side] - media[side] == pytest.approx(bleed * PT, abs=0.01)
        assert media[side + 2] - trim[side + 2] == pytest.approx(bleed * PT, abs=0.01)
    assert bleed_box == pytest.approx(media)


def text_runs(path: Path) -> list[tuple[str, float, float, bool]]:
    """(text, x, y, rotated) of each run of text, in the PDF's user space."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), x, y, abs(cm[0]) < 1e-6 and abs(cm[1]) > 1e-6))
    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("pages, has_spine_text", [(300, True), (80, True), (40, False)])
def test_spine_text_only_from_80_pages(covers, pages, has_spine_text):
    path = covers("isbn", pages)
    rotated = PdfReader(path).pages[0].extract_text(orientations=(90, 270))
    assert ("The Lighthouse Keeper" in rotated and "Ada Writer" in rotated) == has_spine_text, rotated
    spine_runs = [run for run in text_runs(path) if run[3]]
    assert bool(spine_runs) == has_spine_text
    left, right = TRIM[0] * PT, (TRIM[0] + spine_mm(pages)) * PT
    for text, x, _, _ in spine_runs:
        assert left < x < right, (text, x, left, right)


def test_barcode_only_with_a_print_isbn(covers):
    def rectangles(path):
        with pikepdf.open(path) as pdf:
            return Counter(str(op) for _, op in pikepdf.parse_content_stream(pdf.pages[0]))["re"]

    with_isbn, without = covers("isbn", 300), covers("plain", 300)
    text = PdfReader(with_isbn).pages[0].extract_text()
    assert f"ISBN {ISBN}" in text
    assert "780306" in text and "406157" in text  # the digits under the bars
    assert rectangles(with_isbn) - rectangles(without) >= 30  # an EAN-13 has 30 bars
    plain_text = PdfReader(without).pages[0].extract_text()
    assert "ISBN" not in plain_text and "780306" not in plain_text
    assert "A keeper, a storm" in plain_text  # the description is on the back either way
    # The box is at the foot of the back cover, on the spine's side.
    (_, x, y, _), = [run for run in text_runs(with_isbn) if run[0].startswith("ISBN")]
    assert TRIM[0] * PT / 2 < x < TRIM[0] * PT and 0 < y < 35 * PT


def test_every_font_is_embedded(covers):
    fonts = pdf_fonts(covers("isbn", 300))
    assert fonts and all(font["emb"] for font in fonts), fonts
    assert any("EB-Garamond" in font["base_name"] for font in fonts)


def test_cover_image_fills_the_front(covers):
    def images(path):
        with pikepdf.open(path) as pdf:
            return [(image.width, image.height) for image in
                    (pikepdf.PdfImage(xobject) for xobject in _image_xobjects(pdf.pages[0]))]

    assert images(covers("image", 300)) == [(400, 640)]
    assert images(covers("isbn", 300)) == []
    front = [run for run in text_runs(covers("image", 300)) if run[1] > (TRIM[0] + spine_mm(300)) * PT]
    assert front == []  # the picture is the front: no typographic title over it
    typographic = [run[0] for run in text_runs(covers("isbn", 300))
                   if run[1] > (TRIM[0] + spine_mm(300)) * PT]
    assert "A Novel" in typographic and "Ada Writer" in typographic


def _image_xobjects(page):
    def walk(resources, depth=0):
        for xobject in (resources.get("/XObject") or {}).values() if depth < 5 else ():
            if xobject.get("/Subtype") == "/Image":
                yield xobject
            elif xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                yield from walk(xobject.Resources, depth + 1)
    return list(walk(page.Resources))


def test_same_inputs_same_bytes_and_a_title(books, covers, monkeypatch):
    first = covers("isbn", 300).read_bytes()
    assert write_cover(books["isbn"], 300, KDP_BLEED, MOMENT) == first
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert str(pdf.docinfo["/Title"]) == "The Lighthouse Keeper — cover"
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320")
    # Without SOURCE_DATE_EPOCH, the moment given stamps the font subsets, not the time of day.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    one = write_cover(books["plain"], 40, 0, MOMENT)
    time.sleep(1.1)
    assert write_cover(books["plain"], 40, 0, MOMENT) == one


def test_a_description_too_long_for_the_back_is_refused(tmp_path):
    book = make_book(tmp_path, description="A very long description of the book. " * 120)
    with pytest.raises(OctavoError, match="too long for the back cover"):
        write_cover(book, 300, KDP_BLEED, MOMENT)


def test_front_cover_jpeg_is_1600_by_2560_and_reproducible(books, tmp_path, monkeypatch):
    cache = DiskCache(tmp_path / "cache")
    data = front_cover_jpeg(books["isbn"], MOMENT, cache=cache)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1600, 2560))
    assert front_cover_jpeg(books["isbn"], MOMENT) == data
    # Dark ground, light type: the typographic front, not a blank page.
    colours = image.convert("L").getextrema()
    assert colours[0] < 60 and colours[1] > 200
    # A rebuild takes it from the cache, without laying out or rasterising.
    monkeypatch.setattr("octavo.cover._lay_out", lambda *args: pytest.fail("laid out again"))
    assert front_cover_jpeg(books["isbn"], MOMENT, cache=cache) == data


def test_epub_without_cover_image_gets_the_typographic_front(books, tmp_path):
    from octavo.epub import write_epub
    data = write_epub(books["plain"], MOMENT, tmp_path / "cache")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        opf = archive.read("EPUB/content.opf").decode()
        nav = archive.read("EPUB/nav.xhtml").decode()
        page = archive.read("EPUB/cover.xhtml").decode()
        jpeg = archive.read("EPUB/images/cover.jpg")
    assert 'properties="cover-image"' in opf and 'media-type="image/jpeg"' in opf
    assert 'epub:type="cover" href="cover.xhtml"' in nav
    assert 'alt="Cover of The Lighthouse Keeper by Ada Writer"' in page
    assert Image.open(io.BytesIO(jpeg)).size == (1600, 2560)
    assert jpeg == front_cover_jpeg(books["plain"], MOMENT)
    assert write_epub(books["plain"], MOMENT, tmp_path / "cache") == data


def test_a_long_spine_text_is_set_smaller_to_fit(tmp_path):
    make_book(tmp_path)
    long_title = "The Remarkable and Entirely True History of the Northern Lighthouse Board"
    toml = (tmp_path / "book.toml").read_text(encoding="utf-8")
    toml = toml.replace('"The Lighthouse Keeper"', f'"{long_title}"').replace(
        '["Ada Writer"]', '["Ada Writer", "Bo Other-Author", "Cecilia Third"]')
    (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    path = tmp_path / "cover.pdf"
    path.write_bytes(write_cover(load_book(tmp_path), 200, KDP_BLEED, MOMENT))
    assert long_title in PdfReader(path).pages[0].extract_text(orientations=(90, 270))
    # Read from the head down, it starts below the head margin (0.375 in), so, centred, it ends
    # above the foot margin.
    starts = [y for _, _, y, rotated in text_runs(path) if rotated]
    assert max(starts) <= (TRIM[1] - 0.375 * 25.4) * PT


@pytest.mark.parametrize(("language", "front_side"), [("en", "right"), ("he", "left")])
def test_the_front_is_on_the_side_the_book_opens_from(tmp_path, language, front_side):
    """A right-to-left book is bound on the right: its front panel is the left one."""
    book = make_book(tmp_path / language, isbn=False)
    toml = tmp_path / language / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('language = "en"', f'language = "{language}"'),
                    encoding="utf-8")
    pdf = tmp_path / "cover.pdf"
    pdf.write_bytes(write_cover(load_book(book.root), 40, KDP_BLEED, MOMENT))
    page = PdfReader(pdf).pages[0]
    middle = float(page.mediabox.width) / 2
    title_x = []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: title_x.append(tm[4] * cm[0] + cm[4])
                      if "A Novel" in text else None)  # the subtitle is only on the front
    assert title_x and all((x > middle) == (front_side == "right") for x in title_x)
