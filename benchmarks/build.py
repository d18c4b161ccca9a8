"""Time a full Octavo build of a book project, against pandoc and the stock ``weasyprint`` command.

Usage: .venv/bin/python benchmarks/build.py PROJECT_DIR [--jobs N] [--runs K] [--baselines]
       [--incremental] [--json FILE]

The project is copied to a temporary folder first (without its ``build/``), so PROJECT_DIR is
only read. Every build runs as a child process: its wall time includes interpreter start-up
and imports, and its peak memory is the sum of the proportional set size (PSS) of the process
and all its children (the PDF layout workers), sampled once a second. A "full" build starts with no cache.

--baselines  also times pandoc (EPUB), the stock ``weasyprint`` command on the book's single
             print HTML, and Octavo's PDF with --jobs 1, and prints Octavo's figures as ratios.
--incremental  after the full build, changes one word (same letters, reversed) in the middle
             paragraph of the middle chapter and rebuilds with the full build's cache; compares the
             time and the outputs (byte for byte) with a clean build of the edited sources.

Each figure is from the fastest of --runs runs: noise on a shared machine only ever adds time.
SOURCE_DATE_EPOCH is set for every run (kept if already set), so outputs are comparable.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

try:
    import psutil
    from pypdf import PdfReader
except ModuleNotFoundError as missing:
    sys.exit(f"{missing.name} is missing: pip install -e '.[bench]'")

import octavo
from octavo.build import CACHE_DIR
from octavo.clock import build_time
from octavo.config import load_config
from octavo.pdf.layout import standalone_print_html
from octavo.pdf.profiles import print_target
from octavo.project import chapter_paths, load_book

# Reading a process's PSS makes the kernel walk its page tables: about 35 ms for a 750 MB
# process. Sampled every 50 ms, that took most of a core from a 3-process build; once a
# second it costs a few percent, and the layout's memory changes over seconds anyway.
SAMPLE_SECONDS = 1.0
BIN = Path(sys.executable).parent
STOCK_HTML = "standalone-print.html"  # in the project root, so relative image paths resolve
BASELINES = "baselines"  # their outputs, apart from Octavo's in build/

# The measured child: the imports of the `octavo` command, then build() with a clock on its stages.
TIMED_BUILD = """
import json, sys, time
from pathlib import Path
import octavo.cli  # so start-up costs what the `octavo` command's does
from octavo.build import build
root, formats, jobs = Path(sys.argv[1]), tuple(sys.argv[2].split(",")), int(sys.argv[3]) or None
marks = []
outputs = build(root, formats, jobs=jobs, stage=lambda name: marks.append((name, time.perf_counter()))).outputs
marks.append(("end", time.perf_counter()))
print(json.dumps({"stages": {name: end - start for (name, start), (_, end) in zip(marks, marks[1:])},
                  "outputs": {str(output.path): output.size for output in outputs}}))
"""


@dataclass
class Measurement:
    wall: float  # seconds
    peak_memory: int  # bytes: proportional set size summed over the whole process tree
    stages: dict[str, float] = field(default_factory=dict)
    epub_size: int | None = None
    pdf_size: int | None = None
    pages: int | None = None


def run_measured(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run a command to its end: wall time, peak memory of its process tree, stdout.

    Memory is the proportional set size (PSS): a page that forked workers share with their parent
    counts once in the sum, where summing RSS would count it once per process.
    """
    # Files, not pipes: a child that writes a lot (WeasyPrint warnings) would block on a full pipe.
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr)
        watched = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            total = 0
            try:
                tree = [watched, *watched.children(recursive=True)]
            except psutil.NoSuchProcess:
                tree = []
            for member in tree:
                try:
                    total += member.memory_full_info().pss
                except psutil.NoSuchProcess:  # a worker that ended between listing and reading
                    pass
            peak = max(peak, total)
            time.sleep(SAMPLE_SECONDS)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        if process.returncode:
            sys.exit(f"{Path(command[0]).name} failed ({process.returncode}):\n{stderr.read().decode()[-3000:]}")
        return wall, peak, stdout.read().decode()


def pdf_pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def octavo_build(root: Path, formats: tuple[str, ...], jobs: int | None, *, clean: bool = True) -> Measurement:
    if clean:
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    wall, peak, stdout = run_measured([sys.executable, "-c", TIMED_BUILD, str(root), ",".join(formats),
                                       str(jobs or 0)], root)
    report = json.loads(stdout)
    measurement = Measurement(wall, peak, report["stages"])
    for name, size in report["outputs"].items():
        path = Path(name)
        if path.suffix == ".epub":
            measurement.epub_size = size
        else:
            measurement.pdf_size, measurement.pages = size, pdf_pages(path)
    return measurement


