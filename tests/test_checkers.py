"""Prove that each checker in tests/checkers.py can pass *and* fail.

The EPUB fixtures are written by hand here (a few hundred bytes of XML in a
zip) so that these tests do not depend on Octavo's own EPUB writer.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

try:
    from checkers import (
        _parse_pdffonts,
        ace_available,
        ace_findings,
        epubcheck_messages,
        find_java,
        format_findings,
        pdf_fonts,
        pdf_text,
        running_in_ci,
    )
except ImportError:  # tests/ became a package
    from tests.checkers import (  # type: ignore[no-redef]
        _parse_pdffonts,
        ace_available,
        ace_findings,
        epubcheck_messages,
        find_java,
        format_findings,
        pdf_fonts,
        pdf_text,
        running_in_ci,
    )


# --------------------------------------------------------------------------
# hand-written EPUB fixtures
# --------------------------------------------------------------------------

A11Y_META = """
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityFeature">readingOrder</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">Text only, with a table of contents.</meta>"""


def make_epub(
    path: Path,
    *,
    mimetype: str = "application/epub+zip",
    modified: bool = True,
    lang: bool = True,
    a11y: bool = True,
) -> Path:
    """Write a one-chapter EPUB 3; each keyword breaks one thing when changed."""
    lang_attr = ' xml:lang="sv"' if lang else ""
    html_lang = ' lang="sv" xml:lang="sv"' if lang else ""
    modified_meta = (
        '\n    <meta property="dcterms:modified">2023-07-01T00:00:00Z</meta>' if modified else ""
    )
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid"{lang_attr}>
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:3f1c8e52-6b0a-4c47-9d0e-2a7b5d9e4f10</dc:identifier>
    <dc:title>Provbok</dc:title>
    <dc:language>sv</dc:language>{modified_meta}{A11Y_META if a11y else ""}
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine>
    <itemref idref="c1"/>
  </spine>
</package>
"""
    nav = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"{html_lang}>
<head><title>Innehåll</title></head>
<body>
  <nav epub:type="toc" role="doc-toc" id="toc"><h1>Innehåll</h1>
    <ol><li><a href="c1.xhtml">Kapitel 1</a></li></ol>
  </nav>
</body>
</html>
"""
    chapter = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml"{html_lang}>
<head><title>Kapitel 1</title></head>
<body>
  <section id="c1">
    <h1>Kapitel 1</h1>
    <p>Det här är en mycket kort bok.</p>
  </section>
</body>
</html>
"""
    container = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", container)
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/nav.xhtml", nav)
        z.writestr("OEBPS/c1.xhtml", chapter)
    return path


def _ids(messages: list[str]) -> set[str]:
    return {m.split()[1] for m in messages}


# --------------------------------------------------------------------------
# epubcheck
# --------------------------------------------------------------------------

needs_java = pytest.mark.skipif(
    find_java() is None and not running_in_ci(),
    reason="no Java runtime (apt-get install default-jre-headless); required under CI",
)


@needs_java
def test_epubcheck_accepts_valid_epub(tmp_path):
    messages = epubcheck_messages(make_epub(tmp_path / "good.epub"))
    assert messages == [], "\n".join(messages)


@needs_java
def test_epubcheck_reports_missing_modified_and_bad_mimetype(tmp_path):
    epub = make_epub(tmp_path / "bad.epub", mimetype="application/zip", modified=False)
    messages = epubcheck_messages(epub)
    ids = _ids(messages)
    # PKG-007: mimetype file content; RSC-005: schema error for dcterms:modified.
    assert "PKG-007" in ids, "\n".join(messages)
    assert any(
        m.startswith("ERROR RSC-005 ") and "dcterms:modified" in m for m in messages
    ), "\n".join(messages)
    # Format: "SEVERITY ID location: text", location pointing into the OPF.
    rsc = next(m for m in messages if " RSC-005 " in m)
    assert rsc.split()[2].startswith("OEBPS/content.opf:")


def test_epubcheck_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        epubcheck_messages(tmp_path / "nope.epub")


# --------------------------------------------------------------------------
# DAISY Ace
# --------------------------------------------------------------------------

needs_ace = pytest.mark.skipif(
    not ace_available() and not running_in_ci(),
    reason="DAISY Ace/chromium not installed (run .ci/run); required under CI",
)


