"""The one error type an author sees: a message tied to a file and, where known, a line."""

from __future__ import annotations

from pathlib import Path


class OctavoError(Exception):
    """A mistake in the book project, reported once by the CLI as ``file:line: message``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self):
        # Raised in a worker process, it must reach the parent with its file and line.
        return type(self), (self.message, self.path, self.line)

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path.as_posix()
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"
