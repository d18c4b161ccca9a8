"""Markdown → one chapter of the model: front matter, checks, typography, XHTML fragment.

markdown-it-py parses CommonMark with footnotes, tables, definition lists, attributes and
spans. Raw HTML is refused (with its file and line): the author writes Markdown, and nothing
the author types can inject markup or script into the book. Every element id is prefixed
with the chapter's ``doc_id`` so ids are unique across the book without knowing the other
chapters, which keeps a chapter's rendering a function of its own source.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from . import typography
from .config import check_known_keys, is_language_tag
from .errors import OctavoError
from .model import KINDS, Chapter, Heading, Image, InternalLink, Note
from .resources import IMAGE_SUFFIXES, RefusedReference, has_scheme, resolve_local
from .slug import slugify

FRONT_MATTER_KEYS = {"title", "lang", "type"}
USER_ATTRIBUTES = ("id", "class", "lang", "dir")
# Block elements whose content starts on a line of its own in the XHTML.
CONTAINER_TAGS = {"blockquote", "ul", "ol", "dl", "table", "thead", "tbody", "tr"}
_TRAILING_ATTRS_RE = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ATTR_PART_RE = re.compile(r"""#([\w-]+)|\.([\w-]+)|([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
_FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:")
_UNDEFINED_NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
_NOTEREF_NUMBER_RE = re.compile(r'(role="doc-noteref">)(\d+)(</a>)')
# C0 control characters other than tab and newline are not allowed in XML.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Print HTML carries each block's manuscript line, so a defect found after layout can name it;
# the EPUB drops the attribute (octavo.project.numbered_html).
SOURCE_LINE_ATTRIBUTE = "data-line"
SOURCE_LINE_BLOCKS = {"paragraph_open", "heading_open", "list_item_open", "blockquote_open", "dt_open", "dd_open",
                      "table_open"}


@dataclass(frozen=True)
class ChapterSource:
    """Where a chapter comes from and what the rest of the book tells its parser."""

    path: Path  # absolute
    root: Path  # the project root
    doc_id: str
    book_lang: str
    doc_ids: dict[Path, str]  # absolute path of every chapter file → its doc_id
    narrow_spaces: bool  # False: the typographer sets U+00A0 where it would set a narrow space

    @property
    def relative(self) -> Path:
        return self.path.relative_to(self.root)


def _record_footnote_definitions(state, start_line, end_line, silent):
    """A block rule that only watches: remembers where each footnote is defined."""
    if not silent and state.sCount[start_line] - state.blkIndent < 4:
        start = state.bMarks[start_line] + state.tShift[start_line]
        if match := _FOOTNOTE_DEF_RE.match(state.src[start:state.eMarks[start_line]]):
            state.env.setdefault("octavo_definitions", []).append((match[1], start_line + 1))
    return False


def _heading_attributes(state):
    """Pandoc-style ``# Title {#id .class}``: markdown-it leaves the braces as text."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        if not inline.children or inline.children[-1].type != "text":
            continue
        last = inline.children[-1]
        match = _TRAILING_ATTRS_RE.search(last.content)
        if not match or not _ATTR_PART_RE.search(match[1]):
            continue
        for part in _ATTR_PART_RE.finditer(match[1]):
            if part[1]:
                token.attrSet("id", part[1])
            elif part[2]:
                token.attrJoin("class", part[2])
            elif part[3] in USER_ATTRIBUTES:
                token.attrSet(part[3], part[4] or part[5] or part[6])
        last.content = last.content[: match.start()]
        inline.content = _TRAILING_ATTRS_RE.sub("", inline.content)


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True, "typographer": False})
    md.enable("table")
    md.use(front_matter_plugin)
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(attrs_plugin, spans=True, allowed=USER_ATTRIBUTES)
    md.use(attrs_block_plugin, allowed=USER_ATTRIBUTES)
    md.block.ruler.before("footnote_def", "octavo_footnote_lines", _record_footnote_definitions,
                          {"alt": ["paragraph"]})
    md.core.ruler.after("inline", "octavo_heading_attributes", _heading_attributes)
    return md


_PARSER = make_parser()


def parse_front_matter(text: str, relative: Path) -> dict:
    if not text.strip():
        return {}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise OctavoError(f"front matter is not valid YAML: {getattr(error, 'problem', error)}", relative, line)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OctavoError("front matter must be key: value lines", relative, 2)

    def report(message, key):
        line = next((n for n, line in enumerate(text.splitlines(), start=2) if line.startswith(f"{key}:")), 2)
        return OctavoError(message, relative, line)

    check_known_keys(data, FRONT_MATTER_KEYS, "front matter", report)
    kind = data.get("type", "chapter")
    if kind not in KINDS:
        nearest = difflib.get_close_matches(str(kind), list(KINDS), n=1)
        hint = f" (did you mean '{nearest[0]}'?)" if nearest else ""
        raise report(f"unknown type '{kind}'{hint}; known: {', '.join(KINDS)}", "type")
    lang = data.get("lang")
    if lang is not None and not (isinstance(lang, str) and is_language_tag(lang)):
        raise report(f"'{lang}' is not a BCP 47 language tag (such as 'sv' or 'en-GB')", "lang")
    title = data.get("title")
    if title is not None and not isinstance(title, str | int | float):
        raise report("'title' must be text", "title")
    return data


def _line_of(block: Token | None, children: list[Token], index: int) -> int:
    """The 1-based source line of an inline child: its block's first line plus line breaks."""
    start = block.map[0] + 1 if block is not None and block.map else 1
    return start + sum(1 for child in children[:index] if child.type in ("softbreak", "hardbreak"))