@needs_ace
def test_ace_reports_missing_language_and_a11y_metadata(tmp_path):
    epub = make_epub(tmp_path / "noa11y.epub", lang=False, a11y=False)
    findings = ace_findings(epub, tmp_path)
    assert findings, "Ace reported nothing"
    assert all(set(f) == {"impact", "rule", "description", "location"} for f in findings)
    rules = {f["rule"] for f in findings}
    text = format_findings(findings)
    assert "epub-lang" in rules, text  # no xml:lang on <package>
    assert "html-has-lang" in rules, text  # no lang on <html>
    assert "metadata-accessmode" in rules, text
    lang = next(f for f in findings if f["rule"] == "epub-lang")
    assert lang["impact"] == "serious"
    assert lang["location"].endswith("content.opf")
    html = next(f for f in findings if f["rule"] == "html-has-lang")
    assert html["location"].endswith("[html]")


@needs_ace
def test_ace_accepts_accessible_epub(tmp_path):
    findings = ace_findings(make_epub(tmp_path / "good.epub"), tmp_path)
    assert findings == [], format_findings(findings)


def test_ace_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        ace_findings(tmp_path / "nope.epub", tmp_path)


# --------------------------------------------------------------------------
# PDF fonts and text
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def garamond_pdf(tmp_path_factory) -> Path:
    weasyprint = pytest.importorskip("weasyprint")
    import fontpkg_eb_garamond

    font = next(Path(fontpkg_eb_garamond.__file__).parent.glob("files/EBGaramond*wght*.ttf"))
    if "Italic" in font.name:
        font = font.with_name("EBGaramond[wght].ttf")
    out = tmp_path_factory.mktemp("pdf")
    html = f"""<!DOCTYPE html><html lang="sv"><head><style>
      @page {{ size: 100mm 60mm; margin: 10mm }}
      @font-face {{ font-family: OctavoProbe; src: url("{font.as_uri()}") }}
      html {{ font-family: OctavoProbe; font-size: 12pt }}
    </style></head><body><p>Hej världen, åäö.</p></body></html>"""
    pdf = out / "probe.pdf"
    weasyprint.HTML(string=html, base_url=str(out)).write_pdf(pdf)
    return pdf


BACKENDS = [
    pytest.param(
        "poppler",
        marks=pytest.mark.skipif(
            shutil.which("pdffonts") is None and not running_in_ci(),
            reason="poppler-utils not installed; required under CI",
        ),
    ),
    "pypdf",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_pdf_fonts_reports_embedded_font(garamond_pdf, backend):
    fonts = pdf_fonts(garamond_pdf, backend=backend)
    assert fonts, "no fonts found"
    # WeasyPrint names the embedded font after the @font-face family.
    garamond = [f for f in fonts if "OctavoProbe" in f["base_name"]]
    assert garamond, fonts
    for f in garamond:
        assert f["emb"] and f["sub"] and f["uni"], f
        assert f["name"] != f["base_name"]  # has the ABCDEF+ subset tag
        assert f["type"], f


@pytest.mark.parametrize("backend", BACKENDS)
def test_pdf_text(garamond_pdf, backend):
    text = pdf_text(garamond_pdf, backend=backend)
    assert "Hej världen, åäö." in text
    assert text.endswith("\f")


def test_pdf_fonts_parses_pdffonts_output():
    sample = (
        "name                                 type              encoding         emb sub uni object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- ---------\n"
        "BAWKYD+EBGaramond-Regular            CID TrueType      Identity-H       yes yes yes     11  0\n"
        "Helvetica                            Type 1            WinAnsi          no  no  no       5  0\n"
        "[none]                               Type 3            Custom           yes no  no       7  0\n"
        "ABCDEF+AVeryLongFontNameThatOverflowsTheColumn-BoldItalic CID TrueType (OT) Identity-H yes yes yes 9 0\n"
    )
    rows = _parse_pdffonts(sample)
    assert [r["name"] for r in rows] == [
        "BAWKYD+EBGaramond-Regular",
        "Helvetica",
        "[none]",
        "ABCDEF+AVeryLongFontNameThatOverflowsTheColumn-BoldItalic",
    ]
    assert [r["type"] for r in rows] == ["CID TrueType", "Type 1", "Type 3", "CID TrueType (OT)"]
    assert [(r["emb"], r["sub"], r["uni"]) for r in rows] == [
        (True, True, True),
        (False, False, False),
        (True, False, False),
        (True, True, True),
    ]
    assert rows[0]["base_name"] == "EBGaramond-Regular"
    assert rows[1]["encoding"] == "WinAnsi"
