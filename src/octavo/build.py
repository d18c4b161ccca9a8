"""The build module: load the project into the model, then hand it to one writer per format.

Outputs are written to a temporary file and renamed, so a failed build leaves the previous
book in place.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from .cache import DiskCache
from .clock import build_time
from .config import load_config
from .cover import front_cover_jpeg, write_cover
from .epub import write_epub
from .errors import OctavoError
from .model import Book
from .pdf.layout import write_pdf
from .pdf.profiles import KDP_BLEED_MM, print_target
from .preflight import Finding
from .preflight.epub import epubcheck_findings
from .preflight.pdf import check_pdf
from .project import load_book
from .slug import slugify

FORMATS = ("epub", "pdf", "cover")
DEFAULT_FORMATS = ("epub", "pdf")  # what `all` means; the cover is asked for by name
CACHE_DIR = Path("build") / ".octavo-cache"  # under the project; safe to delete


@dataclass(frozen=True)
class Output:
    path: Path
    size: int
    pages: int | None = None


@dataclass(frozen=True)
class BuildResult:
    outputs: list[Output]
    findings: list[Finding]  # the preflight's, in page order


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


def draw_generated_cover(root: Path, moment: datetime, cache_dir: Path) -> None:
    """Put the typographic EPUB cover in the cache, for a book without a cover image. Only a
    head start: any failure is left for the EPUB writer to meet and report."""
    try:
        config = load_config(root)
        if config.metadata.cover is None:
            front_cover_jpeg(Book(config=config, chapters=[], stylesheets=[]), moment, cache=DiskCache(cache_dir))
    except Exception:  # noqa: BLE001 - see above
        return


def build(root: Path, formats: tuple[str, ...] = DEFAULT_FORMATS, output_dir: Path | None = None,
          stage: Callable[[str], None] = lambda name: None,
          warn: Callable[[str], None] = lambda message: None, jobs: int | None = None,
          profile: str | None = None, check_epub: bool = False) -> BuildResult:
    """Build the book in ``root`` in the given formats for a print profile (default: the one in
    book.toml); the PDF is preflighted, and the EPUB too with ``check_epub``."""
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise OctavoError(f"unknown format '{unknown[0]}': choose from {', '.join(FORMATS)} or all")
    moment = build_time()
    stage("Reading the manuscript")
    cache_dir = root.resolve() / CACHE_DIR
    jobs = jobs or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as helper:
        # The generated EPUB cover needs only book.toml: drawn while the chapters are parsed, it
        # waits in the cache for the EPUB writer.
        cover = (helper.submit(draw_generated_cover, root, moment, cache_dir / "fonts")
                 if "epub" in formats and jobs > 1 else None)
        book = load_book(root, warn, cache_dir / "chapters", jobs)
        if cover is not None:
            cover.result()
    target = print_target(book.config.print, profile)
    output_dir = (output_dir or root / "build").resolve()
    slug = book_slug(book)
    outputs, findings = [], []
    if "epub" in formats:
        stage("Packaging the EPUB")
        data = write_epub(book, moment, cache_dir / "fonts", jobs)
        path = output_dir / f"{slug}.epub"
        write_atomically(path, data)
        outputs.append(Output(path, len(data)))
        if check_epub:
            stage("Checking the EPUB with epubcheck")
            findings += epubcheck_findings(path)
    if "pdf" in formats or "cover" in formats:
        stage(f"Laying out the PDF ({target.profile.name})")
        result = write_pdf(book, moment, target, jobs=jobs, cache_dir=cache_dir / "pdf")
        if "pdf" in formats:
            path = output_dir / target.file_name(slug)
            write_atomically(path, result.data)
            outputs.append(Output(path, len(result.data), result.pages))
            stage("Preflighting the PDF")
            findings += sorted(result.findings + check_pdf(result.data, target, result.live_area),
                               key=lambda finding: (finding.page or 0, finding.check))
        if "cover" in formats:
            stage("Making the cover")
            data = write_cover(book, result.pages, target.bleed_mm or KDP_BLEED_MM, moment)
            path = output_dir / f"{slug}-cover.pdf"
            write_atomically(path, data)
            outputs.append(Output(path, len(data)))
    return BuildResult(outputs, findings)
