"""ASCII slugs for file names and element ids (å → a, spaces → hyphens)."""

import re
import unicodedata


def slugify(text: str, fallback: str = "section") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or fallback
