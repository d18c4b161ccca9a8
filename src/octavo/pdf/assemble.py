"""Join chunk PDFs that WeasyPrint laid out separately into one book PDF.

A long book is laid out in chunks (groups of chapters) in parallel processes. Each chunk is
a complete WeasyPrint document that starts on a recto and carries no folios. What depends on
where a chunk lands in the book is added here, after layout: blank versos between chunks,
folios, one named-destination tree, links between chunks, the outline and one structure tree.

Facts about WeasyPrint 70 output this module relies on (verified on its PDFs):
- named destinations are a flat name tree at ``/Root /Names /Dests``, one per element id,
  keys as PDF strings (UTF-16BE when not ASCII), values ``[page /XYZ x y 0]``;
- an internal link is a ``/Link`` annotation with ``/Dest (id)``; any other href, including
  ``octavo-dest:ID``, becomes a ``/URI`` action with the href percent-encoded;
- with ``pdf_tags=True`` the structure tree root has one ``/Document`` element, the parent
  tree is a flat number tree whose keys are the page indexes and then one key per link
  annotation, and pages share one ``/Resources`` dictionary.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from pikepdf import Array, Dictionary, Name, OutlineItem, String

__all__ = ["FOLIO_CHARACTERS", "FolioStyle", "OutlineEntry", "assemble"]

# Arabic and roman page numbers and the punctuation of folios like "12-13" or "iv."; the
# embedded folio font is subset to these, so other characters are refused.
FOLIO_CHARACTERS = "0123456789ivxlcdmIVXLCDM -\u2013."

_FOLIO_FONT_RESOURCE = Name("/OctavoFolio")
_PAGE_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
# PDF/UA: running page numbers are pagination artifacts, kept out of the structure tree.
_ARTIFACT_OPEN = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    level: int  # 1 = top
    destination: str  # an element id, i.e. a named destination written by WeasyPrint


@dataclass(frozen=True)
class FolioStyle:
    font_path: Path  # a TrueType font, possibly variable (instantiated at wght=400)
    size_pt: float
    baseline_from_bottom_pt: float  # from the bottom of the trim box
    recto_x_pt: float  # centre of the folio on a recto, from the left of the trim box
    verso_x_pt: float  # same on a verso


def assemble(
    parts: Sequence[bytes],
    *,
    blank_after: Sequence[int],
    folios: Sequence[str | None],
    folio_style: FolioStyle | None,
    outline: Sequence[OutlineEntry],
    link_prefix: str = "octavo-dest:",
    links: bool = True,
) -> bytes:
    """Return one PDF made of ``parts`` (WeasyPrint PDFs, in reading order).

    ``blank_after[i]`` is the number of blank pages after part ``i`` (a bool counts as 0 or 1);
    ``folios`` has one entry per page of the result (None: no folio); document metadata comes
    from part 0. Links whose URI starts with ``link_prefix`` become go-to actions to the named
    destination that follows it; ``links=False`` removes every link annotation instead (for
    printers that refuse them; untagged parts only, as a structure tree refers to its links).
    The same inputs give the same bytes. Raises ValueError for inconsistent input, including
    a link or outline entry naming a destination that no part defines.
    """
    if not parts:
        raise ValueError("no parts to assemble")
    if len(blank_after) != len(parts):
        raise ValueError(f"blank_after has {len(blank_after)} entries for {len(parts)} parts")
    if folio_style is None and any(folio is not None for folio in folios):
        raise ValueError("folios given without a folio_style")
    with ExitStack() as stack:
        sources = [stack.enter_context(pikepdf.open(io.BytesIO(part))) for part in parts]
        tagged = [_is_tagged(source) for source in sources]
        if any(tagged) and not all(tagged):
            raise ValueError(f"parts {[i for i, t in enumerate(tagged) if not t]} are untagged")
        book = pikepdf.new()
        _copy_document_metadata(sources[0], book)
        part_pages = _copy_pages(sources, blank_after, book)
        if len(folios) != len(book.pages):
            raise ValueError(f"folios has {len(folios)} entries for {len(book.pages)} pages")
        if not links and any(tagged):
            raise ValueError("links=False with tagged parts: the structure tree refers to the links")
        destinations = _merge_destinations(sources, book)
        if links:
            _rewrite_cross_part_links(book, destinations, link_prefix)
        else:
            _remove_annotations(book)
        _build_outline(book, outline, destinations)
        _share_color_profiles(book)
        if all(tagged):
            _merge_structure_trees(sources, part_pages, book)
        if folio_style is not None:
            _draw_folios(book, folios, folio_style)
        _make_document_id_stable(book)
        output = io.BytesIO()
        version = max(source.pdf_version for source in sources)
        book.save(
            output,
            min_version=version,
            force_version=version,
            deterministic_id=True,
            compress_streams=True,
            # Object streams are PDF 1.5; PDF/X-1a, X-3 and A-1b parts are 1.4 and must stay so.
            object_stream_mode=pikepdf.ObjectStreamMode.generate if version >= "1.5"
            else pikepdf.ObjectStreamMode.disable,
        )
    return output.getvalue()


def _is_tagged(source: pikepdf.Pdf) -> bool:
    return "/StructTreeRoot" in source.Root


def _copy_foreign(book: pikepdf.Pdf, source: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """Copy ``obj`` into ``book``; references to pages already copied point at the copies.

    qpdf copies only indirect objects, so a direct one is made indirect in the source first.
    """
    if not obj.is_indirect:
        obj = source.make_indirect(obj)
    return book.copy_foreign(obj)


def _copy_document_metadata(source: pikepdf.Pdf, book: pikepdf.Pdf) -> None:
    if "/Info" in source.trailer:
        book.trailer.Info = _copy_foreign(book, source, source.trailer.Info)
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents"):
        if key in source.Root:
            value = source.Root[key]
            is_container = isinstance(value, (Dictionary, Array, pikepdf.Stream))
            book.Root[key] = _copy_foreign(book, source, value) if is_container else value


def _make_document_id_stable(book: pikepdf.Pdf) -> None:
    """WeasyPrint's PDF/X-4 and X-5g metadata carry a random ``xmpMM:DocumentID``; derive it
    from the pages' content instead, so the same sources give the same bytes."""
    if "/Metadata" not in book.Root or b"DocumentID" not in book.Root.Metadata.read_bytes():
        return
    digest = hashlib.sha256()
    for page in book.pages:
        contents = page.obj.get("/Contents", Array())
        for stream in (contents if isinstance(contents, Array) else [contents]):
            digest.update(stream.read_raw_bytes())
    with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["xmpMM:DocumentID"] = f"xmp.did:{uuid.UUID(bytes=digest.digest()[:16])}"


