"""Smart punctuation: quotes, apostrophes, dashes and dots as typed, set in the marks of a language.

An author types straight quotes (``"`` ``'``), hyphens (``-`` ``--`` ``---``) and dots (``...``).
This module sets them as the marks of the text's language: a straight double quote is a
primary quotation mark, a straight single quote a secondary one or an apostrophe, and each
language's entry in ``LANGUAGES`` says which marks, dashes and no-break spaces those are.

It works on markdown-it block tokens, after parsing and before rendering, and rewrites only the
``content`` of ``text`` tokens. Each ``inline`` token (a paragraph, a heading, a table cell) is
one *run*: the text of its ``text`` children joined, with one placeholder character for inline
code, images and the like, so that quotes pair across emphasis, links and footnote calls. Every
decision is taken on the source characters of the run and recorded as a replacement string per
source character; no rule shifts the offsets another rule reads, and at the end the replacements
are cut back into the text tokens they came from.

Runs do not share quotation state. Speech that runs over several paragraphs repeats its opening
mark at the start of each paragraph and closes only in the last, so every paragraph's marks are
decided by that paragraph alone, with one look at how the next paragraph of the same flow (main
text, or one footnote) begins: a single quotation left open runs on only if the next paragraph
reopens it; otherwise it never was a quotation but an elision ('Frisco).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from markdown_it.token import Token

__all__ = ["LANGUAGES", "Punctuation", "punctuation_for", "typeset", "typeset_text"]

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
HAIR_SPACE = "\u200a"
EN_DASH = "\u2013"
EM_DASH = "\u2014"
PRIME = "\u2032"
DOUBLE_PRIME = "\u2033"

# Older Kindles show only U+0020, U+00A0 and U+200C among spaces. Without narrow spaces a
# narrow no-break space becomes a full one; a hair space between two touching quotation
# marks is dropped, as a full space there would split the marks like two words.
_WITHOUT_NARROW_SPACES = str.maketrans({NARROW_NBSP: NBSP, HAIR_SPACE: ""})

# Short English words whose leading apostrophe stands for dropped letters ('tis, rock 'n' roll).
_ENGLISH_ELISIONS = frozenset(
    {"tis", "twas", "twere", "twill", "twould", "em", "n", "cause", "til", "round", "bout", "neath", "pon"}
)


@dataclass(frozen=True)
class Punctuation:
    """The marks one language sets for what an author types.

    A quotation mark may carry its own space (French ``« `` and `` »``): a space the author
    typed next to the quotation is then absorbed instead of doubled.
    """

    primary: tuple[str, str]
    """Opening and closing marks for ``"...."``."""
    secondary: tuple[str, str]
    """Opening and closing marks for ``'....'``."""
    dash: str = EN_DASH
    """What `` - ``, `` -- `` and ``--`` between words become."""
    dash_spaced: bool = True
    """True: the dash keeps its spaces, the one before it no-break; False: it closes up."""
    apostrophe: str = "\u2019"
    ellipsis: str = "\u2026"
    space_before: dict[str, str] = field(default_factory=dict)
    """Punctuation that takes a no-break space before it, and which space (French ``;`` ``!``)."""
    percent_space: str | None = None
    """The space between a number and ``%``, inserted if missing; None: left as typed."""
    unit_space: str = NBSP
    """Replaces the space typed between a number and a unit (``800 km``)."""
    group_space: str | None = None
    """Replaces the space typed between groups of digits (``10 000``); None: left as typed."""
    touching_marks_space: str = ""
    """Put between two quotation marks that touch (``“ ‘``), so they read as two marks."""
    elisions: frozenset[str] = frozenset()
    """Words whose leading apostrophe is an elision, not an opening quotation mark."""


_FRENCH_SPACES = {";": NARROW_NBSP, "!": NARROW_NBSP, "?": NARROW_NBSP, ":": NBSP}

LANGUAGES: dict[str, Punctuation] = {
    # “…” ‘…’, closed em dash
    "en": Punctuation(
        primary=("\u201c", "\u201d"),
        secondary=("\u2018", "\u2019"),
        dash=EM_DASH,
        dash_spaced=False,
        touching_marks_space=HAIR_SPACE,
        elisions=_ENGLISH_ELISIONS,
    ),
    # ‘…’ “…”, spaced en dash
    "en-GB": Punctuation(
        primary=("\u2018", "\u2019"),
        secondary=("\u201c", "\u201d"),
        touching_marks_space=HAIR_SPACE,
        elisions=_ENGLISH_ELISIONS,
    ),
    # ”…” ’…’, 25 %, 10 000
    "sv": Punctuation(
        primary=("\u201d", "\u201d"), secondary=("\u2019", "\u2019"), percent_space=NBSP, group_space=NBSP
    ),
    "fi": Punctuation(
        primary=("\u201d", "\u201d"), secondary=("\u2019", "\u2019"), percent_space=NBSP, group_space=NBSP
    ),
    # „…“ ‚…‘
    "de": Punctuation(primary=("\u201e", "\u201c"), secondary=("\u201a", "\u2018"), percent_space=NBSP),
    # «…» ‹…›, no spaces inside
    "de-CH": Punctuation(primary=("\u00ab", "\u00bb"), secondary=("\u2039", "\u203a"), percent_space=NBSP),
    # « … » “…”, narrow no-break spaces inside guillemets and before ; ! ? %, a full one before :
    "fr": Punctuation(
        primary=("\u00ab" + NARROW_NBSP, NARROW_NBSP + "\u00bb"),
        secondary=("\u201c", "\u201d"),
        space_before=_FRENCH_SPACES,
        percent_space=NARROW_NBSP,
        unit_space=NARROW_NBSP,
        group_space=NARROW_NBSP,
    ),
    # «…» ‘…’
    "nb": Punctuation(
        primary=("\u00ab", "\u00bb"), secondary=("\u2018", "\u2019"), percent_space=NBSP, group_space=NBSP
    ),
    "nn": Punctuation(
        primary=("\u00ab", "\u00bb"), secondary=("\u2018", "\u2019"), percent_space=NBSP, group_space=NBSP
    ),
    # »…« ›…‹ (Retskrivningsreglerne § 58 pairs the single inward marks with the double ones)
    "da": Punctuation(primary=("\u00bb", "\u00ab"), secondary=("\u203a", "\u2039"), percent_space=NBSP),
    # “…” ‘…’
    "nl": Punctuation(
        primary=("\u201c", "\u201d"),
        secondary=("\u2018", "\u2019"),
        elisions=frozenset({"s", "t", "k", "n"}),  # 's-Hertogenbosch, 't huis, 'k ben, 'n boek
    ),
    # «…» “…”
    "es": Punctuation(primary=("\u00ab", "\u00bb"), secondary=("\u201c", "\u201d"), percent_space=NBSP),
    "it": Punctuation(primary=("\u00ab", "\u00bb"), secondary=("\u201c", "\u201d")),
    # „…” «…»
    "pl": Punctuation(primary=("\u201e", "\u201d"), secondary=("\u00ab", "\u00bb"), group_space=NBSP),
    # „…“ ‚…‘
    "cs": Punctuation(
        primary=("\u201e", "\u201c"), secondary=("\u201a", "\u2018"), percent_space=NBSP, group_space=NBSP
    ),
    # «…» „…“, spaced em dash
    "ru": Punctuation(
        primary=("\u00ab", "\u00bb"), secondary=("\u201e", "\u201c"), dash=EM_DASH, group_space=NBSP
    ),
}

# Tags that name a tabled language under another code.
_ALIASES = {"no": "nb"}

_BY_LOWER_TAG = {tag.lower(): rules for tag, rules in LANGUAGES.items()}


def punctuation_for(lang: str) -> Punctuation:
    """The table entry for a BCP 47 tag: the longest tabled prefix (``sv-FI`` -> ``sv``), else ``en``."""
    subtags = lang.strip().replace("_", "-").lower().split("-")
    subtags[0] = _ALIASES.get(subtags[0], subtags[0])
    for length in range(len(subtags), 0, -1):
        rules = _BY_LOWER_TAG.get("-".join(subtags[:length]))
        if rules is not None:
            return rules
    return LANGUAGES["en"]


class _Inline(NamedTuple):
    token: Token  # an inline token
    rules: Punctuation  # the language of its block
    flow: int  # which flow of text (main text, a footnote) it belongs to


def typeset(tokens: list[Token], lang: str, *, narrow_spaces: bool = True) -> None:
    """Rewrite, in place, the ``content`` of every ``text`` token under the block tokens given.

    ``lang`` is the language of the chapter; a block's ``attrs['lang']`` (``{lang=fr}`` before
    it) applies to its content, an inline span's to the text up to its ``span_close``, the
    innermost winning. Code, raw HTML, math, autolinks and all attributes stay untouched.
    ``narrow_spaces=False`` replaces the narrow spaces the typographer inserts with U+00A0.
    """
    rules_stack = [punctuation_for(lang)]
    flow = 0  # the main text, then each footnote and the text after it, counted
    inlines: list[_Inline] = []
    for token in tokens:
        if token.type in _FOOTNOTE_BOUNDS:
            flow += 1
        if token.nesting == 1:
            rules_stack.append(_rules_of(token, rules_stack[-1]))
        elif token.nesting == -1:
            rules_stack.pop()
        elif token.type == "inline" and token.children:
            inlines.append(_Inline(token, rules_stack[-1], flow))
    for position, inline in enumerate(inlines):
        following = inlines[position + 1] if position + 1 < len(inlines) else None
        reopens_single = (
            following is not None
            and following.flow == inline.flow
            and _REOPENS_SINGLE_QUOTE.match(following.token.content) is not None
        )
        _typeset_inline(inline.token.children, inline.rules, narrow_spaces, reopens_single)


def typeset_text(text: str, lang: str, *, narrow_spaces: bool = True) -> str:
    """A plain string (a title, a metadata field) set as one paragraph of ``lang``."""
    token = Token("text", "", 0, content=text)
    _typeset_inline([token], punctuation_for(lang), narrow_spaces, reopens_single=False)
    return token.content


def _rules_of(token: Token, inherited: Punctuation) -> Punctuation:
    lang = token.attrGet("lang")
    return punctuation_for(str(lang)) if lang else inherited


# Stand-ins in a run for inline content that is not text: a word (code, an image, an autolink)
# and a line break. Both are outside what an author types in prose.
_WORD_PLACEHOLDER = "\ufffc"
_BREAK_PLACEHOLDER = "\n"

_AUTOLINK_MARKUPS = ("autolink", "linkify")
_BREAK_TYPES = ("softbreak", "hardbreak")
_FOOTNOTE_BOUNDS = ("footnote_open", "footnote_close")
# The raw start of a paragraph that opens with a single quote, maybe after a double one.
_REOPENS_SINGLE_QUOTE = re.compile(r"[\"*_]*'")


def _typeset_inline(
    children: list[Token], rules: Punctuation, narrow_spaces: bool, reopens_single: bool
) -> None:
    """Typeset one inline token's children. ``reopens_single``: the next paragraph opens with a
    single quote, so a single quotation left open here runs on into it."""
    run = _Run()
    span_rules = [rules]
    in_autolink = False
    for child in children:
        if in_autolink:
            in_autolink = child.type != "link_close"
        elif child.type == "text":
            run.add_text(child, span_rules[-1])
        elif child.type == "span_open":
            span_rules.append(_rules_of(child, span_rules[-1]))
        elif child.type == "span_close":
            span_rules.pop()
        elif child.type == "link_open" and child.markup in _AUTOLINK_MARKUPS:
            in_autolink = True
            run.add_placeholder(_WORD_PLACEHOLDER, span_rules[-1])
        elif child.type in _BREAK_TYPES:
            run.add_placeholder(_BREAK_PLACEHOLDER, span_rules[-1])
        elif child.type == "image":
            # The alt text lives in the image's children; it reads as a phrase of its own.
            run.add_placeholder(_WORD_PLACEHOLDER, span_rules[-1])
            if child.children:
                _typeset_inline(child.children, span_rules[-1], narrow_spaces, reopens_single=False)
        elif child.content:
            # code_inline, html_inline, math: a word the typographer reads around but never into.
            run.add_placeholder(_WORD_PLACEHOLDER, span_rules[-1])
        # Anything else (emphasis, link and footnote markers) has no text and reads as nothing.
    run.typeset(narrow_spaces, reopens_single)


# Character classes of the context around a mark.
_SPACE, _OPENING, _CLOSING, _DASH, _STOP, _WORD = "space", "opening", "closing", "dash", "stop", "word"
_OPENING_CHARS = "([{\u201c\u2018\u00ab\u2039\u201e\u201a"
_CLOSING_CHARS = ")]}\u201d\u2019\u00bb\u203a"
_DASH_CHARS = "-\u2013\u2014"
_STOP_CHARS = ".,;:!?\u2026"
_STRAIGHT_QUOTES = "\"'"


def _char_class(char: str) -> str:
    if char.isspace():
        return _SPACE
    if char in _OPENING_CHARS:
        return _OPENING
    if char in _CLOSING_CHARS:
        return _CLOSING
    if char in _DASH_CHARS:
        return _DASH
    if char in _STOP_CHARS:
        return _STOP
    return _WORD


_TYPED_SPACES = " " + NBSP + NARROW_NBSP
_ELLIPSIS = re.compile(r"(?<![.])(?:\.\.\.|\. \. \.)(?![.]| \.)")
_EM_DASH = re.compile(r"(?<!-)---(?!-)")
_DOUBLE_HYPHEN = re.compile(r"(?<!-)--(?!-)")
_SPACED_HYPHEN = re.compile(r"(?:(?<=[ \u00a0\n])|^)-(?=[ \u00a0\n])")
# Two numbers joined by one hyphen are a range (1914-1918, s. 12-14). Longer chains (ISBNs,
# ISO dates), numbers glued to words (1990-talet, A4-ark), a leading zero or digit groups
# after it (the phone number 08-123 45 67) mark something else that keeps its hyphen.
_NUMBER_RANGE = re.compile(r"(?<![\w.,-])(?!0\d)\d+(-)\d+(?![\w-]|[ \u00a0]\d)")
# Feet and inches (5' 10"): primes even inside a quotation, whose closing mark would else win.
_FEET_AND_INCHES = re.compile(r"\d(')[ \u00a0]?\d+(\")")
_YEAR_ELISION = re.compile(r"\d\d(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]+")
_UNIT = re.compile(r"(?<=\d)[ \u00a0](?=(?:km|m|cm|mm|km²|m²|m³|kg|g|mg|l|dl|cl|ml|°C|°F|kr|€|min)(?!\w))")
# Digits grouped by threes with spaces (10 000, 1 234 567), not digit pairs (08-123 45 67).
_DIGIT_GROUPS = re.compile(r"(?<![\d.,-])\d{1,3}(?:[ \u00a0]\d{3})+(?!\d)")
_PERCENT = re.compile(r"(?<=\d)[ \u00a0]?%")


class _Quotation(NamedTuple):
    """A quotation opened and not yet closed."""

    char: str  # the straight quote that opened it
    rules: Punctuation  # the language it opened in, whose closing mark it takes
    index: int  # where its opening mark stands


class _Run:
    """The text of one inline token, its rules per character and what each character becomes."""

    def __init__(self) -> None:
        self._chars: list[str] = []
        self._rules: list[Punctuation] = []
        self._texts: list[tuple[Token, int, int]] = []
        self.source = ""  # the characters joined, once the run is complete
        self.out: list[str] = []  # what each source character becomes

    def add_text(self, token: Token, rules: Punctuation) -> None:
        start = len(self._chars)
        self._chars.extend(token.content)
        self._rules.extend([rules] * len(token.content))
        self._texts.append((token, start, len(self._chars)))

    def add_placeholder(self, char: str, rules: Punctuation) -> None:
        self._chars.append(char)
        self._rules.append(rules)

    def typeset(self, narrow_spaces: bool, reopens_single: bool) -> None:
        if not self._texts:
            return
        self.source = "".join(self._chars)
        self.out = list(self._chars)
        self._set_ellipses()
        self._set_dashes()
        self._set_quotes(reopens_single)
        self._set_spaces()
        for token, start, end in self._texts:
            parts = self.out[start:end]
            if not narrow_spaces:
                parts = [
                    part.translate(_WITHOUT_NARROW_SPACES) if part != char else part
                    for part, char in zip(parts, self._chars[start:end], strict=True)
                ]
            token.content = "".join(parts)

    def _replace(self, start: int, end: int, text: str) -> None:
        """Source characters ``start:end`` become ``text``."""
        self.out[start] = text
        for index in range(start + 1, end):
            self.out[index] = ""

    def _space_before(self, index: int) -> int | None:
        """The index of the typed space just before ``index``, if there is one."""
        return index - 1 if index > 0 and self.source[index - 1] in _TYPED_SPACES else None

    def _space_after(self, index: int) -> int | None:
        """The index of the typed space just after ``index``, if there is one."""
        after = index + 1
        return after if after < len(self.source) and self.source[after] in _TYPED_SPACES else None

    def _set_ellipses(self) -> None:
        for match in _ELLIPSIS.finditer(self.source):
            self._replace(match.start(), match.end(), self._rules[match.start()].ellipsis)

    def _set_dashes(self) -> None:
        source = self.source
        for match in _EM_DASH.finditer(source):
            self._set_dash(match.start(), match.end(), EM_DASH)
        for match in _DOUBLE_HYPHEN.finditer(source):
            start, end = match.span()
            between_digits = source[start - 1 : start].isdigit() and source[end : end + 1].isdigit()
            rules = self._rules[start]
            spaced = self._space_before(start) is not None or self._space_after(end - 1) is not None
            if between_digits:
                self._replace(start, end, EN_DASH)
            elif spaced or not rules.dash_spaced:
                self._set_dash(start, end, rules.dash)
            else:
                # Unspaced, a spaced-dash language reads -- as the en dash of a span (Stockholm–Göteborg).
                self._replace(start, end, EN_DASH)
        for match in _SPACED_HYPHEN.finditer(source):
            self._set_dash(match.start(), match.end(), self._rules[match.start()].dash)
        for match in _NUMBER_RANGE.finditer(source):
            self._replace(match.start(1), match.end(1), EN_DASH)

    def _set_dash(self, start: int, end: int, dash: str) -> None:
        """A dash replaces ``start:end``; a closed style drops the spaces around it, a spaced
        style keeps them, the one before no-break so that a line never starts with the dash."""
        self._replace(start, end, dash)
        before, after = self._space_before(start), self._space_after(end - 1)
        if not self._rules[start].dash_spaced:
            for space in (before, after):
                if space is not None:
                    self.out[space] = ""
        elif before is not None:
            self.out[before] = NBSP

    def _set_quotes(self, reopens_single: bool) -> None:
        source = self.source
        open_quotes: list[_Quotation] = []  # innermost last
        never_closed: list[_Quotation] = []
        opened: set[int] = set()  # indices of the straight quotes set as opening marks
        primes = {match.start(group) for match in _FEET_AND_INCHES.finditer(source) for group in (1, 2)}
        for index, char in enumerate(source):
            if char not in _STRAIGHT_QUOTES:
                continue
            rules = self._rules[index]
            role = "prime" if index in primes else self._quote_role(index, open_quotes, opened)
            if role == "prime":
                self.out[index] = DOUBLE_PRIME if char == '"' else PRIME
            elif role == "apostrophe":
                self._set_mark(index, rules.apostrophe)
            elif role == "open":
                open_quotes.append(_Quotation(char, rules, index))
                opened.add(index)
                self._set_mark(index, (rules.primary if char == '"' else rules.secondary)[0])
            else:
                mark, depth = self._close(char, rules, open_quotes)
                never_closed.extend(open_quotes[depth + 1 :])
                del open_quotes[depth:]
                self._set_mark(index, mark)
        if not reopens_single:
            never_closed.extend(open_quotes)
        # A single quote that opened a quotation never closed (ended by the double quotation
        # around it, or by the paragraph when the next does not carry it on) was the apostrophe
        # of an elided word ('Frisco, 'ome).
        for quotation in never_closed:
            if quotation.char == "'":
                self._set_mark(quotation.index, quotation.rules.apostrophe)

    def _set_mark(self, index: int, mark: str) -> None:
        self.out[index] = mark
        self._absorb_typed_space(index, mark)
        if index > 0 and self.source[index - 1] in _STRAIGHT_QUOTES and not mark[0].isspace():
            self.out[index] = self._rules[index].touching_marks_space + mark

    def _quote_role(self, index: int, open_quotes: list[_Quotation], opened: set[int]) -> str:
        """What the straight quote at ``index`` is: "open", "close", "apostrophe" or "prime"."""
        source = self.source
        char = source[index]
        is_open = any(quotation.char == char for quotation in open_quotes)
        right = self._right_class(index)
        # A mark after a number, with no quotation of its kind open, measures (5' 10").
        after_number = index > 0 and source[index - 1].isdigit()
        if after_number and not is_open and (right != _WORD or source[index + 1 : index + 2].isdigit()):
            return "prime"
        left = self._left_class(index, opened)
        if char == "'":
            return self._single_quote_role(index, left, right, is_open)
        return self._double_quote_role(left, right, is_open)

    @staticmethod
    def _close(char: str, rules: Punctuation, open_quotes: list[_Quotation]) -> tuple[str, int]:
        """The closing mark for ``char`` and the depth of the quotation it closes in ``open_quotes``.

        The quotation closes with the marks it opened with (a French quotation inside a Swedish
        sentence). With none open (one opened in an earlier paragraph), the depth is past the end.
        """
        for depth in range(len(open_quotes) - 1, -1, -1):
            quotation = open_quotes[depth]
            if quotation.char == char:
                pair = quotation.rules.primary if char == '"' else quotation.rules.secondary
                return pair[1], depth
        pair = rules.primary if char == '"' else rules.secondary
        return pair[1], len(open_quotes)

    def _left_class(self, index: int, opened: set[int]) -> str:
        if index == 0:
            return _SPACE
        before = self.source[index - 1]
        if before in _STRAIGHT_QUOTES:
            return _OPENING if index - 1 in opened else _CLOSING
        return _char_class(before)

    def _right_class(self, index: int) -> str:
        """The class of the first character after ``index`` that is not a straight quote."""
        source = self.source
        after = index + 1
        while after < len(source) and source[after] in _STRAIGHT_QUOTES:
            after += 1
        return _SPACE if after == len(source) else _char_class(source[after])

    @staticmethod
    def _double_quote_role(left: str, right: str, is_open: bool) -> str:
        if left in (_SPACE, _OPENING):
            opens = right != _SPACE or not is_open
        elif left == _DASH:
            opens = right in (_WORD, _OPENING)
        else:
            opens = right == _WORD and not is_open
        return "open" if opens else "close"

    def _single_quote_role(self, index: int, left: str, right: str, is_open: bool) -> str:
        if left == _WORD and right == _WORD:
            return "apostrophe"
        if left in (_SPACE, _OPENING, _DASH) and right == _WORD:
            return "apostrophe" if self._starts_elision(index) else "open"
        if is_open:
            return "close"
        if left == _STOP:
            # Nothing is open here, but a mark after a full stop ends a quotation that opened in
            # an earlier paragraph.
            return "close"
        return "apostrophe"

    def _starts_elision(self, index: int) -> bool:
        """Whether the apostrophe at ``index`` begins an elided word ('tis, '84, 'n')."""
        after = index + 1
        if _YEAR_ELISION.match(self.source, after):
            return True
        word = _LETTERS.match(self.source, after)
        return word is not None and word.group().lower() in self._rules[index].elisions

    def _absorb_typed_space(self, index: int, mark: str) -> None:
        """A mark that carries its own space replaces the space the author typed beside it."""
        if mark[-1].isspace():
            after = self._space_after(index)
            if after is not None:
                self.out[after] = ""
        if mark[0].isspace():
            before = self._space_before(index)
            if before is not None:
                self.out[before] = ""

    def _set_spaces(self) -> None:
        source = self.source
        # Only a few characters can take a space; looking at just those keeps long books fast.
        candidates = set()
        for rules in {id(rules): rules for rules in self._rules}.values():
            candidates.update(rules.space_before)
            opening, closing = rules.primary
            candidates.update(mark for mark in (opening[0], closing[-1]) if len(opening) > 1 or len(closing) > 1)
        for index, char in enumerate(source):
            if char not in candidates:
                continue
            rules = self._rules[index]
            self._set_space_inside_typed_mark(index, rules.primary)
            space = rules.space_before.get(char)
            if space is not None and self._takes_space_before(index):
                self._put_space_before(index, space)
        for match in _PERCENT.finditer(source):
            percent = match.end() - 1
            space = self._rules[percent].percent_space
            if space is not None:
                self._put_space_before(percent, space)
        for match in _UNIT.finditer(source):
            self.out[match.start()] = self._rules[match.start()].unit_space
        for match in _DIGIT_GROUPS.finditer(source):
            space = self._rules[match.start()].group_space
            if space is not None:
                for index in range(match.start(), match.end()):
                    if source[index] in _TYPED_SPACES:
                        self.out[index] = space

    def _put_space_before(self, index: int, space: str) -> None:
        """``space`` goes before ``index``, in place of the space the author typed there if any."""
        before = self._space_before(index)
        if before is not None:
            self.out[before] = space
        else:
            self.out[index] = space + self.out[index]

    def _set_space_inside_typed_mark(self, index: int, pair: tuple[str, str]) -> None:
        """A mark the author typed as such (``«``) takes the space its language puts inside it."""
        opening, closing = pair
        char = self.source[index]
        if len(opening) > 1 and char == opening[0]:
            self.out[index] = opening
            self._absorb_typed_space(index, opening)
        elif len(closing) > 1 and char == closing[-1]:
            self.out[index] = closing
            self._absorb_typed_space(index, closing)

    def _takes_space_before(self, index: int) -> bool:
        """Whether the French-style punctuation at ``index`` ends a word or quotation.

        Not at the start of a run, not the second of ``?!``, not inside ``12:30`` or a URL.
        """
        source = self.source
        if index == 0 or source[index - 1] in _STOP_CHARS or source[index - 1] in _OPENING_CHARS:
            return False
        if source[index - 1] == _BREAK_PLACEHOLDER:
            return False
        after = source[index + 1 : index + 2]
        return not (after.isalnum() or after in ("/", _WORD_PLACEHOLDER))
