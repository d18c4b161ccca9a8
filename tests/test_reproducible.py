"""SOURCE_DATE_EPOCH: the same sources give the same bytes; another date changes the dates inside."""

from __future__ import annotations

import shutil
import zipfile

import pikepdf

from conftest import FIXTURES
from octavo.build import build


def test_same_sources_same_bytes_and_the_date_is_used(tmp_path, monkeypatch):
    project = tmp_path / "book"
    shutil.copytree(FIXTURES / "every-feature", project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    first = {o.path.suffix: o.path.read_bytes() for o in build(project, output_dir=tmp_path / "a").outputs}
    second = {o.path.suffix: o.path.read_bytes() for o in build(project, output_dir=tmp_path / "b").outputs}
    assert first[".epub"] == second[".epub"]
    assert first[".pdf"] == second[".pdf"]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    third = {o.path.suffix: o.path for o in build(project, output_dir=tmp_path / "c").outputs}
    with zipfile.ZipFile(third[".epub"]) as archive:
        assert "2023-11-14T22:13:20Z" in archive.read("EPUB/content.opf").decode()
        assert all(info.date_time == (2023, 11, 14, 22, 13, 20) for info in archive.infolist())
    with zipfile.ZipFile(tmp_path / "a" / third[".epub"].name) as archive:
        assert "2020-09-13T12:26:40Z" in archive.read("EPUB/content.opf").decode()
        assert archive.infolist()[0].filename == "mimetype"
        assert archive.infolist()[0].compress_type == zipfile.ZIP_STORED
    with pikepdf.open(third[".pdf"]) as pdf:
        assert str(pdf.docinfo["/ModDate"]).startswith("D:20231114221320")
