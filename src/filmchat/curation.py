"""Correcting the corpus: find an article by path, file name or title; edit its film, year,
title or author; remove it. The index follows on the next rebuild (a metadata edit changes
the article's record and film keys there without re-embedding its text)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from filmchat.corpus import HTML_SUFFIXES, discover, infer_meta, load_article, read_source
from filmchat.errors import ArticleError
from filmchat.models import ArticleMeta
from filmchat.settings import Settings


def find_article(settings: Settings, reference: str, listing: str = "`filmchat sources`") -> Path:
    """The corpus file that `reference` names: a path; a file name (suffix optional), as it is
    in the corpus or as it was before `add` renamed it (kept in the front matter's `source`);
    the film it reviews; or its title. Exactly, else a unique part of a title or film (case
    ignored). `listing` is how the user lists the articles, for the error."""
    corpus = settings.corpus
    files = discover(corpus)
    given = Path(reference).expanduser()
    if given.is_file():
        resolved = given.resolve()
        if any(resolved == f.resolve() for f in files):
            return resolved
        raise ArticleError(f"{given} is not in the corpus ({corpus}); add it with `filmchat add`.")
    named = [
        f
        for f in files
        if reference in (f.name, f.stem, f.relative_to(corpus).as_posix())
        or reference == f.relative_to(corpus).with_suffix("").as_posix()
    ]
    if not named:
        wanted = reference.casefold().strip()
        names = {f: _names(f, corpus) for f in files}
        named = [f for f, (source, _, _) in names.items() if wanted in source]
        named = named or [f for f, (_, exact, _) in names.items() if wanted in exact]
        named = named or [f for f, (*_, parts) in names.items() if any(wanted in p for p in parts)]
    if len(named) == 1:
        return named[0]
    if not named:
        raise ArticleError(
            f"No article “{reference}” in {corpus}: give its file name (as added or as in the "
            f"corpus), its film or its title ({listing} lists them)."
        )
    listed = ", ".join(f.relative_to(corpus).as_posix() for f in named[:5])
    raise ArticleError(
        f"“{reference}” matches {len(named)} articles ({listed}); give the file name."
    )


def _names(path: Path, corpus: Path) -> tuple[set[str], set[str], tuple[str, ...]]:
    """How a user may name the article, case folded: its original file name (with and without
    suffix), its exact title and film (alone or with its year), and the texts a part may match."""
    try:
        source = read_source(path)
        meta = load_article(path, corpus).meta
    except ArticleError:
        return set(), set(), ()
    original = str(source.fields.get("source") or "").casefold()
    sources = {original, Path(original).stem} - {""}
    exact = {meta.title.casefold()}
    if meta.film:
        exact |= {meta.film.casefold(), meta.film_label().casefold()}
    return sources, exact, tuple(exact)


def edit_article(
    settings: Settings,
    path: Path,
    *,
    film: str | None = None,
    year: int | None = None,
    title: str | None = None,
    author: str | None = None,
) -> ArticleMeta:
    """Rewrite the article's front matter with the corrected fields; the body is untouched."""
    if path.suffix.lower() in HTML_SUFFIXES:
        raise ArticleError(
            f"{path.name} is a saved page, which has no front matter to correct; "
            "`filmchat remove` it and `filmchat add` it again with --film/--year/--title."
        )
    source = read_source(path)
    meta = infer_meta(source, path.stem).meta
    if film and film != meta.film and year is None:
        meta.year = None  # the old film's year is not the new one's
    updates = {"film": film, "year": year, "title": title, "author": author}
    meta = meta.model_copy(update={k: v for k, v in updates.items() if v is not None})
    fields = {str(key).lower(): value for key, value in source.fields.items()}
    fields.update({k: v for k, v in meta.model_dump().items() if v is not None})
    header = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False).strip()
    temporary = path.with_name(f".{path.name}.editing")
    temporary.write_text(f"---\n{header}\n---\n{source.body.lstrip(chr(10))}", encoding="utf-8")
    os.replace(temporary, path)
    return meta


def remove_article(settings: Settings, path: Path) -> ArticleMeta | None:
    """Delete the article's file; what it was, for the message (None if it was unreadable)."""
    try:
        meta: ArticleMeta | None = load_article(path, settings.corpus).meta
    except ArticleError:
        meta = None
    path.unlink()
    return meta
