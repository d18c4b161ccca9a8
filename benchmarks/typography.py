"""Score the typographer against a hand-corrected copy of a book.

Usage: python benchmarks/typography.py CORPUS_DIR [--show N]

CORPUS_DIR holds ``book.toml`` (``[book] language``), ``manuscript/*.md`` with punctuation
as an author types it and ``gold/*.md``, the same files with corrected typography. Both are
parsed with the pipeline's markdown-it configuration; the manuscript's tokens go through
``typeset`` and each inline token's text is compared with the gold copy's, mark by mark.

Within one inline token the two texts differ only where the typographer acts. Hair spaces
(which the gold copy puts between touching quotation marks) are removed from both sides
first; the texts are then aligned with difflib, which is a plain position by position
comparison whenever their lengths agree. Every position where either side holds a quotation
mark (apostrophes and primes included) counts for quotes, every position where either side
holds an en or em dash counts for dashes; a position scores when both sides agree.

Stories are split into a development set (the first half of the files) and a held-out set.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

try:
    from octavo.markdown import make_parser
    from octavo.typography import typeset
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from octavo.markdown import make_parser
    from octavo.typography import typeset

QUOTE_MARKS = frozenset("\u201c\u201d\u2018\u2019\"'\u2032\u2033\u201e\u201a\u00ab\u00bb\u2039\u203a")
DASHES = frozenset("\u2013\u2014")
HAIR_SPACE = "\u200a"
CONTEXT = 40


def markdown() -> MarkdownIt:
    """The pipeline's own parser, so the benchmark scores what the build does."""
    return make_parser()


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    def add(self, other: Tally) -> None:
        self.correct += other.correct
        self.total += other.total

    def __str__(self) -> str:
        share = 100 * self.correct / self.total if self.total else 100.0
        return f"{self.correct:,}/{self.total:,} ({share:.2f} %)"


@dataclass
class Score:
    quotes: Tally = field(default_factory=Tally)
    dashes: Tally = field(default_factory=Tally)
    mismatches: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.quotes.add(other.quotes)
        self.dashes.add(other.dashes)
        self.mismatches.extend(other.mismatches)


def inline_texts(tokens) -> list[str]:
    """The text of every inline token, hair spaces removed."""
    return [
        "".join(child.content for child in token.children if child.type == "text").replace(HAIR_SPACE, "")
        for token in tokens
        if token.type == "inline" and token.children
    ]


def score_text(ours: str, gold: str, where: str) -> Score:
    score = Score()

    def compare(our_char: str, gold_char: str, our_at: int, gold_at: int) -> None:
        for marks, tally in ((QUOTE_MARKS, score.quotes), (DASHES, score.dashes)):
            if our_char in marks or gold_char in marks:
                tally.total += 1
                if our_char == gold_char:
                    tally.correct += 1
                else:
                    score.mismatches.append(
                        f"{where}: ours {our_char!r} gold {gold_char!r}\n"
                        f"    ours: {ours[max(0, our_at - CONTEXT) : our_at + CONTEXT]!r}\n"
                        f"    gold: {gold[max(0, gold_at - CONTEXT) : gold_at + CONTEXT]!r}"
                    )

    matcher = difflib.SequenceMatcher(None, ours, gold, autojunk=False)
    for tag, our_start, our_end, gold_start, gold_end in matcher.get_opcodes():
        if tag == "equal" or our_end - our_start == gold_end - gold_start:
            for offset in range(our_end - our_start):
                compare(
                    ours[our_start + offset],
                    gold[gold_start + offset],
                    our_start + offset,
                    gold_start + offset,
                )
        else:
            # Unequal stretches (a dash left as hyphens): every mark on either side is missed.
            for at in range(our_start, our_end):
                compare(ours[at], "", at, gold_start)
            for at in range(gold_start, gold_end):
                compare("", gold[at], our_start, at)
    return score


def octavo_texts(parser: MarkdownIt, manuscript: Path, lang: str) -> list[str]:
    tokens = parser.parse(manuscript.read_text(encoding="utf-8"))
    typeset(tokens, lang)
    return inline_texts(tokens)


def pandoc_texts(parser: MarkdownIt, manuscript: Path, lang: str) -> list[str]:
    """Pandoc's smart punctuation, the baseline: its CommonMark output carries the marks it chose."""
    output = subprocess.run(["pandoc", "-f", "markdown+smart", "-t", "commonmark", "--wrap=none", str(manuscript)],
                            check=True, capture_output=True, text=True).stdout
    return inline_texts(parser.parse(output))


def score_file(parser: MarkdownIt, manuscript: Path, gold: Path, lang: str, typographer=octavo_texts) -> Score:
    ours = typographer(parser, manuscript, lang)
    theirs = inline_texts(parser.parse(gold.read_text(encoding="utf-8")))
    if len(ours) != len(theirs):
        raise SystemExit(f"{manuscript.name}: {len(ours)} inline blocks, gold has {len(theirs)}")
    score = Score()
    for number, (our_text, gold_text) in enumerate(zip(ours, theirs, strict=True), start=1):
        score.add(score_text(our_text, gold_text, f"{manuscript.name} block {number}"))
    return score


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("corpus", type=Path)
    arguments.add_argument("--show", type=int, default=20, help="how many mismatches to print")
    arguments.add_argument("--pandoc", action="store_true", help="score Pandoc's markdown+smart instead of Octavo")
    options = arguments.parse_args()

    corpus: Path = options.corpus
    lang = tomllib.loads((corpus / "book.toml").read_text(encoding="utf-8"))["book"]["language"]
    manuscripts = sorted((corpus / "manuscript").glob("*.md"))
    development = manuscripts[: len(manuscripts) // 2]
    parser = markdown()

    typographer = pandoc_texts if options.pandoc else octavo_texts
    scores = {path: score_file(parser, path, corpus / "gold" / path.name, lang, typographer) for path in manuscripts}
    sets = {
        f"development ({development[0].stem[:3]}-{development[-1].stem[:3]})": development,
        f"held out ({manuscripts[len(development)].stem[:3]}-{manuscripts[-1].stem[:3]})": manuscripts[
            len(development) :
        ],
        "all": manuscripts,
    }
    print(f"{corpus} (language {lang}, {'Pandoc markdown+smart' if options.pandoc else 'Octavo'})")
    for name, paths in sets.items():
        total = Score()
        for path in paths:
            total.add(scores[path])
        print(f"{name:24} quotes {total.quotes}   dashes {total.dashes}")
    mismatches = [line for path in manuscripts for line in scores[path].mismatches]
    if mismatches:
        print(f"\nFirst {min(options.show, len(mismatches))} of {len(mismatches)} mismatches:")
        for line in mismatches[: options.show]:
            print(line)


if __name__ == "__main__":
    main()
