"""The preview server's build worker: ``python -m octavo.preview ROOT --formats epub,pdf``.

Runs ``build()`` and prints one JSON line: the outputs and the preflight's findings, or the
error as ``file:line: message``. The server reads it; an author never runs this by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from ..build import build
from ..errors import OctavoError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m octavo.preview")
    parser.add_argument("root", type=Path)
    parser.add_argument("--formats", default="epub,pdf")
    parser.add_argument("--profile", default=None)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    # The server's pages come first: a save re-renders the preview while the layout runs.
    os.nice(10)
    # Stopped by the server (a newer save, or Ctrl-C): unwind, so no temporary file is left behind.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    warnings: list[str] = []
    try:
        result = build(args.root, tuple(args.formats.split(",")), warn=warnings.append, jobs=args.jobs,
                       profile=args.profile)
    except OctavoError as error:
        print(json.dumps({"error": str(error), "warnings": warnings}))
        return 0
    print(json.dumps({
        "outputs": [{"path": str(output.path), "size": output.size, "pages": output.pages}
                    for output in result.outputs],
        "findings": [{"severity": finding.severity, "text": str(finding)} for finding in result.findings],
        "warnings": warnings,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
