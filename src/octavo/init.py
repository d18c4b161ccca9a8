"""``octavo init``: a new project that builds as it is, from the theme's project skeleton."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jinja2

from .config import is_language_tag
from .errors import OctavoError
from .theme import THEME_DIR

SKELETON_DIR = THEME_DIR / "new-project"


def create_project(target: Path, *, title: str, author: str, language: str) -> None:
    if target.exists() and any(target.iterdir()):
        raise OctavoError(f"'{target}' exists and is not empty; choose a new folder")
    if not is_language_tag(language):
        raise OctavoError(f"'{language}' is not a BCP 47 language tag (such as 'sv' or 'en-GB')")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(SKELETON_DIR), keep_trailing_newline=True)
    env.filters["toml"] = json.dumps  # a JSON string is a valid TOML basic string
    for source in sorted(SKELETON_DIR.rglob("*")):
        if source.is_dir():
            continue
        relative = source.relative_to(SKELETON_DIR)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".j2":
            text = env.get_template(relative.as_posix()).render(title=title, author=author, language=language)
            destination.with_suffix("").write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, destination)
    (target / "build").mkdir(exist_ok=True)
