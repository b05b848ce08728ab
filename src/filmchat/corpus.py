"""The corpus folder: reading articles (text, Markdown, saved HTML) and adding new ones."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from email.parser import HeaderParser
from email.policy import compat32
from pathlib import Path

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from filmchat.errors import ArticleError
from filmchat.facts import is_credit_label
from filmchat.markup import (
    Rendered,
    decode_entities,
    render_markdown,
    render_restructuredtext,
    strip_template_tags,
)
from filmchat.metadata import Evidence, Inference, infer, key_words, text_value
from filmchat.models import Article, ArticleMeta
from filmchat.pages import PageMeta, read_page

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MARKUP_BY_SUFFIX = {".txt": "text", ".rst": "restructuredtext"}
# An HTML document by its first bytes, as browsers sniff one (WHATWG MIME sniffing): after a
# byte-order mark, blanks, an XML declaration or comments, `<!DOCTYPE html`, `<html`, `<head>`…
_HTML_DOCUMENT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_SNIFF_BYTES = 65536
# Front-matter fields in which a site sums up its review ('summary:', 'quick_look:'): part of
# the article's text, as the site shows them above the review
SUMMARY_KEYS = frozenset({"summary", "quick look", "synopsis", "verdict", "tldr", "subtitle"})


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_html_document(data: bytes) -> bool:
    """Whether these bytes are an HTML document (a saved page), whatever the file is called."""
    return bool(_HTML_DOCUMENT.match(data[:_SNIFF_BYTES]))


def is_article_file(path: Path) -> bool:
    """A file filmchat reads: by its suffix, or a saved page by its bytes ('review.php')."""
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return is_html_document(handle.read(_SNIFF_BYTES))
    except OSError:
        return False


def article_files(folder: Path) -> list[Path]:
    """The article files in a folder and below, sorted so builds are reproducible; hidden ones
    ignored."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        and is_article_file(path)
    )


def unsupported(path: Path) -> ArticleError:
    """The one line for a file that is neither a text article nor a saved page."""
    return ArticleError(
        f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
        f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}, or a saved web page."
    )


def discover(corpus_dir: Path) -> list[Path]:
    """Article files in the corpus."""
    if not corpus_dir.is_dir():
        raise ArticleError(f"Corpus folder {corpus_dir} does not exist: create it or set --corpus.")
    return article_files(corpus_dir)


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        raise ArticleError(
            f"{path.name}: binary file, not a text article "
            "(save it as Markdown, HTML or plain text)."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path.name}: not valid UTF-8 text (byte {exc.start}); re-save it as UTF-8."
        ) from exc


def _decode_page(data: bytes, path: Path) -> str:
    """A saved page in the encoding it was served in: older newspaper pages are often
    Windows-1252 or Latin-1, which trafilatura detects from the bytes and the page's charset."""
    from trafilatura.utils import decode_file

    try:
        return _decode(data, path)
    except ArticleError:
        if b"\x00" in data[:8192]:
            raise
        return decode_file(data)


def humanize_stem(path: Path) -> str:
    return re.sub(r"[_\-]+", " ", path.stem).strip().capitalize() or path.name


def parse_html(html: str, path: Path) -> tuple[PageMeta, str]:
    """Main text (as Markdown, so headings survive) and metadata of a saved page."""
    import trafilatura

    body = trafilatura.extract(
        html,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
    )
    if not body or not body.strip():
        raise ArticleError(f"{path.name}: no article text found in the page; is it a review?")
    return read_page(html), body


class _TomlHandler(BaseHandler):
    """`+++` TOML front matter (Hugo), read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> dict[str, object]:
        return tomllib.loads(fm)

    def export(self, metadata: dict[str, object], **kwargs: object) -> str:
        raise NotImplementedError("filmchat writes YAML front matter only")


_FRONT_MATTER_HANDLERS = (YAMLHandler(), _TomlHandler())
# Pelican / MultiMarkdown headers: 'Title: …' lines up to the first blank line
_HEADER_LINE = re.compile(r"^[A-Za-z][\w -]{0,30}:(?:\s|$)")
_HEADER_KEYS = frozenset({"title", "date", "slug", "author", "authors", "tags", "category"})


def _key_value_headers(text: str) -> tuple[dict[str, object], str] | None:
    """Pelican-style `Key: value` headers, parsed as the RFC 822 headers they are modelled on
    (continuation lines included); None unless the block has the keys such headers carry."""
    head, blank, rest = text.partition("\n\n")
    lines = head.splitlines()
    if not blank or len(lines) < 2:
        return None
    if not all(_HEADER_LINE.match(line) or line[:1] in " \t" for line in lines):
        return None
    message = HeaderParser(policy=compat32).parsestr(head + "\n\n")
    fields: dict[str, object] = {}
    for key, value in message.items():
        fields.setdefault(key.strip().lower(), " ".join(str(value).split()))
    if not _HEADER_KEYS & set(fields):
        return None
    return fields, rest


def split_front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    """Front matter (YAML `---`, TOML `+++` or `Key: value` headers) and the body after it."""
    handler = next((h for h in _FRONT_MATTER_HANDLERS if h.detect(text)), None)
    if handler is not None:
        try:
            post = frontmatter.loads(text, handler=handler)
        except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:
            raise ArticleError(
                f"{path.name}: broken front matter ({exc.__class__.__name__}); fix or remove it."
            ) from exc
        return dict(post.metadata), post.content
    return _key_value_headers(text) or ({}, text)


@dataclass
class Source:
    """One article file as read: its fields, its body as saved, and what the body renders to."""

    fields: dict[str, object]
    body: str
    data: bytes
    page: PageMeta | None = None
    markup: str = "markdown"  # or "text", "restructuredtext"

    def rendered(self) -> Rendered:
        """Prose for the cleaner: markup rendered; plain text with entities and tags out."""
        if self.markup == "markdown":
            return render_markdown(self.body)
        if self.markup == "restructuredtext":
            return render_restructuredtext(self.body)
        return Rendered(strip_template_tags(decode_entities(self.body)))

    def summaries(self) -> list[str]:
        """The site's own summaries of the review (`summary:`, `quick_look:`), in order."""
        found = []
        for key, value in self.fields.items():
            if " ".join(key_words(str(key))) in SUMMARY_KEYS:
                text = text_value(value)
                if text:
                    found.append(render_markdown(text).text.strip())
        return [text for text in found if text]

    def article_text(self, rendered: Rendered | None = None) -> str:
        """The text the index reads: the site's summaries (those the body does not already
        carry) above the rendered body."""
        text = (rendered or self.rendered()).text
        flat = " ".join(text.split())
        extra = [s for s in self.summaries() if " ".join(s.split()) not in flat]
        return "\n\n".join([*extra, text]) if extra else text

    def evidence(self, rendered: Rendered | None = None) -> Evidence:
        rendered = rendered or self.rendered()
        fields = {**rendered.fields, **self.fields}  # front matter wins over reST fields
        return Evidence(fields, rendered.text, rendered.emphasis, self.page)


