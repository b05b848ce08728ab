"""Indexing: corpus folder → cleaned, chunked, embedded articles in the index store.

Incremental by content hash: only new and changed articles are embedded, vanished ones are
removed, and a run with nothing to do writes nothing at all.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from filmchat.checkpoints import checkpoint
from filmchat.chunking import chunk_document, layout
from filmchat.cleaning import clean_article, normalize_line, repeated_lines
from filmchat.collection import refresh_profiles
from filmchat.corpus import (
    Source,
    article_files,
    discover,
    humanize_stem,
    infer_meta,
    is_article_file,
    load_article,
    read_source,
    unsupported,
    write_article,
)
from filmchat.embedding import Embedder
from filmchat.errors import ArticleError, IndexCorruptError, IndexMissingError
from filmchat.facts import extract_facts, front_matter_facts
from filmchat.films import mentioned_titles
from filmchat.meaning import vocabulary
from filmchat.metadata import Inference
from filmchat.models import Article, ArticleMeta, ArticleRecord, Chunk, IndexReport, Sentence
from filmchat.settings import Settings
from filmchat.store import (
    FORMAT_VERSION,
    FactRow,
    IndexStore,
    IndexWriter,
    Manifest,
    rebuild_lock,
)
from filmchat.terms import fold

EmbedProgress = Callable[[int, int], None]
Warn = Callable[[str], None]


@dataclass
class PreparedArticle:
    """An article cleaned and chunked, ready to embed."""

    record: ArticleRecord
    clean_text: str
    chunks: list[Chunk]


# Bumped when reading or cleaning changes what an unchanged file becomes: everything re-embeds
PIPELINE_VERSION = "2"


def fingerprint(article: Article, shared: set[str]) -> str:
    """The article's text plus the shared furniture lines it contains: both decide its chunks.

    Front matter is not part of it, but for its credit fields ('director: …', read into the
    fact sheet): a changed film or title is a metadata update, not new text.
    """
    lines = sorted({normalize_line(line) for line in article.body.splitlines()} & shared)
    credits = [f"{key}: {value}" for key, value in article.meta.credit_fields]  # "director: …"
    parts = [PIPELINE_VERSION, hashlib.sha256(article.body.encode()).hexdigest(), *lines, *credits]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def prepare(
    article: Article, shared: set[str], settings: Settings, embedder: Embedder | None = None
) -> PreparedArticle:
    """Clean and chunk one article; ArticleError if nothing of the review is left.

    With the embedder, chunks also fit its token limit (film and headings included).
    """
    blocks = clean_article(
        article.body,
        title=article.meta.title,
        author=article.meta.author,
        shared_lines=shared,
        film=article.meta.film,
    )
    document = layout(blocks)
    chunks = chunk_document(
        document,
        article.article_id,
        **settings.chunk_settings(),
        count_tokens=embedder.count_tokens if embedder else None,
        max_tokens=embedder.max_tokens if embedder else None,
        context=article.meta.film,
    )
    if not chunks:
        raise ArticleError(f"{article.path}: empty after cleaning (no review text left).")
    record = ArticleRecord(
        article_id=article.article_id,
        path=article.path,
        meta=article.meta,
        content_hash=fingerprint(article, shared),
        chunk_count=len(chunks),
    )
    return PreparedArticle(record, document.text, chunks)


def names_other_film(sentence: Sentence, film: str) -> bool:
    """A list item headed by another film's title: 'Moon (2009): Directed by Duncan Jones'."""
    label = sentence.text.split(":", 1)[0] if ":" in sentence.text[:90] else ""
    titles = mentioned_titles([label]) if label and sentence.kind == "item" else {}
    return any(fold(title) != fold(film) for title in titles)


def fact_rows(item: PreparedArticle) -> list[FactRow]:
    """The credits the article gives, each with the sentence that states or implies it, or
    the front-matter field that names it."""
    from filmchat.parsing import parse  # spaCy loads only when articles are read

    film = item.record.meta.film
    sentences = [s for chunk in item.chunks for s in chunk.sentences]
    unique = [  # chunks overlap; an item about another film ('Moon (2009): …') is not ours
        s
        for s in {(s.start, s.end): s for s in sentences}.values()
        if not (film and names_other_film(s, film))
    ]
    texts = [" ".join(s.text.split()) for s in unique]  # hard-wrapped lines keep their breaks
    facts = extract_facts(texts, film, [s.heading for s in unique], parse(texts))
    rows: list[FactRow] = [
        (role, person, None, field, "front matter")
        for role, person, field in front_matter_facts(item.record.meta.credit_fields)
    ]
    return rows + [(f.role, f.person, f.character, unique[f.sentence].text, f.basis) for f in facts]


