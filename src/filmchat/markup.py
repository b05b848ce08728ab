"""Markup out, prose in: Markdown bodies, inline HTML, entities and template tags → plain text.

Articles arrive as blog sources (Markdown with inline HTML, Liquid or Hugo tags, reference
links) and saved pages. markdown-it-py parses the Markdown and lxml the HTML inside it, so
what reaches the cleaner is the prose a reader sees: link text without its URL, no images or
iframes, entities decoded, headings as `#` lines and list items as `- ` lines. Emphasised
spans are returned too: a review italicises the titles it names, which is evidence of the film.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import html as lxml_html
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Liquid / Jekyll ({% ... %}, {{ ... }}) and Hugo shortcodes ({{< ... >}}, {{% ... %}}).
# They are instructions to a site generator, never prose, wherever they stand.
_TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{\{.*?\}\}", re.DOTALL)
# A Liquid tag's name and its named arguments: {% letterboxd "…", film: "The Shining" %}
_TAG_NAME = re.compile(r"\{%-?\s*(?P<name>[A-Za-z_][\w-]*)(?P<args>.*?)-?%\}", re.DOTALL)
_TAG_ARGUMENT = re.compile(
    r"(?P<quoted>\"[^\"]*\"|'[^']*')"  # a positional argument in quotes: skipped whole
    r"|(?P<key>[A-Za-z_][\w-]*)\s*[:=]\s*"
    r"(?:\"(?P<q>[^\"]*)\"|'(?P<s>[^']*)'|(?P<v>[^\s,\"']+))"
)
# What a template tag in a link destination becomes, so the link still parses as a link
_PLACEHOLDER_URL = "#"
_DROPPED_ELEMENTS = ("script", "style", "iframe", "object", "embed", "video", "audio", "noscript")
_EMPHASIS_ELEMENTS = ("i", "em", "cite", "b", "strong")
_EMPHASIS_OPEN = re.compile(r"<(?:i|em|cite|b|strong)\b[^>]*>", re.IGNORECASE)
_EMPHASIS_CLOSE = re.compile(r"</(?:i|em|cite|b|strong)\s*>", re.IGNORECASE)
_BLOCK_ELEMENTS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 blockquote section article figure figcaption table ul ol"
    " header footer aside dl dt dd pre hr".split()
)


@dataclass
class Rendered:
    """Plain text of a body, one paragraph per blank-line-separated block, the spans the
    author emphasised (italics, bold), and any metadata written in the markup (reST fields)."""

    text: str
    emphasis: list[str] = field(default_factory=list)
    fields: dict[str, object] = field(default_factory=dict)  # metadata the markup itself holds


def decode_entities(text: str) -> str:
    """`Gr&#248;vlen` → `Grøvlen`, `&apos;` → `'`; decoded twice for pages that escaped twice."""
    return html.unescape(html.unescape(text)) if "&" in text else text


def strip_template_tags(text: str) -> str:
    """Site-generator tags out; inside a link destination they leave a placeholder URL."""

    def replace(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 3) : match.start()]
        return _PLACEHOLDER_URL if before.endswith(("](", "]: ", "]:")) else ""

    return _TEMPLATE_TAG.sub(replace, text)


def template_tag_fields(source: str) -> dict[str, object]:
    """The named arguments of the body's Liquid tags, under each tag's name: a Letterboxd or
    movie-card tag often says which film the post is about (`film: "…"`, `year: "1980"`)."""
    fields: dict[str, object] = {}
    for tag in _TAG_NAME.finditer(source):
        arguments = {
            match["key"]: next(v for v in (match["q"], match["s"], match["v"]) if v is not None)
            for match in _TAG_ARGUMENT.finditer(tag["args"])
            if match["key"]
        }
        if arguments:
            fields.setdefault(tag["name"], arguments)
    return fields


def html_emphasis(fragment: str) -> list[str]:
    """The spans an HTML fragment emphasises (`<i>`, `<em>`, `<cite>`, `<b>`, `<strong>`):
    a review italicises the titles it names, in HTML as in Markdown."""
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, TypeError):
        return []
    spans = (" ".join(e.text_content().split()) for e in root.iter(*_EMPHASIS_ELEMENTS))
    return [span for span in spans if span]


def html_text(fragment: str) -> str:
    """The readable text of an HTML fragment: block elements on their own lines, embeds gone."""
    if not fragment.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, TypeError):  # lxml refuses some fragments (comments only, a bare PI)
        return ""
    for element in root.iter(*_DROPPED_ELEMENTS):
        element.drop_tree()
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = " ".join("".join(current).split())
        if line:
            lines.append(line)
        current.clear()

    def walk(element: lxml_html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "tr":  # a row of a score table: 'Story: 9/10'
            flush()
            cells = [" ".join(cell.text_content().split()) for cell in element.iter("td", "th")]
            cells = [cell for cell in cells if cell]
            lines.append(": ".join(cells) if len(cells) == 2 else " · ".join(cells))
            return
        if tag in _BLOCK_ELEMENTS:
            flush()
        if element.text and tag:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if tag in _BLOCK_ELEMENTS:
            flush()

    walk(root)
    flush()
    return "\n".join(lines)


_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")


def render_markdown(source: str) -> Rendered:
    """Markdown (with inline HTML and template tags) rendered to text the cleaner reads."""
    tokens = _PARSER.parse(strip_template_tags(source))
    blocks: list[str] = []
    emphasis: list[str] = []
    prefix: list[str] = []  # list markers waiting for their item's first line
    ordered: list[int | None] = []  # open lists: next number, or None for bullets
    cells: list[str] = []
    for index, token in enumerate(tokens):
        opener = tokens[index - 1].type if index else ""
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            ordered.append(int(start) if start else 1 if token.type.startswith("ordered") else None)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            ordered.pop()
        elif token.type == "list_item_open":
            number = ordered[-1] if ordered else None
            prefix.append(f"{number}. " if number is not None else "- ")
            if number is not None:
                ordered[-1] = number + 1
        elif token.type == "list_item_close":
            prefix.clear()
        elif token.type == "tr_open":
            cells = []
        elif token.type == "tr_close":
            row = [cell for cell in cells if cell]
            if row:
                blocks.append(": ".join(row) if len(row) == 2 else " · ".join(row))
        elif token.type == "inline":
            text, spans = _inline_text(token.children or [])
            emphasis.extend(spans)
            if opener in ("td_open", "th_open"):
                cells.append(" ".join(text.split()))
                continue
            if not text.strip():
                continue
            if opener == "heading_open":
                level = int(tokens[index - 1].tag[1:])
                blocks.append(f"{'#' * level} {' '.join(text.split())}")
            else:
                lead = "".join(prefix[-1:])
                prefix.clear()
                blocks.append(lead + text.strip())
        elif token.type in ("html_block", "code_block", "fence"):
            # HTML indented under a template tag parses as code; a review has no code
            markup = token.type == "html_block" or token.content.lstrip().startswith("<")
            text = html_text(token.content) if markup else token.content
            if markup:
                emphasis.extend(html_emphasis(token.content))
            text = decode_entities(text).strip()
            if text:
                lead = "".join(prefix[-1:])
                prefix.clear()
                blocks.append(lead + text)
    return Rendered(
        "\n\n".join(blocks) + "\n",
        [s for s in emphasis if s.strip()],
        template_tag_fields(source),
    )


def _inline_text(children: list[Token]) -> tuple[str, list[str]]:
    """Text of an inline run (links keep their text, images and tags go) and its emphasis."""
    parts: list[str] = []
    emphasis: list[str] = []
    open_emphasis: list[int] = []  # where each open em/strong began in `parts`
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind in ("em_open", "strong_open") or (
            kind == "html_inline" and _EMPHASIS_OPEN.match(child.content)
        ):
            open_emphasis.append(len(parts))
        elif (
            kind in ("em_close", "strong_close")
            or (kind == "html_inline" and _EMPHASIS_CLOSE.match(child.content))
        ) and open_emphasis:
            start = open_emphasis.pop()
            emphasis.append(" ".join("".join(parts[start:]).split()))
        elif kind == "html_inline" and re.match(r"<br\b", child.content, re.IGNORECASE):
            parts.append("\n")
        # images, link markers and the rest carry no prose
    text = "".join(parts)
    return "\n".join(" ".join(line.split()) for line in text.split("\n")), emphasis


def render_restructuredtext(source: str) -> Rendered:
    """reStructuredText (Pelican and other blogs) rendered to the same prose and headings,
    parsed by docutils; problems in the markup are tolerated, never reported."""
    from docutils import nodes
    from docutils.core import publish_doctree

    overrides = {
        "report_level": 5,
        "halt_level": 5,
        "file_insertion_enabled": False,
        "raw_enabled": True,
        "input_encoding": "unicode",
    }
    tree = publish_doctree(strip_template_tags(source), settings_overrides=overrides)
    blocks: list[str] = []
    emphasis = [node.astext() for node in tree.findall(nodes.emphasis)]
    emphasis += [node.astext() for node in tree.findall(nodes.strong)]

    def text_of(node: nodes.Node) -> str:
        kept = [
            part.astext()
            for part in node.findall(nodes.Text)
            if not any(isinstance(p, nodes.image | nodes.system_message) for p in _parents(part))
        ]
        return " ".join("".join(kept).split())

    for node in tree.findall(nodes.Element):
        if isinstance(node, nodes.title):
            depth = sum(isinstance(p, nodes.section) for p in _parents(node))
            blocks.append(f"{'#' * max(depth, 1)} {text_of(node)}")
        elif isinstance(node, nodes.paragraph) and not _inside(node, nodes.docinfo):
            first_of_item = isinstance(node.parent, nodes.list_item) and not node.parent.index(node)
            blocks.append(("- " if first_of_item else "") + text_of(node))
        elif isinstance(node, nodes.literal_block):
            blocks.append(node.astext())
        elif isinstance(node, nodes.raw) and "html" in node.get("format", ""):
            blocks.append(html_text(node.astext()))
    fields: dict[str, object] = {}
    title = next(iter(tree.findall(nodes.title)), None)
    if title is not None and isinstance(title.parent, nodes.document):
        fields["title"] = title.astext()  # Pelican's headline above its :date: fields
    for entry in tree.findall(nodes.field):
        name, body = entry.children[0].astext(), entry.children[1].astext()
        fields.setdefault(name.strip().lower(), " ".join(body.split()))
    for info in tree.findall(nodes.docinfo):
        for item in info.children:
            if not isinstance(item, nodes.field):
                fields.setdefault(item.tagname.lower(), item.astext())
    text = "\n\n".join(b for b in blocks if b.strip()) + "\n"
    return Rendered(text, emphasis, fields)


def _inside(node: object, kind: type) -> bool:
    return any(isinstance(parent, kind) for parent in _parents(node))


def _parents(node: object) -> list[object]:
    found = []
    parent = getattr(node, "parent", None)
    while parent is not None:
        found.append(parent)
        parent = getattr(parent, "parent", None)
    return found
