"""Jinja2: the theme's templates, overridden by name from the project's ``templates/``.

Both outputs render the same partials (title page, copyright page, contents, chapter), so a
change to the book's structure is made once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from .messages import messages_for
from .typography import typeset_text
from .model import Book, Chapter, Heading
from .theme import TEMPLATES_DIR

_LOCAL_HREF_RE = re.compile(r'href="#([^"]+)"')

RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"}
TOC_DEPTH = 3


def retarget_links(fragment: str, local_ids: set[str], href_for: Callable[[str], str]) -> str:
    """Same-book links whose target is not in this output document get ``href_for(target)``:
    the EPUB names the document that holds it, the PDF's parts leave it to the assembly."""
    return _LOCAL_HREF_RE.sub(lambda m: m[0] if m[1] in local_ids else f'href="{href_for(m[1])}"', fragment)


def text_direction(lang: str) -> str:
    return "rtl" if lang.lower().split("-")[0] in RTL_LANGUAGES else "ltr"


@dataclass
class TocEntry:
    heading: Heading
    chapter: Chapter
    children: list["TocEntry"]


def chapter_headings(chapter: Chapter) -> list[Heading]:
    """The chapter's headings, led by its front-matter title when the text has no heading."""
    if chapter.headings:
        return chapter.headings
    if chapter.title is None:
        return []
    return [Heading(1, chapter.doc_id, chapter.title, chapter.title_html or "")]


def toc_tree(book: Book) -> list[TocEntry]:
    """The book's headings nested by level, across files, in reading order."""
    roots: list[TocEntry] = []
    stack: list[TocEntry] = []
    for chapter in book.chapters:
        for heading in chapter_headings(chapter):
            if heading.level > TOC_DEPTH:
                continue
            entry = TocEntry(heading, chapter, [])
            while stack and stack[-1].heading.level >= heading.level:
                stack.pop()
            (stack[-1].children if stack else roots).append(entry)
            stack.append(entry)
    return roots


def environment(project_root: Path) -> jinja2.Environment:
    loaders = []
    if (project_root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(project_root / "templates"))
    loaders.append(jinja2.FileSystemLoader(TEMPLATES_DIR))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["direction"] = text_direction
    env.globals["chapter_headings"] = chapter_headings
    env.filters["typeset"] = jinja2.pass_context(
        lambda context, text: typeset_text(text, context["lang"], narrow_spaces=context["narrow_spaces"]))
    return env


def book_context(book: Book) -> dict:
    """What every template may use."""
    metadata = book.metadata
    return {
        "book": book,
        "meta": metadata,
        "lang": metadata.language,
        "dir": text_direction(metadata.language),
        "t": messages_for(metadata.language),
        "narrow_spaces": book.config.epub.narrow_spaces,  # the typeset filter's, as for the chapters
        "toc": toc_tree(book),
        "page_of": None,  # element id → printed page number, known once the PDF is laid out
    }
