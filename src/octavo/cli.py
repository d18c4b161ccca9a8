"""The ``octavo`` command: thin; it parses arguments, calls the build, prints progress and errors."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from . import __version__
from .build import DEFAULT_FORMATS, FORMATS, BuildResult, build
from .errors import OctavoError
from .init import create_project
from .pdf.profiles import PROFILES

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="octavo")
def main() -> None:
    """Octavo turns a Markdown manuscript into an EPUB 3 and a print-ready PDF."""


WARNINGS_SHOWN_PER_CHECK = 3  # by `build`; `check` shows every one


def _report(result: BuildResult, strict: bool, every_warning: bool = False) -> None:
    """Print what was written and what the preflight found; exit 1 on an error (or a warning
    with ``strict``)."""
    for written in result.outputs:
        pages = f"{written.pages} pages, " if written.pages is not None else ""
        out.print(f"[green]✓[/green] {escape(str(written.path))} ({pages}{_size(written.size)})", soft_wrap=True)
    shown: Counter[str] = Counter()
    for finding in result.findings:
        if finding.severity == "warning" and not every_warning:
            shown[finding.check] += 1
            if shown[finding.check] > WARNINGS_SHOWN_PER_CHECK:
                continue
        colour = "red" if finding.severity == "error" else "yellow"
        err.print(f"[{colour}]{finding.severity}:[/{colour}] {escape(str(finding))}", soft_wrap=True)
    for check, count in shown.items():
        if count > WARNINGS_SHOWN_PER_CHECK:
            err.print(f"[yellow]warning:[/yellow] … and {count - WARNINGS_SHOWN_PER_CHECK} more {check} "
                      "(octavo check lists every one)", soft_wrap=True)
    errors = sum(finding.severity == "error" for finding in result.findings)
    warnings = len(result.findings) - errors
    if result.findings:
        err.print(f"preflight: {errors} error(s), {warnings} warning(s)")
    if errors or (strict and warnings):
        sys.exit(1)


def _run_build(project_dir: Path, strict: bool, every_warning: bool = False, **options) -> None:
    try:
        result = build(project_dir, stage=lambda name: out.print(f"[bold]•[/bold] {name}…"),
                       warn=lambda message: err.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True),
                       **options)
    except OctavoError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
        sys.exit(1)
    _report(result, strict, every_warning)


project_argument = click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
profile_option = click.option("--profile", "-p", type=click.Choice(list(PROFILES)), default=None,
                              help="Print profile (default: [print] profile in book.toml, else digital).")
jobs_option = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                           help="Worker processes laying out the PDF (default: the number of CPUs).")
strict_option = click.option("--strict", is_flag=True, help="Fail (exit 1) on preflight warnings too.")
output_option = click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
                             help="Folder for the outputs (default: PROJECT_DIR/build).")


@main.command("build")
@project_argument
@click.option("--format", "-f", "format_", type=click.Choice([*FORMATS, "all"]), default="all", show_default=True,
              help="Which output to build (all: the EPUB and the PDF).")
@output_option
@jobs_option
@profile_option
@strict_option
@click.option("--watch", "-w", is_flag=True,
              help="Build, then rebuild on each save to book.toml, manuscript/, styles/ or templates/ until Ctrl-C.")
def build_command(project_dir: Path, format_: str, output: Path | None, jobs: int | None, profile: str | None,
                  strict: bool, watch: bool) -> None:
    """Build the book in PROJECT_DIR (default: the current folder)."""
    formats = DEFAULT_FORMATS if format_ == "all" else (format_,)
    if watch:
        _watch_build(project_dir, formats=formats, output_dir=output, jobs=jobs, profile=profile)
        return
    _run_build(project_dir, strict, formats=formats, output_dir=output, jobs=jobs, profile=profile)


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the current folder when it is under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _log_line(kind: str, message: str) -> None:
    """One line of ``serve`` or ``build --watch``: the time, then what happened."""
    stamp = f"[dim]{time.strftime('%H:%M:%S')}[/dim]"
    if kind == "error":
        err.print(f"{stamp} [red]error:[/red] {escape(message)}", soft_wrap=True)
    elif kind == "warning":
        err.print(f"{stamp} [yellow]warning:[/yellow] {escape(message)}", soft_wrap=True)
    elif kind == "ok":
        out.print(f"{stamp} [green]✓[/green] {escape(message)}", soft_wrap=True)
    else:
        out.print(f"{stamp} {escape(message)}", soft_wrap=True)


def _watch_build(project_dir: Path, **options) -> None:
    from .preview import Rebuild, watch_build

    seen: set[str] = set()

    def report(rebuild: Rebuild) -> None:
        for message in rebuild.warnings:
            if message not in seen:
                _log_line("warning", message)
        seen.clear()
        seen.update(rebuild.warnings)
        if rebuild.error is not None or rebuild.result is None:
            _log_line("error", str(rebuild.error))  # "file:line: message" says where
            return
        written = []
        for output in rebuild.result.outputs:
            pages = f"{output.pages} pages, " if output.pages is not None else ""
            written.append(f"{_shown(output.path)} ({pages}{_size(output.size)})")
        findings = rebuild.result.findings
        errors = sum(finding.severity == "error" for finding in findings)
        preflight = f"; preflight: {errors} error(s), {len(findings) - errors} warning(s)" if findings else ""
        cause = f" after {', '.join(rebuild.changed)}" if rebuild.changed else ""
        _log_line("ok", f"{', '.join(written)} in {rebuild.seconds:.1f} s{cause}{preflight}")

    out.print(f"Watching {escape(str(project_dir.resolve()))} (Ctrl-C to stop)", soft_wrap=True)
    try:
        watch_build(project_dir, report, **options)
    except KeyboardInterrupt:
        out.print("stopped")


@main.command("serve")
@project_argument
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 to serve on (0: any free port).")
@jobs_option
@profile_option
def serve_command(project_dir: Path, port: int, jobs: int | None, profile: str | None) -> None:
    """Preview the book in PROJECT_DIR in a browser: a reading view on 127.0.0.1 that rebuilds and
    reloads itself on each save, with the EPUB and the PDF rebuilt in the background."""
    from .preview import PreviewServer

    if not (project_dir / "book.toml").is_file():
        err.print(f"[red]error:[/red] no book.toml in {escape(str(project_dir))}: not a book project "
                  "([bold]octavo init[/bold] makes one)", soft_wrap=True)
        sys.exit(1)
    try:
        server = PreviewServer(project_dir, port=port, jobs=jobs, profile=profile, log=_log_line)
    except OSError as error:
        hint = " (another program uses it: try --port 0)" if port else ""
        err.print(f"[red]error:[/red] cannot serve on 127.0.0.1:{port}: {escape(error.strerror or str(error))}{hint}",
                  soft_wrap=True)
        sys.exit(1)
    try:
        server.start()
        out.print(f"Serving the preview at [bold]{server.url}[/bold] (Ctrl-C to stop)", soft_wrap=True)
        server.wait()
    except KeyboardInterrupt:
        out.print("stopped")
    finally:
        server.close()


@main.command("check")
@project_argument
@output_option
@jobs_option
@profile_option
@strict_option
def check_command(project_dir: Path, output: Path | None, jobs: int | None, profile: str | None,
                  strict: bool) -> None:
    """Build, then preflight: epubcheck on the EPUB, the print profile's rules and the typographic
    defects left after layout in the PDF."""
    _run_build(project_dir, strict, every_warning=True, formats=DEFAULT_FORMATS, output_dir=output, jobs=jobs,
               profile=profile, check_epub=True)


@main.command("cover")
@project_argument
@output_option
@jobs_option
@profile_option
def cover_command(project_dir: Path, output: Path | None, jobs: int | None, profile: str | None) -> None:
    """Make the full-wrap cover (back, spine, front, with bleed) for the interior's page count."""
    _run_build(project_dir, False, formats=("cover",), output_dir=output, jobs=jobs, profile=profile)


@main.command("init")
@click.argument("new_dir", type=click.Path(path_type=Path))
@click.option("--title", default="My Book", show_default=True, help="The book's title.")
@click.option("--author", default="Anonymous", show_default=True, help="The author's name.")
@click.option("--language", default="en", show_default=True, help="The book's language (BCP 47).")
def init_command(new_dir: Path, title: str, author: str, language: str) -> None:
    """Create a new book project in NEW_DIR that builds as it is."""
    try:
        create_project(new_dir, title=title, author=author, language=language)
    except OctavoError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
        sys.exit(1)
    out.print(f"[green]✓[/green] created {new_dir}: run [bold]octavo build {new_dir}[/bold]")
