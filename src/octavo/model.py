"""The plain document model every stage passes along: a book of chapters, their notes,
headings and assets. Outputs read it; none of them re-parses Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Config


@dataclass(frozen=True)
class Kind:
    """What a manuscript file is in the book, and how each output marks it up."""

    name: str
    matter: str  # "front", "body" or "back"
    epub_type: str | None
    role: str | None


KINDS = {
    kind.name: kind
    for kind in (
        Kind("chapter", "body", "chapter", "doc-chapter"),
        Kind("part", "body", "part", "doc-part"),
        Kind("preface", "front", "preface", "doc-preface"),
        Kind("foreword", "front", "foreword", "doc-foreword"),
        Kind("introduction", "front", "introduction", "doc-introduction"),
        Kind("dedication", "front", "dedication", "doc-dedication"),
        Kind("epigraph", "front", "epigraph", "doc-epigraph"),
        Kind("appendix", "back", "appendix", "doc-appendix"),
        Kind("afterword", "back", "afterword", "doc-afterword"),
        Kind("acknowledgments", "back", "acknowledgments", "doc-acknowledgments"),
        # Neither EPUB's vocabulary nor DPUB-ARIA has a term for an author's biography.
        Kind("about-author", "back", None, None),
        Kind("colophon", "back", "colophon", "doc-colophon"),
    )
}


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str  # plain text, for the TOC of the NCX and the PDF outline
    html: str  # inline XHTML, for the nav document and the printed contents


@dataclass(frozen=True)
class Note:
    number: int  # within the chapter; the book numbers notes continuously
    id: str
    ref_ids: tuple[str, ...]
    html: str  # block XHTML of the note's content


@dataclass(frozen=True)
class InternalLink:
    target: str  # an element id in some chapter
    line: int


@dataclass(frozen=True)
class Image:
    path: str  # project-relative POSIX path, also the path inside the EPUB
    alt: str
    line: int


@dataclass
class Chapter:
    """One manuscript file, parsed, typeset and rendered to an XHTML fragment."""

    source: Path  # project-relative
    doc_id: str  # unique in the book: XHTML file name stem, section id and id prefix
    kind: Kind
    lang: str
    title: str | None
    title_html: str | None
    html: str
    headings: list[Heading] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[InternalLink] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    first_note_number: int = 1  # set by the book, once every chapter is known

    @property
    def file_name(self) -> str:
        return f"{self.doc_id}.xhtml"


@dataclass
class Book:
    config: Config
    chapters: list[Chapter]
    stylesheets: list[Path]  # the project's own CSS (absolute paths), in order, after the theme's
    stylesheet_assets: list[Path] = field(default_factory=list)  # files the project's CSS refers to

    @property
    def metadata(self):
        return self.config.metadata

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def images(self) -> list[Image]:
        seen: dict[str, Image] = {}
        for chapter in self.chapters:
            for image in chapter.images:
                seen.setdefault(image.path, image)
        return list(seen.values())

    def chapter_of_id(self) -> dict[str, Chapter]:
        return {element_id: chapter for chapter in self.chapters for element_id in chapter.ids}