def read_source(path: Path) -> Source:
    """Front matter (or page metadata) and body of one article file, plus its raw bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path.name}: cannot be read ({exc.strerror}).") from exc
    if path.suffix.lower() in HTML_SUFFIXES or is_html_document(data):
        text = _decode_page(data, path)
        page, body = parse_html(text, path)
        return Source({}, body, data, page)
    text = _decode(data, path)
    fields, body = split_front_matter(text, path)
    return Source(fields, body, data, markup=MARKUP_BY_SUFFIX.get(path.suffix.lower(), "markdown"))


def _users_word(fields: dict[str, object]) -> tuple[str | None, int | None]:
    """A `film` (and `year`) the front matter states outright: what `add` or the user wrote."""
    film = text_value(fields.get("film"))
    year = fields.get("year")
    return film, year if isinstance(year, int) and not isinstance(year, bool) else None


def infer_meta(source: Source, fallback_title: str, rendered: Rendered | None = None) -> Inference:
    """What the article is: the front matter's own `film` first, else inferred from evidence."""
    inference = infer(source.evidence(rendered), fallback_title)
    film, year = _users_word(source.fields)
    if film:
        inference.meta.film, inference.meta.year = film, year or inference.meta.year
        inference.confident, inference.film_source = True, "front matter"
        if year:
            inference.year_source = "front matter"
    return inference


def load_article(path: Path, corpus_dir: Path) -> Article:
    """One article, ready for cleaning; ArticleError says why a file cannot be used.

    The body handed on is the rendered prose; a film the evidence cannot settle stays unknown
    rather than guessed.
    """
    if not is_article_file(path):
        raise unsupported(path)
    source = read_source(path)
    if not source.body.strip():
        raise ArticleError(f"{path.name}: the article is empty.")
    rendered = source.rendered()
    relative = path.relative_to(corpus_dir)
    meta = infer_meta(source, humanize_stem(path), rendered).meta
    meta.credit_fields = credit_fields(source.fields)
    return Article(
        article_id=relative.with_suffix("").as_posix(),
        path=relative.as_posix(),
        meta=meta,
        body=source.article_text(rendered),
        content_hash=content_hash(source.data),
    )


def credit_fields(fields: dict[str, object]) -> list[tuple[str, str]]:
    """The front matter's credit fields as (field, text), a list's items joined by '; ':
    'director: Ari Aster', 'cast: [A, B]' (the fact sheet reads them)."""
    found = []
    for key, value in fields.items():
        if not is_credit_label(str(key)):
            continue
        items = value if isinstance(value, list) else [value]
        texts = [text for text in (text_value(item) for item in items) if text]
        if texts:
            found.append((str(key), "; ".join(texts)))
    return found


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].strip("-") or "article"


def _unused_path(folder: Path, stem: str, suffix: str) -> Path:
    candidate = folder / f"{stem}{suffix}"
    counter = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate


def front_matter_text(
    meta: ArticleMeta, source: str | None = None, kept: dict[str, object] | None = None
) -> str:
    """The YAML front matter filmchat writes for an article: the fields the article came with
    (director, cast, rating, summaries…: evidence, never dropped), then what was inferred."""
    fields: dict[str, object] = {str(key).lower(): value for key, value in (kept or {}).items()}
    fields.update({key: value for key, value in meta.model_dump().items() if value is not None})
    if source:
        fields["source"] = source
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False).strip()


def write_article(
    corpus_dir: Path,
    meta: ArticleMeta,
    body: str,
    source: str,
    suffix: str = ".md",
    kept: dict[str, object] | None = None,
) -> Path:
    """A new file with front matter (`kept`: the fields it came with); never overwrites an
    existing article."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    title = slugify(meta.title)
    # the title usually names the film already ('Moon (2009) review'): say it once
    named = bool(meta.film) and slugify(meta.film or "") in title
    stem = title if named else slugify(f"{meta.film or ''} {meta.year or ''} {meta.title}")
    target = _unused_path(corpus_dir, stem, suffix)
    with target.open("x", encoding="utf-8") as handle:
        handle.write(f"---\n{front_matter_text(meta, source, kept)}\n---\n{body.rstrip()}\n")
    return target
