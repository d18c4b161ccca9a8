"""The ``octavo`` command: thin; it parses arguments, calls the build, prints progress and errors."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from . import __version__
from .build import FORMATS, build
from .errors import OctavoError
from .init import create_project

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="octavo")
def main() -> None:
    """Octavo turns a Markdown manuscript into an EPUB 3 and a print-ready PDF."""


@main.command("build")
@click.argument("project_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "-f", "format_", type=click.Choice([*FORMATS, "all"]), default="all", show_default=True,
              help="Which output to build.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the outputs (default: PROJECT_DIR/build).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes laying out the PDF (default: the number of CPUs).")
def build_command(project_dir: Path, format_: str, output: Path | None, jobs: int | None) -> None:
    """Build the book in PROJECT_DIR (default: the current folder)."""
    formats = FORMATS if format_ == "all" else (format_,)
    try:
        outputs = build(project_dir, formats, output, jobs=jobs,
                        stage=lambda name: out.print(f"[bold]•[/bold] {name}…"),
                        warn=lambda message: err.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True))
    except OctavoError as error:
        err.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
        sys.exit(1)
    for written in outputs:
        pages = f"{written.pages} pages, " if written.pages is not None else ""
        out.print(f"[green]✓[/green] {escape(str(written.path))} ({pages}{_size(written.size)})", soft_wrap=True)


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
