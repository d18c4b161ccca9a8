"""Print profiles: each target's PDF read back as its printer's intake would read it."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from checkers import pdf_fonts, running_in_ci
from click.testing import CliRunner
from conftest import FIXTURES, copy_sample

from octavo.build import build
from octavo.cli import main
from octavo.config import PDF_VARIANTS, load_config
from octavo.errors import OctavoError
from octavo.pdf.profiles import print_target
from octavo.preflight import Finding

MM = 72 / 25.4
INCH = 72
# Debian's libgs-common ships this CMYK profile; it is used at test time only, never shipped.
TEST_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
needs_icc = pytest.mark.skipif(not TEST_ICC.is_file() and not running_in_ci(),
                               reason="no CMYK ICC profile here (Debian package libgs-common)")


@dataclass
class ProfileBuild:
    path: Path
    pages: int
    findings: list[Finding]

    def checks(self, severity: str | None = None) -> set[str]:
        return {f.check for f in self.findings if severity is None or f.severity == severity}


def with_test_icc(project: Path) -> Path:
    """The project with the test CMYK profile as its [print] icc_profile (book.toml ends in [print])."""
    if TEST_ICC.is_file():
        (project / "print").mkdir()
        shutil.copy(TEST_ICC, project / "print" / "cmyk.icc")
        with (project / "book.toml").open("a", encoding="utf-8") as toml:
            toml.write('icc_profile = "print/cmyk.icc"\n')
    return project


def copy_project(source: Path, destination: Path, icc: bool = True) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("build", "src", "tests", ".*"))
    return with_test_icc(destination) if icc else destination


def build_profile(project: Path, profile: str, output: Path | None = None) -> ProfileBuild:
    result = build(project, ("pdf",), output or project / "build", profile=profile)
    written, = result.outputs
    return ProfileBuild(written.path, written.pages, result.findings)


def sample_project(destination: Path) -> Path:
    return with_test_icc(copy_sample(destination / "sample"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[tuple[str, str], ProfileBuild]:
    """The sample and the every-feature book under every profile (one chapter cache per book)."""
    root = tmp_path_factory.mktemp("profiles")
    projects = {"sample": sample_project(root), "features": copy_project(FIXTURES / "every-feature", root / "features")}
    profiles = ["digital", "kdp", "proof"] + (["ingramspark"] if TEST_ICC.is_file() else [])
    return {(book, profile): build_profile(project, profile) for book, project in projects.items()
            for profile in profiles}


def lines_drawn(page: pikepdf.Page) -> int:
    """Line segments drawn on the page, in its content and the forms it draws."""
    streams = [page] + [form for form in page.obj.Resources.get("/XObject", {}).values() if form.Subtype == "/Form"]
    return sum(str(operator) == "l" for stream in streams for _, operator in pikepdf.parse_content_stream(stream))


def boxes(page: pikepdf.Page) -> dict[str, tuple[float, ...]]:
    return {key: tuple(round(float(v), 1) for v in page.obj[key]) for key in ("/MediaBox", "/TrimBox", "/BleedBox")
            if key in page.obj}


@pytest.mark.parametrize(("book", "slug"), [("sample", "putin-efter-upproret"), ("features", "the-feature-book")])
def test_file_names_follow_the_profile(builds, book, slug):
    names = {profile: built.path.name for (name, profile), built in builds.items() if name == book}
    assert names["digital"] == f"{slug}.pdf"
    assert names["kdp"] == f"{slug}-kdp.pdf" and names["proof"] == f"{slug}-proof.pdf"


@pytest.mark.parametrize("book", ["sample", "features"])
def test_digital_is_tagged_pdf_ua_with_links_and_bookmarks(builds, book):
    built = builds[book, "digital"]
    with pikepdf.open(built.path) as pdf:
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang)
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        with pdf.open_outline() as outline:
            assert outline.root
        if book == "features":  # its chapters link to each other
            assert any("/Annots" in page.obj for page in pdf.pages)
    assert not built.checks("error"), built.findings


@pytest.mark.parametrize("book", ["sample", "features"])
def test_kdp_has_no_bookmarks_links_or_marks_and_an_even_page_count(builds, book):
    built = builds[book, "kdp"]
    with pikepdf.open(built.path) as pdf:
        assert "/Outlines" not in pdf.Root
        assert not any("/Annots" in page.obj for page in pdf.pages)
        assert len(pdf.pages) % 2 == 0
        trim = boxes(pdf.pages[0])["/TrimBox"]
        assert all(boxes(page)["/MediaBox"] == trim for page in pdf.pages)  # no bleed, no marks
    assert all(font["emb"] for font in pdf_fonts(built.path))
    assert not built.checks("error"), built.findings


def test_kdp_warns_about_a_book_under_24_pages(builds):
    built = builds["sample", "kdp"]
    assert built.pages < 24
    assert [f.message for f in built.findings if f.check == "page-count"] == [
        f"{built.pages} pages: Amazon KDP Print prints books of 24 pages or more"]


@pytest.mark.parametrize("book", ["sample", "features"])
def test_proof_has_bleed_and_marks_outside_the_trim(builds, book):
    built, digital = builds[book, "proof"], builds[book, "digital"]
    with pikepdf.open(built.path) as pdf, pikepdf.open(digital.path) as reference:
        bleed = 3 * MM
        for page in pdf.pages:
            page_boxes = boxes(page)
            media, trim = page_boxes["/MediaBox"], page_boxes["/TrimBox"]
            assert media[2] - media[0] == pytest.approx(trim[2] - trim[0] + 2 * bleed, abs=0.2)
            assert media[3] - media[1] == pytest.approx(trim[3] - trim[1] + 2 * bleed, abs=0.2)
            assert page_boxes["/BleedBox"] == media
        # Crop and cross marks are lines the digital edition does not have.
        assert lines_drawn(pdf.pages[0]) >= lines_drawn(reference.pages[0]) + 16
    assert not built.checks("error"), built.findings


@needs_icc
@pytest.mark.parametrize("book", ["sample", "features"])
def test_ingramspark_is_pdf_x1a_cmyk_even_with_a_blank_last_page(builds, book):
    built = builds[book, "ingramspark"]
    with pikepdf.open(built.path) as pdf:
        assert pdf.pdf_version == "1.4"
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-1a:2003"
        intent, = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and int(intent.DestOutputProfile.N) == 4
        assert len(pdf.pages) % 2 == 0
        assert not list(pikepdf.parse_content_stream(pdf.pages[-1]))
        assert not any("/Annots" in page.obj for page in pdf.pages)
    errors = [(f.check, f.page) for f in built.findings if f.severity == "error"]
    if book == "sample":
        assert errors == []  # no RGB anywhere, 0.5 in around all text, folios and running heads included
    else:
        assert errors == [("rgb-image", 5)]  # the fixture's PNG illustrations are RGB


def test_ingramspark_without_an_icc_profile_stops_with_a_message(tmp_path):
    project = copy_project(FIXTURES / "every-feature", tmp_path / "book", icc=False)
    result = CliRunner().invoke(main, ["build", str(project), "--format", "pdf", "--profile", "ingramspark"])
    assert result.exit_code == 1
    assert "icc_profile" in result.output and "Traceback" not in result.output
    assert not list((project / "build").glob("*.pdf"))


def test_kdp_refuses_a_bleed_other_than_an_eighth_of_an_inch(make_project):
    root = make_project(toml='[book]\ntitle = "T"\nauthors = ["A"]\nlanguage = "en"\n[print]\nbleed = "5mm"\n')
    with pytest.raises(OctavoError, match="0.125 in"):
        print_target(load_config(root).print, "kdp")


def test_pdf_variant_pdf_a(make_project, tmp_path):
    root = make_project(toml='[book]\ntitle = "T"\nauthors = ["A"]\nlanguage = "en"\n[print]\npdf_variant = "pdf/a-2b"\n')
    built = build_profile(root, "digital")
    with pikepdf.open(built.path) as pdf, pdf.open_metadata() as xmp:
        assert xmp.get("pdfaid:part") == "2" and xmp.get("pdfaid:conformance") == "B"
        assert "/StructTreeRoot" in pdf.Root  # the digital profile stays tagged


@needs_icc
def test_print_profiles_are_reproducible(tmp_path):
    """Two clean builds (no shared cache) of the same sources give the same bytes."""
    first = sample_project(tmp_path / "a")
    second = sample_project(tmp_path / "b")
    for profile in ("kdp", "ingramspark", "proof"):
        assert build_profile(first, profile).path.read_bytes() == build_profile(second, profile).path.read_bytes()


@pytest.mark.parametrize(("profile", "paper", "inches_per_page"), [("kdp", "cream", 0.0025), ("proof", "white", 0.002252)])
def test_cover_command_wraps_the_interiors_page_count(make_project, profile, paper, inches_per_page):
    root = make_project({"manuscript/01.md": f"# One\n\n{'Words of the book. ' * 400}\n"},
                        f'[book]\ntitle = "T"\nauthors = ["A"]\nlanguage = "en"\n[print]\ntrim = "6x9in"\n'
                        f'paper = "{paper}"\n')
    result = CliRunner().invoke(main, ["cover", str(root), "--profile", profile])
    assert result.exit_code == 0, result.output
    interior = build_profile(root, profile)
    bleed_in = 0.125 if profile == "kdp" else 3 / 25.4  # the cover bleeds even when the interior does not
    with pikepdf.open(root / "build" / "t-cover.pdf") as pdf:
        page, = pdf.pages
        width, height = (float(page.mediabox[2]) - float(page.mediabox[0]), float(page.mediabox[3]) - float(page.mediabox[1]))
    assert width == pytest.approx((2 * 6 + interior.pages * inches_per_page + 2 * bleed_in) * INCH, abs=0.5)
    assert height == pytest.approx((9 + 2 * bleed_in) * INCH, abs=0.5)


@needs_icc
def test_pdf_x4_is_reproducible_too(tmp_path):
    """WeasyPrint writes a random XMP DocumentID into PDF/X-4; Octavo derives it from the content."""
    builds = []
    for name in ("a", "b"):
        project = sample_project(tmp_path / name)
        with (project / "book.toml").open("a", encoding="utf-8") as toml:
            toml.write('pdf_variant = "pdf/x-4"\n')
        builds.append(build_profile(project, "kdp").path.read_bytes())
    assert builds[0] == builds[1]
    with pikepdf.open(io.BytesIO(builds[0])) as pdf, pdf.open_metadata() as xmp:
        assert xmp["xmpMM:DocumentID"].startswith("xmp.did:")
        assert str(pdf.docinfo.get("/GTS_PDFXVersion", "")) == "" and xmp.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"


@needs_icc
@pytest.mark.parametrize("variant", PDF_VARIANTS)
def test_every_pdf_variant_builds_and_says_what_it_is(make_project, variant):
    root = make_project({"manuscript/01.md": "# One\n\nText, with a [link](#one).\n"},
                        f'[book]\ntitle = "T"\nauthors = ["A"]\nlanguage = "en"\n[print]\npdf_variant = "{variant}"\n'
                        'icc_profile = "cmyk.icc"\n')
    shutil.copy(TEST_ICC, root / "cmyk.icc")
    built = build_profile(root, "digital")
    assert not built.checks("error"), built.findings
    family, part = re.match(r"pdf/(a|ua|x)-(\d)", variant).groups()
    with pikepdf.open(built.path) as pdf, pdf.open_metadata() as xmp:
        claimed = {"a": xmp.get("pdfaid:part"), "ua": xmp.get("pdfuaid:part"),
                   "x": xmp.get("pdfxid:GTS_PDFXVersion") or xmp.get("pdfx:GTS_PDFXVersion")}[family]
        assert claimed and part in claimed
        assert ("/OutputIntents" in pdf.Root) == (family != "ua")
