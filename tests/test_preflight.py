"""The preflight: each defect planted on purpose is reported, with its page and, where the text
comes from the manuscript, its file and line."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pikepdf
import pytest
import weasyprint
from checkers import pdf_text
from click.testing import CliRunner
from test_profiles import TEST_ICC, needs_icc

from octavo.build import build
from octavo.cli import main
from octavo.config import load_config
from octavo.pdf.profiles import print_target
from octavo.preflight.boxes import LiveArea
from octavo.preflight.pdf import check_pdf

TOML = '[book]\ntitle = "Preflight"\nauthors = ["A. Writer"]\nlanguage = "en"\n'
LONG = " ".join(["The quick brown fox jumps over the lazy dog while the printer waits."] * 6)


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x80\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def page_with(pdf_path, words: str) -> int:
    """The 1-based page whose text contains ``words``."""
    pages = pdf_text(pdf_path).split("\f")
    return next(number for number, text in enumerate(pages, start=1) if words in " ".join(text.split()))


def findings_of(root, profile="digital"):
    result = build(root, ("pdf",), profile=profile)
    return result.outputs[0].path, result.findings


def test_a_runt_is_reported_with_its_book_page_and_manuscript_line(make_project):
    root = make_project({
        "manuscript/01.md": f"# One\n\n{LONG}\n",
        "manuscript/02.md": f"# Two\n\nFirst paragraph.\n\n{LONG} Then the paragraph\\\nends.\n",
    }, TOML)
    pdf, findings = findings_of(root)
    runts = [f for f in findings if f.check == "runt"]
    assert [(f.source, f.line) for f in runts] == [("manuscript/02.md", 5)]
    assert runts[0].page == page_with(pdf, "Then the paragraph") > 4  # a book page, after the front matter


def test_a_low_resolution_image_is_reported(make_project):
    root = make_project({"manuscript/01.md": "# One\n\nText.\n\n![A red square](red.png)\n",
                         "manuscript/red.png": png(60, 60)}, TOML + "[print]\n")
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text("img { width: 50mm; }")
    pdf, findings = findings_of(root, "kdp")
    low, = [f for f in findings if f.check == "image-resolution"]
    assert (low.source, low.line, low.severity) == ("manuscript/01.md", 5, "warning")
    assert "30 ppi" in low.message and low.page == page_with(pdf, "Text.")


def test_margins_under_the_printers_minimum_are_errors_and_fail_the_build(make_project):
    root = make_project({"manuscript/01.md": f"# One\n\n{LONG}\n"}, TOML)
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text("@page { margin: 4mm; } @page :left { margin: 4mm; } "
                                               "@page :right { margin: 4mm; }")
    _, findings = findings_of(root, "kdp")
    sides = {re.search(r"from the (\w+) edge", f.message)[1] for f in findings if f.check == "margins"}
    assert {"inside", "outside"} <= sides
    result = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "-p", "kdp"])
    assert result.exit_code == 1 and "error:" in result.output and "Traceback" not in result.output


def test_warnings_fail_only_with_strict(make_project):
    root = make_project({"manuscript/01.md": "# One\n\nText.\n"}, TOML)  # under 24 pages: a KDP warning
    assert CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "-p", "kdp"]).exit_code == 0
    strict = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "-p", "kdp", "--strict"])
    assert strict.exit_code == 1 and "24 pages" in strict.output


@needs_icc
def test_rgb_colour_in_a_pdf_x_file(make_project):
    root = make_project({"manuscript/01.md": "# One\n\nText.\n"}, TOML + '[print]\nicc_profile = "cmyk.icc"\n')
    (root / "cmyk.icc").write_bytes(TEST_ICC.read_bytes())
    (root / "styles").mkdir()
    (root / "styles" / "print.css").write_text("h1 { color: rgb(200, 0, 0); }")
    _, findings = findings_of(root, "ingramspark")
    colour, = [f for f in findings if f.check == "rgb-colour"]
    assert colour.severity == "error" and colour.page == 1  # the title page's h1 comes first


def weasyprint_pdf(pages: int, size: str = "130mm 210mm", tags: bool = False) -> bytes:
    html = "".join(f'<p style="break-after: page">Page {n} <a href="#p1">link</a></p>' for n in range(pages))
    return weasyprint.HTML(string=f'<html lang="en"><title>T</title><h1 id="p1">T</h1>{html}</html>').write_pdf(
        stylesheets=[weasyprint.CSS(string=f"@page {{ size: {size} }}")], pdf_tags=tags)


def target(profile: str, make_project, trim: str = "130x210mm"):
    root = make_project(toml=TOML + f'[print]\ntrim = "{trim}"\n')
    settings = load_config(root).print
    if profile == "ingramspark":
        from dataclasses import replace
        settings = replace(settings, icc_profile=TEST_ICC)
    return print_target(settings, profile)


def checks(findings) -> dict[str, int | None]:
    return {f.check: f.page for f in findings}


def test_file_level_checks_on_planted_pdfs(make_project):
    kdp = target("kdp", make_project)
    found = checks(check_pdf(weasyprint_pdf(3), kdp, LiveArea()))
    assert found["page-count"] is None  # odd, and under 24 pages
    assert "annotations" in found and found["annotations"] == 1  # a link on page 1
    assert "bookmarks" in found  # the h1 makes one

    wrong_trim = target("kdp", make_project, "6x9in")
    assert checks(check_pdf(weasyprint_pdf(2), wrong_trim, LiveArea()))["page-size"] == 1

    untagged = check_pdf(weasyprint_pdf(2), target("digital", make_project), LiveArea())
    assert [f.message for f in untagged if f.check == "pdf-ua"] == ["the PDF is not tagged (no structure tree)"]


def test_a_font_that_is_not_embedded_is_an_error(make_project):
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for _ in range(2):
        page = pdf.add_blank_page(page_size=(130 * 72 / 25.4, 210 * 72 / 25.4))
        page.obj.TrimBox = page.obj.MediaBox
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 10 10 Td (x) Tj ET")
    data = io.BytesIO()
    pdf.save(data)
    found = check_pdf(data.getvalue(), target("kdp", make_project), LiveArea())
    assert [(f.check, f.page) for f in found if f.severity == "error"] == [("fonts-embedded", 1)]


@needs_icc
def test_last_page_must_be_blank_for_ingramspark(make_project):
    found = checks(check_pdf(weasyprint_pdf(2), target("ingramspark", make_project), LiveArea()))
    assert found["last-page-blank"] == 2
    assert "output-intent" in found


def test_a_figure_without_alternative_text_fails_pdf_ua(make_project):
    root = make_project({"manuscript/01.md": "# One\n\n![](red.png)\n", "manuscript/red.png": png(600, 600)}, TOML)
    _, findings = findings_of(root)
    assert [f.message for f in findings if f.check == "pdf-ua"] == [
        "1 figure(s) without alternative text (write it in ![…](image.png))"]


@pytest.mark.parametrize("profile", ["digital", "kdp"])
def test_check_command_runs_epubcheck_and_reports(sample, profile, tmp_path):
    result = CliRunner().invoke(main, ["check", str(sample.project), "-o", str(tmp_path), "-p", profile])
    assert "Checking the EPUB with epubcheck" in result.output
    assert "epubcheck" not in result.output.split("Checking the EPUB with epubcheck")[1]  # no epubcheck message
    assert result.exit_code == 0, result.output


def test_a_book_too_thick_for_kdp_is_an_error(make_project):
    pdf = pikepdf.new()
    for _ in range(830):
        page = pdf.add_blank_page(page_size=(130 * 72 / 25.4, 210 * 72 / 25.4))
        page.obj.TrimBox = page.obj.MediaBox
    data = io.BytesIO()
    pdf.save(data)
    found = [f for f in check_pdf(data.getvalue(), target("kdp", make_project), LiveArea()) if f.severity == "error"]
    assert [f.message for f in found] == [
        "830 pages: Amazon KDP Print binds at most 828 (on white paper; fewer on cream or in colour)"]