def stored_article(store: IndexStore, record: ArticleRecord) -> PreparedArticle:
    """An indexed article's chunks as the store holds them, under (new) metadata."""
    stored = store.chunks(store.chunk_ids_for([record.article_id]).tolist())
    chunks = [
        Chunk(
            article_id=record.article_id,
            position=position,
            start=sentences[0].start if sentences else 0,
            end=sentences[-1].end if sentences else 0,
            headings=headings,
            text=text,
            sentences=sentences,
        )
        for position, (_, headings, text, sentences) in enumerate(stored.values())
    ]
    return PreparedArticle(record, "", chunks)


def load_corpus(
    settings: Settings, warn: Warn, skipped: list[str] | None = None
) -> tuple[list[Article], set[str]]:
    """Every usable article and the lines shared across articles; bad files are warned about
    (and their corpus paths appended to `skipped`)."""
    articles = []
    for path in discover(settings.corpus):
        try:
            articles.append(load_article(path, settings.corpus))
        except ArticleError as exc:
            warn(f"skipped {exc}")
            if skipped is not None:
                skipped.append(path.relative_to(settings.corpus).as_posix())
    return articles, repeated_lines(a.body for a in articles)


def _open_existing(settings: Settings, report: IndexReport) -> IndexStore | None:
    try:
        return IndexStore.open(settings.index, verify=True)  # build on nothing damaged
    except IndexMissingError:
        return None
    except IndexCorruptError as exc:
        report.reason = f"the existing index was unusable ({exc}); rebuilt from scratch"
        return None


def _settings_change(manifest: Manifest, settings: Settings) -> str | None:
    if manifest.model != settings.model:
        return f"model changed from {manifest.model} to {settings.model}"
    if manifest.chunking != settings.chunk_settings():
        return "chunk settings changed"
    return None


def build_index(
    settings: Settings,
    *,
    full: bool = False,
    embedder: Embedder | None = None,
    load_embedder: Callable[[], Embedder] | None = None,
    progress: EmbedProgress | None = None,
    warn: Warn = lambda message: None,
) -> IndexReport:
    """Bring the index in line with the corpus, embedding only what changed."""
    started = time.perf_counter()
    report = IndexReport(full=full)
    articles, shared = load_corpus(settings, warn, report.skipped)
    checkpoint("corpus-loaded")

    def get_embedder() -> Embedder:  # loading costs seconds: only when something needs embedding
        if embedder is not None:
            return embedder
        return load_embedder() if load_embedder else Embedder(settings, warn=warn)

    with rebuild_lock(settings.index):
        base = _open_existing(settings, report)
        try:
            _update(settings, report, articles, shared, base, get_embedder, progress, warn)
        finally:
            if base is not None:
                base.close()
    report.seconds = time.perf_counter() - started
    return report


