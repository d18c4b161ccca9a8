"""The build's one clock: ``SOURCE_DATE_EPOCH`` when set, so builds are reproducible."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from .errors import OctavoError


def build_time() -> datetime:
    """The moment stamped into the outputs, in UTC, to the second."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    try:
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise OctavoError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not '{value}'")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
