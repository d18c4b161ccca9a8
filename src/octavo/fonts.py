"""Fonts for the EPUB, subset to the characters the book uses.

Whole font files would add megabytes to every EPUB; a subset keeps every OpenType feature
(small caps, ligatures, kerning) for the glyphs the text needs. The fallback face carries
only what the text face lacks. The PDF needs none of this: WeasyPrint subsets by itself.
"""

from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from .cache import DiskCache, content_key
from .hyphenation import SOFT_HYPHEN
from .messages import messages_for
from .model import Book
from .theme import CODE_FAMILY, FALLBACK_FAMILY, TEXT_FAMILY, FontFace, font_faces
from .workers import fork_map

# fontTools reports every table it drops (such as "meta") as a warning; none matters here.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

_TAG_RE = re.compile(r"<[^>]+>")


def book_characters(book: Book) -> frozenset[str]:
    """Every character the EPUB's documents can show."""
    meta = book.metadata
    parts = [meta.title, meta.subtitle or "", " ".join(meta.authors), meta.rights or "", meta.publisher or "",
             meta.isbn or "", meta.date or "", " ".join(c.name for c in meta.contributors),
             " ".join(messages_for(meta.language).values()), "0123456789*\u2003"]
    for chapter in book.chapters:
        parts.append(html.unescape(_TAG_RE.sub("", chapter.html)))
        parts.append(chapter.title or "")
        parts.extend(html.unescape(_TAG_RE.sub("", note.html)) for note in chapter.notes)
    if book.config.epub.hyphenate:
        parts.append(SOFT_HYPHEN + "-")  # a reader draws one of them where it breaks a word
    return frozenset("".join(parts))


@cache
def _cmap(path: Path) -> frozenset[int]:
    return frozenset(TTFont(path, lazy=True).getBestCmap())


def subset_font(path: Path, codepoints: frozenset[int]) -> bytes:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(path, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints | {0x20}))
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


@dataclass(frozen=True)
class EmbeddedFont:
    face: FontFace
    data: bytes


def epub_fonts(book: Book, cache: DiskCache, jobs: int = 1) -> list[EmbeddedFont]:
    """The faces the EPUB needs, each subset to what it shows (faces not cached are subset in
    ``jobs`` processes: fontTools takes seconds per face on a long book).

    The text face always; the fallback face only for characters the text face lacks; the code
    face only when the book has code.
    """
    used = frozenset(ord(c) for c in book_characters(book) if not c.isspace() or c in "\u00a0\u202f\u2009")
    text_faces = [face for face in font_faces() if face.family == TEXT_FAMILY]
    covered = frozenset.intersection(*(_cmap(face.path) for face in text_faces))
    has_code = any("<code" in chapter.html for chapter in book.chapters)
    wanted = []
    for face in font_faces():
        codepoints = used - covered if face.family == FALLBACK_FAMILY else used
        if (face.family == FALLBACK_FAMILY and not codepoints) or (face.family == CODE_FAMILY and not has_code):
            continue
        stat = face.path.stat()
        key = content_key(face.path.as_posix(), f"{stat.st_size}:{stat.st_mtime_ns}",
                          ",".join(map(str, sorted(codepoints))))
        wanted.append((face, codepoints, key, cache.get(key)))
    missing = [(face.path, codepoints) for face, codepoints, _, data in wanted if data is None]
    subsets = iter(fork_map(subset_font, *zip(*missing), jobs=jobs) if missing else [])
    fonts = []
    for face, _, key, data in wanted:
        if data is None:
            data = next(subsets)
            cache.put(key, data)
        fonts.append(EmbeddedFont(face, data))
    return fonts