def _update(
    settings: Settings,
    report: IndexReport,
    articles: list[Article],
    shared: set[str],
    base: IndexStore | None,
    get_embedder: Callable[[], Embedder],
    progress: EmbedProgress | None,
    warn: Warn,
) -> None:
    """Embed what is new or changed and write the next generation; nothing if nothing changed."""
    if base is not None and not report.full:
        change = _settings_change(base.manifest, settings)
        if change:
            report.reason = f"{change}: full rebuild"
            report.full = True
    report.full = report.full or base is None
    # what the index held, for the report; a full rebuild re-embeds it all the same
    known = {a.article_id: a for a in base.articles()} if base is not None else {}
    old = {} if report.full else known

    changed: list[Article] = []
    retitled: list[ArticleRecord] = []  # same text, new film/title/...: no re-embedding
    current_ids = set()
    same_as_before: set[str] = set()
    for article in articles:
        current_ids.add(article.article_id)
        previous = known.get(article.article_id)
        if previous and previous.content_hash == fingerprint(article, shared):
            same_as_before.add(article.article_id)
            if not report.full:
                # (the front matter's credit fields are not stored: they are in the fingerprint)
                if (previous.meta.model_dump(), previous.path) == (
                    article.meta.model_dump(),
                    article.path,
                ):
                    report.unchanged += 1
                else:
                    update = {"meta": article.meta, "path": article.path}
                    retitled.append(previous.model_copy(update=update))
                    report.updated += 1
                continue
        changed.append(article)
    # the model is loaded only now, and only when something needs embedding: chunks are cut to
    # its tokenizer's limit, so the encoder never truncates one
    embedder = get_embedder() if changed else None
    prepared: list[PreparedArticle] = []
    for article in changed:
        try:
            prepared.append(prepare(article, shared, settings, embedder))
        except ArticleError as exc:
            warn(f"skipped {exc}")
            report.skipped.append(article.path)
            current_ids.discard(article.article_id)
            continue
        if article.article_id in same_as_before:
            report.unchanged += 1  # re-embedded by a full rebuild, but not new or changed
        elif article.article_id in known:
            report.updated += 1
        else:
            report.added += 1
    removed = [article_id for article_id in old if article_id not in current_ids]
    report.removed = len([article_id for article_id in known if article_id not in current_ids])

    if base is not None and not report.full and not (prepared or removed or retitled):
        report.chunks_total = base.manifest.chunks
        return

    texts = [
        chunk.embedding_text(item.record.meta.film) for item in prepared for chunk in item.chunks
    ]

    def embedding_progress(done: int, total: int) -> None:
        if progress:
            progress(done, total)
        if 0 < done < total:
            checkpoint("embedding")

    if texts or base is None or report.full:
        embedder = embedder or get_embedder()
        vectors = embedder.encode(texts, progress=embedding_progress)
    report.chunks_embedded = len(texts)

    manifest = (
        base.manifest.model_copy(deep=True)
        if base is not None and not report.full
        else Manifest(
            format_version=FORMAT_VERSION,
            model=settings.model,
            dimension=embedder.dimension,
            chunking=settings.chunk_settings(),
            precision=embedder.precision,
        )
    )
    writer = IndexWriter(settings.index, manifest, base if not report.full else None)
    try:
        for article_id in removed:
            writer.remove_article(article_id)
        for record in retitled:
            assert base is not None  # only an existing index has articles to retitle
            writer.update_article_meta(record, fact_rows(stored_article(base, record)))
        sentences = [unique_sentences(item.chunks) for item in prepared]
        sentence_texts = [text for starts in sentences for text in starts.values()]
        sentence_vectors = embedder.encode(sentence_texts) if sentence_texts else np.empty((0, 0))
        offset = sentence_offset = 0
        for item, starts in zip(prepared, sentences, strict=True):
            if item.record.article_id in old:
                writer.remove_article(item.record.article_id)
            count = len(item.chunks)
            own = {start: sentence_vectors[sentence_offset + n] for n, start in enumerate(starts)}
            sentence_offset += len(starts)
            writer.add_article(
                item.record, item.clean_text, item.chunks, vectors[offset : offset + count], own
            )
            writer.add_facts(item.record.article_id, fact_rows(item))
            offset += count
        new_words = sorted(vocabulary(texts) - writer.known_words())
        if new_words:
            writer.add_words(new_words, embedder.encode(new_words))
        refresh_profiles(writer)
        checkpoint("writing")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    report.chunks_total = manifest.chunks


def unique_sentences(chunks: Sequence[Chunk]) -> dict[int, str]:
    """Each sentence of an article once, keyed by where it starts (chunks overlap by one)."""
    return {s.start: s.text for chunk in chunks for s in chunk.sentences}


@dataclass
class AddedArticle:
    """An article written into the corpus by `add`, and how its metadata was found."""

    path: Path
    meta: ArticleMeta
    inference: Inference | None = None

    def describe(self, corpus_dir: Path) -> str:
        """'Added “Moon (2009) review: …” — Moon (2009), by Dana Whitfield (film and year from
        the page title) → corpus/moon-2009-review.md'"""
        by = f", by {self.meta.author}" if self.meta.author else ""
        how = self.inference.provenance() if self.inference else ""
        where = f"{corpus_dir.name}/{self.path.relative_to(corpus_dir).as_posix()}"
        return (
            f"Added “{self.meta.title}” — {self.meta.film_label()}{by}"
            + (f" ({how})" if how else "")
            + f" → {where}"
        )