def _copy_pages(
    sources: Sequence[pikepdf.Pdf], blank_after: Sequence[bool], book: pikepdf.Pdf
) -> list[list[pikepdf.Page]]:
    """Append every part's pages, and blanks where asked; return each part's copied pages."""
    part_pages = []
    for source, blank in zip(sources, blank_after):
        start = len(book.pages)
        for page in source.pages:  # append, not extend: the destinations are merged below
            book.pages.append(page)
        part_pages.append(list(book.pages[start:]))
        for _ in range(int(blank)):
            last_page = book.pages[-1].obj
            blank_page = Dictionary(Type=Name.Page, Resources=Dictionary())
            for box in _PAGE_BOXES:
                if box in last_page:
                    blank_page[box] = Array(list(last_page[box]))
            book.pages.append(pikepdf.Page(blank_page))
    return part_pages


def _name_tree_items(node: pikepdf.Object) -> Iterator[tuple[bytes, pikepdf.Object]]:
    """(raw key, value) pairs of a name tree. Raw bytes, because a key is matched byte for
    byte and WeasyPrint writes non-ASCII ids in UTF-16BE, which str keys would not keep."""
    for kid in node.get("/Kids", ()):
        yield from _name_tree_items(kid)
    names = node.get("/Names", ())
    for i in range(0, len(names), 2):
        yield bytes(names[i]), names[i + 1]


