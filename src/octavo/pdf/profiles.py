"""Print profiles: what each target (a screen, a print-on-demand service, a proof) needs of the PDF.

Sources for the rules (checked 2026; printers change them, so the README links each):
- KDP Print: "Paperback manuscript formatting" and "Set trim size, bleed, and margins" pages:
  bleed 0.125 in, inside margin by page count, outside/top/bottom 0.25 in (0.375 in with bleed),
  24 pages minimum, 828 at most (white paper, black ink; fewer on cream or in colour), no bookmarks, annotations or printer's marks, fonts embedded.
- IngramSpark: "File creation guide": PDF/X-1a:2001 (or X-3) with a CMYK output intent,
  margins of 0.5 in, an even page count, the last page blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import PrintSettings
from ..errors import OctavoError

INCH_MM = 25.4
KDP_BLEED_MM = 0.125 * INCH_MM
# KDP's minimum inside margin (inches) for a page count up to the first number.
KDP_INSIDE_MARGINS_IN = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (None, 0.875))


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    tagged: bool  # a structure tree (PDF/UA-1), language, reading order, alt text
    links: bool  # link annotations
    outline: bool  # bookmarks
    marks: bool  # crop and cross marks outside the trim
    default_bleed_mm: float
    default_variant: str | None
    even_pages: bool
    last_page_blank: bool
    min_pages: int | None  # fewer is a warning
    max_pages: int | None  # more is an error: the printer cannot bind it
    cmyk: bool  # a CMYK output intent (PDF/X); colours and images should be CMYK
    css: str = ""  # what the theme's page needs to meet the profile's rules (an author's CSS still wins)
    bleed_css: str = ""  # the same, when the book bleeds

    def min_margins_in(self, pages: int, bleed: bool) -> dict[str, float]:
        """The smallest margin each side may have (inches), for a book of ``pages`` pages."""
        if self.name == "kdp":
            inside = next(margin for limit, margin in KDP_INSIDE_MARGINS_IN if limit is None or pages <= limit)
            other = 0.375 if bleed else 0.25
            return {"inside": inside, "outside": other, "top": other, "bottom": other}
        if self.name == "ingramspark":
            return dict.fromkeys(("inside", "outside", "top", "bottom"), 0.5)
        return {}


PROFILES = {profile.name: profile for profile in (
    Profile("digital", "on screen: links, bookmarks, RGB, tagged PDF/UA-1", tagged=True, links=True, outline=True,
            marks=False, default_bleed_mm=0, default_variant="pdf/ua-1", even_pages=False,
            last_page_blank=False, min_pages=None, max_pages=None, cmyk=False),
    Profile("kdp", "Amazon KDP Print", tagged=False, links=False, outline=False, marks=False,
            default_bleed_mm=0, default_variant=None, even_pages=True, last_page_blank=False, min_pages=24,
            max_pages=828, cmyk=False,
            # The theme's running heads sit 7.6 mm from the top edge; with bleed KDP wants 9.5 mm.
            bleed_css="@page { margin-top: 19mm; }"),
    Profile("ingramspark", "IngramSpark: PDF/X-1a, CMYK", tagged=False, links=False, outline=True, marks=False,
            default_bleed_mm=0, default_variant="pdf/x-1a", even_pages=True, last_page_blank=True, min_pages=None,
            max_pages=None, cmyk=True,
            # The theme's running heads sit 7.6 mm from the top edge; IngramSpark wants 12.7 mm.
            css="@page { margin-top: 22mm; }"),
    Profile("proof", "a printer's proof: bleed with crop and cross marks", tagged=False, links=False,
            outline=True, marks=True, default_bleed_mm=3, default_variant=None, even_pages=False,
            last_page_blank=False, min_pages=None, max_pages=None, cmyk=False),
)}


@dataclass(frozen=True)
class PrintTarget:
    """A profile with the book's own settings applied: what one PDF build writes."""

    profile: Profile
    trim_mm: tuple[float, float]
    bleed_mm: float
    variant: str | None
    icc_profile: Path | None

    @property
    def tagged(self) -> bool:
        return self.profile.tagged or (self.variant or "").startswith("pdf/ua")

    @property
    def cmyk(self) -> bool:
        return self.profile.cmyk or (self.variant or "").startswith("pdf/x")

    def file_name(self, slug: str) -> str:
        return f"{slug}.pdf" if self.profile.name == "digital" else f"{slug}-{self.profile.name}.pdf"

    def page_css(self) -> str:
        """The stylesheet the target adds after the theme's: page size, bleed, marks, colours."""
        width, height = self.trim_mm
        marks = "crop cross" if self.profile.marks else "none"
        rules = [f"@page {{ size: {width:g}mm {height:g}mm; bleed: {self.bleed_mm:g}mm; marks: {marks}; }}"]
        rules.append(self.profile.css)
        if self.bleed_mm:
            rules.append(self.profile.bleed_css)
        if self.cmyk and self.icc_profile is not None:
            rules.append(f'@color-profile device-cmyk {{ src: url("{self.icc_profile.as_uri()}"); components: c, m, y, k; }}')
        if self.cmyk:
            # Black text on one plate: rich black or RGB black fails a PDF/X preflight.
            rules.append("html { color: device-cmyk(0 0 0 1); }\n"
                         "@page { @footnote { border-top-color: device-cmyk(0 0 0 1); } }")
        return "\n".join(rule for rule in rules if rule)


def print_target(settings: PrintSettings, profile_name: str | None = None) -> PrintTarget:
    """The target for ``profile_name`` (default: ``[print] profile``); OctavoError when the
    settings cannot make a file the profile's printer accepts."""
    name = profile_name or settings.profile
    if name not in PROFILES:
        raise OctavoError(f"unknown print profile '{name}': choose from {', '.join(PROFILES)}")
    profile = PROFILES[name]
    bleed_mm = profile.default_bleed_mm if settings.bleed_mm is None else settings.bleed_mm
    if name == "kdp" and bleed_mm and abs(bleed_mm - KDP_BLEED_MM) > 0.01:
        raise OctavoError(f"KDP Print takes a bleed of 0.125 in (3.175 mm) or none, not {bleed_mm:g} mm: "
                          "set [print] bleed = \"0.125in\" or remove it", Path("book.toml"))
    variant = settings.pdf_variant or profile.default_variant
    target = PrintTarget(profile, settings.trim_mm, bleed_mm, variant, settings.icc_profile)
    if target.cmyk and settings.icc_profile is None:
        raise OctavoError(
            f"the {name} profile writes {(variant or 'PDF/X').upper()}, which needs the CMYK colour profile your "
            "printer asks for: set [print] icc_profile = \"print/profile.icc\" in book.toml (Octavo ships none: "
            "no freely redistributable CMYK profile exists)", Path("book.toml"))
    return target
