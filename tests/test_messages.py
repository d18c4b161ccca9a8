"""Every word Octavo writes itself exists in every language the typographer knows."""

from octavo.messages import MESSAGES, messages_for
from octavo.typography import LANGUAGES


def test_every_typeset_language_has_its_own_words():
    english = set(MESSAGES["en"]) - {"isbn"}  # "ISBN" is the same everywhere
    for tag in LANGUAGES:
        primary = tag.split("-")[0]
        assert primary in MESSAGES, tag
        assert english <= set(MESSAGES[primary]), (tag, sorted(english - set(MESSAGES[primary])))


def test_regional_tags_fall_back_to_their_language_then_english():
    assert messages_for("sv-FI")["contents"] == "Innehåll"
    assert messages_for("de-CH")["contents"] == "Inhalt"
    assert messages_for("xx")["contents"] == "Contents"
    assert messages_for("fr")["accessibility_summary"].startswith("Cette publication")
