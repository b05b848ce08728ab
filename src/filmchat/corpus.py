"""The corpus folder: reading articles (text, Markdown, saved HTML) and adding new ones."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path

import frontmatter
import yaml

from filmchat.cleaning import byline_author, headline
from filmchat.errors import ArticleError
from filmchat.models import Article, ArticleMeta

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES

# "Moon (2009) review: ...", "Review: Moon (2009)", "Her (2013): A Futuristic Love Story"
_FILM_YEAR = re.compile(
    r"[“\"']?(?P<film>[^()“”\"':|–—]{1,80}?)[”\"']?\s*\((?P<year>(?:19|20)\d{2})\)"
)
_REVIEW_PREFIX = re.compile(r"^\s*(?:film\s+|movie\s+)?review\s*[:\-–—]\s*", re.IGNORECASE)
# 'Get Out: Jordan Peele's ...', 'Arrival review – ...', 'Inception | a heist': the film comes first
_HEADLINE_FILM = re.compile(
    r"(?P<film>[“\"']?[A-Z0-9][^:|–—()]{0,60}?[”\"']?)"
    r"(?:\s+(?P<review>(?:film\s+|movie\s+)?review))?\s*(?:[:|–—]|\s-\s|$)",
)
_OPENING_CHARS = 1500
_NOT_A_TITLE = frozenset("my our your a an the this film movie".split())  # 'My review: ...'


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(corpus_dir: Path) -> list[Path]:
    """Article files in the corpus, sorted so builds are reproducible; hidden files ignored."""
    if not corpus_dir.is_dir():
        raise ArticleError(f"Corpus folder {corpus_dir} does not exist: create it or set --corpus.")
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
    )


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


def infer_film(headline: str, body: str = "") -> tuple[str | None, int | None]:
    """Film and year from a headline such as 'Moon (2009) review: ...', else from the opening.

    A headline like 'Get Out: Jordan Peele's horror comedy' names the film before its colon,
    and the first paragraphs usually give the year ('Get Out (2017) follows ...'); 'Arrival
    review' names it without one.
    """
    match = _FILM_YEAR.search(_REVIEW_PREFIX.sub("", headline))
    if match:
        film = re.sub(
            r"^(?:review|film|movie)\s*[:\-–—]?\s*", "", match.group("film").strip(), flags=re.I
        )
        if film.strip(" :-–—"):
            return film.strip(" :-–—"), int(match.group("year"))
    rest = _REVIEW_PREFIX.sub("", headline).strip()
    opening = body[:_OPENING_CHARS]
    whole = re.search(rf"{re.escape(rest)}[”\"']?\s*\(((?:19|20)\d{{2}})\)", opening)
    if rest and whole:
        return rest.strip(" “”\"'"), int(whole.group(1))  # 'Dune: Part Two (2024) is ...'
    named = _HEADLINE_FILM.match(rest)
    film = named.group("film").strip(" “”\"'") if named else ""
    if not named or film.lower() in _NOT_A_TITLE:
        return None, None
    dated = re.search(rf"{re.escape(film)}[”\"']?\s*\(((?:19|20)\d{{2}})\)", opening)
    if dated:
        return film, int(dated.group(1))
    if named.group("review") or _REVIEW_PREFIX.match(headline):
        return film, None  # 'Arrival review: ...' names the film even without a year
    if re.search(rf"(?<![\w-]){re.escape(film)}(?![\w-])", opening):
        return film, None  # 'Get Out: ...' and the review talks about Get Out
    return None, None


def _humanize_stem(path: Path) -> str:
    return re.sub(r"[_\-]+", " ", path.stem).strip().capitalize() or path.name


def _scalar(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def _meta_from(fields: dict[str, object], fallback_title: str, body: str = "") -> ArticleMeta:
    title = _scalar(fields.get("title")) or fallback_title
    film = _scalar(fields.get("film"))
    year_value = fields.get("year")
    year = (
        int(year_value) if isinstance(year_value, int | str) and str(year_value).isdigit() else None
    )
    if film is None:
        film, inferred_year = infer_film(title, body)
        year = year or inferred_year
    return ArticleMeta(
        title=title,
        film=film,
        year=year,
        author=_scalar(fields.get("author")) or byline_author(body),
        site=_scalar(fields.get("site")),
        published=_scalar(fields.get("published") or fields.get("date")),
        url=_scalar(fields.get("url")),
    )


def parse_html(html: str, path: Path) -> tuple[dict[str, object], str]:
    """Main text (as Markdown, so headings survive) and page metadata of a saved page."""
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
    page = trafilatura.extract_metadata(html)
    fields: dict[str, object] = {}
    if page is not None:
        fields = {
            "title": page.title,
            "author": page.author,
            "site": page.sitename,
            "published": page.date,
            "url": page.url,
        }
    if not body or not body.strip():
        raise ArticleError(f"{path.name}: no article text found in the page; is it a review?")
    return fields, body


def parse_file(path: Path) -> tuple[dict[str, object], str, bytes]:
    """Front matter (or page metadata) and body of one article file, plus its raw bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path.name}: cannot be read ({exc.strerror}).") from exc
    text = _decode(data, path)
    if path.suffix.lower() in HTML_SUFFIXES:
        fields, body = parse_html(text, path)
        return fields, body, data
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise ArticleError(f"{path.name}: broken front matter ({exc.__class__.__name__}).") from exc
    return dict(post.metadata), post.content, data


def load_article(path: Path, corpus_dir: Path) -> Article:
    """One article, ready for cleaning; ArticleError says why a file cannot be used."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ArticleError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    fields, body, data = parse_file(path)
    if not body.strip():
        raise ArticleError(f"{path.name}: the article is empty.")
    relative = path.relative_to(corpus_dir)
    meta = _meta_from(fields, headline(body) or _humanize_stem(path), body)
    return Article(
        article_id=relative.with_suffix("").as_posix(),
        path=relative.as_posix(),
        meta=meta,
        body=body,
        content_hash=content_hash(data),
    )


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


def write_article(corpus_dir: Path, meta: ArticleMeta, body: str, source: str) -> Path:
    """A new Markdown file with front matter; never overwrites an existing article."""
    fields = {key: value for key, value in meta.model_dump().items() if value is not None}
    fields["source"] = source
    header = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False).strip()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    title = slugify(meta.title)
    # the title usually names the film already ('Moon (2009) review'): say it once
    named = bool(meta.film) and slugify(meta.film or "") in title
    stem = title if named else slugify(f"{meta.film or ''} {meta.year or ''} {meta.title}")
    target = _unused_path(corpus_dir, stem, ".md")
    with target.open("x", encoding="utf-8") as handle:
        handle.write(f"---\n{header}\n---\n{body.rstrip()}\n")
    return target


def metadata_for_new(
    path: Path, fields: dict[str, object], body: str, film: str | None, year: int | None
) -> ArticleMeta:
    """Metadata for an article being added: the user's words first, then what the file says."""
    first_line = headline(body)
    meta = _meta_from(fields, first_line or _humanize_stem(path), body)
    if film:
        meta.film = film
    if year:
        meta.year = year
    if meta.film is None and first_line and first_line != meta.title:
        # the page's <title> said nothing of the film; its own headline may
        inferred, inferred_year = infer_film(first_line, body)
        meta.film = inferred
        meta.year = meta.year or inferred_year
    return meta
