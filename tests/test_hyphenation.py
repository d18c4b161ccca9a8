"""[epub] hyphenate and narrow_spaces: soft hyphens where a reader may break, spaces old Kindles show."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner
from lxml import etree

from checkers import epubcheck_messages
from octavo.build import build
from octavo.cli import main

SHY = "\u00ad"
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}
LONG_WORD = "försiktighetsåtgärden"

SWEDISH_CHAPTER = f"""# Om {LONG_WORD}

Huset stod kvar trots {LONG_WORD}. Koden `print("{LONG_WORD}")` skrevs av
<https://example.se/{LONG_WORD}>, och i Helsingfors sa man [kahvinkeittimessä]{{lang=fi}}.

## Den andra {LONG_WORD}

Mer om {LONG_WORD}[^1].

[^1]: En not om {LONG_WORD}.
"""


def toml(language: str, epub_table: str = "", title: str = "Test") -> str:
    return f'[book]\ntitle = "{title}"\nauthors = ["A. Writer"]\nlanguage = "{language}"\n{epub_table}'


def build_epub(root, output) -> tuple[Path, str]:
    epub = build(root, ("epub",), output).outputs[0].path
    with zipfile.ZipFile(epub) as archive:
        return epub, archive.read("EPUB/ch-01.xhtml").decode("utf-8")


def texts(document: str, xpath: str) -> list[str]:
    return ["".join(element.itertext()) for element in etree.fromstring(document.encode()).xpath(xpath, namespaces=XHTML)]


def test_swedish_book_gets_soft_hyphens_in_long_words_of_its_text(make_project, tmp_path):
    root = make_project({"manuscript/01.md": SWEDISH_CHAPTER}, toml=toml("sv"))
    epub, chapter = build_epub(root, tmp_path / "out")

    paragraph = texts(chapter, "//x:section/x:p")[0]
    hyphenated = next(word for word in paragraph.split() if word.replace(SHY, "").startswith(LONG_WORD))
    assert SHY in hyphenated
    pieces = hyphenated.rstrip(".").split(SHY)
    assert len(pieces[0]) >= 2 and len(pieces[-1]) >= 3  # the print CSS's limits: 2 before, 3 after
    assert "Huset" in paragraph.split()  # five letters: too short to break
    assert SHY in texts(chapter, "//x:aside")[0]  # the notes are text of the chapter too

    assert LONG_WORD in "".join(texts(chapter, "//x:h1 | //x:h2"))
    assert texts(chapter, "//x:code") == [f'print("{LONG_WORD}")']
    assert texts(chapter, "//x:a[starts-with(@href, 'https:')]") == [f"https://example.se/{LONG_WORD}"]
    assert texts(chapter, "//x:span[@lang='fi']") == ["kahvinkeittimessä"]  # Pyphen has no Finnish
    assert epubcheck_messages(epub) == []


def test_hyphenate_false_gives_no_soft_hyphens(make_project, tmp_path):
    root = make_project({"manuscript/01.md": SWEDISH_CHAPTER}, toml=toml("sv", "[epub]\nhyphenate = false\n"))
    assert SHY not in build_epub(root, tmp_path / "out")[1]


def test_english_book_is_not_hyphenated_by_default(make_project, tmp_path):
    root = make_project({"manuscript/01.md": "# One\n\nNotwithstanding extraordinary considerations.\n"},
                        toml=toml("en"))
    chapter = build_epub(root, tmp_path / "out")[1]
    assert "Notwithstanding extraordinary considerations." in chapter


def test_finnish_book_asked_to_hyphenate_builds_unhyphenated(make_project, tmp_path):
    root = make_project({"manuscript/01.md": "# Yksi\n\nKahvinkeittimessä oli lämmintä kahvia.\n"},
                        toml=toml("fi", "[epub]\nhyphenate = true\n"))
    chapter = build_epub(root, tmp_path / "out")[1]
    assert "Kahvinkeittimessä oli lämmintä kahvia." in chapter


def test_narrow_spaces_false_gives_no_break_spaces_and_rebuilds_the_cached_chapter(make_project, tmp_path):
    files = {"manuscript/01.md": "# Un\n\nIl dit : « oui » !\n"}
    root = make_project(files, toml=toml("fr", title="Oui !"))
    epub = build(root, ("epub",), tmp_path / "narrow").outputs[0].path
    with zipfile.ZipFile(epub) as archive:
        assert NARROW_NBSP in archive.read("EPUB/ch-01.xhtml").decode()  # the default, for contrast

    (root / "book.toml").write_text(toml("fr", "[epub]\nnarrow_spaces = false\n", title="Oui !"), encoding="utf-8")
    epub = build(root, ("epub",), tmp_path / "full").outputs[0].path  # same project, same chapter cache
    with zipfile.ZipFile(epub) as archive:
        chapter = archive.read("EPUB/ch-01.xhtml").decode()
        title_page = archive.read("EPUB/titlepage.xhtml").decode()
    assert NARROW_NBSP not in chapter
    assert f"Il dit{NBSP}: «{NBSP}oui{NBSP}»{NBSP}!" in chapter
    assert NARROW_NBSP not in title_page and f"Oui{NBSP}!" in title_page
    assert epubcheck_messages(epub) == []


def error_lines(root) -> list[str]:
    result = CliRunner().invoke(main, ["build", str(root), "--format", "epub"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def test_hyphenate_that_is_not_a_boolean_is_one_clear_error(make_project):
    root = make_project(toml=toml("sv", '[epub]\nhyphenate = "yes"\n'))
    [line] = error_lines(root)
    assert "book.toml:6: 'hyphenate' must be true or false" in line


def test_unknown_epub_key_names_the_nearest(make_project):
    root = make_project(toml=toml("sv", "[epub]\nhyphenation = true\n"))
    [line] = error_lines(root)
    assert "book.toml:6: unknown key 'hyphenation' in [epub] (did you mean 'hyphenate'?)" in line
