"""The typographer: marks per language, pairing across tokens and paragraphs, what it leaves alone."""

from __future__ import annotations

import pytest

from octavo.markdown import make_parser
from octavo.typography import LANGUAGES, punctuation_for, typeset, typeset_text

NBSP = "\u00a0"
NNBSP = "\u202f"
HAIR = "\u200a"

md = make_parser()  # the pipeline's own parser


def paragraphs(source: str, lang: str, **options) -> list[str]:
    """The text of each inline token after typesetting."""
    tokens = md.parse(source)
    typeset(tokens, lang, **options)
    return [
        "".join(child.content for child in token.children if child.type == "text")
        for token in tokens
        if token.type == "inline"
    ]


def html(source: str, lang: str) -> str:
    tokens = md.parse(source)
    typeset(tokens, lang)
    return md.renderer.render(tokens, md.options, {})


def one(source: str, lang: str, **options) -> str:
    (text,) = paragraphs(source, lang, **options)
    return text


# --- Quotation marks per language -------------------------------------------------------------

NESTED = "\"He said 'yes' to me.\""

QUOTATION_CASES = [
    ("en", "\u201cHe said \u2018yes\u2019 to me.\u201d"),
    ("en-US", "\u201cHe said \u2018yes\u2019 to me.\u201d"),
    ("en-GB", "\u2018He said \u201cyes\u201d to me.\u2019"),
    ("sv", "\u201dHe said \u2019yes\u2019 to me.\u201d"),
    ("fi", "\u201dHe said \u2019yes\u2019 to me.\u201d"),
    ("de", "\u201eHe said \u201ayes\u2018 to me.\u201c"),
    ("de-CH", "\u00abHe said \u2039yes\u203a to me.\u00bb"),
    ("fr", f"\u00ab{NNBSP}He said \u201cyes\u201d to me.{NNBSP}\u00bb"),
    ("nb", "\u00abHe said \u2018yes\u2019 to me.\u00bb"),
    ("nn", "\u00abHe said \u2018yes\u2019 to me.\u00bb"),
    ("da", "\u00bbHe said \u203ayes\u2039 to me.\u00ab"),
    ("nl", "\u201cHe said \u2018yes\u2019 to me.\u201d"),
    ("es", "\u00abHe said \u201cyes\u201d to me.\u00bb"),
    ("it", "\u00abHe said \u201cyes\u201d to me.\u00bb"),
    ("pl", "\u201eHe said \u00abyes\u00bb to me.\u201d"),
    ("cs", "\u201eHe said \u201ayes\u2018 to me.\u201c"),
    ("ru", "\u00abHe said \u201eyes\u201c to me.\u00bb"),
]


@pytest.mark.parametrize(("lang", "expected"), QUOTATION_CASES)
def test_quotation_marks_per_language(lang, expected):
    assert one(NESTED, lang) == expected


def test_every_tabled_language_has_a_quotation_case():
    assert set(LANGUAGES) <= {lang for lang, _ in QUOTATION_CASES}


@pytest.mark.parametrize(
    ("lang", "table"),
    [
        ("en-GB", "en-GB"),
        ("EN-gb", "en-GB"),
        ("sv-FI", "sv"),
        ("de-CH", "de-CH"),
        ("de-AT", "de"),
        ("en", "en"),
        ("en-US", "en"),
        ("en-AU", "en"),
        ("xx", "en"),
        ("no", "nb"),
        ("fr_CA", "fr"),
    ],
)
def test_language_lookup_falls_back_to_the_primary_language_then_english(lang, table):
    assert punctuation_for(lang) is LANGUAGES[table]