def _plain_text(children: list[Token]) -> str:
    return "".join(child.content for child in children if child.type in ("text", "code_inline"))


class _ChapterRenderer:
    """Walks the tokens once: checks references, assigns ids, renders XHTML."""

    def __init__(self, source: ChapterSource, tokens: list[Token], env: dict):
        self.source = source
        self.tokens = tokens
        self.env = env
        self.prefix = source.doc_id
        self.ids: set[str] = {source.doc_id}
        self.headings: list[Heading] = []
        self.links: list[InternalLink] = []
        self.images: list[Image] = []

    def error(self, message: str, line: int | None) -> OctavoError:
        return OctavoError(message, self.source.relative, line)

    def element_id(self, local: str, line: int | None) -> str:
        element_id = f"{self.prefix}-{local}"
        if element_id in self.ids:
            raise self.error(f"id '{local}' is used twice in this chapter", line)
        self.ids.add(element_id)
        return element_id

    def check(self) -> None:
        """Raw HTML and undefined footnotes, before anything is rewritten."""
        block = None
        for token in self.tokens:
            if token.map:
                block = token
            if token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
                raise self.error("raw HTML is not allowed in the manuscript; use Markdown "
                                 "(attributes go in {…}, see the README)", token.map[0] + 1)
            for index, child in enumerate(token.children or []):
                if child.type == "html_inline" and not child.content.startswith("<!--"):
                    raise self.error(f"raw HTML '{child.content}' is not allowed in the manuscript; use Markdown",
                                     _line_of(block, token.children, index))
                if child.type == "text" and (match := _UNDEFINED_NOTE_RE.search(child.content)):
                    raise self.error(f"footnote [^{match[1]}] is referenced but never defined",
                                     _line_of(block, token.children, index))
        seen: dict[str, int] = {}
        for label, line in self.env.get("octavo_definitions", []):
            if label in seen:
                raise self.error(f"footnote [^{label}] is defined twice (first on line {seen[label]})", line)
            seen[label] = line

    def unused_notes(self) -> list[str]:
        refs = self.env.get("footnotes", {}).get("refs", {})
        return [label[1:] for label, note_id in refs.items() if note_id == -1]

    def prepare(self) -> None:
        """Ids, link targets and image paths, set on the tokens before rendering."""
        block = None
        heading_texts: dict[str, int] = {}
        in_notes = False
        for index, token in enumerate(self.tokens):
            if token.map:
                block = token
            line = token.map[0] + 1 if token.map else None
            in_notes = token.type == "footnote_block_open" or (in_notes and token.type != "footnote_block_close")
            if line is not None and token.type in SOURCE_LINE_BLOCKS and not token.hidden and not in_notes:
                token.attrSet(SOURCE_LINE_ATTRIBUTE, str(line))
            if token.type == "heading_open":
                inline = self.tokens[index + 1]
                explicit = token.attrGet("id")
                text = _plain_text(inline.children or [])
                if explicit:
                    local = str(explicit)
                else:
                    base = slugify(text)
                    count = heading_texts.get(base, 0)
                    heading_texts[base] = count + 1
                    local = base if count == 0 else f"{base}-{count + 1}"
                element_id = self.element_id(local, line)
                token.attrSet("id", element_id)
                self.headings.append(Heading(int(token.tag[1]), element_id, text, ""))
            elif token.attrGet("id") is not None and token.type.endswith("_open"):
                token.attrSet("id", self.element_id(str(token.attrGet("id")), line))
            for child_index, child in enumerate(token.children or []):
                child_line = _line_of(block, token.children, child_index)
                if child.type == "image":
                    self.prepare_image(child, child_line)
                elif child.type == "link_open":
                    self.prepare_link(child, child_line)
                elif child.type == "span_open" and child.attrGet("id") is not None:
                    child.attrSet("id", self.element_id(str(child.attrGet("id")), child_line))

    def prepare_image(self, token: Token, line: int) -> None:
        src = str(token.attrGet("src") or "")
        try:
            path = resolve_local(src, self.source.path.parent, self.source.root)
        except RefusedReference as refused:
            raise self.error(f"image {refused}", line)
        if not path.is_file():
            raise self.error(f"image '{src}' not found", line)
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise self.error(f"image '{src}' is not a PNG, JPEG, GIF, WebP or SVG file", line)
        relative = path.relative_to(self.source.root).as_posix()
        alt = _plain_text(token.children or [])
        token.attrSet("src", relative)
        self.images.append(Image(relative, alt, line))

    def prepare_link(self, token: Token, line: int) -> None:
        href = str(token.attrGet("href") or "")
        if has_scheme(href) or href.startswith("//"):
            return  # external: stays a link, never fetched
        target, _, fragment = href.partition("#")
        if not target:
            doc_id = self.prefix
        else:
            try:
                path = resolve_local(target, self.source.path.parent, self.source.root)
            except RefusedReference as refused:
                raise self.error(f"link {refused}", line)
            doc_id = self.source.doc_ids.get(path)
            if doc_id is None:
                raise self.error(f"link to '{target}', which is not a chapter of the book", line)
        element_id = f"{doc_id}-{fragment}" if fragment else doc_id
        token.attrSet("href", f"#{element_id}")
        self.links.append(InternalLink(element_id, line))