@dataclass
class AddOutcome:
    """What `add` did with one file: added it, or why not."""

    source: Path
    added: AddedArticle | None = None
    error: str | None = None


def _body_key(body: str) -> str:
    """Same review text, whatever its spacing or front matter."""
    return hashlib.sha256(" ".join(body.split()).lower().encode()).hexdigest()


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and the article files inside each folder given (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(article_files(path))
        else:
            files.append(path)
    return files


def inspect_article(
    path: Path,
    *,
    film: str | None = None,
    year: int | None = None,
    title: str | None = None,
    author: str | None = None,
) -> tuple[Inference, Source]:
    """What `add` would write for one file: the inference with the user's words applied."""
    if not path.is_file():
        raise ArticleError(f"{path}: no such file.")
    if not is_article_file(path):
        raise unsupported(path)
    source = read_source(path)
    rendered = source.rendered()
    inference = infer_meta(source, humanize_stem(path), rendered)
    meta = inference.meta
    if film:
        meta.film, inference.confident, inference.film_source = film, True, "you"
        from_fields = (inference.year_source or "").startswith("front matter")
        if not year and inference.year_source and not from_fields:
            meta.year, inference.year_source = None, None  # that year was the other film's
    if year:
        meta.year, inference.year_source = year, "you"
    if title:
        meta.title, inference.title_source = title, "you"
    if author:
        meta.author, inference.author_source = author, "you"
    blocks = clean_article(source.article_text(rendered), title=meta.title, author=meta.author)
    if not any(block.kind != "heading" for block in blocks):
        raise ArticleError(f"{path.name}: empty after cleaning (no review text); not added.")
    return inference, source


def _corpus_bodies(settings: Settings) -> dict[str, str]:
    """Body key → the corpus file holding that text, for duplicate refusals."""
    existing: dict[str, str] = {}
    if settings.corpus.is_dir():
        for path in discover(settings.corpus):
            try:
                existing[_body_key(read_source(path).body)] = path.relative_to(
                    settings.corpus
                ).as_posix()
            except ArticleError:
                continue
    return existing


def already_held(settings: Settings, paths: Sequence[Path]) -> dict[Path, str]:
    """Each of `paths` whose text the corpus already holds → the corpus file holding it."""
    existing = _corpus_bodies(settings)
    held = {}
    for path in paths:
        try:
            key = _body_key(read_source(path).body)
        except ArticleError:
            continue
        if key in existing:
            held[path] = existing[key]
    return held


def add_paths(
    settings: Settings,
    paths: Sequence[Path],
    *,
    film: str | None = None,
    year: int | None = None,
    title: str | None = None,
    author: str | None = None,
) -> list[AddOutcome]:
    """Copy articles (files, or every article in a folder) into the corpus with front matter.

    Each file is reported on its own: a bad one does not stop the rest. A file whose film
    cannot be told with confidence is refused with the best candidates, never guessed.
    """
    existing = _corpus_bodies(settings)
    outcomes: list[AddOutcome] = []
    for path in expand_paths(paths):
        try:
            inference, source = inspect_article(
                path, film=film, year=year, title=title, author=author
            )
            if not inference.confident:
                raise ArticleError(f"{path.name}: {inference.refusal()}")
            key = _body_key(source.body)
            if key in existing:
                raise ArticleError(
                    f"{path.name}: the corpus already has this article, as {existing[key]}; "
                    "edit or remove that one instead."
                )
            suffix = {"text": ".txt", "restructuredtext": ".rst"}.get(source.markup, ".md")
            written = write_article(
                settings.corpus,
                inference.meta,
                source.body,
                source=path.name,
                suffix=suffix,
                kept=source.fields,
            )
            existing[key] = written.relative_to(settings.corpus).as_posix()
            outcomes.append(AddOutcome(path, AddedArticle(written, inference.meta, inference)))
        except ArticleError as exc:
            outcomes.append(AddOutcome(path, error=str(exc)))
    return outcomes


def add_articles(
    settings: Settings, paths: Sequence[Path], *, film: str | None = None, year: int | None = None
) -> list[AddedArticle]:
    """`add_paths` for callers that stop at the first refusal (raised as ArticleError)."""
    outcomes = add_paths(settings, paths, film=film, year=year)
    for outcome in outcomes:
        if outcome.error:
            raise ArticleError(outcome.error)
    return [outcome.added for outcome in outcomes if outcome.added]