# --- Swedish ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"Det finns ett stängsel", sade han.', "\u201dDet finns ett stängsel\u201d, sade han."),
        ("Putin - med undantag", f"Putin{NBSP}\u2013 med undantag"),
        ("Putin -- med undantag", f"Putin{NBSP}\u2013 med undantag"),
        ("Vad hade du förväntat dig? Macbeth?", "Vad hade du förväntat dig? Macbeth?"),
        ("Kriget 1914-1918, se s. 12-14.", "Kriget 1914\u20131918, se s. 12\u201314."),
        ("1990-talet och en Netflix-serie", "1990-talet och en Netflix-serie"),
        ("den 2023-06-24 i FN:s lokaler", "den 2023-06-24 i FN:s lokaler"),
        ("ISBN 978-91-7343-123-4", "ISBN 978-91-7343-123-4"),
        ("Ring 08-123 45 67.", "Ring 08-123 45 67."),
        ("Han sa 'nej' och gick.", "Han sa \u2019nej\u2019 och gick."),
        ("Det är Annas bok, inte Jens' bok.", "Det är Annas bok, inte Jens\u2019 bok."),
        ("Räntan är 25% och 3 %.", f"Räntan är 25{NBSP}% och 3{NBSP}%."),
        ("Det är 800 km dit.", f"Det är 800{NBSP}km dit."),
        (
            "Det kostade 10 000 kr, 1 234 567 röster.",
            f"Det kostade 10{NBSP}000{NBSP}kr, 1{NBSP}234{NBSP}567 röster.",
        ),
        ("År 2023 500 man och 12 34 56.", "År 2023 500 man och 12 34 56."),
        ("Och sedan...", "Och sedan\u2026"),
        ("Stockholm--Göteborg", "Stockholm\u2013Göteborg"),
    ],
)
def test_swedish(source, expected):
    assert one(source, "sv") == expected


# --- English ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'Tis the season.", "\u2019Tis the season."),
        ('"\'Twas brillig," he said.', f"\u201c{HAIR}\u2019Twas brillig,\u201d he said."),
        ("Give 'em rock 'n' roll.", "Give \u2019em rock \u2019n\u2019 roll."),
        ("The winter of '84 and the '60s.", "The winter of \u201984 and the \u201960s."),
        ("The Joneses' house, Holmes' pipe.", "The Joneses\u2019 house, Holmes\u2019 pipe."),
        ("He is 5' 10\" tall.", "He is 5\u2032 10\u2033 tall."),
        ("\"'Come!' he cried.\"", f"\u201c{HAIR}\u2018Come!\u2019 he cried.\u201d"),
        ("\"He cried 'Come!'\"", f"\u201cHe cried \u2018Come!\u2019{HAIR}\u201d"),
        ('("Quoted") ["too"]', "(\u201cQuoted\u201d) [\u201ctoo\u201d]"),
        ('He paused---"Come in!"', "He paused\u2014\u201cCome in!\u201d"),
        ('"I thought---" he began.', "\u201cI thought\u2014\u201d he began."),
        ('"I was born in 1884," he said.', "\u201cI was born in 1884,\u201d he said."),
        ("Wait... no. . . yes.", "Wait\u2026 no\u2026 yes."),
        ("Copyright (c) and ?.... stay.", "Copyright (c) and ?.... stay."),
        ("It's the dog's bone, isn't it?", "It\u2019s the dog\u2019s bone, isn\u2019t it?"),
        ('"He is 5\' 10" tall," she said.', "\u201cHe is 5\u2032 10\u2033 tall,\u201d she said."),
        ("The *e*'s are slurred.", "The e\u2019s are slurred."),
        ("Up 25% in 800 km, 10 000 people.", f"Up 25% in 800{NBSP}km, 10 000 people."),
    ],
)
def test_english(source, expected):
    assert one(source, "en-US") == expected