def pandoc_epub(root: Path) -> Measurement:
    config = load_config(root)
    chapters = [str(path.relative_to(config.root)) for path in chapter_paths(config.root, config.chapters)]
    output = root / BASELINES / "pandoc.epub"
    output.parent.mkdir(exist_ok=True)
    wall, peak, _ = run_measured(["pandoc", "-f", "markdown+smart", "-o", str(output),
                                  "--metadata", f"title={config.metadata.title}",
                                  "--metadata", f"lang={config.metadata.language}", *chapters], root)
    return Measurement(wall, peak, epub_size=output.stat().st_size)


def stock_weasyprint(root: Path, *options: str) -> Measurement:
    book = load_book(root)
    html = standalone_print_html(book, build_time(), print_target(book.config.print))
    (root / STOCK_HTML).write_text(html, encoding="utf-8")
    output = root / BASELINES / "stock.pdf"
    output.parent.mkdir(exist_ok=True)
    wall, peak, _ = run_measured([str(BIN / "weasyprint"), *options, STOCK_HTML, str(output)], root)
    return Measurement(wall, peak, pdf_size=output.stat().st_size, pages=pdf_pages(output))


def edit_middle_paragraph(root: Path) -> str:
    """Reverse one word in the middle prose paragraph of the middle chapter; says what changed."""
    config = load_config(root)
    paths = chapter_paths(config.root, config.chapters)
    path = paths[len(paths) // 2]
    text = path.read_text(encoding="utf-8")
    # Plain prose only: no markup that a reversed word could break (links, anchors, notes, HTML).
    paragraphs = [match for match in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text)
                  if len(match[0].split()) >= 20 and not re.search(r"[#\[\]{}<>]", match[0])]
    paragraph = paragraphs[len(paragraphs) // 2]
    words = [word for word in re.finditer(r"\b[a-z]{5,}\b", paragraph[0]) if word[0] != word[0][::-1]]
    word = words[len(words) // 2]
    at = paragraph.start() + word.start()
    path.write_text(text[:at] + word[0][::-1] + text[at + len(word[0]):], encoding="utf-8")
    return f"{path.relative_to(config.root)}: '{word[0]}' → '{word[0][::-1]}'"


def rebuild(root: Path, snapshot: Path, jobs: int | None) -> Measurement:
    """A build that finds the cache as the full build of the unedited book left it."""
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    shutil.copytree(snapshot, root / CACHE_DIR)
    return octavo_build(root, ("epub", "pdf"), jobs, clean=False)


def octavo_outputs(root: Path) -> dict[str, bytes]:
    return {path.suffix[1:]: path.read_bytes() for path in (root / "build").iterdir()
            if path.suffix in (".epub", ".pdf")}


def package_digest() -> str:
    """Octavo's own files: part of the layout cache key, and other people edit them meanwhile."""
    digest = hashlib.sha256()
    for path in sorted(Path(octavo.__file__).parent.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def copy_project(source: Path, destination: Path) -> Path:
    root = destination / source.name
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("build", ".git"), copy_function=shutil.copyfile)
    for path in [root, *root.rglob("*")]:  # the shared corpora are read-only; copies must not be
        path.chmod(path.stat().st_mode | 0o200)
    return root


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def print_report(title: str, measurements: dict[str, Measurement], ratios: dict[str, float | None],
                 notes: list[str]) -> None:
    def cell(value, scale=1.0, digits=0):
        return "–" if value is None else f"{value / scale:,.{digits}f}"

    print(f"\n{title}\n")
    print(f"{'measurement':<42}{'wall s':>9}{'peak MB':>9}{'EPUB KB':>10}{'PDF KB':>10}{'pages':>7}")
    for label, measured in measurements.items():
        print(f"{label:<42}{measured.wall:>9.2f}{cell(measured.peak_memory, 2**20):>9}"
              f"{cell(measured.epub_size, 1024):>10}{cell(measured.pdf_size, 1024):>10}{cell(measured.pages):>7}")
        for stage, seconds in measured.stages.items():
            print(f"  {stage:<40}{seconds:>9.2f}")
    if ratios:
        print(f"\n{'ratio (Octavo / baseline)':<42}{'value':>9}")
        for label, value in ratios.items():
            print(f"{label:<42}{cell(value, digits=2):>9}")
    for note in notes:
        print(f"\n{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project_dir", type=Path)
    parser.add_argument("--jobs", type=int, default=None, help="PDF layout workers (default: Octavo's)")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement; the fastest counts")
    parser.add_argument("--baselines", action="store_true", help="also time pandoc and stock weasyprint")
    parser.add_argument("--incremental", action="store_true", help="also time a rebuild after a one-word edit")
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    jobs = f"jobs {args.jobs or f'default = {os.cpu_count()}'}"  # for the labels
    digest_before = package_digest()
    measurements: dict[str, Measurement] = {}
    ratios: dict[str, float | None] = {}
    notes: list[str] = []
    incremental: dict = {}

    def measure(label: str, run: Callable[[], Measurement]) -> Measurement:
        """The fastest of --runs runs: noise on a shared machine only ever adds time."""
        print(f"measuring: {label}", file=sys.stderr, flush=True)
        measured = measurements[label] = min((run() for _ in range(args.runs)), key=lambda measured: measured.wall)
        print(f"  {measured}", file=sys.stderr, flush=True)  # a long benchmark shows its figures as it goes
        return measured

    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as scratch:
        root = copy_project(args.project_dir.resolve(), Path(scratch))
        measure(f"Octavo full build ({jobs})", lambda: octavo_build(root, ("epub", "pdf"), args.jobs))
        if args.incremental:  # keep the full build's cache: the baselines' clean builds delete it
            snapshot = Path(scratch) / "cache-before-edit"
            shutil.copytree(root / CACHE_DIR, snapshot)

        if args.baselines:
            epub = measure("Octavo EPUB build", lambda: octavo_build(root, ("epub",), None))
            if shutil.which("pandoc"):
                pandoc = measure("pandoc EPUB (markdown+smart)", lambda: pandoc_epub(root))
                ratios["EPUB build time vs pandoc"] = ratio(epub.wall, pandoc.wall)
            else:
                notes.append("pandoc is not installed: no EPUB baseline.")
            pdf = measure(f"Octavo PDF build ({jobs})", lambda: octavo_build(root, ("pdf",), args.jobs))
            stock = measure("stock weasyprint, one HTML", lambda: stock_weasyprint(root))
            serial = measure("Octavo PDF build (jobs 1)", lambda: octavo_build(root, ("pdf",), 1))
            ratios["PDF build time vs stock"] = ratio(pdf.wall, stock.wall)
            ratios["PDF build time, jobs 1, vs stock"] = ratio(serial.wall, stock.wall)
            ratios["PDF build peak memory vs stock"] = ratio(pdf.peak_memory, stock.peak_memory)
            ratios["PDF size vs stock"] = ratio(pdf.pdf_size, stock.pdf_size)
            if pdf.pages != stock.pages:
                notes.append(f"Page counts differ: Octavo {pdf.pages}, stock weasyprint {stock.pages}.")
            # Octavo's PDF is tagged (PDF/UA structure); the stock command tags only when asked.
            tagged = measure("stock weasyprint --pdf-tags", lambda: stock_weasyprint(root, "--pdf-tags"))
            ratios["PDF build time vs stock --pdf-tags"] = ratio(pdf.wall, tagged.wall)
            ratios["PDF build time, jobs 1, vs stock --pdf-tags"] = ratio(serial.wall, tagged.wall)
            ratios["PDF build peak memory vs stock --pdf-tags"] = ratio(pdf.peak_memory, tagged.peak_memory)
            ratios["PDF size vs stock --pdf-tags"] = ratio(pdf.pdf_size, tagged.pdf_size)

        if args.incremental:
            incremental["edit"] = edit_middle_paragraph(root)
            rebuilt = measure("Octavo rebuild after the edit", lambda: rebuild(root, snapshot, args.jobs))
            rebuilt_outputs = octavo_outputs(root)
            # The reference is a clean build of the same sources, right after: the closest in time.
            clean = measure("Octavo full build of the edited book",
                            lambda: octavo_build(root, ("epub", "pdf"), args.jobs))
            clean_outputs = octavo_outputs(root)
            incremental["identical"] = {kind: data == clean_outputs.get(kind)
                                        for kind, data in rebuilt_outputs.items()}
            ratios["rebuild after one edit vs clean build"] = ratio(rebuilt.wall, clean.wall)
            verdict = ", ".join(f"{kind} {'identical' if same else 'DIFFERENT'}"
                                for kind, same in incremental["identical"].items())
            notes.append(f"Edit: {incremental['edit']}. Rebuild vs clean build of the edited book: {verdict}.")

    if package_digest() != digest_before:
        notes.append("WARNING: Octavo's files changed during the benchmark (the layout cache key includes them).")
    title = (f"{args.project_dir} — SOURCE_DATE_EPOCH={os.environ['SOURCE_DATE_EPOCH']}, "
             f"fastest of {args.runs} run(s), {os.cpu_count()} CPUs")
    print_report(title, measurements, ratios, notes)
    if args.json:
        args.json.write_text(json.dumps({
            "project": str(args.project_dir), "source_date_epoch": os.environ["SOURCE_DATE_EPOCH"],
            "runs": args.runs, "jobs": args.jobs,
            "measurements": {label: asdict(measured) for label, measured in measurements.items()},
            "ratios": ratios, "incremental": incremental, "notes": notes}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
