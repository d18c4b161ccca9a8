"""The build cache under ``build/.octavo-cache``: results keyed by content hashes.

A key covers every input of the step it caches, Octavo's own code included, so a cached
result is always the one the step would compute; deleting the folder only costs time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def code_fingerprint() -> str:
    """Octavo's version and the bytes of its code, templates and stylesheets."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".css"}:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class DiskCache:
    """Pickled values in one folder; ``folder=None`` caches nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str) -> Any | None:
        if self.folder is None:
            return None
        try:
            return pickle.loads((self.folder / f"{key}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, value: Any) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.{os.getpid()}"
        temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(self.folder / f"{key}.pickle")