@pytest.mark.parametrize(
    ("lang", "source", "expected"),
    [
        # US English closes its dashes up, whatever the author typed around them.
        ("en", "one---two", "one\u2014two"),
        ("en", "one --- two", "one\u2014two"),
        ("en", "one -- two", "one\u2014two"),
        ("en", "one - two", "one\u2014two"),
        ("en", "one--two", "one\u2014two"),
        ("en", "pages 12-14 and 1914--1918", "pages 12\u201314 and 1914\u20131918"),
        ("en", "a well-known pre- and post-war fact", "a well-known pre- and post-war fact"),
        # Spaced-dash languages keep the spaces, the first one no-break.
        ("en-GB", "one - two", f"one{NBSP}\u2013 two"),
        ("en-GB", "one -- two", f"one{NBSP}\u2013 two"),
        ("en-GB", "one---two", "one\u2014two"),
        ("en-GB", "pages 12-14", "pages 12\u201314"),
        ("sv", "ett - två -- tre --- fyra", f"ett{NBSP}\u2013 två{NBSP}\u2013 tre{NBSP}\u2014 fyra"),
        ("sv", "ett---två", "ett\u2014två"),
        ("de", "eins - zwei, 1914-1918", f"eins{NBSP}\u2013 zwei, 1914\u20131918"),
        ("de-CH", "eins -- zwei", f"eins{NBSP}\u2013 zwei"),
        ("fr", "un - deux, 1914-1918", f"un{NBSP}\u2013 deux, 1914\u20131918"),
        ("nb", "en - to, 1914-1918", f"en{NBSP}\u2013 to, 1914\u20131918"),
        ("da", "en -- to", f"en{NBSP}\u2013 to"),
        ("fi", "yksi - kaksi, 1914-1918", f"yksi{NBSP}\u2013 kaksi, 1914\u20131918"),
        ("ru", "один - два", f"один{NBSP}\u2014 два"),
    ],
)
def test_dashes(lang, source, expected):
    assert one(source, lang) == expected


# --- French spacing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'Il dit "oui" ; puis : non !',
            f"Il dit \u00ab{NNBSP}oui{NNBSP}\u00bb{NNBSP}; puis{NBSP}: non{NNBSP}!",
        ),
        ("Vraiment? Oui!", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
        ('" Bon " dit-il.', f"\u00ab{NNBSP}Bon{NNBSP}\u00bb dit-il."),
        ("Quoi ?! À 12:30, voir http://example.com", f"Quoi{NNBSP}?! À 12:30, voir http://example.com"),
        ("L'homme a 25% de chances.", f"L\u2019homme a 25{NNBSP}% de chances."),
        ("Il a 10 000 euros.", f"Il a 10{NNBSP}000 euros."),
    ],
)
def test_french_spacing(source, expected):
    assert one(source, "fr") == expected


def test_french_guillemets_typed_as_such_take_narrow_spaces():
    assert one("\u00abOui\u00bb et \u00ab non \u00bb.", "fr") == (
        f"\u00ab{NNBSP}Oui{NNBSP}\u00bb et \u00ab{NNBSP}non{NNBSP}\u00bb."
    )


@pytest.mark.parametrize(
    ("lang", "source", "expected"),
    [
        # German closes a secondary quotation with U+2018, an apostrophe is U+2019.
        ("de", "\"Er sagte 'geht's'.\"", "\u201eEr sagte \u201ageht\u2019s\u2018.\u201c"),
        ("de", "Es stieg um 25%.", f"Es stieg um 25{NBSP}%."),
        (
            "nl",
            "'s Morgens in 't huis, 'k zei 'nee'.",
            "\u2019s Morgens in \u2019t huis, \u2019k zei \u2018nee\u2019.",
        ),
        ("nb", "\"Han sa 'nei'.\"", "\u00abHan sa \u2018nei\u2019.\u00bb"),
        ("it", 'L\'uomo disse "sì"...', "L\u2019uomo disse \u00abs\u00ec\u00bb\u2026"),
    ],
)
def test_other_languages(lang, source, expected):
    assert one(source, lang) == expected


