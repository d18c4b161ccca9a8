"""Soft hyphens for the EPUB's text, for reading systems that do not hyphenate by themselves.

The PDF needs none: its CSS says ``hyphens: auto`` and WeasyPrint breaks words with the same
Pyphen dictionaries. Here a U+00AD goes into each word of six or more letters wherever the
dictionary of the word's language allows a break, within the print CSS's limits
(``hyphenate-limit-chars: 6 2 3``), so that an e-reader may break a word where the PDF may.
Text in a language Pyphen has no dictionary for is left as it is.
"""

from __future__ import annotations

import re
from functools import cache

import pyphen
from lxml import etree

from .resources import has_scheme

SOFT_HYPHEN = "\u00ad"
MIN_LETTERS_BEFORE_BREAK = 2
MIN_LETTERS_AFTER_BREAK = 3

XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The fragment's elements are in the XHTML namespace and may carry epub:type, as in the document.
_FRAGMENT_OPEN = f'<div xmlns="{XHTML_NAMESPACE}" xmlns:epub="http://www.idpf.org/2007/ops">'
_FRAGMENT_CLOSE = "</div>"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# Text a reader must see whole: headings (short lines, set apart), code and preformatted text.
_UNBROKEN_ELEMENTS = {"h1", "h2", "h3", "h4", "h5", "h6", "code", "pre"}
# A URL or an e-mail address written out in the text, or else a word of six or more letters.
_URL_OR_WORD_RE = re.compile(
    r"(?P<url>\b(?:[a-z][a-z\d+.-]*://|www\.)\S+|\S+@\S+)|\b[^\W\d_]{6,}\b", re.IGNORECASE)


@cache
def dictionary_for(lang: str) -> pyphen.Pyphen | None:
    """Pyphen's dictionary for a BCP 47 tag (``sv-FI`` uses ``sv``), or None when it has none."""
    name = pyphen.language_fallback(lang)
    if name is None:
        return None
    return pyphen.Pyphen(lang=name, left=MIN_LETTERS_BEFORE_BREAK, right=MIN_LETTERS_AFTER_BREAK)


def hyphenate_text(text: str, dictionary: pyphen.Pyphen) -> str:
    return _URL_OR_WORD_RE.sub(
        lambda match: match[0] if match["url"] else dictionary.inserted(match[0], hyphen=SOFT_HYPHEN), text)


def hyphenate_fragment(fragment: str, lang: str) -> str:
    """An XHTML fragment (a chapter's body, a note) with soft hyphens in the words of its text.

    ``lang`` is the fragment's language; an element's ``xml:lang`` or ``lang`` applies inside it.
    Attribute values, headings, code and the text of links out of the book are left as they are.
    """
    if not fragment.strip():
        return fragment
    wrapper = etree.fromstring(_FRAGMENT_OPEN + fragment + _FRAGMENT_CLOSE, _PARSER)
    _hyphenate_element(wrapper, lang, unbroken=False)
    serialized = etree.tostring(wrapper, encoding="unicode")
    return serialized[serialized.index(">") + 1: -len(_FRAGMENT_CLOSE)]


def _hyphenate_element(element: etree._Element, lang: str, unbroken: bool) -> None:
    """Hyphenate the text inside ``element``; ``unbroken``: it is inside text never to break."""
    lang = element.get(_XML_LANG) or element.get("lang") or lang
    unbroken = unbroken or _is_unbroken(element)
    dictionary = None if unbroken else dictionary_for(lang)
    if dictionary is not None and element.text:
        element.text = hyphenate_text(element.text, dictionary)
    for child in element:
        if isinstance(child.tag, str):  # an element, not a comment or processing instruction
            _hyphenate_element(child, lang, unbroken)
        if dictionary is not None and child.tail:
            child.tail = hyphenate_text(child.tail, dictionary)


def _is_unbroken(element: etree._Element) -> bool:
    name = etree.QName(element).localname
    if name == "a":  # a link out of the book: its text is often the URL itself
        href = element.get("href", "")
        return has_scheme(href) or href.startswith("//")
    return name in _UNBROKEN_ELEMENTS
