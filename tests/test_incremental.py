"""The cache and the parallel layout never change a result: same bytes, whatever was reused."""

from __future__ import annotations

import hashlib
import shutil

import pikepdf
import pytest

from octavo.build import build
from octavo.pdf.layout import PART_MODULUS

from conftest import FIXTURES


def part_ending_name(prefix: str) -> str:
    """A chapter file name after which the PDF layout starts a new part."""
    for n in range(1000):
        name = f"{prefix}-{n}"
        if int(hashlib.sha256(f"ch-{name}".encode()).hexdigest(), 16) % PART_MODULUS == 0:
            return name
    raise AssertionError("no name found")


@pytest.fixture
def three_part_book(make_project):
    first, second = part_ending_name("01-opening"), part_ending_name("02-middle")
    files = {
        f"manuscript/{first}.md": "# Opening\n\n" + "Words upon words. " * 300 + "\n\nOn to [the end](03-end.md#last).\n",
        f"manuscript/{second}.md": "# Middle\n\n" + "More words here. " * 300 + "\n\nA note.[^n]\n\n[^n]: The note.\n",
        "manuscript/03-end.md": "# End\n\n## Last {#last}\n\nBack to [the opening](" + first + ".md).\n",
    }
    return make_project(files)


def outputs(root, out, **options):
    return {o.path.suffix: o.path.read_bytes() for o in build(root, output_dir=out, **options).outputs}


def test_links_outline_and_folios_across_parts(three_part_book, tmp_path):
    pdf_path = next(o.path for o in build(three_part_book, ("pdf",), tmp_path / "out").outputs)
    with pikepdf.open(pdf_path) as pdf:
        page_index = {page.objgen: index for index, page in enumerate(pdf.pages)}
        names = {str(k): v for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
        last_page = page_index[names["ch-03-end-last"][0].objgen]
        links = [annot for page in pdf.pages for annot in page.get("/Annots", [])
                 if annot.get("/Subtype") == "/Link"]
        targets = []
        for annot in links:
            destination = annot.get("/Dest") or annot.get("/A", {}).get("/D")
            assert destination is not None, annot  # no link left pointing at a URI of ours
            if isinstance(destination, pikepdf.Array):
                targets.append(page_index[destination[0].objgen])
            else:
                targets.append(page_index[names[str(destination)][0].objgen])
        assert last_page in targets
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root] == ["Opening", "Middle", "End"]
        openers = [page_index[names[f"ch-{path.stem}"][0].objgen]
                   for path in sorted((three_part_book / "manuscript").glob("*.md"))]
        assert all(index % 2 == 0 for index in openers)  # every chapter opens on a recto
        assert openers == sorted(openers) and len(set(openers)) == 3


def test_incremental_build_is_byte_identical_to_a_clean_one(three_part_book, tmp_path):
    first = outputs(three_part_book, tmp_path / "a")
    chapter = next((three_part_book / "manuscript").glob("02-*.md"))
    chapter.write_text(chapter.read_text().replace("More words here.", "More words there.", 1))
    incremental = outputs(three_part_book, tmp_path / "b")
    assert incremental[".pdf"] != first[".pdf"]
    shutil.rmtree(three_part_book / "build" / ".octavo-cache")
    clean = outputs(three_part_book, tmp_path / "c")
    assert incremental == clean


def test_output_does_not_depend_on_the_job_count(tmp_path):
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "every-feature", project)
    one = outputs(project, tmp_path / "one", jobs=1)
    shutil.rmtree(project / "build" / ".octavo-cache")
    two = outputs(project, tmp_path / "two", jobs=2)
    assert one == two
