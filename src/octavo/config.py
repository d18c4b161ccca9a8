"""``book.toml``: read, validate at the edge, and turn into plain settings.

Every mistake names the file, the line of the offending key and, for an unknown key,
the nearest known one.
"""

from __future__ import annotations

import datetime
import difflib
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OctavoError

CONFIG_NAME = "book.toml"

BOOK_KEYS = {
    "title", "subtitle", "authors", "contributors", "language", "identifier", "isbn",
    "publisher", "date", "rights", "description", "subjects", "cover",
}
SECTION_KEYS = {
    "book": BOOK_KEYS,
    "manuscript": {"chapters"},
    "print": {"trim", "profile", "bleed", "paper", "isbn", "pdf_variant", "icc_profile"},
    "epub": {"hyphenate", "narrow_spaces"},
}

# Languages whose long compounds leave wide gaps in justified text on an e-reader that does not
# hyphenate; Pyphen has a dictionary for each, so the EPUB gets soft hyphens unless told otherwise.
HYPHENATED_BY_DEFAULT = {"sv", "de", "nb", "nn", "da", "nl"}

# MARC relator codes an author is likely to need; the EPUB carries them as `role` refinements.
RELATOR_ROLES = {
    "aut", "trl", "edt", "ill", "pht", "aui", "aft", "ant", "ann", "bkd", "cov", "ctb",
    "cmm", "com", "nrt", "pbl", "prf", "red", "art", "dsr",
}

TRIM_PRESETS_MM = {
    "5x8in": (127.0, 203.2),
    "5.25x8in": (133.35, 203.2),
    "5.5x8.5in": (139.7, 215.9),
    "6x9in": (152.4, 228.6),
    "6.14x9.21in": (155.956, 233.934),
    "a5": (148.0, 210.0),
    "130x210mm": (130.0, 210.0),
    "150x225mm": (150.0, 225.0),
    "110x180mm": (110.0, 180.0),
}
# What a print target needs (see octavo.pdf.profiles); `digital` is the on-screen PDF.
PROFILES = ("digital", "kdp", "ingramspark", "proof")
# Paper thickness per page in inches (KDP's figures), for the spine of the cover.
PAPER_INCHES_PER_PAGE = {"white": 0.002252, "cream": 0.0025, "color": 0.002347}
# The PDF variants WeasyPrint writes; one per file.
PDF_VARIANTS = (
    "pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4u", "pdf/a-1a", "pdf/a-2a", "pdf/a-3a",
    "pdf/a-4e", "pdf/a-4f", "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g",
)
_LENGTH_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|in|pt)\s*$", re.IGNORECASE)
_TRIM_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(mm|in)\s*$", re.IGNORECASE)

