"""What WeasyPrint's laid-out boxes tell about the printed page: how close text comes to each
trim edge (the live area a printer's margin rule is about) and each image's printed resolution.

Runs in the layout workers, where the boxes exist; the results travel with the part's PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from weasyprint.formatting_structure import boxes

from . import Finding, source_position

CSS_PX_PER_IN = 96
MIN_PPI = 300
_SIDES = ("inside", "outside", "top", "bottom")


@dataclass(frozen=True)
class LiveArea:
    """The smallest distance (inches) from any text to each trim edge, over the pages measured;
    ``inside`` is the binding edge (left on a recto, right on a verso)."""

    inside: float = float("inf")
    outside: float = float("inf")
    top: float = float("inf")
    bottom: float = float("inf")

    def union(self, other: LiveArea) -> LiveArea:
        return LiveArea(*(min(getattr(self, side), getattr(other, side)) for side in _SIDES))

    def with_folios(self, bottom_in: float) -> LiveArea:
        """The live area once folios reaching down to ``bottom_in`` above the page foot are
        drawn (Octavo adds them after layout)."""
        return LiveArea(self.inside, self.outside, self.top, min(self.bottom, bottom_in))

    def sides(self) -> dict[str, float]:
        return {side: getattr(self, side) for side in _SIDES}


def measure_pages(pages) -> tuple[LiveArea, list[Finding]]:
    """The live area of ``pages`` (WeasyPrint pages) and a finding for each raster image printed
    below MIN_PPI; finding pages are 1-based within ``pages``."""
    area = LiveArea()
    findings = []
    for number, page in enumerate(pages, start=1):
        page_box = page._page_box
        width, height = page_box.margin_width(), page_box.margin_height()
        left = right = top = bottom = float("inf")
        stack = [(page_box, None, None)]  # a box, and the manuscript file and line it comes from
        while stack:
            box, source, line = stack.pop()
            source, line = source_position(getattr(box, "element", None), source, line)
            stack.extend((child, source, line) for child in getattr(box, "children", ()))
            if isinstance(box, boxes.TextBox) and box.text.strip():
                left = min(left, box.position_x)
                right = min(right, width - box.position_x - box.width)
                top = min(top, box.position_y)
                bottom = min(bottom, height - box.position_y - box.height)
            elif isinstance(box, boxes.ReplacedBox) and hasattr(box.replacement, "image_data") and box.width:
                ppi = box.replacement.width / (box.width / CSS_PX_PER_IN)
                if ppi < MIN_PPI - 0.5:
                    findings.append(Finding(
                        "warning", "image-resolution",
                        f"an image prints at {ppi:.0f} ppi, under {MIN_PPI} ({box.replacement.width} px wide "
                        f"printed {box.width / CSS_PX_PER_IN * 25.4:.0f} mm wide)", number, source, line))
        if left == float("inf"):
            continue
        inside, outside = (left, right) if page_box.page_type.side == "right" else (right, left)
        area = area.union(LiveArea(*(value / CSS_PX_PER_IN for value in (inside, outside, top, bottom))))
    return area, findings