def _render_rules(md: MarkdownIt) -> MarkdownIt:
    """The renderer of the shared parser, with Octavo's markup for notes and breaks."""
    renderer = md.renderer

    def render_attrs(token: Token) -> str:
        attrs = dict(token.attrs)
        if "lang" in attrs:
            attrs["xml:lang"] = attrs["lang"]
        return "".join(f' {name}="{html.escape(str(value))}"' for name, value in attrs.items())

    def open_tag(tokens, idx, options, env):
        token = tokens[idx]
        if token.hidden:  # the paragraphs of a tight list
            return ""
        if token.nesting == -1:
            return f"</{token.tag}>" + ("\n" if token.block else "")
        return f"<{token.tag}{render_attrs(token)}>" + ("\n" if token.tag in CONTAINER_TAGS else "")

    for name in ("paragraph_open", "paragraph_close", "heading_open", "heading_close", "span_open",
                 "span_close", "blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open",
                 "dl_open", "dt_open", "dd_open", "table_open", "thead_open", "tbody_open", "tr_open",
                 "th_open", "td_open", "link_open"):
        renderer.rules[name] = open_tag

    def image(tokens, idx, options, env):
        token = tokens[idx]
        alt = html.escape(_plain_text(token.children or []))
        attrs = {k: v for k, v in token.attrs.items() if k not in ("alt",)}
        rendered = "".join(f' {k}="{html.escape(str(v))}"' for k, v in attrs.items())
        return f'<img{rendered} alt="{alt}"/>'

    def thematic_break(tokens, idx, options, env):
        # A scene break is never a bare blank: it may fall at a page turn.
        return ('<div class="scene-break" role="separator">'
                '<span aria-hidden="true">*\u2003*\u2003*</span></div>\n')

    def footnote_ref(tokens, idx, options, env):
        meta = tokens[idx].meta
        number = meta["id"] + 1
        ref_id = f"{env['doc_id']}-fnref-{number}" + (f"-{meta['subId'] + 1}" if meta["subId"] else "")
        return (f'<a href="#{env["doc_id"]}-fn-{number}" id="{ref_id}" class="noteref" '
                f'epub:type="noteref" role="doc-noteref">{number}</a>')

    def code_block(tokens, idx, options, env):
        return f"<pre><code>{html.escape(tokens[idx].content)}</code></pre>\n"

    def fence(tokens, idx, options, env):
        token = tokens[idx]
        language = token.info.strip().split(" ")[0]
        cls = f' class="language-{html.escape(language)}"' if language else ""
        return f"<pre><code{cls}>{html.escape(token.content)}</code></pre>\n"

    def html_comment(tokens, idx, options, env):
        return ""  # only comments get this far: check() refused any other raw HTML

    renderer.rules["image"] = image
    renderer.rules["hr"] = thematic_break
    renderer.rules["footnote_ref"] = footnote_ref
    renderer.rules["code_block"] = code_block
    renderer.rules["fence"] = fence
    renderer.rules["html_block"] = html_comment
    renderer.rules["html_inline"] = html_comment
    return md


