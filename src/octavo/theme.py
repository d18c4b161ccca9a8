"""The default theme that ships in the package: templates, stylesheets and fonts.

Fonts come from PyPI font packages (SIL Open Font License) so a book never depends on the
fonts of the machine that builds it: EB Garamond for text, Noto Serif for the characters
EB Garamond lacks (such as U+202F), IBM Plex Mono for code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg_eb_garamond
import fontpkg_ibm_plex_mono
import fontpkg_noto_serif

THEME_DIR = Path(__file__).resolve().parent / "theme"
TEMPLATES_DIR = THEME_DIR / "templates"
CSS_DIR = THEME_DIR / "css"

TEXT_FAMILY = "EB Garamond"
FALLBACK_FAMILY = "Octavo Fallback Serif"
CODE_FAMILY = "IBM Plex Mono"

# Stylesheets of the theme, in cascade order, per output; the project's follow them.
THEME_STYLES = {
    "epub": ["base.css", "epub.css"],
    "pdf": ["base.css", "print.css"],
}


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    style: str  # "normal" or "italic"
    weight: str  # a CSS weight or, for a variable font, a range such as "400 800"

    @property
    def file_name(self) -> str:
        return self.path.name.replace("[", "-").replace("]", "").replace(",", "-")


@cache
def font_faces() -> tuple[FontFace, ...]:
    garamond = fontpkg_eb_garamond.ROOT / "files"
    noto = fontpkg_noto_serif.ROOT / "files"
    plex = fontpkg_ibm_plex_mono.ROOT / "files"
    return (
        FontFace(TEXT_FAMILY, garamond / "EBGaramond[wght].ttf", "normal", "400 800"),
        FontFace(TEXT_FAMILY, garamond / "EBGaramond-Italic[wght].ttf", "italic", "400 800"),
        FontFace(FALLBACK_FAMILY, noto / "NotoSerif[wdth,wght].ttf", "normal", "100 900"),
        FontFace(FALLBACK_FAMILY, noto / "NotoSerif-Italic[wdth,wght].ttf", "italic", "100 900"),
        FontFace(CODE_FAMILY, plex / "IBMPlexMono-Regular.ttf", "normal", "400"),
        FontFace(CODE_FAMILY, plex / "IBMPlexMono-Italic.ttf", "italic", "400"),
        FontFace(CODE_FAMILY, plex / "IBMPlexMono-Bold.ttf", "normal", "700"),
        FontFace(CODE_FAMILY, plex / "IBMPlexMono-BoldItalic.ttf", "italic", "700"),
    )


def font_roots() -> list[Path]:
    """Folders WeasyPrint may read fonts from."""
    return sorted({face.path.parent for face in font_faces()})


def font_face_css(url_of, faces: Iterable[FontFace] | None = None) -> str:
    """``@font-face`` rules for the faces (default: all), with ``url_of(face)`` as the source."""
    rules = []
    for face in font_faces() if faces is None else faces:
        rules.append(
            "@font-face {\n"
            f'  font-family: "{face.family}";\n'
            f"  font-style: {face.style};\n"
            f"  font-weight: {face.weight};\n"
            f'  src: url("{url_of(face)}");\n'
            "}\n")
    return "".join(rules)
