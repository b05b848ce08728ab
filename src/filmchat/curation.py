"""Correcting the corpus: find an article by path, file name or title; edit its film, year,
title or author; remove it. The index follows on the next rebuild (a metadata edit changes
the article's record and film keys there without re-embedding its text)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from filmchat.corpus import discover, infer_meta, load_article, read_source
from filmchat.errors import ArticleError
from filmchat.models import ArticleMeta
from filmchat.settings import Settings


def find_article(settings: Settings, reference: str) -> Path:
    """The corpus file that `reference` names: a path, a file name (suffix optional) or a
    title (exact, else a unique part of one, case ignored)."""
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
        titles = {f: _title(f, corpus) for f in files}
        wanted = reference.casefold().strip()
        named = [f for f, title in titles.items() if title.casefold() == wanted]
        named = named or [f for f, title in titles.items() if wanted in title.casefold()]
    if len(named) == 1:
        return named[0]
    if not named:
        raise ArticleError(
            f"No article “{reference}” in {corpus}: give its path, file name or title "
            "(`filmchat sources` lists them)."
        )
    listed = ", ".join(f.relative_to(corpus).as_posix() for f in named[:5])
    raise ArticleError(
        f"“{reference}” matches {len(named)} articles ({listed}); give the file name."
    )


def _title(path: Path, corpus: Path) -> str:
    try:
        return load_article(path, corpus).meta.title
    except ArticleError:
        return ""


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
    source = read_source(path)
    if source.page is not None:
        raise ArticleError(
            f"{path.name} is a saved page, which has no front matter to correct; "
            "`filmchat remove` it and `filmchat add` it again with --film/--year/--title."
        )
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
