"""Every mistake an author can make: one message with file and line, exit code 1, no traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from octavo.cli import main

OK_TOML = '[book]\ntitle = "Test"\nauthors = ["A. Writer"]\nlanguage = "en"\n'


def run_build(root, *extra):
    result = CliRunner().invoke(main, ["build", str(root), *extra])
    return result.exit_code, result.output  # click's runner mixes stderr into output


CASES = [
    # (what, files, toml, expected message)
    ("no book.toml", {}, None, "book.toml: no book.toml here"),
    ("malformed TOML", {}, '[book]\ntitle = "Test\nauthors = []\n', "book.toml:2: not valid TOML"),
    ("missing title", {}, '[book]\nauthors = ["A"]\nlanguage = "en"\n', "book.toml:1: [book] needs 'title'"),
    ("missing authors", {}, '[book]\ntitle = "T"\nlanguage = "en"\n', "[book] needs 'authors'"),
    ("invalid language", {}, OK_TOML.replace('"en"', '"english language"'),
     "book.toml:4: 'english language' is not a BCP 47 language tag"),
    ("bad ISBN", {}, OK_TOML + 'isbn = "978-91-7000-150-3"\n', "book.toml:5: invalid ISBN '978-91-7000-150-3'"),
    ("unknown key", {}, OK_TOML + 'autors = ["B"]\n', "book.toml:5: unknown key 'autors' in [book] (did you mean 'authors'?)"),
    ("unknown table", {}, OK_TOML + "[prnt]\ntrim = 'a5'\n", "unknown key 'prnt' in book.toml (did you mean 'print'?)"),
    ("unknown trim", {}, OK_TOML + '[print]\ntrim = "7x7cm"\n', "book.toml:6: unknown trim '7x7cm'"),
    ("unknown profile", {}, OK_TOML + '[print]\nprofile = "kpd"\n',
     "book.toml:6: unknown print profile 'kpd' (did you mean 'kdp'?)"),
    ("bad bleed", {}, OK_TOML + '[print]\nbleed = "3"\n', "book.toml:6: 'bleed' must be a length such as"),
    ("bad paper", {}, OK_TOML + '[print]\npaper = "glossy"\n', "book.toml:6: 'paper' must be white, cream, color"),
    ("bad print ISBN", {}, OK_TOML + '[print]\nisbn = "978-91-7000-150-3"\n',
     "book.toml:6: invalid print ISBN '978-91-7000-150-3'"),
    ("unknown PDF variant", {}, OK_TOML + '[print]\npdf_variant = "pdf/x-2"\n', "book.toml:6: unknown pdf_variant 'pdf/x-2'"),
    ("ICC profile missing", {}, OK_TOML + '[print]\nicc_profile = "fogra39.icc"\n',
     "book.toml:6: icc_profile 'fogra39.icc' not found"),
    ("ICC profile not CMYK", {"srgb.icc": b"not a profile" * 10}, OK_TOML + '[print]\nicc_profile = "srgb.icc"\n',
     "book.toml:6: icc_profile 'srgb.icc' is not a CMYK ICC profile"),
    ("PDF/X without ICC", {}, OK_TOML + '[print]\npdf_variant = "pdf/x-4"\n', "book.toml: the digital profile writes PDF/X-4"),
    ("bad date", {}, OK_TOML + 'date = "1 May 2024"\n', "book.toml:5: 'date' must be a date as YYYY-MM-DD"),
    ("listed chapter missing", {}, OK_TOML + '[manuscript]\nchapters = ["01.md", "02.md"]\n',
     "book.toml:6: chapter 'manuscript/02.md' does not exist"),
    ("cover missing", {}, OK_TOML + 'cover = "cover.jpg"\n', "book.toml:5: cover image 'cover.jpg' not found"),
    ("no chapters", {"manuscript/notes.txt": "x"}, OK_TOML, "manuscript: no chapters"),
    ("missing image", {"manuscript/02.md": "# Two\n\nText.\n\n\n\n\n\n\n\n\n\nMore.\n![A map](x.png)\n"}, OK_TOML,
     "manuscript/02.md:14: image 'x.png' not found"),
    ("image outside", {"manuscript/01.md": "# One\n\n![pw](../../../../../etc/passwd)\n"}, OK_TOML,
     "manuscript/01.md:3: image '../../../../../etc/passwd' points outside the project (refused)"),
    ("absolute image", {"manuscript/01.md": "# One\n\n![pw](/etc/passwd)\n"}, OK_TOML,
     "manuscript/01.md:3: image '/etc/passwd' is an absolute path"),
    ("remote image", {"manuscript/01.md": "# One\n\n![x](http://127.0.0.1:9/x.png)\n"}, OK_TOML,
     "manuscript/01.md:3: image 'http://127.0.0.1:9/x.png' is not a file of the project"),
    ("link outside", {"manuscript/01.md": "# One\n\nSee [this](../../secret.md).\n"}, OK_TOML,
     "manuscript/01.md:3: link '../../secret.md' points outside the project (refused)"),
    ("broken internal link", {"manuscript/01.md": "# One\n\nSee [there](#nowhere).\n"}, OK_TOML,
     "manuscript/01.md:3: broken link: no heading or anchor 'ch-01-nowhere' in the book"),
    ("link to a missing chapter file", {"manuscript/01.md": "# One\n\nSee [there](09.md#x).\n"}, OK_TOML,
     "manuscript/01.md:3: link to '09.md', which is not a chapter of the book"),
    ("undefined footnote", {"manuscript/01.md": "# One\n\nText.\n\nA call[^x] here.\n"}, OK_TOML,
     "manuscript/01.md:5: footnote [^x] is referenced but never defined"),
    ("footnote defined twice", {"manuscript/01.md": "# One\n\nA[^x].\n\n[^x]: one\n\n[^x]: two\n"}, OK_TOML,
     "manuscript/01.md:7: footnote [^x] is defined twice (first on line 5)"),
    ("raw HTML block", {"manuscript/01.md": "# One\n\n<div onclick=\"x()\">hi</div>\n"}, OK_TOML,
     "manuscript/01.md:3: raw HTML is not allowed"),
    ("raw HTML inline", {"manuscript/01.md": "# One\n\nSome <script>alert(1)</script> text.\n"}, OK_TOML,
     "manuscript/01.md:3: raw HTML '<script>' is not allowed"),
    ("unknown front matter key", {"manuscript/01.md": "---\ntitel: X\n---\n\nText.\n"}, OK_TOML,
     "manuscript/01.md:2: unknown key 'titel' in front matter (did you mean 'title'?)"),
    ("unknown chapter type", {"manuscript/01.md": "---\ntype: prologue\n---\n\nText.\n"}, OK_TOML,
     "manuscript/01.md:2: unknown type 'prologue'"),
    ("bad front matter language", {"manuscript/01.md": "---\nlang: x_y\n---\n\nText.\n"}, OK_TOML,
     "manuscript/01.md:2: 'x_y' is not a BCP 47 language tag"),
    ("duplicate id", {"manuscript/01.md": "# One {#a}\n\n## Two {#a}\n"}, OK_TOML,
     "manuscript/01.md:3: id 'a' is used twice in this chapter"),
    ("not UTF-8", {"manuscript/01.md": "# Caf\xe9\n".encode("latin-1")}, OK_TOML,
     "manuscript/01.md:1: not UTF-8 text"),
]


@pytest.mark.parametrize("what, files, toml, expected", CASES, ids=[case[0] for case in CASES])
def test_mistake_gives_one_clear_line(what, files, toml, expected, make_project):
    root = make_project(files or None, toml=toml)
    if what == "no book.toml":
        (root / "book.toml").unlink()
    code, output = run_build(root, "--format", "epub")
    assert code == 1
    assert expected in output
    assert "Traceback" not in output
    error_lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1


def test_unused_footnote_is_a_warning(make_project):
    root = make_project({"manuscript/01.md": "# One\n\nText.\n\n[^lonely]: Nobody calls me.\n"})
    code, output = run_build(root, "--format", "epub")
    assert code == 0
    assert "footnote [^lonely] is defined but never referenced" in output


def test_failed_build_leaves_previous_outputs_untouched(make_project):
    root = make_project()
    assert run_build(root, "--format", "epub")[0] == 0
    epub = root / "build" / "test.epub"
    before = epub.read_bytes()
    (root / "manuscript" / "01.md").write_text("# One\n\n![x](missing.png)\n", encoding="utf-8")
    assert run_build(root, "--format", "epub")[0] == 1
    assert epub.read_bytes() == before
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != ".octavo-cache") == ["test.epub"]


def test_an_error_in_a_chapter_parsed_in_a_worker_names_its_file_and_line(make_project):
    """Many chapters are parsed in parallel processes; the message still names the first bad one."""
    files = {f"manuscript/{n:02}.md": f"# Chapter {n}\n\nText.\n" for n in range(1, 31)}
    files["manuscript/17.md"] = "# Seventeen\n\nA call[^x].\n"
    files["manuscript/23.md"] = "# Twenty-three\n\n<b>raw</b>\n"
    root = make_project(files, OK_TOML)
    code, output = run_build(root, "--format", "epub", "--jobs", "2")
    assert code == 1 and "Traceback" not in output
    assert "manuscript/17.md:3: footnote [^x] is referenced but never defined" in output