def _number_tree_items(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
    for kid in node.get("/Kids", ()):
        yield from _number_tree_items(kid)
    numbers = node.get("/Nums", ())
    for i in range(0, len(numbers), 2):
        yield int(numbers[i]), numbers[i + 1]


class _Destination(NamedTuple):
    key: bytes  # the raw name-tree key
    target: pikepdf.Object  # an explicit destination, [page /XYZ left top zoom]


def _merge_destinations(
    sources: Sequence[pikepdf.Pdf], book: pikepdf.Pdf
) -> dict[str, _Destination]:
    """Write one /Dests name tree for all parts; return its destinations by element id."""
    destinations: dict[bytes, pikepdf.Object] = {}
    for index, source in enumerate(sources):
        if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
            continue
        tree = _copy_foreign(book, source, source.Root.Names.Dests)
        for key, destination in _name_tree_items(tree):
            if key in destinations:
                element_id = str(String(key))
                raise ValueError(f"destination {element_id!r} is defined twice (part {index})")
            destinations[key] = destination
    # A flat, byte-sorted name tree, as WeasyPrint writes it; readers look keys up bytewise.
    names = Array()
    for key in sorted(destinations):
        names.extend([String(key), destinations[key]])
    book.Root.Names = Dictionary(Dests=book.make_indirect(Dictionary(Names=names)))
    return {str(String(key)): _Destination(key, target) for key, target in destinations.items()}


def _resolve(destinations: dict[str, _Destination], element_id: str, user: str) -> _Destination:
    try:
        return destinations[element_id]
    except KeyError:
        raise ValueError(f"{user} points at unknown destination {element_id!r}") from None


def _rewrite_cross_part_links(
    book: pikepdf.Pdf, destinations: dict[str, _Destination], link_prefix: str
) -> None:
    """Turn URI links ``link_prefix + id`` into go-to actions to the named destination."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.URI)
            if not uri.startswith(link_prefix):
                continue
            element_id = unquote(uri[len(link_prefix):])
            key = String(_resolve(destinations, element_id, f"link {uri!r}").key)
            annotation.A = Dictionary(Type=Name.Action, S=Name.GoTo, D=key)
            if "/Contents" in annotation:
                # The tagged link's alternate text; WeasyPrint gives internal links the id.
                annotation.Contents = key


def _share_color_profiles(book: pikepdf.Pdf) -> None:
    """One copy of each ICC profile: every part embeds the output intent's profile again (a
    CMYK profile is 0.1-0.5 MB) in the colour spaces of its pages' shared resources."""
    first: dict[bytes, pikepdf.Object] = {}
    intents = book.Root.get("/OutputIntents", ())
    for intent in intents:
        if "/DestOutputProfile" in intent:
            profile = intent.DestOutputProfile
            first.setdefault(hashlib.sha256(profile.read_raw_bytes()).digest(), profile)
    done: set[tuple[int, int]] = set()
    for page in book.pages:
        resources = page.obj.get("/Resources")
        if resources is None or not resources.is_indirect or resources.objgen in done:
            continue
        done.add(resources.objgen)
        for space in resources.get("/ColorSpace", {}).values():
            if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
                digest = hashlib.sha256(space[1].read_raw_bytes()).digest()
                space[1] = first.setdefault(digest, space[1])


def _remove_annotations(book: pikepdf.Pdf) -> None:
    for page in book.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]


def _build_outline(
    book: pikepdf.Pdf, outline: Sequence[OutlineEntry], destinations: dict[str, _Destination]
) -> None:
    if not outline:
        return
    with book.open_outline() as book_outline:
        # Open items by level; an entry becomes a child of the nearest shallower one, so
        # skipped levels nest under whatever is above them.
        open_items: list[tuple[int, list[OutlineItem]]] = [(0, book_outline.root)]
        for entry in outline:
            if entry.level < 1:
                raise ValueError(f"outline entry {entry.title!r} has level {entry.level} (< 1)")
            user = f"outline entry {entry.title!r}"
            target = _resolve(destinations, entry.destination, user).target
            item = OutlineItem(entry.title, destination=Array(list(target)))
            while open_items[-1][0] >= entry.level:
                open_items.pop()
            open_items[-1][1].append(item)
            open_items.append((entry.level, item.children))


def _as_list(kids: pikepdf.Object | None) -> list[pikepdf.Object]:
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _merge_structure_trees(
    sources: Sequence[pikepdf.Pdf], part_pages: Sequence[list[pikepdf.Page]], book: pikepdf.Pdf
) -> None:
    """One structure tree: a Document whose kids are each part's top-level elements in
    order, and one parent tree whose keys are the parts' keys shifted to be unique."""
    document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([document])))
    document.P = root
    parent_tree = Array()
    next_key = 0
    role_map: dict[Name, pikepdf.Object] = {}
    class_map: dict[Name, pikepdf.Object] = {}
    namespaces = Array()
    for index, (source, pages) in enumerate(zip(sources, part_pages)):
        part_root = _copy_foreign(book, source, source.Root.StructTreeRoot)
        for element in _as_list(part_root.get("/K")):
            if element.get("/S") == Name.Document:
                if "/NS" in element and "/NS" not in document:
                    document.NS = element.NS
                kids = _as_list(element.get("/K"))
            else:
                kids = [element]
            for kid in kids:
                if not isinstance(kid, Dictionary):
                    raise ValueError(f"part {index}: marked content directly under the root")
                kid.P = document
                document.K.append(kid)

        offset = next_key
        for key, value in _number_tree_items(part_root.ParentTree):
            parent_tree.extend([key + offset, value])
            next_key = max(next_key, key + offset + 1)
        next_key = max(next_key, offset + int(part_root.get("/ParentTreeNextKey", 0)))
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset

        _merge_map(role_map, part_root.get("/RoleMap"), f"part {index} /RoleMap")
        _merge_map(class_map, part_root.get("/ClassMap"), f"part {index} /ClassMap")
        # Every part's namespace dictionaries are kept: elements refer to them by reference.
        namespaces.extend(_as_list(part_root.get("/Namespaces")))

    root.ParentTree = book.make_indirect(Dictionary(Nums=parent_tree))
    root.ParentTreeNextKey = next_key
    if role_map:
        root.RoleMap = Dictionary(role_map)
    if class_map:
        root.ClassMap = Dictionary(class_map)
    if namespaces:
        root.Namespaces = namespaces
    book.Root.StructTreeRoot = root
    book.Root.MarkInfo = Dictionary(Marked=True)


