"""The EPUB 3 output: content documents rendered by us, packaged by ebooklib.

ebooklib re-parses ``EpubHtml`` content with an HTML parser (dropping attributes on
``<html>``/``<body>``), so every document is added as a raw ``EpubItem``. Its other
habits are corrected here: a UTC ``dcterms:modified`` from the build clock, no automatic
page-list, no ``linear="no"`` cover, exceptions instead of a False return, and a zip
rewritten with fixed dates so the same sources give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ebooklib import epub

from . import __version__
from .cache import DiskCache
from .cover import front_cover_jpeg
from .fonts import EmbeddedFont, epub_fonts
from .hyphenation import hyphenate_fragment
from .messages import messages_for
from .model import Book, Chapter
from .project import numbered_html, project_stylesheets
from .render import book_context, environment, retarget_links, text_direction
from .resources import media_type, sanitize_svg
from .theme import CSS_DIR, THEME_STYLES, font_face_css

IBOOKS_PREFIX = "ibooks: http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/"


@dataclass(frozen=True)
class Landmark:
    type: str
    href: str
    title: str


def epub_href(chapter: Chapter, element_id: str) -> str:
    return chapter.file_name if element_id == chapter.doc_id else f"{chapter.file_name}#{element_id}"


def stylesheets(book: Book, fonts: list[EmbeddedFont]) -> list[tuple[str, bytes]]:
    """(name inside the EPUB, CSS) in cascade order: fonts, theme, then the project's.

    The theme's files live under ``octavo/``; the project's keep their project-relative paths,
    as images do, so the references between them still resolve.
    """
    faces = font_face_css(lambda face: f"../fonts/{face.file_name}", [font.face for font in fonts])
    sheets = [("octavo/css/fonts.css", faces.encode())]
    sheets += [(f"octavo/css/{name}", (CSS_DIR / name).read_bytes()) for name in THEME_STYLES["epub"]]
    sheets += [(path.relative_to(book.root).as_posix(), path.read_bytes())
               for path in project_stylesheets(book, "epub")]
    return sheets


def accessibility(book: Book) -> list[tuple[str, str]]:
    """``schema:`` properties derived from the content, not asserted."""
    t = messages_for(book.metadata.language)
    images = book.images
    all_described = all(image.alt.strip() for image in images)
    modes = ["textual"] + (["visual"] if images else [])
    features = ["tableOfContents", "readingOrder", "structuralNavigation"]
    if images and all_described:
        features.append("alternativeText")
    properties = [("schema:accessMode", mode) for mode in modes]
    properties.append(("schema:accessModeSufficient", "textual" if all_described else ",".join(modes)))
    properties += [("schema:accessibilityFeature", feature) for feature in features]
    properties.append(("schema:accessibilityHazard", "none"))
    summary = t["accessibility_summary"].format(images=t["accessibility_images"] if images and all_described else "")
    properties.append(("schema:accessibilitySummary", summary))
    return properties


def _metadata(package: epub.EpubBook, book: Book) -> None:
    meta = book.metadata
    package.set_identifier(meta.identifier)
    package.set_language(meta.language)
    package.add_metadata("DC", "title", meta.title, {"id": "title"})
    package.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    if meta.subtitle:
        package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        package.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for index, author in enumerate(meta.authors, start=1):
        package.add_metadata("DC", "creator", author, {"id": f"creator-{index}"})
        package.add_metadata(None, "meta", "aut",
                             {"refines": f"#creator-{index}", "property": "role", "scheme": "marc:relators"})
    for index, contributor in enumerate(meta.contributors, start=1):
        package.add_metadata("DC", "contributor", contributor.name, {"id": f"contributor-{index}"})
        package.add_metadata(None, "meta", contributor.role,
                             {"refines": f"#contributor-{index}", "property": "role", "scheme": "marc:relators"})
    for name in ("publisher", "rights", "description", "date"):
        if value := getattr(meta, name):
            package.add_metadata("DC", name, value)
    for subject in meta.subjects:
        package.add_metadata("DC", "subject", subject)
    if meta.isbn and not meta.identifier.endswith(meta.isbn):
        package.add_metadata("DC", "source", f"urn:isbn:{meta.isbn}")
    for prop, value in accessibility(book):
        package.add_metadata(None, "meta", value, {"property": prop})
    package.add_metadata(None, "meta", "true", {"property": "ibooks:specified-fonts"})
    package.metadata[epub.NAMESPACES["OPF"]]["generator"] = [
        ("", {"name": "generator", "content": f"Octavo {__version__}"})]


def _xhtml_item(uid: str, file_name: str, content: str, properties: list[str] | None = None) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                         content=content.encode("utf-8"))
    item.properties = properties or []
    return item


def _ncx_toc(entries, href) -> list:
    toc = []
    for entry in entries:
        link = epub.Link(href(entry.chapter, entry.heading.id), entry.heading.text, f"nav-{entry.heading.id}")
        if entry.children:
            section = epub.Section(entry.heading.text, href(entry.chapter, entry.heading.id))
            toc.append((section, [link] + _ncx_toc(entry.children, href)))
        else:
            toc.append(link)
    return toc


def build_package(book: Book, font_cache: DiskCache, moment: datetime | None = None, jobs: int = 1) -> epub.EpubBook:
    env = environment(book.root)
    context = book_context(book)
    t = context["t"]
    package = epub.EpubBook()
    package.FOLDER_NAME = "EPUB"
    package.prefixes.append(IBOOKS_PREFIX)
    direction = text_direction(book.metadata.language)
    if direction == "rtl":
        package.set_direction("rtl")
    _metadata(package, book)

    fonts = epub_fonts(book, font_cache, jobs)
    sheets = stylesheets(book, fonts)
    for index, (name, data) in enumerate(sheets):
        package.add_item(epub.EpubItem(uid=f"css-{index}", file_name=name, media_type="text/css", content=data))
    for index, font in enumerate(fonts):
        package.add_item(epub.EpubItem(uid=f"font-{index}", file_name=f"octavo/fonts/{font.face.file_name}",
                                       media_type=media_type(font.face.path), content=font.data))
    for index, path in enumerate(book.stylesheet_assets):
        package.add_item(epub.EpubItem(uid=f"style-asset-{index}", file_name=path.relative_to(book.root).as_posix(),
                                       media_type=media_type(path), content=path.read_bytes()))
    for index, image in enumerate(book.images):
        path = book.root / image.path
        data = path.read_bytes()
        if path.suffix.lower() == ".svg":
            data = sanitize_svg(data)
        package.add_item(epub.EpubItem(uid=f"image-{index}", file_name=image.path,
                                       media_type=media_type(path), content=data))

    css_hrefs = [name for name, _ in sheets]
    spine: list[epub.EpubItem] = []
    landmarks: list[Landmark] = []

    def document(uid, file_name, part, title, matter="front", lang=None, **extra):
        lang = lang or book.metadata.language
        content = env.get_template("document.xhtml.j2").render(
            context, part=part, title=title, matter=matter, document_lang=lang, stylesheets=css_hrefs,
            href=epub_href, **extra)
        item = _xhtml_item(uid, file_name, content)
        package.add_item(item)
        spine.append(item)
        return item

    # The book's cover image, or else a typographic front drawn from the metadata (as on the print
    # cover), cached with the fonts: a rebuild does not rasterise it again.
    cover = book.metadata.cover
    if cover is not None:
        cover_name, cover_type, cover_data = "images/cover" + cover.suffix.lower(), media_type(cover), cover.read_bytes()
        cover_context = {}
    else:
        cover_name, cover_type = "images/cover.jpg", "image/jpeg"
        cover_data = front_cover_jpeg(book, moment or datetime.fromtimestamp(0, UTC), cache=font_cache)
        # The picture is all text: its alternative names the title and the authors on it.
        by = f" {t['by']} " if t["by"] else ", "
        cover_context = {"meta": replace(book.metadata, title=book.metadata.title + by + ", ".join(book.metadata.authors))}
    cover_item = epub.EpubItem(uid="cover-image", file_name=cover_name, media_type=cover_type, content=cover_data)
    cover_item.properties = ["cover-image"]
    package.add_item(cover_item)
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    document("cover", "cover.xhtml", "_cover.html.j2", t["cover"], cover_href=cover_name, **cover_context)
    landmarks.append(Landmark("cover", "cover.xhtml", t["cover"]))

    document("titlepage", "titlepage.xhtml", "_titlepage.html.j2", book.metadata.title)
    document("copyright", "copyright.xhtml", "_copyright.html.j2", t["copyright"])
    nav = _xhtml_item("nav", "nav.xhtml", "", ["nav"])
    package.add_item(nav)
    spine.append(nav)
    landmarks.append(Landmark("toc", "nav.xhtml#toc", t["contents"]))

    owner = book.chapter_of_id()
    for chapter in book.chapters:
        body = retarget_links(numbered_html(chapter), chapter.ids, lambda target: epub_href(owner[target], target))
        notes = chapter.notes
        if book.config.epub.hyphenate:
            body = hyphenate_fragment(body, chapter.lang)
            notes = [replace(note, html=hyphenate_fragment(note.html, chapter.lang)) for note in notes]
        document(chapter.doc_id, chapter.file_name, "_chapter.html.j2", chapter.title or book.metadata.title,
                 matter=chapter.kind.matter, lang=chapter.lang, chapter=chapter, body=body, notes=notes)
    first_body = next((c for c in book.chapters if c.kind.matter == "body"), book.chapters[0])
    landmarks.append(Landmark("bodymatter", first_body.file_name, t["start"]))

    nav.content = env.get_template("nav.xhtml.j2").render(
        context, stylesheets=css_hrefs, href=epub_href, landmarks=landmarks).encode("utf-8")
    package.toc = _ncx_toc(context["toc"], epub_href)
    package.add_item(epub.EpubNcx())
    package.spine = spine
    return package


def _reproducible_zip(data: bytes, stamp: datetime, language: str) -> bytes:
    """The same entries with fixed dates, ``mimetype`` first and stored, ``xml:lang`` on the package."""
    date_time = max(stamp.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".opf"):
                content = content.replace(b"<package ", f'<package xml:lang="{language}" '.encode(), 1)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.external_attr = 0o644 << 16
            if info.filename == "mimetype":
                entry.compress_type = zipfile.ZIP_STORED
            else:
                entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content, compresslevel=9 if entry.compress_type == zipfile.ZIP_DEFLATED else None)
    return output.getvalue()


def write_epub(book: Book, modified: datetime, cache_dir: Path | None = None, jobs: int = 1) -> bytes:
    package = build_package(book, DiskCache(cache_dir), modified, jobs)
    raw = io.BytesIO()
    writer = epub.EpubWriter(raw, package, {
        "epub3_pages": False,  # ebooklib's page-list takes every element with epub:type and an id
        "epub3_landmark": False,  # our nav document carries the landmarks
        "epub2_guide": False,
        "mtime": modified,
        "raise_exceptions": True,
    })
    writer.process()
    writer.write()
    return _reproducible_zip(raw.getvalue(), modified, book.metadata.language)
