"""Every word Octavo writes into a book itself, per language, falling back to English."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "contents": "Contents",
        "landmarks": "Landmarks",
        "cover": "Cover",
        "cover_alt": "Cover of {title}",
        "title_page": "Title page",
        "copyright": "Copyright",
        "start": "Start of content",
        "notes": "Notes",
        "note": "Note {number}",
        "chapter": "Chapter",
        "about_author": "About the author",
        "scene_break": "Scene break",
        "by": "by",
        "isbn": "ISBN",
        "published_by": "Published by {publisher}",
        "typeset_with": "Typeset with Octavo",
        "accessibility_summary": (
            "This publication has a table of contents, structured headings and a logical reading order"
            "{images}. It has no known hazards."),
        "accessibility_images": ", and every image has a text alternative",
    },
    "sv": {
        "contents": "Innehåll",
        "landmarks": "Orienteringspunkter",
        "cover": "Omslag",
        "cover_alt": "Omslaget till {title}",
        "title_page": "Titelsida",
        "copyright": "Upphovsrätt",
        "start": "Början av texten",
        "notes": "Noter",
        "note": "Not {number}",
        "chapter": "Kapitel",
        "about_author": "Om författaren",
        "scene_break": "Scenbyte",
        "by": "av",
        "isbn": "ISBN",
        "published_by": "Utgiven av {publisher}",
        "typeset_with": "Satt med Octavo",
        "accessibility_summary": (
            "Publikationen har innehållsförteckning, strukturerade rubriker och en logisk läsordning"
            "{images}. Den har inga kända risker."),
        "accessibility_images": ", och varje bild har en textbeskrivning",
    },
    "de": {
        "contents": "Inhalt", "landmarks": "Orientierungspunkte", "cover": "Umschlag",
        "cover_alt": "Umschlag von {title}", "title_page": "Titelseite", "copyright": "Impressum",
        "start": "Beginn des Textes", "notes": "Anmerkungen", "note": "Anmerkung {number}",
        "chapter": "Kapitel", "about_author": "Über den Autor", "scene_break": "Szenenwechsel",
        "by": "von", "published_by": "Erschienen bei {publisher}", "typeset_with": "Gesetzt mit Octavo",
    },
    "fr": {
        "contents": "Table des matières", "landmarks": "Repères", "cover": "Couverture",
        "cover_alt": "Couverture de {title}", "title_page": "Page de titre", "copyright": "Mentions légales",
        "start": "Début du texte", "notes": "Notes", "note": "Note {number}", "chapter": "Chapitre",
        "about_author": "À propos de l’auteur", "scene_break": "Changement de scène", "by": "par",
        "published_by": "Publié par {publisher}", "typeset_with": "Composé avec Octavo",
    },
    "fi": {
        "contents": "Sisällys", "landmarks": "Maamerkit", "cover": "Kansi", "cover_alt": "Teoksen {title} kansi",
        "title_page": "Nimiösivu", "copyright": "Tekijänoikeudet", "start": "Tekstin alku", "notes": "Viitteet",
        "note": "Viite {number}", "chapter": "Luku", "about_author": "Kirjoittajasta", "scene_break": "Kohtauksen vaihto",
        "by": "", "published_by": "Kustantaja: {publisher}", "typeset_with": "Taitettu Octavolla",
    },
    "nb": {
        "contents": "Innhold", "landmarks": "Landemerker", "cover": "Omslag", "cover_alt": "Omslaget til {title}",
        "title_page": "Tittelside", "copyright": "Opphavsrett", "start": "Starten av teksten", "notes": "Noter",
        "note": "Note {number}", "chapter": "Kapittel", "about_author": "Om forfatteren", "scene_break": "Sceneskifte",
        "by": "av", "published_by": "Utgitt av {publisher}", "typeset_with": "Satt med Octavo",
    },
    "nn": {
        "contents": "Innhald", "landmarks": "Landemerke", "cover": "Omslag", "cover_alt": "Omslaget til {title}",
        "title_page": "Tittelside", "copyright": "Opphavsrett", "start": "Starten av teksten", "notes": "Notar",
        "note": "Note {number}", "chapter": "Kapittel", "about_author": "Om forfattaren", "scene_break": "Sceneskifte",
        "by": "av", "published_by": "Gjeve ut av {publisher}", "typeset_with": "Sett med Octavo",
    },
    "da": {
        "contents": "Indhold", "landmarks": "Pejlemærker", "cover": "Omslag", "cover_alt": "Omslaget til {title}",
        "title_page": "Titelblad", "copyright": "Ophavsret", "start": "Tekstens begyndelse", "notes": "Noter",
        "note": "Note {number}", "chapter": "Kapitel", "about_author": "Om forfatteren", "scene_break": "Sceneskift",
        "by": "af", "published_by": "Udgivet af {publisher}", "typeset_with": "Sat med Octavo",
    },
    "nl": {
        "contents": "Inhoud", "landmarks": "Oriëntatiepunten", "cover": "Omslag", "cover_alt": "Omslag van {title}",
        "title_page": "Titelpagina", "copyright": "Colofon", "start": "Begin van de tekst", "notes": "Noten",
        "note": "Noot {number}", "chapter": "Hoofdstuk", "about_author": "Over de auteur", "scene_break": "Scènewissel",
        "by": "door", "published_by": "Uitgegeven door {publisher}", "typeset_with": "Gezet met Octavo",
    },
    "es": {
        "contents": "Índice", "landmarks": "Puntos de referencia", "cover": "Cubierta",
        "cover_alt": "Cubierta de {title}", "title_page": "Portada", "copyright": "Créditos",
        "start": "Comienzo del texto", "notes": "Notas", "note": "Nota {number}", "chapter": "Capítulo",
        "about_author": "Sobre el autor", "scene_break": "Cambio de escena", "by": "de",
        "published_by": "Publicado por {publisher}", "typeset_with": "Compuesto con Octavo",
    },
    "it": {
        "contents": "Indice", "landmarks": "Punti di riferimento", "cover": "Copertina",
        "cover_alt": "Copertina di {title}", "title_page": "Frontespizio", "copyright": "Copyright",
        "start": "Inizio del testo", "notes": "Note", "note": "Nota {number}", "chapter": "Capitolo",
        "about_author": "L’autore", "scene_break": "Cambio di scena", "by": "di",
        "published_by": "Pubblicato da {publisher}", "typeset_with": "Composto con Octavo",
    },
    "pl": {
        "contents": "Spis treści", "landmarks": "Punkty orientacyjne", "cover": "Okładka",
        "cover_alt": "Okładka książki {title}", "title_page": "Strona tytułowa", "copyright": "Prawa autorskie",
        "start": "Początek tekstu", "notes": "Przypisy", "note": "Przypis {number}", "chapter": "Rozdział",
        "about_author": "O autorze", "scene_break": "Zmiana sceny", "by": "",
        "published_by": "Wydawca: {publisher}", "typeset_with": "Złożono w Octavo",
    },
    "cs": {
        "contents": "Obsah", "landmarks": "Orientační body", "cover": "Obálka", "cover_alt": "Obálka knihy {title}",
        "title_page": "Titulní strana", "copyright": "Autorská práva", "start": "Začátek textu",
        "notes": "Poznámky", "note": "Poznámka {number}", "chapter": "Kapitola", "about_author": "O autorovi",
        "scene_break": "Změna scény", "by": "", "published_by": "Vydal {publisher}",
        "typeset_with": "Vysázeno v Octavu",
    },
    "ru": {
        "contents": "Содержание", "landmarks": "Ориентиры", "cover": "Обложка", "cover_alt": "Обложка книги «{title}»",
        "title_page": "Титульный лист", "copyright": "Авторские права", "start": "Начало текста",
        "notes": "Примечания", "note": "Примечание {number}", "chapter": "Глава", "about_author": "Об авторе",
        "scene_break": "Смена сцены", "by": "", "published_by": "Издатель: {publisher}",
        "typeset_with": "Свёрстано в Octavo",
    },
}


def messages_for(lang: str) -> dict[str, str]:
    """The message table for a BCP 47 tag: ``sv-FI`` uses ``sv``; missing words come from English."""
    primary = lang.lower().split("-")[0]
    return {**MESSAGES["en"], **MESSAGES.get(primary, {})}
