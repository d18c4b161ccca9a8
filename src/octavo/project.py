"""Load a book project into the model: config, chapters in order, the project's styles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .cache import DiskCache, content_key
from .config import load_config
from .errors import OctavoError
from .markdown import (
    SOURCE_LINE_ATTRIBUTE,
    ChapterSource,
    parse_chapter,
    renumber_notes,
)
from .model import Book, Chapter
from .resources import stylesheet_references
from .slug import slugify
from .workers import fork_map

# Stylesheets in styles/ that only one output reads; every other *.css reaches both.
OUTPUT_ONLY_STYLES = {"print.css": "pdf", "epub.css": "epub"}


def chapter_paths(root: Path, listed: tuple[Path, ...] | None) -> list[Path]:
    if listed is not None:
        return list(listed)
    paths = sorted((root / "manuscript").glob("*.md"))
    if not paths:
        raise OctavoError("no chapters: put Markdown files (*.md) in manuscript/", Path("manuscript"))
    return [path.resolve() for path in paths]


def doc_ids(paths: list[Path]) -> dict[Path, str]:
    """A unique, XML-valid id per chapter file, from its name (``01-war.md`` → ``ch-01-war``)."""
    ids: dict[Path, str] = {}
    used: set[str] = set()
    for path in paths:
        base = "ch-" + slugify(path.stem, fallback="chapter")
        doc_id, count = base, 1
        while doc_id in used:
            count += 1
            doc_id = f"{base}-{count}"
        used.add(doc_id)
        ids[path] = doc_id
    return ids


def project_stylesheets(book: Book, output: str) -> list[Path]:
    return [path for path in book.stylesheets if OUTPUT_ONLY_STYLES.get(path.name, output) == output]


def link_book(chapters: list[Chapter]) -> None:
    """Number notes through the book and check every internal link lands somewhere."""
    known = {element_id for chapter in chapters for element_id in chapter.ids}
    next_number = 1
    for chapter in chapters:
        chapter.first_note_number = next_number
        next_number += len(chapter.notes)
        for link in chapter.links:
            if link.target not in known:
                raise OctavoError(f"broken link: no heading or anchor '{link.target}' in the book", chapter.source,
                                  link.line)


def read_manuscript(path: Path, root: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise OctavoError("not UTF-8 text (save the file as UTF-8)", path.relative_to(root), line)


@dataclass(frozen=True)
class ParsedChapter:
    chapter: Chapter
    warnings: tuple[str, ...]


# Fewer chapters to parse than this are parsed in this process: a pool costs more than it saves.
PARALLEL_PARSE_MIN = 16


def _parse(source: ChapterSource, text: str) -> ParsedChapter:
    warnings: list[str] = []
    return ParsedChapter(parse_chapter(text, source, warnings.append), tuple(warnings))


def parse_chapters(sources: list[ChapterSource], cache: DiskCache, book_key: str, jobs: int = 1) -> list[ParsedChapter]:
    """Every chapter, from the cache when its source and everything it depends on are unchanged,
    else parsed (in ``jobs`` processes when there are many); an error names the first chapter
    in book order that has one.

    ``book_key`` stands for what every chapter depends on: the language, the narrow-spaces setting
    and the chapter files' ids.
    """
    texts = [read_manuscript(source.path, source.root) for source in sources]
    keys = [content_key(book_key, source.relative.as_posix(), source.doc_id, text)
            for source, text in zip(sources, texts)]
    parsed: list[ParsedChapter | None] = [cache.get(key) for key in keys]
    missing = [index for index, chapter in enumerate(parsed) if chapter is None]
    for index, chapter in enumerate(parsed):
        for image in chapter.chapter.images if chapter is not None else ():
            # The one input outside the file: a cached chapter's images must still exist.
            if not (sources[index].root / image.path).is_file():
                raise OctavoError(f"image '{image.path}' not found", sources[index].relative, image.line)
    results = fork_map(_parse, [sources[i] for i in missing], [texts[i] for i in missing],
                       jobs=jobs if len(missing) >= PARALLEL_PARSE_MIN else 1)
    for index, result in zip(missing, results):
        parsed[index] = result
        cache.put(keys[index], result)
    return parsed


def load_book(root: Path, warn: Callable[[str], None] = lambda message: None,
              cache_dir: Path | None = None, jobs: int = 1) -> Book:
    config = load_config(root)
    paths = chapter_paths(config.root, config.chapters)
    ids = doc_ids(paths)
    cache = DiskCache(cache_dir)
    book_key = content_key(config.metadata.language, f"narrow_spaces={config.epub.narrow_spaces}",
                           *(f"{path.relative_to(config.root).as_posix()}={doc_id}" for path, doc_id in ids.items()))
    sources = [ChapterSource(path=path, root=config.root, doc_id=ids[path], book_lang=config.metadata.language,
                             doc_ids=ids, narrow_spaces=config.epub.narrow_spaces) for path in paths]
    chapters = []
    for parsed in parse_chapters(sources, cache, book_key, jobs):
        for message in parsed.warnings:
            warn(message)
        chapters.append(parsed.chapter)
    link_book(chapters)
    stylesheets = sorted((config.root / "styles").glob("*.css"))
    assets = sorted({asset for sheet in stylesheets for asset in stylesheet_references(sheet, config.root)})
    return Book(config=config, chapters=chapters, stylesheets=stylesheets, stylesheet_assets=assets)


_SOURCE_LINE_RE = re.compile(rf' {SOURCE_LINE_ATTRIBUTE}="\d+"')


def numbered_html(chapter: Chapter, *, source_lines: bool = False) -> str:
    """The chapter's HTML with the book's note numbers; with the manuscript line of each block
    (``data-line``) only when asked, for the print HTML."""
    html = renumber_notes(chapter.html, chapter.first_note_number - 1)
    return html if source_lines else _SOURCE_LINE_RE.sub("", html)
