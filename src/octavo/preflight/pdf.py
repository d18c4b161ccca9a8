"""File-level checks of a finished PDF against its print target: what a printer's intake
(KDP, IngramSpark) or an accessibility checker would refuse, read back from the bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf
from pikepdf import Name

from ..pdf.profiles import PrintTarget
from . import Finding
from .boxes import LiveArea

PT_PER_MM = 72 / 25.4
BOX_TOLERANCE_PT = 0.5
_RGB_OPERATORS = {"rg", "RG"}


def check_pdf(data: bytes, target: PrintTarget, live_area: LiveArea) -> list[Finding]:
    findings: list[Finding] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        findings += _fonts(pdf)
        findings += _page_boxes(pdf, target)
        findings += _page_count(pdf, target)
        findings += _navigation(pdf, target)
        if target.cmyk:
            findings += _colour(pdf)
        if target.tagged:
            findings += _accessibility(pdf)
        findings += _margins(target, live_area, len(pdf.pages))
    return findings


def _content_streams(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Object | pikepdf.Page]]:
    """(page number, content) for every page and every form XObject drawn on it, each once."""
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        yield number, page
        stack = [page.obj.get("/Resources")]
        while stack:
            resources = stack.pop()
            for xobject in (resources or {}).get("/XObject", {}).values():
                if xobject.get("/Subtype") == Name.Form and xobject.objgen not in seen:
                    seen.add(xobject.objgen)
                    yield number, xobject
                    stack.append(xobject.get("/Resources"))


def _page_resources(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Object]]:
    """(page number, resource dictionary) of every page and form XObject."""
    for number, content in _content_streams(pdf):
        resources = content.obj.get("/Resources") if isinstance(content, pikepdf.Page) else content.get("/Resources")
        if resources is not None:
            yield number, resources


def _fonts(pdf: pikepdf.Pdf) -> list[Finding]:
    findings = []
    reported: set[str] = set()
    for number, resources in _page_resources(pdf):
        for font in resources.get("/Font", {}).values():
            name = str(font.get("/BaseFont", "unnamed"))
            if name in reported:
                continue
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
            if font.get("/Subtype") == Name.Type3:
                reported.add(name)
                findings.append(Finding("warning", "type3-font",
                                        f"font {name} is a Type 3 font (bitmap-like; printers prefer outlines)", number))
            elif descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                reported.add(name)
                findings.append(Finding("error", "fonts-embedded", f"font {name} is not embedded", number))
    return findings


def _box(page: pikepdf.Object, key: str) -> tuple[float, ...] | None:
    return tuple(float(v) for v in page[key]) if key in page else None


def _size_matches(box: tuple[float, ...], width: float, height: float) -> bool:
    return (abs(box[2] - box[0] - width) <= BOX_TOLERANCE_PT and abs(box[3] - box[1] - height) <= BOX_TOLERANCE_PT)


def _page_boxes(pdf: pikepdf.Pdf, target: PrintTarget) -> list[Finding]:
    trim_width, trim_height = (size * PT_PER_MM for size in target.trim_mm)
    bleed = target.bleed_mm * PT_PER_MM
    for number, page in enumerate(pdf.pages, start=1):
        media, trim, bleed_box = (_box(page.obj, key) for key in ("/MediaBox", "/TrimBox", "/BleedBox"))
        mm = f"{trim_width / PT_PER_MM:.1f} × {trim_height / PT_PER_MM:.1f} mm"
        # Only the first page that is wrong is reported: a size mistake is the same on every page.
        if not _size_matches(media, trim_width + 2 * bleed, trim_height + 2 * bleed):
            return [Finding("error", "page-size",
                            f"page is {(media[2] - media[0]) / PT_PER_MM:.1f} × {(media[3] - media[1]) / PT_PER_MM:.1f}"
                            f" mm, not the trim {mm} plus {target.bleed_mm:g} mm bleed", number)]
        if trim is None or not _size_matches(trim, trim_width, trim_height):
            return [Finding("error", "trim-box", f"the TrimBox is missing or not the trim size {mm}", number)]
        if target.bleed_mm and (bleed_box is None or not _size_matches(bleed_box, trim_width + 2 * bleed,
                                                                       trim_height + 2 * bleed)):
            return [Finding("error", "bleed-box", f"the BleedBox is missing or not {target.bleed_mm:g} mm "
                            "beyond the trim", number)]
    return []


def _is_blank(page: pikepdf.Page) -> bool:
    return not any(operator not in (pikepdf.Operator("q"), pikepdf.Operator("Q"), pikepdf.Operator("cm"))
                   for _, operator in pikepdf.parse_content_stream(page))


def _page_count(pdf: pikepdf.Pdf, target: PrintTarget) -> list[Finding]:
    profile, pages = target.profile, len(pdf.pages)
    findings = []
    if profile.even_pages and pages % 2:
        findings.append(Finding("error", "page-count", f"{pages} pages: {profile.description} needs an even count"))
    if profile.min_pages and pages < profile.min_pages:
        findings.append(Finding("warning", "page-count",
                                f"{pages} pages: {profile.description} prints books of {profile.min_pages} pages "
                                "or more"))
    if profile.max_pages and pages > profile.max_pages:
        findings.append(Finding("error", "page-count",
                                f"{pages} pages: {profile.description} binds at most {profile.max_pages} (on white "
                                "paper; fewer on cream or in colour)"))
    if profile.last_page_blank and not _is_blank(pdf.pages[-1]):
        findings.append(Finding("error", "last-page-blank", f"{profile.description} needs the last page blank",
                                pages))
    return findings


def _navigation(pdf: pikepdf.Pdf, target: PrintTarget) -> list[Finding]:
    findings = []
    outlines = pdf.Root.get("/Outlines")
    if not target.profile.outline and outlines is not None and "/First" in outlines:
        findings.append(Finding("error", "bookmarks", f"{target.profile.description} takes no bookmarks"))
    if not target.profile.links:
        for number, page in enumerate(pdf.pages, start=1):
            if page.obj.get("/Annots"):
                findings.append(Finding("error", "annotations",
                                        f"{target.profile.description} takes no links or other annotations", number))
                break
    return findings


def _colour(pdf: pikepdf.Pdf) -> list[Finding]:
    findings = []
    intents = pdf.Root.get("/OutputIntents", [])
    if not any(intent.get("/S") == Name("/GTS_PDFX") and "/DestOutputProfile" in intent for intent in intents):
        findings.append(Finding("error", "output-intent", "a PDF/X file needs a CMYK output intent"))
    for number, resources in _page_resources(pdf):
        for image in resources.get("/XObject", {}).values():
            if image.get("/Subtype") != Name.Image:
                continue
            space = image.get("/ColorSpace")
            base = space[1] if isinstance(space, pikepdf.Array) and space[0] == Name.Indexed else space
            icc_components = int(base[1].get("/N", 0)) if isinstance(base, pikepdf.Array) and base[0] == Name.ICCBased \
                else 0
            if base == Name.DeviceRGB or icc_components == 3:
                findings.append(Finding("error", "rgb-image", "an RGB image in a PDF/X file (convert it to CMYK)",
                                        number))
                return findings
    for number, stream in _content_streams(pdf):
        if any(str(operator) in _RGB_OPERATORS for _, operator in pikepdf.parse_content_stream(stream)):
            findings.append(Finding("error", "rgb-colour",
                                    "RGB colour in a PDF/X file (use device-cmyk() colours in the CSS)", number))
            break
    return findings


def _xmp_title(pdf: pikepdf.Pdf) -> str:
    if "/Metadata" not in pdf.Root:
        return ""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        return str(xmp.get("dc:title", ""))


def _accessibility(pdf: pikepdf.Pdf) -> list[Finding]:
    """What PDF/UA-1 asks that Octavo can see: a structure tree, a language, a title shown as
    the window title, alternative text on every figure."""
    findings = []
    if "/StructTreeRoot" not in pdf.Root:
        return [Finding("error", "pdf-ua", "the PDF is not tagged (no structure tree)")]
    if not str(pdf.Root.get("/Lang", "")):
        findings.append(Finding("error", "pdf-ua", "the PDF has no language (/Lang)"))
    if not str(pdf.docinfo.get("/Title", "")) and not _xmp_title(pdf):  # PDF 2.0 keeps it in the XMP only
        findings.append(Finding("error", "pdf-ua", "the PDF has no title"))
    if not pdf.Root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False):
        findings.append(Finding("warning", "pdf-ua", "viewers are not told to show the title (DisplayDocTitle)"))
    stack = [pdf.Root.StructTreeRoot]
    figures_without_alt = 0
    while stack:
        element = stack.pop()
        if element.get("/S") == Name.Figure and not str(element.get("/Alt", "")):
            figures_without_alt += 1
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        stack.extend(kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid)
    if figures_without_alt:
        findings.append(Finding("error", "pdf-ua", f"{figures_without_alt} figure(s) without alternative text "
                                "(write it in ![…](image.png))"))
    return findings


def _margins(target: PrintTarget, live_area: LiveArea, pages: int) -> list[Finding]:
    minimum = target.profile.min_margins_in(pages, target.bleed_mm > 0)
    findings = []
    for side, smallest in live_area.sides().items():
        needed = minimum.get(side)
        if needed is not None and smallest < needed - 0.005:
            findings.append(Finding(
                "error", "margins",
                f"text comes {smallest:.3f} in ({smallest * 25.4:.1f} mm) from the {side} edge; "
                f"{target.profile.description} needs {needed} in ({needed * 25.4:.1f} mm) for {pages} pages "
                "(widen the @page margins in styles/print.css)"))
    return findings