# BCP 47 well-formedness (RFC 5646 langtag production, without extlang and grandfathered tags).
_LANGTAG_RE = re.compile(
    r"^[a-z]{2,3}(-[a-z]{4})?(-(?:[a-z]{2}|\d{3}))?(-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"
    r"(-[a-wyz\d](-[a-z\d]{2,8})+)*(-x(-[a-z\d]{1,8})+)?$",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Contributor:
    name: str
    role: str


@dataclass(frozen=True)
class Metadata:
    title: str
    authors: tuple[str, ...]
    language: str
    identifier: str
    subtitle: str | None = None
    contributors: tuple[Contributor, ...] = ()
    isbn: str | None = None
    publisher: str | None = None
    date: str | None = None
    rights: str | None = None
    description: str | None = None
    subjects: tuple[str, ...] = ()
    cover: Path | None = None  # absolute, checked to exist inside the project


@dataclass(frozen=True)
class PrintSettings:
    trim_name: str = "130x210mm"
    trim_mm: tuple[float, float] = TRIM_PRESETS_MM["130x210mm"]
    profile: str = "digital"
    bleed_mm: float | None = None  # None: the profile's default
    paper: str = "white"  # a PAPER_INCHES_PER_PAGE name, or a number as text
    paper_inches_per_page: float = PAPER_INCHES_PER_PAGE["white"]
    isbn: str | None = None  # the print edition's ISBN-13, digits only (the EPUB's is [book] isbn)
    pdf_variant: str | None = None  # None: the profile's variant
    icc_profile: Path | None = None  # absolute, checked to exist inside the project


@dataclass(frozen=True)
class EpubSettings:
    hyphenate: bool = False
    """Soft hyphens in the EPUB's text (the PDF hyphenates by itself)."""
    narrow_spaces: bool = True
    """False: the typographer's narrow no-break spaces become full ones, in both outputs."""


@dataclass(frozen=True)
class Config:
    root: Path
    metadata: Metadata
    print: PrintSettings = field(default_factory=PrintSettings)
    epub: EpubSettings = field(default_factory=EpubSettings)
    chapters: tuple[Path, ...] | None = None  # absolute paths when listed in book.toml


def is_language_tag(tag: str) -> bool:
    return bool(_LANGTAG_RE.match(tag))


def parse_trim(value: str) -> tuple[float, float]:
    """Trim size in millimetres from a preset name or ``WxH`` with ``mm`` or ``in``."""
    key = value.strip().lower().replace(" ", "")
    if key in TRIM_PRESETS_MM:
        return TRIM_PRESETS_MM[key]
    match = _TRIM_RE.match(value)
    if not match:
        raise ValueError(value)
    scale = 25.4 if match[3].lower() == "in" else 1.0
    return (float(match[1]) * scale, float(match[2]) * scale)


def parse_length_mm(value: str) -> float:
    """A length such as ``3mm``, ``0.125in`` or ``9pt`` in millimetres."""
    match = _LENGTH_RE.match(value)
    if not match:
        raise ValueError(value)
    return float(match[1]) * {"mm": 1.0, "in": 25.4, "pt": 25.4 / 72}[match[2].lower()]


def normalize_isbn13(value: str) -> str:
    """The 13 digits of a valid ISBN-13, or ValueError saying what is wrong."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"97[89]\d{10}", digits):
        raise ValueError("an ISBN-13 has 13 digits and starts with 978 or 979")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    check = (10 - total % 10) % 10
    if check != int(digits[12]):
        raise ValueError(f"checksum digit should be {check}, not {digits[12]}")
    return digits


def derived_identifier(title: str, authors: tuple[str, ...]) -> str:
    """A stable ``urn:uuid`` for a book without one: the same title and authors, the same id."""
    name = "octavo:" + title + "\n" + "\n".join(authors)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


class _Source:
    """Positions of keys in the TOML text, so messages can carry a line."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str, section: str | None = None) -> int | None:
        in_section = section is None
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if section is not None and stripped.startswith("["):
                in_section = stripped.strip("[] ") == section
                continue
            if in_section and pattern.match(line):
                return number
        return None

    def error(self, message: str, key: str | None = None, section: str | None = None) -> OctavoError:
        line = self.line_of(key, section) if key else None
        if line is None and section is not None:
            line = self.line_of_section(section)
        return OctavoError(message, self.path, line)

    def line_of_section(self, section: str) -> int | None:
        for number, line in enumerate(self.lines, start=1):
            if line.strip().strip("[]").strip() == section and line.strip().startswith("["):
                return number
        return None


def check_known_keys(keys, known: set[str], what: str, report) -> None:
    """Raise, through ``report(message, key)``, on the first key not in ``known``."""
    for key in keys:
        if key not in known:
            nearest = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" (did you mean '{nearest[0]}'?)" if nearest else ""
            raise report(f"unknown key '{key}' in {what}{hint}", key)


def load_config(root: Path) -> Config:
    root = root.resolve()
    path = root / CONFIG_NAME
    display = Path(CONFIG_NAME)
    if not path.is_file():
        raise OctavoError(f"no {CONFIG_NAME} here: is {root} a book project? ('octavo init' makes one)", display)
    text = path.read_text(encoding="utf-8")
    source = _Source(display, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column \d+\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise OctavoError(f"not valid TOML: {message}", display, int(match[1]) if match else None)

    check_known_keys(data, set(SECTION_KEYS), CONFIG_NAME, lambda m, k: source.error(m, section=k))
    for section, keys in SECTION_KEYS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise source.error(f"'{section}' must be a table: [{section}]", section)
        check_known_keys(table, keys, f"[{section}]", lambda m, k, s=section: source.error(m, k, s))

    book = data.get("book")
    if book is None:
        raise OctavoError("missing [book] table with title, authors and language", display)
    metadata = _metadata(book, root, source)
    return Config(
        root=root,
        metadata=metadata,
        print=_print_settings(data.get("print", {}), root, source),
        epub=_epub_settings(data.get("epub", {}), metadata.language, source),
        chapters=_chapter_list(data.get("manuscript", {}), root, source),
    )


def _string(table: dict, key: str, source: _Source, section: str, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise source.error(f"[{section}] needs '{key}'", section=section)
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise source.error(f"'{key}' must be a non-empty string", key, section)
    return value.strip()


def _boolean(table: dict, key: str, default: bool, source: _Source, section: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise source.error(f"'{key}' must be true or false (without quotes), not {value!r}", key, section)
    return value


def _string_list(table: dict, key: str, source: _Source, section: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise source.error(f"'{key}' must be a list of strings", key, section)
    return tuple(v.strip() for v in value)


def _metadata(book: dict, root: Path, source: _Source) -> Metadata:
    title = _string(book, "title", source, "book", required=True)
    authors = _string_list(book, "authors", source, "book")
    if not authors:
        raise source.error("[book] needs 'authors', a list of names", "authors", "book")
    language = _string(book, "language", source, "book", required=True)
    if not is_language_tag(language):
        raise source.error(f"'{language}' is not a BCP 47 language tag (such as 'sv' or 'en-GB')", "language", "book")

    isbn = _string(book, "isbn", source, "book")
    if isbn is not None:
        try:
            isbn = normalize_isbn13(isbn)
        except ValueError as error:
            raise source.error(f"invalid ISBN '{book['isbn']}': {error}", "isbn", "book")
    identifier = _string(book, "identifier", source, "book")
    if identifier is not None and not identifier.lower().startswith("urn:"):
        raise source.error(f"'identifier' must be a URN such as 'urn:uuid:…', not '{identifier}'", "identifier", "book")
    if identifier is None:
        identifier = f"urn:isbn:{isbn}" if isbn else derived_identifier(title, authors)

    date = _string(book, "date", source, "book")
    if date is not None:
        try:
            if not _DATE_RE.match(date):
                raise ValueError
            datetime.date.fromisoformat(date)
        except ValueError:
            raise source.error(f"'date' must be a date as YYYY-MM-DD, not '{date}'", "date", "book")

    contributors = []
    raw_contributors = book.get("contributors", [])
    if not isinstance(raw_contributors, list):
        raise source.error("'contributors' must be a list of {name, role} tables", "contributors", "book")
    for entry in raw_contributors:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise source.error("each contributor needs a 'name' and a 'role'", "contributors", "book")
        check_known_keys(entry, {"name", "role"}, "a contributor", lambda m, k: source.error(m, "contributors", "book"))
        role = entry.get("role", "ctb")
        if role not in RELATOR_ROLES:
            raise source.error(
                f"unknown contributor role '{role}' (a MARC relator code such as trl, edt, ill)", "contributors", "book")
        contributors.append(Contributor(entry["name"].strip(), role))

    cover = _string(book, "cover", source, "book")
    cover_path = None
    if cover is not None:
        cover_path = (root / cover).resolve()
        if not cover_path.is_relative_to(root):
            raise source.error(f"cover '{cover}' is outside the project (refused)", "cover", "book")
        if not cover_path.is_file():
            raise source.error(f"cover image '{cover}' not found", "cover", "book")

    return Metadata(
        title=title,
        subtitle=_string(book, "subtitle", source, "book"),
        authors=authors,
        contributors=tuple(contributors),
        language=language,
        identifier=identifier,
        isbn=isbn,
        publisher=_string(book, "publisher", source, "book"),
        date=date,
        rights=_string(book, "rights", source, "book"),
        description=_string(book, "description", source, "book"),
        subjects=_string_list(book, "subjects", source, "book"),
        cover=cover_path,
    )


def _print_settings(table: dict, root: Path, source: _Source) -> PrintSettings:
    def error(message: str, key: str) -> OctavoError:
        return source.error(message, key, "print")

    trim = table.get("trim", PrintSettings.trim_name)
    try:
        trim_mm = parse_trim(str(trim))
    except ValueError:
        presets = ", ".join(TRIM_PRESETS_MM)
        raise error(f"unknown trim '{trim}': use one of {presets}, or WxH in mm or in", "trim")

    profile = _string(table, "profile", source, "print") or PrintSettings.profile
    if profile not in PROFILES:
        nearest = difflib.get_close_matches(profile, PROFILES, n=1)
        hint = f" (did you mean '{nearest[0]}'?)" if nearest else ""
        raise error(f"unknown print profile '{profile}'{hint}: choose from {', '.join(PROFILES)}", "profile")

    bleed_mm = None
    if "bleed" in table:
        try:
            bleed_mm = parse_length_mm(str(table["bleed"]))
        except ValueError:
            raise error(f"'bleed' must be a length such as \"3mm\" or \"0.125in\", not {table['bleed']!r}", "bleed")

    paper = table.get("paper", PrintSettings.paper)
    if isinstance(paper, (int, float)) and not isinstance(paper, bool) and 0 < paper < 0.01:
        paper_inches = float(paper)
    elif paper in PAPER_INCHES_PER_PAGE:
        paper_inches = PAPER_INCHES_PER_PAGE[paper]
    else:
        raise error(f"'paper' must be {', '.join(PAPER_INCHES_PER_PAGE)} or the thickness of a page in inches "
                    f"(such as 0.0025), not {paper!r}", "paper")

    isbn = _string(table, "isbn", source, "print")
    if isbn is not None:
        try:
            isbn = normalize_isbn13(isbn)
        except ValueError as exception:
            raise error(f"invalid print ISBN '{table['isbn']}': {exception}", "isbn")

    variant = _string(table, "pdf_variant", source, "print")
    if variant is not None:
        variant = variant.lower()
        if variant not in PDF_VARIANTS:
            raise error(f"unknown pdf_variant '{table['pdf_variant']}': choose from {', '.join(PDF_VARIANTS)}",
                        "pdf_variant")

    icc = _string(table, "icc_profile", source, "print")
    icc_path = None
    if icc is not None:
        icc_path = (root / icc).resolve()
        if not icc_path.is_relative_to(root):
            raise error(f"icc_profile '{icc}' is outside the project (refused)", "icc_profile")
        if not icc_path.is_file():
            raise error(f"icc_profile '{icc}' not found", "icc_profile")
        if icc_path.read_bytes()[36:40] != b"acsp" or icc_path.read_bytes()[16:20] != b"CMYK":
            raise error(f"icc_profile '{icc}' is not a CMYK ICC profile", "icc_profile")

    return PrintSettings(trim_name=str(trim), trim_mm=trim_mm, profile=profile, bleed_mm=bleed_mm,
                         paper=str(paper), paper_inches_per_page=paper_inches, isbn=isbn,
                         pdf_variant=variant, icc_profile=icc_path)


def _epub_settings(table: dict, language: str, source: _Source) -> EpubSettings:
    primary_language = language.lower().split("-")[0]
    return EpubSettings(
        hyphenate=_boolean(table, "hyphenate", primary_language in HYPHENATED_BY_DEFAULT, source, "epub"),
        narrow_spaces=_boolean(table, "narrow_spaces", EpubSettings.narrow_spaces, source, "epub"),
    )


def _chapter_list(table: dict, root: Path, source: _Source) -> tuple[Path, ...] | None:
    if "chapters" not in table:
        return None
    names = _string_list(table, "chapters", source, "manuscript")
    paths = []
    for name in names:
        path = (root / "manuscript" / name).resolve()
        if not path.is_relative_to(root):
            raise source.error(f"chapter '{name}' is outside the project (refused)", "chapters", "manuscript")
        if not path.is_file():
            raise source.error(f"chapter 'manuscript/{name}' does not exist", "chapters", "manuscript")
        paths.append(path)
    return tuple(paths)
