"""The EPUB as a validator, an accessibility checker and a reading system see it."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from checkers import ace_available, ace_findings, epubcheck_messages, format_findings, running_in_ci

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def xml(text: str):
    return etree.fromstring(text.encode("utf-8"))


@pytest.mark.parametrize("book", ["sample", "feature_book"])
def test_epubcheck_reports_nothing(book, request):
    built = request.getfixturevalue(book)
    assert epubcheck_messages(built.epub) == []


@pytest.mark.parametrize("book", ["sample", "feature_book"])
def test_ace_finds_no_critical_or_serious_issue(book, request, tmp_path):
    if not ace_available() and not running_in_ci():
        pytest.skip("DAISY Ace is not installed (bash .ci/run installs it)")
    built = request.getfixturevalue(book)
    findings = ace_findings(built.epub, tmp_path)
    severe = [f for f in findings if f["impact"] in ("critical", "serious")]
    assert severe == [], format_findings(severe)


def test_every_content_document_has_language_and_title(feature_book):
    for name in feature_book.epub_names():
        if not name.endswith(".xhtml"):
            continue
        root = xml(feature_book.epub_file(name))
        lang = root.get("lang")
        assert lang and root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang, name
        assert root.find("x:head/x:title", NS).text.strip(), name


def test_the_english_about_page_of_the_swedish_sample_is_marked_english(sample):
    package = xml(sample.epub_file("EPUB/content.opf"))
    assert package.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert package.find(".//dc:language", NS).text == "sv"
    about = xml(sample.epub_file("EPUB/ch-02-author.xhtml"))
    assert about.get("lang") == "en"
    chapter = xml(sample.epub_file("EPUB/ch-01-putin-efter-upproret.xhtml"))
    assert chapter.get("lang") == "sv"


def test_sample_text_has_swedish_typography(sample):
    text = sample.epub_file("EPUB/ch-01-putin-efter-upproret.xhtml")
    body = etree.tostring(xml(text).find("x:body", NS), method="text", encoding="unicode")
    body = body.replace("\u00ad", "")  # the soft hyphens of [epub] hyphenate, on for Swedish
    assert "”Wagner”" in body
    assert re.search(r"Putin[\u00a0 ]– med undantag", body)
    assert '"' not in body and "'" not in body
    assert "Macbeth? Eller kanske Lady Macbeth av Mtsensk? (Slå upp det.)" in body


def test_generated_words_follow_the_book_language(sample):
    nav = sample.epub_file("EPUB/nav.xhtml")
    assert ">Innehåll<" in nav and "Contents" not in nav
    package = sample.epub_file("EPUB/content.opf")
    assert "Publikationen har innehållsförteckning" in package


def test_nav_nests_headings_and_has_landmarks(feature_book):
    nav = xml(feature_book.epub_file("EPUB/nav.xhtml"))
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    top = [a.text for a in toc.findall("x:ol/x:li/x:a", NS)]
    assert top == ["A Preface", "Part One: War", "Peace", "Appendix"]
    nested = toc.find("x:ol/x:li[2]/x:ol/x:li/x:a", NS)
    assert nested.text == "The Road to Moscow" and nested.get("href") == "ch-01-war.xhtml#ch-01-war-moscow"
    landmarks = {a.get("{http://www.idpf.org/2007/ops}type"): a.get("href")
                 for a in nav.findall(".//x:nav[@epub:type='landmarks']//x:a", NS)}
    # No cover image in book.toml: the EPUB gets a typographic front cover (octavo.cover).
    assert landmarks == {"cover": "cover.xhtml", "toc": "nav.xhtml#toc", "bodymatter": "ch-01-war.xhtml"}
    assert "toc.ncx" in " ".join(feature_book.epub_names()).replace("EPUB/", "")


def test_footnotes_are_popup_notes_numbered_through_the_book(feature_book):
    war = xml(feature_book.epub_file("EPUB/ch-01-war.xhtml"))
    peace = xml(feature_book.epub_file("EPUB/ch-02-peace.xhtml"))
    refs = war.findall(".//x:a[@epub:type='noteref']", NS) + peace.findall(".//x:a[@epub:type='noteref']", NS)
    assert [a.text for a in refs] == ["1", "2", "3"]
    assert all(a.get("role") == "doc-noteref" for a in refs)
    for document, ref in zip([war, war, peace], refs):
        aside = document.find(f".//x:aside[@id='{ref.get('href')[1:]}']", NS)
        assert aside.get("{http://www.idpf.org/2007/ops}type") == "footnote"
        assert aside.get("role") == "doc-footnote"
    third = peace.find(".//x:aside", NS)
    assert "".join(third.itertext()).strip().startswith("3")


def test_metadata_and_accessibility(feature_book):
    package = xml(feature_book.epub_file("EPUB/content.opf"))
    metadata = package.find("opf:metadata", NS)
    assert package.get("unique-identifier") == metadata.find("dc:identifier", NS).get("id")
    assert metadata.find("dc:identifier", NS).text == "urn:isbn:9789170001505"
    assert [t.text for t in metadata.findall("dc:title", NS)] == [
        "The Feature Book", "Every Markdown feature Octavo supports"]
    assert [c.text for c in metadata.findall("dc:creator", NS)] == ["Ada Author", "Bo Writer"]
    roles = {m.get("refines"): m.text for m in metadata.findall("opf:meta[@property='role']", NS)}
    assert roles["#contributor-1"] == "trl" and roles["#contributor-2"] == "ill"
    modified = metadata.find("opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2023-11-14T22:13:20Z"
    props = [(m.get("property"), m.text) for m in metadata.findall("opf:meta", NS)]
    assert ("schema:accessibilityFeature", "alternativeText") in props
    assert ("schema:accessibilityHazard", "none") in props
    assert ("schema:accessModeSufficient", "textual") in props
    assert sum(1 for p, _ in props if p == "schema:accessibilitySummary") == 1
    for name in ("publisher", "rights", "description", "date", "subject"):
        assert metadata.find(f"dc:{name}", NS) is not None, name


def test_internal_links_point_at_the_right_documents(feature_book):
    preface = feature_book.epub_file("EPUB/ch-00-preface.xhtml")
    assert 'href="ch-01-war.xhtml#ch-01-war-moscow"' in preface
    peace = feature_book.epub_file("EPUB/ch-02-peace.xhtml")
    assert 'href="#ch-02-peace-the-end"' in peace


def test_svg_loses_script_and_external_references(feature_book):
    svg = feature_book.epub_file("EPUB/manuscript/images/map.svg")
    assert "<script" not in svg and "onclick" not in svg and "/etc/passwd" not in svg
    assert "Moscow" in svg


def test_scene_breaks_are_ornaments(feature_book):
    war = xml(feature_book.epub_file("EPUB/ch-01-war.xhtml"))
    breaks = war.findall(".//x:div[@class='scene-break']", NS)
    assert len(breaks) == 2 and all("".join(b.itertext()).strip() for b in breaks)


def test_code_and_urls_are_left_alone(feature_book):
    war = feature_book.epub_file("EPUB/ch-01-war.xhtml")
    assert "print(&quot;code -- untouched&quot;)" in war
    assert 'href="https://example.org/a--b">https://example.org/a--b<' in war


def test_fonts_and_css_are_embedded_and_subset(feature_book):
    names = feature_book.epub_names()
    fonts = [n for n in names if n.startswith("EPUB/octavo/fonts/")]
    assert "EPUB/octavo/fonts/EBGaramond-wght.ttf" in fonts
    css = feature_book.epub_file("EPUB/octavo/css/fonts.css")
    for font in fonts:
        assert font.removeprefix("EPUB/octavo/") in css.replace("../", "")
    assert "font-size" not in feature_book.epub_file("EPUB/octavo/css/base.css").split("body")[1].split("}")[0]
    assert "EPUB/styles/book.css" in names
    assert feature_book.epub.stat().st_size < 800_000


def test_right_to_left_book(make_project, tmp_path):
    from octavo.build import build
    root = make_project(toml='[book]\ntitle = "Test"\nauthors = ["A"]\nlanguage = "he"\n')
    epub = build(root, ("epub",), tmp_path / "out").outputs[0].path
    import zipfile
    with zipfile.ZipFile(epub) as archive:
        opf = archive.read("EPUB/content.opf").decode()
        chapter = archive.read("EPUB/ch-01.xhtml").decode()
    assert 'page-progression-direction="rtl"' in opf
    assert 'dir="rtl"' in chapter
    assert epubcheck_messages(epub) == []


def test_cover_image_gets_a_page_and_a_landmark(make_project, tmp_path):
    from PIL import Image
    from octavo.build import build
    root = make_project(toml='[book]\ntitle = "Covered"\nauthors = ["A"]\nlanguage = "sv"\ncover = "cover.jpg"\n')
    Image.new("RGB", (160, 256), (20, 40, 90)).save(root / "cover.jpg")
    epub = build(root, ("epub",), tmp_path / "out").outputs[0].path
    import zipfile
    with zipfile.ZipFile(epub) as archive:
        opf = archive.read("EPUB/content.opf").decode()
        nav = archive.read("EPUB/nav.xhtml").decode()
        cover = archive.read("EPUB/cover.xhtml").decode()
    assert 'properties="cover-image"' in opf and 'linear="no"' not in opf
    assert 'epub:type="cover" href="cover.xhtml"' in nav
    assert 'alt="Omslaget till Covered"' in cover
    assert epubcheck_messages(epub) == []