def test_without_narrow_spaces_inserted_spaces_are_ones_older_kindles_show():
    assert (
        one('Il dit "oui" ; non.', "fr", narrow_spaces=False)
        == f"Il dit \u00ab{NBSP}oui{NBSP}\u00bb{NBSP}; non."
    )
    assert one("\"'Come!'\"", "en", narrow_spaces=False) == "\u201c\u2018Come!\u2019\u201d"


def test_narrow_spaces_the_author_typed_are_kept():
    assert one(f"Quoi{NNBSP}?", "fr", narrow_spaces=False) == f"Quoi{NNBSP}?"


# --- Pairing across tokens and paragraphs -----------------------------------------------------


def test_quotes_pair_across_emphasis_links_and_footnote_calls():
    source = '"It is *very* good," he said, "and [the "link"](http://a.com) here"[^1]\n\n[^1]: A "note".\n'
    assert paragraphs(source, "en") == [
        "\u201cIt is very good,\u201d he said, \u201cand the \u201clink\u201d here\u201d",
        "A \u201cnote\u201d.",
    ]


def test_quote_around_emphasis_only():
    assert one('"*Hello*"', "sv") == "\u201dHello\u201d"
    assert one('*"Hello"*', "de") == "\u201eHello\u201c"


def test_multi_paragraph_speech_repeats_the_opening_mark():
    source = '"First paragraph of a long speech.\n\n"Second paragraph.\n\n"Last one," he said.\n'
    assert paragraphs(source, "en") == [
        "\u201cFirst paragraph of a long speech.",
        "\u201cSecond paragraph.",
        "\u201cLast one,\u201d he said.",
    ]


def test_multi_paragraph_speech_in_swedish():
    source = '"Första stycket.\n\n"Andra stycket", sa hon.\n'
    assert paragraphs(source, "sv") == ["\u201dFörsta stycket.", "\u201dAndra stycket\u201d, sa hon."]


def test_nested_multi_paragraph_speech():
    source = "\"'It began,' he said, 'long ago.\n\n\"'And it ended,' he said.\"\n"
    assert paragraphs(source, "en") == [
        f"\u201c{HAIR}\u2018It began,\u2019 he said, \u2018long ago.",
        f"\u201c{HAIR}\u2018And it ended,\u2019 he said.\u201d",
    ]


def test_a_single_quote_that_never_closes_was_an_elision():
    assert one("\"'E said 'e'd come 'ome,\" she said.", "en") == (
        f"\u201c{HAIR}\u2019E said \u2019e\u2019d come \u2019ome,\u201d she said."
    )
    assert one("He went to 'Frisco. Then he said 'Hello' and left.", "en") == (
        "He went to \u2019Frisco. Then he said \u2018Hello\u2019 and left."
    )
    assert one('"Er fuhr nach \'Frisco."', "de") == "\u201eEr fuhr nach \u2019Frisco.\u201c"


def test_only_the_next_paragraph_of_the_same_flow_carries_a_quotation_on():
    source = "He went to 'Frisco.[^1]\n\n[^1]: 'Tis so.\n"
    assert paragraphs(source, "en") == ["He went to \u2019Frisco.", "\u2019Tis so."]


@pytest.mark.parametrize("lang", ["en", "en-GB", "sv", "de", "fr", "da"])
def test_typesetting_twice_changes_nothing_more(lang):
    once = typeset_text('"\'Tis 25% - "so"; \'k?" Le « oui » et 1914-1918...', lang)
    assert typeset_text(once, lang) == once


def test_nested_quotation_in_french():
    assert one("\"'Dieu me la donne', dit-il.\"", "fr") == (
        f"\u00ab{NNBSP}\u201cDieu me la donne\u201d, dit-il.{NNBSP}\u00bb"
    )


def test_footnote_is_its_own_context():
    source = 'He said "wait[^1] here."\n\n[^1]: "Quoted" note.\n'
    assert paragraphs(source, "en") == ["He said \u201cwait here.\u201d", "\u201cQuoted\u201d note."]


