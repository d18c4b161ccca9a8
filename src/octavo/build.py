"""The build module: load the project into the model, then hand it to one writer per format.

Outputs are written to a temporary file and renamed, so a failed build leaves the previous
book in place.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .clock import build_time
from .epub import write_epub
from .errors import OctavoError
from .model import Book
from .pdf.layout import write_pdf
from .project import load_book
from .slug import slugify

FORMATS = ("epub", "pdf")
CACHE_DIR = Path("build") / ".octavo-cache"  # under the project; safe to delete


@dataclass(frozen=True)
class Output:
    path: Path
    size: int
    pages: int | None = None


def book_slug(book: Book) -> str:
    return slugify(book.metadata.title, fallback="book")


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build(root: Path, formats: tuple[str, ...] = FORMATS, output_dir: Path | None = None,
          stage: Callable[[str], None] = lambda name: None,
          warn: Callable[[str], None] = lambda message: None, jobs: int | None = None) -> list[Output]:
    """Build the book in ``root`` in the given formats; returns what was written."""
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise OctavoError(f"unknown format '{unknown[0]}': choose from {', '.join(FORMATS)} or all")
    moment = build_time()
    stage("Reading the manuscript")
    cache_dir = root.resolve() / CACHE_DIR
    book = load_book(root, warn, cache_dir / "chapters")
    output_dir = (output_dir or root / "build").resolve()
    slug = book_slug(book)
    outputs = []
    if "epub" in formats:
        stage("Packaging the EPUB")
        data = write_epub(book, moment, cache_dir / "fonts")
        path = output_dir / f"{slug}.epub"
        write_atomically(path, data)
        outputs.append(Output(path, len(data)))
    if "pdf" in formats:
        stage("Laying out the PDF")
        result = write_pdf(book, moment, jobs=jobs or os.cpu_count() or 1, cache_dir=cache_dir / "pdf")
        path = output_dir / f"{slug}.pdf"
        write_atomically(path, result.data)
        outputs.append(Output(path, len(result.data), result.pages))
    return outputs