def _merge_map(
    merged: dict[Name, pikepdf.Object], part_map: pikepdf.Object | None, what: str
) -> None:
    for key, value in (part_map or Dictionary()).items():
        if key in merged and merged[key].unparse() != value.unparse():
            raise ValueError(f"{what}: {key} conflicts with an earlier part")
        merged[key] = value


@dataclass(frozen=True)
class _FolioFont:
    dictionary: pikepdf.Object
    widths: dict[str, float]  # advance per character, in 1/1000 em

    def text_width(self, text: str, size_pt: float) -> float:
        return sum(self.widths[character] for character in text) * size_pt / 1000


def _embed_folio_font(book: pikepdf.Pdf, font_path: Path) -> _FolioFont:
    """A subset TrueType font (/FontFile2, WinAnsi encoding) with the folio characters."""
    font = TTFont(font_path, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []  # folios are drawn glyph by glyph, unshaped
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=FOLIO_CHARACTERS)
    subsetter.subset(font)  # before instancing: a few glyphs instantiate much faster
    if "fvar" in font:
        font = instancer.instantiateVariableFont(font, {"wght": 400})
    data = io.BytesIO()
    font.save(data)
    font_bytes = data.getvalue()

    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    advances = font["hmtx"].metrics
    widths = {char: round(advances[cmap[ord(char)]][0] * scale) for char in FOLIO_CHARACTERS
              if ord(char) in cmap}
    codes = {char: char.encode("cp1252")[0] for char in widths}
    first_code, last_code = min(codes.values()), max(codes.values())
    width_by_code = {code: widths[char] for char, code in codes.items()}

    # A subset's name carries a six-letter tag; derive it from the bytes for determinism.
    digest = hashlib.sha256(font_bytes).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    base_font = Name(f"/{tag}+{font['name'].getDebugName(6)}")
    head, os2, post = font["head"], font["OS/2"], font["post"]
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=base_font,
        Flags=32,  # nonsymbolic: the WinAnsi codes map to glyphs through the Unicode cmap
        FontBBox=Array([round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]),
        ItalicAngle=post.italicAngle,
        Ascent=round(os2.sTypoAscender * scale),
        Descent=round(os2.sTypoDescender * scale),
        CapHeight=round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
        StemV=80,  # not stored in TrueType; the customary value for a regular weight
        FontFile2=book.make_stream(font_bytes, Length1=len(font_bytes)),
    )
    dictionary = book.make_indirect(Dictionary(
        Type=Name.Font,
        Subtype=Name.TrueType,
        BaseFont=base_font,
        FirstChar=first_code,
        LastChar=last_code,
        Widths=Array([width_by_code.get(code, 0) for code in range(first_code, last_code + 1)]),
        Encoding=Name.WinAnsiEncoding,
        FontDescriptor=book.make_indirect(descriptor),
    ))
    return _FolioFont(dictionary, widths)


def _number(value: float) -> bytes:
    return f"{value:.3f}".rstrip("0").rstrip(".").encode()


def _draw_folios(book: pikepdf.Pdf, folios: Sequence[str | None], style: FolioStyle) -> None:
    font = _embed_folio_font(book, Path(style.font_path))
    unsupported = sorted({char for folio in folios if folio for char in folio} - set(font.widths))
    if unsupported:
        raise ValueError(f"folio characters {unsupported} are not in FOLIO_CHARACTERS or the font")
    size = _number(style.size_pt)
    save_state = book.make_stream(b"q\n")  # shared by every page with a folio
    for index, (page, folio) in enumerate(zip(book.pages, folios)):
        if not folio:
            continue
        trim = page.obj.get("/TrimBox", page.obj.MediaBox)
        centre = style.recto_x_pt if index % 2 == 0 else style.verso_x_pt
        x = float(trim[0]) + centre - font.text_width(folio, style.size_pt) / 2
        y = float(trim[1]) + style.baseline_from_bottom_pt
        page.add_resource(font.dictionary, Name.Font, _FOLIO_FONT_RESOURCE)
        # The part's content may leave its graphics state changed (WeasyPrint starts with a
        # y-flipping cm): wrap it in q/Q so the folio is drawn in default page space.
        page.contents_add(save_state, prepend=True)
        page.contents_add(book.make_stream(
            b"Q\n" + _ARTIFACT_OPEN
            + b"BT " + _FOLIO_FONT_RESOURCE.unparse() + b" " + size + b" Tf "
            + _number(x) + b" " + _number(y) + b" Td <" + folio.encode("cp1252").hex().encode()
            + b"> Tj ET\nEMC\n"))
