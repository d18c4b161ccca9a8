"""Shared fixtures: the sample book and the every-feature fixture book, each built once."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from octavo.build import build

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


@dataclass
class Built:
    project: Path
    epub: Path
    pdf: Path
    pages: int

    def epub_file(self, name: str) -> str:
        with zipfile.ZipFile(self.epub) as archive:
            return archive.read(name).decode("utf-8")

    def epub_names(self) -> list[str]:
        with zipfile.ZipFile(self.epub) as archive:
            return archive.namelist()


def build_project(project: Path, output: Path) -> Built:
    outputs = build(project, output_dir=output).outputs
    epub = next(o for o in outputs if o.path.suffix == ".epub")
    pdf = next(o for o in outputs if o.path.suffix == ".pdf")
    return Built(project, epub.path, pdf.path, pdf.pages)


@pytest.fixture(scope="session", autouse=True)
def fixed_epoch():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield


def copy_sample(project: Path) -> Path:
    """A copy of the repository's own sample book project (not its build/) at ``project``."""
    project.mkdir(parents=True, exist_ok=True)
    for name in ("book.toml", "manuscript", "styles"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.exists():
            shutil.copy(source, project / name)
    return project


@pytest.fixture(scope="session")
def sample(tmp_path_factory, fixed_epoch) -> Built:
    """The repository's own sample book: the Swedish op-ed."""
    project = copy_sample(tmp_path_factory.mktemp("sample"))
    return build_project(project, project / "build")


@pytest.fixture(scope="session")
def feature_book(tmp_path_factory, fixed_epoch) -> Built:
    """A fixture book that uses every Markdown feature Octavo supports."""
    project = tmp_path_factory.mktemp("features") / "book"
    shutil.copytree(FIXTURES / "every-feature", project)
    return build_project(project, project / "build")


@pytest.fixture
def make_project(tmp_path):
    """A minimal valid project to break in one way: ``make_project(files)`` → its root."""
    def make(files: dict[str, str | bytes] | None = None, toml: str | None = None) -> Path:
        root = tmp_path / "book"
        (root / "manuscript").mkdir(parents=True, exist_ok=True)
        (root / "book.toml").write_text(toml if toml is not None else (
            '[book]\ntitle = "Test"\nauthors = ["A. Writer"]\nlanguage = "en"\n'), encoding="utf-8")
        files = files if files is not None else {"manuscript/01.md": "# One\n\nText.\n"}
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root
    return make