_render_rules(_PARSER)


def _split_notes(tokens: list[Token]) -> tuple[list[Token], dict[int, list[Token]]]:
    """The body tokens, and each footnote's content tokens by note index."""
    body: list[Token] = []
    notes: dict[int, list[Token]] = {}
    current: list[Token] | None = None
    for token in tokens:
        if token.type in ("footnote_block_open", "footnote_block_close", "footnote_anchor"):
            continue
        if token.type == "footnote_open":
            current = notes.setdefault(token.meta["id"], [])
        elif token.type == "footnote_close":
            current = None
        elif current is not None:
            current.append(token)
        else:
            body.append(token)
    return body, notes


def _render(tokens: list[Token], env: dict) -> str:
    return _PARSER.renderer.render(tokens, _PARSER.options, env)


def parse_chapter(text: str, source: ChapterSource, warn=lambda message: None) -> Chapter:
    """One manuscript file as a chapter of the model, or an OctavoError with file and line."""
    relative = source.relative
    text = _CONTROL_RE.sub("", text.lstrip("\ufeff"))
    env: dict = {"doc_id": source.doc_id}
    tokens = _PARSER.parse(text, env)
    front = {}
    if tokens and tokens[0].type == "front_matter":
        front = parse_front_matter(tokens.pop(0).content, relative)
    kind = KINDS[front.get("type", "chapter")]
    lang = front.get("lang") or source.book_lang

    chapter = _ChapterRenderer(source, tokens, env)
    chapter.check()
    for label in chapter.unused_notes():
        warn(f"{relative.as_posix()}: footnote [^{label}] is defined but never referenced")
    chapter.prepare()
    typography.typeset(tokens, lang, narrow_spaces=source.narrow_spaces)

    body, note_tokens = _split_notes(tokens)
    headings = []
    for heading in chapter.headings:
        index = next(i for i, t in enumerate(body) if t.type == "heading_open" and t.attrGet("id") == heading.id)
        inline = body[index + 1]
        headings.append(Heading(heading.level, heading.id, _plain_text(inline.children or []),
                                _PARSER.renderer.renderInline(inline.children or [], _PARSER.options, env)))

    notes = []
    for index in sorted(note_tokens):
        number = index + 1
        note_id = f"{source.doc_id}-fn-{number}"
        count = env["footnotes"]["list"][index].get("count", 1)
        ref_ids = tuple(f"{source.doc_id}-fnref-{number}" + (f"-{n + 1}" if n else "") for n in range(count))
        notes.append(Note(number, note_id, ref_ids, _render(note_tokens[index], env)))
        chapter.ids.add(note_id)
        chapter.ids.update(ref_ids)

    title = front.get("title")
    title_html = None
    if title is not None:
        title = typography.typeset_text(str(title), lang, narrow_spaces=source.narrow_spaces)
        title_html = html.escape(title)
    elif headings:
        title, title_html = headings[0].text, headings[0].html
    return Chapter(
        source=relative,
        doc_id=source.doc_id,
        kind=kind,
        lang=lang,
        title=title,
        title_html=title_html,
        html=_render(body, env),
        headings=headings,
        notes=notes,
        links=chapter.links,
        images=chapter.images,
        ids=chapter.ids,
    )


def renumber_notes(fragment: str, offset: int) -> str:
    """The fragment with its note calls numbered from ``offset + 1``, as the book counts them."""
    if offset == 0:
        return fragment
    return _NOTEREF_NUMBER_RE.sub(lambda m: f"{m[1]}{int(m[2]) + offset}{m[3]}", fragment)
