"""The index folder: FAISS vectors, SQLite metadata and lexical index, and a manifest.

    index/
      CURRENT               name of the live generation; replaced atomically
      gen-000007/
        manifest.json       format version, model, dimension, chunk settings, counts, checksum
        vectors.faiss       IndexIDMap2 over inner product; ids are chunk ids
        store.sqlite        articles, chunks, sentences, an FTS5 (BM25) table of chunks, the
                            fact sheet of each article, and the vocabulary's word vectors

A rebuild writes a whole new generation beside the live one and only then swaps CURRENT, so a
rebuild killed at any moment leaves the previous generation untouched and readers never see
half an index. Vectors and metadata live in one generation folder, so they cannot drift apart.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np
from pydantic import BaseModel, ValidationError

from filmchat.checkpoints import checkpoint
from filmchat.errors import FilmchatError, IndexCorruptError, IndexMissingError
from filmchat.films import mentioned_titles
from filmchat.models import ArticleMeta, ArticleRecord, Chunk, Sentence
from filmchat.terms import fold

FORMAT_VERSION = 8
# One credit of an article's fact sheet as stored: role, person, character (cast only), the
# sentence (or front-matter field) that gives it, and its basis (see `facts.Basis`).
FactRow = tuple[str, str, str | None, str, str]
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
DATABASE = "store.sqlite"
LOCK = ".lock"
REBUILD_HINT = "run `filmchat index --full` to rebuild it"

_SCHEMA = """
CREATE TABLE articles (
    article_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    meta TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    clean_text TEXT NOT NULL
);
CREATE TABLE chunks (
    chunk_id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    headings TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX chunks_by_article ON chunks(article_id);
CREATE TABLE sentences (
    chunk_id INTEGER NOT NULL REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    heading TEXT,
    block INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (chunk_id, position)
);
CREATE TABLE sentence_vectors (
    article_id TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (article_id, start)
);
CREATE TABLE vocabulary (
    word TEXT PRIMARY KEY,
    vector BLOB NOT NULL
);
CREATE TABLE facts (
    article_id TEXT NOT NULL REFERENCES articles(article_id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    person TEXT NOT NULL,
    character TEXT,
    sentence TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT 'stated'  -- stated, implied, or front matter (facts.Basis)
);
CREATE INDEX facts_by_article ON facts(article_id);
CREATE TABLE profiles (
    film TEXT PRIMARY KEY,
    vector BLOB NOT NULL,
    profile TEXT NOT NULL
);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    headings, text, films, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


class Manifest(BaseModel):
    """What the index was built with, and what it holds."""

    format_version: int = FORMAT_VERSION
    model: str
    dimension: int
    chunking: dict[str, int]
    precision: str
    articles: int = 0
    chunks: int = 0
    next_chunk_id: int = 1
    built_at: str = ""
    generation: str = ""  # the folder it was committed as: a pointer to another one is damage
    vectors_sha256: str = ""
    database_sha256: str = ""
    vectors_bytes: int = 0  # sizes: checked on every open, unlike the hashes
    database_bytes: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_sum(path: Path, expected: str) -> None:
    if _sha256(path) != expected:
        raise IndexCorruptError(f"{path.name} does not match its checksum")


def _check_size(path: Path, expected: int) -> None:
    if path.stat().st_size != expected:
        raise IndexCorruptError(f"{path.name} is not the size it was written at")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def live_generation(index_dir: Path) -> Path | None:
    """The folder CURRENT points at, or None when no index was ever committed."""
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    if not re.fullmatch(r"gen-\d{6}", name):
        raise IndexCorruptError(f"Index pointer {pointer} is damaged; {REBUILD_HINT}.")
    return index_dir / name


_FTS_WORD = re.compile(r"[\w’']+", re.UNICODE)


def film_key(title: str) -> str:
    """One FTS token per film: lexical search scoped to a film is one indexed lookup."""
    return "film" + hashlib.sha1(fold(title).strip().encode()).hexdigest()[:12]


def fts_query(text: str, stopwords: frozenset[str] = frozenset()) -> str | None:
    """An FTS5 OR-query of the text's words, each quoted so user text is never FTS syntax."""
    words = []
    for word in _FTS_WORD.findall(text.lower()):
        word = word.strip("'’")
        if word and word not in stopwords and word not in words:
            words.append(word)
    return " OR ".join(f'"{w}"' for w in words) or None


@dataclass
class FilmMaterial:
    """A film's reviews as the index holds them, for building its profile."""

    film: str
    article_ids: list[str]
    chunk_ids: list[int]
    vectors: np.ndarray  # one row per chunk, in chunk_ids order
    # chunk, article, start, heading, block, kind, text
    sentences: list[tuple[int, str, int, str | None, int, str, str]]
    facts: list[tuple[str, str, str, str]]  # article, role, person, sentence
    lengths: dict[str, int]  # article id -> length of its clean text


class IndexStore:
    """A read-only view of the live generation: vectors, metadata and BM25 in step."""

    def __init__(
        self, folder: Path, manifest: Manifest, vectors: faiss.Index, db: sqlite3.Connection
    ):
        self.folder = folder
        self.manifest = manifest
        self.vectors = vectors
        self.db = db
        self._frequencies: dict[str, int] = {}

    @classmethod
    def open(cls, index_dir: Path, *, verify: bool = False) -> IndexStore:
        """Load and check the live index; one-line errors say how to fix what is wrong.

        Every open checks the format, the generation, the files' sizes and SQLite's page
        structure, which costs the same at any size of index. `verify` also hashes both files
        against the manifest (reading all of them): done when an index is written and by
        `filmchat index --check`, never for a question.
        """
        folder = live_generation(index_dir)
        if folder is None:
            raise IndexMissingError(
                f"No index in {index_dir} yet; run `filmchat index` to build it."
            )
        try:
            manifest = Manifest.model_validate_json((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValidationError, ValueError) as exc:
            raise IndexCorruptError(
                f"Index manifest in {folder} is unreadable; {REBUILD_HINT}."
            ) from exc
        if manifest.format_version != FORMAT_VERSION:
            raise IndexCorruptError(
                f"Index in {index_dir} has format {manifest.format_version}, this filmchat reads "
                f"{FORMAT_VERSION}; {REBUILD_HINT}."
            )
        return cls._load(folder, manifest, generation=folder.name, verify=verify)

    @classmethod
    def _load(
        cls, folder: Path, manifest: Manifest, *, generation: str, verify: bool
    ) -> IndexStore:
        """The files of `folder`, checked against `manifest` (written as `generation`)."""
        vectors_path, db_path = folder / VECTORS, folder / DATABASE
        db = None
        try:
            if manifest.generation != generation:
                raise IndexCorruptError(f"{MANIFEST} was written for {manifest.generation}")
            _check_size(vectors_path, manifest.vectors_bytes)
            _check_size(db_path, manifest.database_bytes)
            if verify:
                _check_sum(vectors_path, manifest.vectors_sha256)
                _check_sum(db_path, manifest.database_sha256)
            vectors = faiss.read_index(str(vectors_path))
            db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
            # damaged pages otherwise surface later, as a crash in whatever query touches them
            if db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise sqlite3.DatabaseError("quick_check failed")
            chunk_count = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        except (OSError, RuntimeError, sqlite3.DatabaseError, IndexCorruptError) as exc:
            if db is not None:
                db.close()
            raise IndexCorruptError(
                f"Index in {folder} is damaged or incomplete; {REBUILD_HINT}."
            ) from exc
        if (
            not (vectors.ntotal == chunk_count == manifest.chunks)
            or vectors.d != manifest.dimension
        ):
            raise IndexCorruptError(
                f"Index in {folder} is inconsistent ({vectors.ntotal} vectors, {chunk_count} "
                f"chunks); {REBUILD_HINT}."
            )
        return cls(folder, manifest, vectors, db)

    def close(self) -> None:
        self.db.close()

    # --- articles -------------------------------------------------------------------------

    def articles(self) -> list[ArticleRecord]:
        rows = self.db.execute(
            "SELECT a.article_id, a.path, a.meta, a.content_hash, count(c.chunk_id), "
            "length(a.clean_text) "
            "FROM articles a LEFT JOIN chunks c USING (article_id) "
            "GROUP BY a.article_id ORDER BY a.article_id"
        )
        return [
            ArticleRecord(
                article_id=article_id,
                path=path,
                meta=ArticleMeta.model_validate_json(meta),
                content_hash=digest,
                chunk_count=count,
                text_length=length,
            )
            for article_id, path, meta, digest, count, length in rows
        ]

    def article_text(self, article_id: str) -> str | None:
        """The article's clean text as indexed (what its passages' offsets point into)."""
        row = self.db.execute(
            "SELECT clean_text FROM articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def facts(self, article_ids: Iterable[str]) -> list[tuple[str, str, str, str | None, str, str]]:
        """(article_id, role, person, character, sentence, basis) of these articles."""
        ids = list(article_ids)
        marks = ",".join("?" * len(ids))
        return self.db.execute(
            "SELECT article_id, role, person, character, sentence, basis FROM facts "
            f"WHERE article_id IN ({marks}) ORDER BY rowid",
            ids,
        ).fetchall()

    def article_sentences(
        self, article_ids: Iterable[str]
    ) -> list[tuple[str, Sentence, np.ndarray]]:
        """Every sentence of these articles once, in reading order, with its own vector: an
        answer weighs all of a film's sentences, not only those of the passages found."""
        ids = list(article_ids)
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT c.article_id, s.text, s.start, s.end, s.kind, s.heading, s.block, v.vector "
            "FROM sentences s JOIN chunks c USING (chunk_id) "
            "JOIN sentence_vectors v ON v.article_id = c.article_id AND v.start = s.start "
            f"WHERE c.article_id IN ({marks}) "
            "GROUP BY c.article_id, s.start ORDER BY c.article_id, s.start",
            ids,
        ).fetchall()
        return [
            (
                article_id,
                Sentence(text=text, start=start, end=end, kind=kind, heading=heading, block=block),
                np.frombuffer(vector, dtype=np.float16),
            )
            for article_id, text, start, end, kind, heading, block, vector in rows
        ]

    def word_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every word of the collection with its vector (see `meaning`)."""
        rows = self.db.execute("SELECT word, vector FROM vocabulary ORDER BY word").fetchall()
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
        return [row[0] for row in rows], matrix.reshape(len(rows), self.manifest.dimension)

    def profiles(self) -> tuple[list[str], np.ndarray]:
        """Each film's profile (see `collection`) as JSON, and the matrix of their vectors."""
        rows = self.db.execute("SELECT profile, vector FROM profiles ORDER BY film").fetchall()
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
        return [row[0] for row in rows], matrix.reshape(len(rows), self.manifest.dimension)

    def closing_chunk_ids(self, article_ids: Iterable[str]) -> list[int]:
        """The last chunk of each article: where reviews pass their verdict."""
        ids = list(article_ids)
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT max(chunk_id) FROM chunks WHERE article_id IN ({marks}) GROUP BY article_id",
            ids,
        ).fetchall()
        return [row[0] for row in rows]

    def chunk_ids_for(self, article_ids: Iterable[str]) -> np.ndarray:
        ids = list(article_ids)
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT chunk_id FROM chunks WHERE article_id IN ({marks})", ids
        ).fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64)

    # --- chunks ---------------------------------------------------------------------------

    def chunks(
        self, chunk_ids: Sequence[int]
    ) -> dict[int, tuple[str, list[str], str, list[Sentence]]]:
        """article_id, headings, text and sentences of each chunk id."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        found: dict[int, tuple[str, list[str], str, list[Sentence]]] = {}
        for chunk_id, article_id, headings, text in self.db.execute(
            f"SELECT chunk_id, article_id, headings, text FROM chunks WHERE chunk_id IN ({marks})",
            list(chunk_ids),
        ):
            found[chunk_id] = (article_id, json.loads(headings), text, [])
        for chunk_id, text, start, end, kind, heading, block in self.db.execute(
            "SELECT chunk_id, text, start, end, kind, heading, block FROM sentences "
            f"WHERE chunk_id IN ({marks}) ORDER BY chunk_id, position",
            list(chunk_ids),
        ):
            found[chunk_id][3].append(
                Sentence(text=text, start=start, end=end, kind=kind, heading=heading, block=block)
            )
        return found

    def chunk_ids_about(self, film: str) -> np.ndarray:
        """Chunks of the film's reviews, and chunks elsewhere naming it as 'Title (Year)'."""
        rows = self.db.execute(
            "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?",
            (f'films : "{film_key(film)}"',),
        )
        return np.array([row[0] for row in rows], dtype=np.int64)

    def article_of(self, chunk_ids: Sequence[int]) -> dict[int, str]:
        """The article of each chunk id: all diversification needs of a candidate pool."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.db.execute(
            f"SELECT chunk_id, article_id FROM chunks WHERE chunk_id IN ({marks})", list(chunk_ids)
        )
        return dict(rows)

    def sentences_naming_years(self) -> list[str]:
        """Sentences with a '(1999)'-style year: where reviews name other films by title."""
        rows = self.db.execute(
            "SELECT text FROM sentences WHERE text GLOB '*([12][0-9][0-9][0-9])*'"
        )
        return [row[0] for row in rows]

    def search_dense(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Nearest chunks by inner product (cosine, as vectors are unit length)."""
        if self.vectors.ntotal == 0 or (allowed is not None and len(allowed) == 0):
            return []
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        scores, ids = self.vectors.search(
            query.reshape(1, -1).astype(np.float32), min(k, self.vectors.ntotal), params=params
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def search_lexical(self, query: str | None, k: int, film: str | None = None) -> list[int]:
        """Chunk ids ranked by BM25 (FTS5), best first; only a film's passages if `film`."""
        if not query:
            return []
        if film is not None:
            query = f'films : "{film_key(film)}" AND ({query})'
        sql = "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?"
        sql += " ORDER BY bm25(chunks_fts, 0.5, 1.0, 0.0) LIMIT ?"
        params: list[object] = [query, k]
        try:
            return [row[0] for row in self.db.execute(sql, params)]
        except sqlite3.OperationalError:
            return []

    def document_frequency(self, word: str) -> int:
        """How many chunks contain the word (as FTS5 stems it): the IDF behind sentence scoring."""
        cached = self._frequencies.get(word)
        if cached is None:
            try:
                cached = self.db.execute(
                    "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?",
                    (f'text : "{word}"',),
                ).fetchone()[0]
            except sqlite3.OperationalError:
                cached = 0
            self._frequencies[word] = cached
        return cached


class IndexWriter:
    """Builds the next generation beside the live one; `commit` makes it live atomically."""

    def __init__(self, index_dir: Path, manifest: Manifest, base: IndexStore | None) -> None:
        self.index_dir = index_dir
        self.manifest = manifest
        index_dir.mkdir(parents=True, exist_ok=True)
        self.folder = index_dir / f".building-{uuid.uuid4().hex[:12]}"
        self.folder.mkdir()
        db_path = self.folder / DATABASE
        if base is not None:
            base.db.execute(f"VACUUM INTO '{db_path}'")  # a consistent copy, even while read
            self.vectors = faiss.clone_index(base.vectors)
            self.db = sqlite3.connect(db_path)
        else:
            self.vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(manifest.dimension))
            self.db = sqlite3.connect(db_path)
            self.db.executescript(_SCHEMA)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.touched_films: set[str] = set()  # films whose profile must be made again

    def _touch(self, article_id: str) -> None:
        row = self.db.execute("SELECT meta FROM articles WHERE article_id = ?", (article_id,))
        for (meta,) in row.fetchall():
            film = ArticleMeta.model_validate_json(meta).film
            if film:
                self.touched_films.add(film)

    def remove_article(self, article_id: str) -> int:
        self._touch(article_id)
        ids = [
            row[0]
            for row in self.db.execute(
                "SELECT chunk_id FROM chunks WHERE article_id = ?", (article_id,)
            )
        ]
        if ids:
            self.vectors.remove_ids(np.array(ids, dtype=np.int64))
            self.db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(i,) for i in ids])
        self.db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))
        return len(ids)

    def add_article(
        self,
        record: ArticleRecord,
        clean_text: str,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentence_vectors: dict[int, np.ndarray],
    ) -> None:
        """The article, its chunks with their vectors, and each of its sentences' vectors
        (keyed by where the sentence starts; chunks overlap, sentences are stored once)."""
        if record.meta.film:
            self.touched_films.add(record.meta.film)
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?)",
            (
                record.article_id,
                record.path,
                record.meta.model_dump_json(),
                record.content_hash,
                clean_text,
            ),
        )
        first_id = self.manifest.next_chunk_id
        ids = np.arange(first_id, first_id + len(chunks), dtype=np.int64)
        self.manifest.next_chunk_id = first_id + len(chunks)
        for chunk_id, chunk in zip(ids.tolist(), chunks, strict=True):
            headings = json.dumps(chunk.headings, ensure_ascii=False)
            self.db.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    chunk_id,
                    record.article_id,
                    chunk.position,
                    chunk.start,
                    chunk.end,
                    headings,
                    chunk.text,
                ),
            )
            films = _film_keys(record.meta, [s.text for s in chunk.sentences])
            self.db.execute(
                "INSERT INTO chunks_fts (rowid, headings, text, films) VALUES (?, ?, ?, ?)",
                (chunk_id, " ".join(chunk.headings), chunk.text, films),
            )
            self.db.executemany(
                "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (chunk_id, n, s.start, s.end, s.kind, s.heading, s.block, s.text)
                    for n, s in enumerate(chunk.sentences)
                ],
            )
        if len(chunks):
            self.vectors.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self.db.executemany(
            "INSERT INTO sentence_vectors VALUES (?, ?, ?)",
            [
                (record.article_id, start, np.asarray(vector, dtype=np.float16).tobytes())
                for start, vector in sentence_vectors.items()
            ],
        )

    def update_article_meta(self, record: ArticleRecord, facts: Iterable[FactRow]) -> None:
        """New metadata (film, year, title...) for an indexed article whose text is unchanged:
        its row, its chunks' film keys and its fact sheet change; its chunks and vectors stay."""
        self._touch(record.article_id)
        if record.meta.film:
            self.touched_films.add(record.meta.film)
        self.db.execute("DELETE FROM facts WHERE article_id = ?", (record.article_id,))
        self.add_facts(record.article_id, facts)
        self.db.execute(
            "UPDATE articles SET path = ?, meta = ?, content_hash = ? WHERE article_id = ?",
            (record.path, record.meta.model_dump_json(), record.content_hash, record.article_id),
        )
        sentences: dict[int, list[str]] = {}
        for chunk_id, text in self.db.execute(
            "SELECT s.chunk_id, s.text FROM sentences s JOIN chunks c USING (chunk_id) "
            "WHERE c.article_id = ? ORDER BY s.chunk_id, s.position",
            (record.article_id,),
        ):
            sentences.setdefault(chunk_id, []).append(text)
        self.db.executemany(
            "UPDATE chunks_fts SET films = ? WHERE rowid = ?",
            [(_film_keys(record.meta, texts), chunk_id) for chunk_id, texts in sentences.items()],
        )

    def add_facts(self, article_id: str, facts: Iterable[FactRow]) -> None:
        """The article's fact sheet: (role, person, character, sentence, basis) rows."""
        self.db.executemany(
            "INSERT INTO facts (article_id, role, person, character, sentence, basis) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(article_id, *fact) for fact in facts],
        )

    def film_material(self, film: str) -> FilmMaterial:
        """What a film's profile is made of: its reviews, their passages' vectors, sentences
        (with where each sits in its article) and fact sheets."""
        articles = [
            (article_id, meta)
            for article_id, meta in self.db.execute("SELECT article_id, meta FROM articles")
            if ArticleMeta.model_validate_json(meta).film == film
        ]
        ids = [article_id for article_id, _ in articles]
        marks = ",".join("?" * len(ids))
        chunk_rows = self.db.execute(
            f"SELECT chunk_id, article_id, start FROM chunks WHERE article_id IN ({marks}) "
            "ORDER BY article_id, position",
            ids,
        ).fetchall()
        lengths = dict(
            self.db.execute(
                "SELECT article_id, length(clean_text) FROM articles "
                f"WHERE article_id IN ({marks})",
                ids,
            ).fetchall()
        )
        sentences = self.db.execute(
            "SELECT c.chunk_id, c.article_id, s.start, s.heading, s.block, s.kind, s.text "
            "FROM sentences s "
            f"JOIN chunks c USING (chunk_id) WHERE c.article_id IN ({marks}) "
            "ORDER BY c.article_id, c.position, s.position",
            ids,
        ).fetchall()
        facts = self.db.execute(
            f"SELECT article_id, role, person, sentence FROM facts WHERE article_id IN ({marks})",
            ids,
        ).fetchall()
        chunk_ids = [row[0] for row in chunk_rows]
        vectors = (
            np.stack([self.vectors.reconstruct(int(c)) for c in chunk_ids])
            if chunk_ids
            else np.zeros((0, self.manifest.dimension), dtype=np.float32)
        )
        return FilmMaterial(film, ids, chunk_ids, vectors, sentences, facts, lengths)

    def put_profile(self, film: str, vector: np.ndarray | None, profile: str) -> None:
        """A film's profile; none (`vector` None) once the film has no reviews."""
        self.db.execute("DELETE FROM profiles WHERE film = ?", (film,))
        if vector is not None:
            self.db.execute(
                "INSERT INTO profiles VALUES (?, ?, ?)",
                (film, np.ascontiguousarray(vector, dtype=np.float32).tobytes(), profile),
            )

    def known_words(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT word FROM vocabulary")}

    def add_words(self, vocabulary: Sequence[str], vectors: np.ndarray) -> None:
        """Vectors of new words; words stay when their articles go (a word no sentence uses
        matches nothing)."""
        rows = np.ascontiguousarray(vectors, dtype=np.float32)
        self.db.executemany(
            "INSERT OR REPLACE INTO vocabulary VALUES (?, ?)",
            [(word, rows[n].tobytes()) for n, word in enumerate(vocabulary)],
        )

    def commit(self) -> Path:
        """Write everything, then make it the live generation with one atomic rename."""
        self.manifest.articles = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        self.manifest.chunks = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        self.manifest.built_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.commit()
        self.db.close()
        vectors_path = self.folder / VECTORS
        faiss.write_index(self.vectors, str(vectors_path))
        checkpoint("vectors-written")
        generation = self.index_dir / f"gen-{_next_generation(self.index_dir):06d}"
        self.manifest.generation = generation.name
        self.manifest.vectors_sha256 = _sha256(vectors_path)
        self.manifest.database_sha256 = _sha256(self.folder / DATABASE)
        self.manifest.vectors_bytes = vectors_path.stat().st_size
        self.manifest.database_bytes = (self.folder / DATABASE).stat().st_size
        (self.folder / MANIFEST).write_text(
            self.manifest.model_dump_json(indent=2), encoding="utf-8"
        )
        checkpoint("manifest-written")
        for name in (VECTORS, DATABASE, MANIFEST):
            _fsync(self.folder / name)
        # read back and verified before it goes live: a bad write never replaces a good index
        try:
            IndexStore._load(
                self.folder, self.manifest, generation=generation.name, verify=True
            ).close()
        except IndexCorruptError as exc:
            raise IndexCorruptError(
                f"The index written to {self.folder} did not read back as written (a full or "
                "failing disk?); the last good index is unchanged."
            ) from exc
        os.rename(self.folder, generation)
        pointer = self.index_dir / CURRENT
        replaced = pointer.read_text("utf-8", errors="replace").strip() if pointer.exists() else ""
        pointer_tmp = self.index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
        pointer_tmp.write_text(generation.name + "\n", encoding="utf-8")
        _fsync(pointer_tmp)
        os.replace(pointer_tmp, pointer)
        _fsync(self.index_dir)
        _prune_generations(self.index_dir, keep={generation.name, replaced})
        return generation

    def abort(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _film_keys(meta: ArticleMeta, sentences: list[str]) -> str:
    """The FTS film column of a chunk: its article's film and the films its sentences name."""
    films = {meta.film} if meta.film else set()
    films |= set(mentioned_titles(sentences))
    return " ".join(map(film_key, films))


def _generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.glob("gen-*") if re.fullmatch(r"gen-\d{6}", p.name))


def _next_generation(index_dir: Path) -> int:
    existing = _generations(index_dir)
    return int(existing[-1].name[4:]) + 1 if existing else 1


@contextlib.contextmanager
def rebuild_lock(index_dir: Path) -> Iterator[None]:
    """One rebuild at a time (the chat's reindex and a terminal's `filmchat index` may race).

    The lock dies with its process, so a rebuild killed with SIGKILL never blocks the next one,
    which then clears what the killed one left half-written.
    """
    import fcntl

    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FilmchatError(
                f"Another `filmchat index` is updating {index_dir}; wait for it to finish."
            ) from None
        _remove_abandoned(index_dir)
        yield


def _remove_abandoned(index_dir: Path) -> None:
    """Half-written generations and pointer files left by a rebuild that was killed."""
    for leftover in index_dir.glob(".building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in index_dir.glob(f".{CURRENT}.*"):
        leftover.unlink(missing_ok=True)


def _prune_generations(index_dir: Path, keep: set[str]) -> None:
    """Keep the live generation and the one it replaced (a reader may still have that open);
    a generation a killed commit renamed but never made live goes with the older ones."""
    for old in _generations(index_dir):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
