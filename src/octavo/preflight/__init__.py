"""Preflight: what a printer or a store would reject, and the typographic defects layout left.

``layout`` inspects WeasyPrint's laid-out pages (in the layout workers, while the boxes exist);
``pdf`` reads the finished PDF; ``epub`` runs epubcheck. Each finding names the page and,
where the text comes from the manuscript, the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Finding:
    severity: str  # "error": the printer or store would reject the file; "warning": a defect to look at
    check: str  # a short stable name, such as "widow" or "fonts-embedded"
    message: str
    page: int | None = None  # 1-based in the document it was found in
    source: str | None = None  # project-relative manuscript file
    line: int | None = None

    def on_page(self, offset: int) -> Finding:
        """The same finding in a book where its document starts after ``offset`` pages."""
        return self if self.page is None else replace(self, page=self.page + offset)

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        page = f"page {self.page}: " if self.page is not None else ""
        return f"{where}{page}{self.message}"


def source_position(element, source: str | None, line: int | None) -> tuple[str | None, int | None]:
    """The manuscript file and line an element of the print HTML names (a chapter's section has
    ``data-source``, a block ``data-line``), else ``source`` and ``line``, its ancestors'."""
    get = getattr(element, "get", None)
    if get is None:
        return source, line
    if (value := get("data-source")) is not None:
        source = value
    if (value := get("data-line")) is not None and value.isdigit():
        line = int(value)
    return source, line
