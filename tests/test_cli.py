"""The command line: build, init, version and help, and a project's own templates."""

from __future__ import annotations

import zipfile

from click.testing import CliRunner

from checkers import epubcheck_messages
from octavo import __version__
from octavo.cli import main


def test_version_and_help():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.strip() == f"octavo, version {__version__}"
    for command in ([], ["build"], ["init"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_init_makes_a_project_that_builds_valid(tmp_path):
    runner = CliRunner()
    target = tmp_path / "novel"
    result = runner.invoke(main, ["init", str(target), "--title", "Min roman", "--author", "Åsa Öberg",
                                  "--language", "sv"])
    assert result.exit_code == 0, result.output
    for name in ("book.toml", "manuscript/01-chapter.md", "styles/book.css", "styles/print.css", "styles/epub.css"):
        assert (target / name).is_file(), name
    assert "--body-size" in (target / "styles/print.css").read_text()
    result = runner.invoke(main, ["build", str(target)])
    assert result.exit_code == 0, result.output
    assert "min-roman.epub" in result.output and "pages" in result.output
    epub = target / "build" / "min-roman.epub"
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as archive:
        print_rules = archive.read("EPUB/styles/book.css").decode()
        assert "--body-size" not in print_rules  # print.css never reaches the EPUB
        assert "EPUB/styles/print.css" not in archive.namelist()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1 and "not empty" in result.output


def test_project_templates_override_the_theme_by_name(make_project, tmp_path):
    root = make_project()
    (root / "templates").mkdir()
    (root / "templates" / "_titlepage.html.j2").write_text(
        '<section id="titlepage" epub:type="titlepage" aria-label="Title"><h1>Custom {{ meta.title }}</h1></section>\n')
    result = CliRunner().invoke(main, ["build", str(root), "--format", "epub", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out" / "test.epub") as archive:
        assert "<h1>Custom Test</h1>" in archive.read("EPUB/titlepage.xhtml").decode()