def test_table_cells_list_items_and_blockquotes():
    source = '| "a" | b - c |\n| --- | --- |\n| "d" | \'e\' |\n\n- "item"\n\n> "quoted"\n'
    assert paragraphs(source, "sv") == [
        "\u201da\u201d",
        f"b{NBSP}\u2013 c",
        "\u201dd\u201d",
        "\u2019e\u2019",
        "\u201ditem\u201d",
        "\u201dquoted\u201d",
    ]


# --- Language switching -----------------------------------------------------------------------


def test_span_lang_switches_marks_inside_a_paragraph():
    source = 'Han sa "ja" och [Il dit "oui" ?]{lang=fr} sedan "nej".'
    assert one(source, "sv") == (
        f"Han sa \u201dja\u201d och Il dit \u00ab{NNBSP}oui{NNBSP}\u00bb{NNBSP}? sedan \u201dnej\u201d."
    )


def test_a_quotation_closes_with_the_marks_it_opened_with():
    assert one('"Er sagte [ja]{lang=en}"', "de") == "\u201eEr sagte ja\u201c"
    assert one('[Er sagte "ja]{lang=de} und fort".', "en") == "Er sagte \u201eja und fort\u201c."


def test_block_lang_applies_to_its_content_and_innermost_wins():
    source = '{lang=fr}\nIl dit "oui" et [he said "yes"]{lang=en-GB}.\n\nBack to "Swedish".\n'
    assert paragraphs(source, "sv") == [
        f"Il dit \u00ab{NNBSP}oui{NNBSP}\u00bb et he said \u2018yes\u2019.",
        "Back to \u201dSwedish\u201d.",
    ]


# --- What the typographer leaves alone --------------------------------------------------------


def test_code_autolinks_html_and_attributes_untouched():
    source = (
        'Run `a--b "c"` and <http://x.com/a--b> then [link "text"](http://y.com/c--d "t--x") '
        'with <span title="a--b">raw</span>.\n\n```\n"fenced" -- code\n```\n\n    "indented" -- code\n'
    )
    assert html(source, "en") == (
        "<p>Run <code>a--b &quot;c&quot;</code> and "
        '<a href="http://x.com/a--b">http://x.com/a--b</a> then '
        '<a href="http://y.com/c--d" title="t--x">link \u201ctext\u201d</a> '
        'with <span title="a--b">raw</span>.</p>\n'
        "<pre><code>&quot;fenced&quot; -- code\n</code></pre>\n"
        "<pre><code>&quot;indented&quot; -- code\n</code></pre>\n"
    )


def test_quote_around_code_span_pairs_around_it():
    assert one('"`x`" and `y`\'s', "en") == "\u201c\u201d and \u2019s"


def test_image_alt_text_is_typeset_and_its_url_is_not():
    tokens = md.parse('See ![The "Blue" one](a--b.png "t--x") here.')
    typeset(tokens, "en")
    (image,) = [child for child in tokens[1].children if child.type == "image"]
    assert image.children[0].content == "The \u201cBlue\u201d one"
    assert image.attrs == {"src": "a--b.png", "alt": "", "title": "t--x"}


def test_front_matter_untouched():
    tokens = md.parse('---\ntitle: "A -- b"\n---\n\n"Text"\n')
    typeset(tokens, "en")
    assert tokens[0].type == "front_matter" and tokens[0].content == 'title: "A -- b"'
    assert tokens[2].children[0].content == "\u201cText\u201d"


def test_markdown_it_replacements_stay_off():
    assert one("(c) (tm) +- ?.... !!!!", "en") == "(c) (tm) +- ?.... !!!!"


def test_typeset_text_for_titles():
    assert (
        typeset_text('The "Blue" Carbuncle - a story', "en") == "The \u201cBlue\u201d Carbuncle\u2014a story"
    )
    assert typeset_text('"Fyra" - en roman', "sv") == f"\u201dFyra\u201d{NBSP}\u2013 en roman"
    assert typeset_text("", "sv") == ""
