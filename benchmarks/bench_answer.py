"""Answer latency benchmark: one full cited answer against the bare floor, and where time goes.

Run:  .venv/bin/python benchmarks/bench_answer.py [--rounds N] [--chunks N] [--real-chunks N]

One run, in-process, with the model loaded once, prints for the seed corpus (indexed into a
temporary folder) and for a synthetic corpus of ~50,000 chunks:
  * p50/p95 latency of one full answer, `Conversation(engine).ask(q)`, over a fixed set of
    questions: the gold set for the seed corpus, ~30 varied questions (themes, cast, crew,
    rating, similar films, whole-corpus, unanswerable, follow-ups) for the synthetic one. Each
    conversation gets a fresh `Conversation`; a follow-up is timed as the second `ask` of its
    conversation. Every round asks every question; round 1 is also reported alone ("cold"),
    as it is the first time the engine's caches (stems, document frequencies) see the words;
  * the bare floor on the same corpus and questions: `engine.embedder.encode_query(q)` plus one
    `engine.store.vectors.search` (k = 40, the pool retrieval asks for), interleaved with the
    answers so both see the same machine load;
  * the ratio answer p50 / floor p50 (goal ≤ 2x on both corpora);
  * a breakdown of answer time per stage (inclusive wall time of the library functions on the
    way, per question, as a call tree), and the top functions of a cProfile pass;
  * engine start-up: model load, `IndexStore.open` (checksums, FAISS read, SQLite checks) and
    `Engine(...)` (articles, the film catalogue from every sentence), at both sizes.

The synthetic corpus is built through the library (cleaning, chunking, `IndexWriter`), so the
index is the real format; it is cached under --cache keyed by a hash of everything that shapes
it, so only the first run pays for it. Embedding 50,000 chunks with the real model takes tens of
minutes on a shared 2-core machine, so only the first --real-chunks chunks are embedded with the
real model; every other chunk gets a vector made from real ones (two real chunks of the same
section, its film title's real embedding, a little noise, normalised). FAISS cost does not depend
on the vectors' values, and the mix keeps film and section affinity so dense ranking behaves
plausibly; the output says how many vectors are real.

Figures, not a test: the machine is shared, so the load average is printed next to them.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import hashlib
import inspect
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _synthetic  # a sibling module, not an installed package

from filmchat import answer as answer_module
from filmchat import conversation as conversation_module
from filmchat import retrieval as retrieval_module
from filmchat import store as store_module
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError
from filmchat.evaluation import default_gold_path, load_gold
from filmchat.indexer import build_index, load_corpus, prepare
from filmchat.settings import Settings, project_root
from filmchat.store import FORMAT_VERSION, IndexStore, IndexWriter, Manifest

FLOOR_K = 40  # Retriever.search asks FAISS for max(4k, 40) candidates
GOAL_RATIO = 2.0
SECTION_FOR_SIMILAR = "Similar Films"
SIMILAR_CLAUSES = [
    "just as {praise} about {theme}, with {actor} as a {job}",
    "a {praise} study of {theme} set in {place}",
    "where {actor} plays a {job} and the mood is as {praise}",
    "{praise} in the same way, and it takes {theme} as seriously",
]


def log(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min) on {os.cpu_count()} cores"


# --- synthetic reviews: several reviews per film, consistent facts, similar-film lists --------
#
# A variant of _synthetic.make_article: there each article invents its own film, so every title
# has one review and different "facts". Here a fixed set of films is reviewed many times over,
# each film keeping its director, cast and crew across its reviews, and some reviews end with a
# "Similar Films" list of other films written "Title (Year): ...", as real reviews do. So film
# scoping picks ~a dozen reviews per film plus mentions, and the FTS5 vocabulary ("film",
# "performance", "story", "score") matches many chunks, as in a real collection.


@functools.cache
def film_titles() -> list[str]:
    """Every 'The Adjective Noun' title, in a fixed shuffled order."""
    titles = [f"The {a} {n}" for a in _synthetic.ADJECTIVES for n in _synthetic.NOUNS]
    random.Random(7).shuffle(titles)
    return titles


@functools.cache
def film_facts(film_id: int) -> dict[str, str]:
    """What every review of film `film_id` agrees on."""
    rng = random.Random(1_000_000 + film_id)
    title = film_titles()[film_id]
    place = rng.choice(_synthetic.PLACES)
    facts = {
        "film": title,
        "year": str(rng.randint(1995, 2024)),
        "place": place,
        "place_short": place.removeprefix("a ").removeprefix("an ").removeprefix("the "),
        "job": rng.choice(_synthetic.PROFESSIONS),
        "object": rng.choice(_synthetic.OBJECTS),
        "genre": rng.choice(_synthetic.GENRES),
        "theme": rng.choice(_synthetic.THEMES),
    }
    for role in ("hero", "other", "actor", "actor2", "actor3"):
        facts[role] = _synthetic._person(rng)
        facts[f"{role}_first"] = facts[role].split()[0]
    for role in ("director", "writer", "dp", "editor", "composer"):
        facts[role] = _synthetic._person(rng)
    return facts


def make_review(index: int, films: int) -> _synthetic.SyntheticArticle:
    """Review number `index`, of film `index % films`: deterministic, like _synthetic's."""
    rng = random.Random(2_000_003 * 7 + index)
    facts = film_facts(index % films)
    year = int(facts["year"])
    slots = facts | {
        "theme2": rng.choice(_synthetic.THEMES),
        "praise": rng.choice(_synthetic.PRAISE),
        "fault": rng.choice(_synthetic.FAULTS),
        "fault2": rng.choice(_synthetic.FAULTS),
        "rating": str(rng.randint(2, 5)),
        "year_before": str(year - rng.randint(1, 10)),
    }
    author = _synthetic._person(rng)
    title = (
        f"{facts['film']} ({year}) review: {slots['praise']} {facts['genre']} about "
        f"{rng.choice([facts['theme'], slots['theme2']])}"
    )
    lines = [title, "", f"By {author}", rng.choice(_synthetic.NOISE), ""]
    for heading, templates in _synthetic.SECTIONS.items():
        if heading in _synthetic.OPTIONAL_SECTIONS and rng.random() < 0.2:
            continue
        lines += [heading, "", _synthetic._paragraph(rng, templates, slots), ""]
    if rng.random() < 0.4:
        # every line worded per review: lines repeated across articles are cleaned away as
        # site furniture, and the same film is recommended by many reviews
        lead_in = f"If you liked {facts['film']}'s {slots['praise']} take on {slots['theme2']}:"
        lines += [SECTION_FOR_SIMILAR, "", lead_in, ""]
        for other in rng.sample(range(films), 3):
            o = film_facts(other)
            clause = rng.choice(SIMILAR_CLAUSES).format(
                **(
                    o
                    | {
                        "praise": rng.choice(_synthetic.PRAISE),
                        "theme": rng.choice(_synthetic.THEMES),
                    }
                )
            )
            lines.append(f"- {o['film']} ({o['year']}): {o['director']}'s {o['genre']}, {clause}.")
        lines.append("")
    lines.append(rng.choice(_synthetic.NOISE))
    meta: dict[str, object] = {
        "title": title,
        "film": facts["film"],
        "year": year,
        "author": author,
        "site": rng.choice(_synthetic.SITES),
        "published": f"{min(year + 1, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }
    slug = f"{index:05d}-{facts['film'].lower().replace(' ', '-')}"
    return _synthetic.SyntheticArticle(slug=slug, meta=meta, body="\n".join(lines))


# --- indexes -----------------------------------------------------------------------------------


def build_seed_index(folder: Path, embedder: Embedder) -> Settings:
    """The project's corpus/ indexed into `folder`, through the real `build_index`."""
    settings = Settings(corpus=project_root() / "corpus", index=folder)
    build_index(settings, full=True, embedder=embedder, warn=log)
    return settings


def mixed_vectors(
    real: np.ndarray,
    real_sections: list[str],
    sections: list[str],
    titles: np.ndarray,
    seed: int = 0,
) -> np.ndarray:
    """Stand-in vectors built from real ones of the same section plus the film title's."""
    rng = np.random.default_rng(seed)
    by_section: dict[str, np.ndarray] = defaultdict(lambda: np.arange(len(real)))
    for name in set(real_sections):
        by_section[name] = np.array([i for i, s in enumerate(real_sections) if s == name])
    out = np.empty((len(sections), real.shape[1]), dtype=np.float32)
    for row, section in enumerate(sections):
        pool = by_section[section]
        first, second = real[rng.choice(pool)], real[rng.choice(pool)]
        noise = rng.standard_normal(real.shape[1]).astype(np.float32) / np.sqrt(real.shape[1])
        out[row] = 0.6 * first + 0.25 * second + 0.35 * titles[row] + 0.1 * noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def cache_key(chunks: int, real_chunks: int, settings: Settings, precision: str) -> str:
    """What shapes the synthetic index: the generator, the index format, model and chunking.

    Edits to cleaning or chunking code do not invalidate the cache (a rebuild costs many minutes
    and latency hardly depends on them); a format change does, and an index that no longer
    opens is rebuilt. Delete the cache folder to force a rebuild.
    """
    digest = hashlib.sha256()
    for function in (film_titles, film_facts, make_review, mixed_vectors):
        digest.update(inspect.getsource(function).encode())
    digest.update(json.dumps(SIMILAR_CLAUSES).encode())
    digest.update(Path(_synthetic.__file__).read_bytes())
    digest.update(
        json.dumps(
            [
                chunks,
                real_chunks,
                FORMAT_VERSION,
                settings.model,
                settings.chunk_settings(),
                precision,
            ]
        ).encode()
    )
    return digest.hexdigest()[:16]


@dataclass
class SyntheticIndex:
    settings: Settings
    info: dict[str, Any]


def build_synthetic_index(
    cache: Path, chunks: int, real_chunks: int, embedder: Embedder
) -> SyntheticIndex:
    """A ~`chunks`-chunk index of synthetic reviews, built once and reused from `cache`."""
    key = cache_key(chunks, real_chunks, Settings(), embedder.precision)
    folder = cache / f"synthetic-{chunks}-{key}"
    settings = Settings(corpus=folder / "corpus", index=folder / "index")
    info_path = folder / "info.json"
    if info_path.exists():
        try:
            IndexStore.open(settings.index).close()
        except FilmchatError as exc:
            log(f"rebuilding the cached synthetic index: {exc}")
        else:
            log(f"reusing the synthetic index in {folder}")
            return SyntheticIndex(settings, json.loads(info_path.read_text()))
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    films = len(film_titles())
    count = int(chunks / 5.5) + 200  # ~6 chunks per review; the reviews not needed are dropped
    log(f"writing {count} synthetic reviews of {films} films into {settings.corpus}")
    settings.corpus.mkdir(parents=True)
    for index in range(count):
        review = make_review(index, films)
        (settings.corpus / f"{review.slug}.md").write_text(review.markdown(), encoding="utf-8")
    articles, shared = load_corpus(settings, warn=log)
    prepared = []
    total = 0
    for number, article in enumerate(articles, 1):  # discover() sorts by path: index order
        if total >= chunks:
            Path(settings.corpus / article.path).unlink()
            continue
        item = prepare(article, shared, settings)
        prepared.append(item)
        total += len(item.chunks)
        if number % 1000 == 0:
            log(f"cleaned and chunked {number} reviews ({total} chunks)")
    texts = [c.embedding_text(p.record.meta.film) for p in prepared for c in p.chunks]
    sections = [c.headings[0] if c.headings else "" for p in prepared for c in p.chunks]
    film_of_chunk = [p.record.meta.film or "" for p in prepared for c in p.chunks]
    real = min(real_chunks, len(texts))
    log(f"embedding {real} chunks with the real model ({embedder.precision}); be patient")
    vectors = np.empty((len(texts), embedder.dimension), dtype=np.float32)
    vectors[:real] = embedder.encode(
        texts[:real], progress=lambda done, all_: log(f"embedded {done}/{all_}")
    )
    titles = sorted(set(film_of_chunk))
    title_vectors = dict(zip(titles, embedder.encode(titles), strict=True))
    vectors[real:] = mixed_vectors(
        vectors[:real],
        sections[:real],
        sections[real:],
        np.stack([title_vectors[f] for f in film_of_chunk[real:]]),
    )
    manifest = Manifest(
        model=settings.model,
        dimension=embedder.dimension,
        chunking=settings.chunk_settings(),
        precision=embedder.precision,
    )
    writer = IndexWriter(settings.index, manifest, None)
    offset = 0
    for item in prepared:
        n = len(item.chunks)
        # a sentence takes the vector of the first chunk it is in, as chunk vectors are made
        sentences = {
            s.start: vectors[offset + c]
            for c in reversed(range(n))
            for s in item.chunks[c].sentences
        }
        writer.add_article(
            item.record, item.clean_text, item.chunks, vectors[offset : offset + n], sentences
        )
        offset += n
    writer.commit()
    own = np.array([title_vectors[f] for f in film_of_chunk])
    info = {
        "articles": len(prepared),
        "films": len({p.record.meta.film for p in prepared}),
        "chunks": len(texts),
        "real_vectors": real,
        "mixed_vectors": len(texts) - real,
        "cos_to_own_title_real": float(np.mean(np.sum(vectors[:real] * own[:real], axis=1))),
        "cos_to_own_title_mixed": float(np.mean(np.sum(vectors[real:] * own[real:], axis=1))),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    info_path.write_text(json.dumps(info, indent=2))
    return SyntheticIndex(settings, info)


# --- questions ---------------------------------------------------------------------------------


def seed_conversations() -> list[list[str]]:
    """The gold set: cast, crew, plot, themes, awards, similar films, follow-ups, unanswerable."""
    return [item.turns for item in load_gold(default_gold_path())]


def synthetic_conversations() -> list[list[str]]:
    """~30 varied questions about films of the synthetic corpus (facts from film_facts)."""
    f = [film_facts(i) for i in range(0, 600, 20)]  # 30 films, spread over the catalogue
    return [
        [f"What do the reviews say about {f[0]['theme']} in {f[0]['film']}?"],
        [f"How do critics describe the performances in {f[1]['film']}?"],
        [f"Is {f[2]['film']} worth watching?"],
        [f"What did reviewers dislike about {f[3]['film']}?"],
        [f"How is the cinematography of {f[4]['film']} described?"],
        [f"What is {f[5]['film']} about?"],
        [f"Where is {f[6]['film']} set?"],
        [f"Who directed {f[7]['film']}?"],
        [f"Who plays the lead in {f[8]['film']}?"],
        [f"Who composed the score for {f[9]['film']}?"],
        [f"Who was the cinematographer of {f[10]['film']}?"],
        [f"Who wrote the screenplay of {f[11]['film']}?"],
        [f"Who edited {f[12]['film']}?"],
        [f"What do the reviews say about {f[13]['actor']}?"],
        [f"Which character does {f[14]['actor2']} play in {f[14]['film']}?"],
        [f"What rating did critics give {f[15]['film']}?"],
        [f"How does the story of {f[16]['film']} end?"],
        [f"What films are similar to {f[17]['film']}?"],
        ["Which films are about grief and memory?"],
        ["Which reviews praise the sound design?"],
        [f"Who is {f[18]['director']}?"],
        [f"How much did {f[19]['film']} make at the box office?"],
        [f"What is the running time of {f[20]['film']}?"],
        [f"What was the budget of {f[21]['film']}?"],
        ["Who directed Inception?"],
        [f"What does {f[22]['film']} say about religion?"],
        [f"Is there a sequel to {f[23]['film']}?"],
        [f"Who directed {f[24]['film']}?", "What about the music?"],
        [
            f"Who plays the lead in {f[25]['film']}?",
            "What do the reviews say about his performance?",
        ],
        [f"What is {f[26]['film']} about?", "Who directed it?"],
    ]


# --- timing ------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


@dataclass
class Latencies:
    answer: list[float] = field(default_factory=list)
    answer_cold: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    refused: int = 0
    turns: int = 0
    per_question: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def floor_once(engine: Engine, question: str) -> float:
    started = time.perf_counter()
    vector = engine.embedder.encode_query(question)
    engine.store.vectors.search(vector.reshape(1, -1), min(FLOOR_K, engine.store.vectors.ntotal))
    return time.perf_counter() - started


def measure(engine: Engine, conversations: list[list[str]], rounds: int) -> Latencies:
    """Answers and floors, interleaved per conversation so both see the same load."""
    result = Latencies()
    for question in conversations[0]:  # warm-up: first model call, first SQLite pages
        Conversation(engine).ask(question)
        floor_once(engine, question)
    for round_ in range(rounds):
        for turns in conversations:
            for question in turns:
                result.floor.append(floor_once(engine, question))
            chat = Conversation(engine)
            for question in turns:
                started = time.perf_counter()
                answer = chat.ask(question)
                elapsed = time.perf_counter() - started
                result.answer.append(elapsed)
                result.per_question[question].append(elapsed)
                if round_ == 0:
                    result.answer_cold.append(elapsed)
                    result.turns += 1
                    result.refused += not answer.answered
    return result


class Tracer:
    """Inclusive wall time per call path of the wrapped library functions."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, ...]] = []
        self.seconds: dict[tuple[str, ...], float] = defaultdict(float)
        self.calls: dict[tuple[str, ...], int] = defaultdict(int)

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            path = (*(self.stack[-1] if self.stack else ()), label)
            self.stack.append(path)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[path] += time.perf_counter() - started
                self.calls[path] += 1
                self.stack.pop()

        return timed

    @contextlib.contextmanager
    def patched(self, targets: list[tuple[Any, str, str]]) -> Iterator[None]:
        targets = [t for t in targets if hasattr(t[0], t[1])]  # the code under test evolves
        originals = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]
        try:
            for owner, name, label in targets:
                setattr(owner, name, self.wrap(label, getattr(owner, name)))
            yield
        finally:
            for owner, name, original in originals:
                setattr(owner, name, original)

    def rows(self, per: int, total: float) -> list[tuple[str, float, float, float]]:
        """(indented label, calls per unit, ms per unit, share of `total`), as a call tree."""
        out: list[tuple[str, float, float, float]] = []

        def visit(parent: tuple[str, ...]) -> None:
            children = sorted(
                (p for p in self.seconds if len(p) == len(parent) + 1 and p[:-1] == parent),
                key=lambda p: -self.seconds[p],
            )
            if parent and children:
                own = self.seconds[parent] - sum(self.seconds[c] for c in children)
                out.append(
                    ("  " * len(parent) + "(rest, own code)", 0, own * 1e3 / per, own / total)
                )
            for child in children:
                out.append(
                    (
                        "  " * (len(child) - 1) + child[-1],
                        self.calls[child] / per,
                        self.seconds[child] * 1e3 / per,
                        self.seconds[child] / total,
                    )
                )
                visit(child)

        visit(())
        return out


ANSWER_STAGES: list[tuple[Any, str, str]] = [
    (Conversation, "ask", "Conversation.ask"),
    (Conversation, "resolve", "resolve (follow-ups)"),
    (Conversation, "_scope", "_scope (which film)"),
    (conversation_module, "films_named", "films_named (title regexes)"),
    (conversation_module, "classify", "classify (intent)"),
    (Conversation, "retrieve", "Conversation.retrieve"),
    (IndexStore, "chunk_ids_for", "SQLite chunk_ids_for (film's chunks)"),
    (IndexStore, "search_lexical", "FTS5 search_lexical"),
    (retrieval_module.Retriever, "search", "Retriever.search"),
    (Embedder, "encode_query", "query embedding"),
    (IndexStore, "search_dense", "FAISS search_dense"),
    (IndexStore, "chunks", "SQLite chunks (chunk + sentence fetch)"),
    (Conversation, "_unknown_names", "_unknown_names"),
    (IndexStore, "document_frequency", "FTS5 document_frequency"),
    (conversation_module, "compose", "compose"),
    (answer_module, "gather", "gather (sentence scoring)"),
    (answer_module, "choose", "choose"),
    (conversation_module, "refusal", "refusal"),
]

ENGINE_STAGES: list[tuple[Any, str, str]] = [
    (Engine, "__init__", "Engine(...)"),
    (IndexStore, "open", "IndexStore.open"),
    (store_module, "_check_sum", "sha256 checksums"),
    (faiss, "read_index", "faiss.read_index"),
    (Engine, "_load", "Engine._load"),
    (IndexStore, "articles", "SQLite articles"),
    (IndexStore, "chunk_ids_for", "SQLite chunk_ids_for (all)"),
    (IndexStore, "chunks", "SQLite chunks"),
    (IndexStore, "sentences_naming_years", "SQLite sentences_naming_years (GLOB scan)"),
    (conversation_module, "mentioned_titles", "mentioned_titles (regex over sentences)"),
    (conversation_module, "build_catalog", "build_catalog"),
]


def breakdown(
    engine: Engine, conversations: list[list[str]]
) -> list[tuple[str, float, float, float]]:
    """One warm pass with every stage wrapped; per-question figures."""
    tracer = Tracer()
    with tracer.patched(ANSWER_STAGES):
        for turns in conversations:
            chat = Conversation(engine)
            for question in turns:
                chat.ask(question)
    turns_total = sum(len(t) for t in conversations)
    total = tracer.seconds[("Conversation.ask",)]
    return tracer.rows(turns_total, total)


def profile(engine: Engine, conversations: list[list[str]], top: int) -> str:
    """cProfile of one warm pass: the functions that take the most time of their own."""
    profiler = cProfile.Profile()
    profiler.enable()
    for turns in conversations:
        chat = Conversation(engine)
        for question in turns:
            chat.ask(question)
    profiler.disable()
    lines: list[str] = []
    stats = pstats.Stats(profiler)
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])  # type: ignore[attr-defined]
    turns_total = sum(len(t) for t in conversations)
    lines.append(f"{'tottime ms/q':>12} {'cumtime ms/q':>12} {'calls/q':>9}  function")
    for (path, line, name), (_, calls, tottime, cumtime, _) in entries[:top]:
        where = path.split("/site-packages/")[-1].split("/src/")[-1]
        lines.append(
            f"{tottime * 1e3 / turns_total:12.2f} {cumtime * 1e3 / turns_total:12.2f} "
            f"{calls / turns_total:9.1f}  {name} ({where}:{line})"
        )
    return "\n".join(lines)


def engine_start(settings: Settings, embedder: Embedder) -> tuple[Engine, float, list[Any]]:
    """Engine(...) as the chat builds it (store opened and verified), timed per stage."""
    tracer = Tracer()
    with tracer.patched(ENGINE_STAGES):
        started = time.perf_counter()
        engine = Engine(settings, embedder)
        seconds = time.perf_counter() - started
    return engine, seconds, tracer.rows(1, seconds)


# --- report ------------------------------------------------------------------------------------


def print_tree(title: str, rows: list[tuple[str, float, float, float]], unit: str) -> None:
    print(f"\n{title}")
    print(f"{'stage':<58} {'calls/' + unit:>9} {'ms/' + unit:>9} {'share':>7}")
    for label, calls, ms, share in rows:
        calls_text = f"{calls:9.1f}" if calls else " " * 9
        print(f"{label:<58} {calls_text} {ms:9.2f} {share:7.1%}")


@dataclass
class CorpusResult:
    name: str
    chunks: int
    latencies: Latencies
    engine_seconds: float


def set_threads(count: int) -> None:
    """Threads for torch (query embedding) and FAISS (search), both OpenMP pools."""
    torch.set_num_threads(count)
    faiss.omp_set_num_threads(count)


def thread_sensitivity(
    engine: Engine, conversations: list[list[str]], counts: list[int]
) -> list[tuple[int, float, float]]:
    """(threads, answer p50, floor p50) for one round at each thread count.

    On a loaded machine, OpenMP pools larger than the free cores spin and wait on each other:
    a single short query can get slower with more threads, and this shows by how much.
    """
    before = torch.get_num_threads()
    rows = []
    try:
        for count in counts:
            set_threads(count)
            lat = measure(engine, conversations, 1)
            rows.append((count, statistics.median(lat.answer), statistics.median(lat.floor)))
    finally:
        set_threads(before)
    return rows


def open_seconds(settings: Settings, runs: int = 5) -> tuple[float, float]:
    """Median seconds of `IndexStore.open` as a question opens it, and verified (hashed)."""

    def once(verify: bool) -> float:
        started = time.perf_counter()
        IndexStore.open(settings.index, verify=verify).close()
        return time.perf_counter() - started

    once(True)  # both files read once, so both measure the page cache rather than the disk
    return (
        statistics.median(once(False) for _ in range(runs)),
        statistics.median(once(True) for _ in range(runs)),
    )


def run_corpus(
    name: str,
    settings: Settings,
    embedder: Embedder,
    conversations: list[list[str]],
    rounds: int,
    top: int,
    thread_counts: list[int],
) -> CorpusResult:
    print(f"\n## {name}  ({load()})")
    engine, seconds, start_rows = engine_start(settings, embedder)
    chunks = engine.store.manifest.chunks
    films = len([f for f in engine.catalog if not f.mentioned_only])
    print(
        f"{engine.store.manifest.articles} articles, {chunks} chunks, {films} reviewed films, "
        f"{len(engine.catalog)} films in the catalogue"
    )
    print_tree(f"Engine start-up: {seconds * 1e3:.0f} ms", start_rows, "run")
    opened, verified = open_seconds(settings)
    print(
        f"Opening the index for a question: {opened * 1e3:.1f} ms (hashes nothing); verified "
        f"as `filmchat index --check` and a rebuild open it: {verified * 1e3:.1f} ms "
        "(medians of 5, files in the page cache)"
    )
    log(f"{name}: measuring {rounds} rounds")
    latencies = measure(engine, conversations, rounds)
    print(
        f"\n{latencies.turns} turns in {len(conversations)} conversations, {rounds} rounds; "
        f"{latencies.refused} turns refused; {load()}"
    )
    slowest = sorted(latencies.per_question.items(), key=lambda kv: -statistics.median(kv[1]))
    print("Slowest questions (answer p50 over the rounds):")
    for question, times in slowest[:5]:
        print(f"  {ms(statistics.median(times)):>10}  {question}")
    log(f"{name}: breakdown and profile")
    print_tree(
        "Where one answer's time goes (one warm pass, per question)",
        breakdown(engine, conversations),
        "q",
    )
    print(f"\ncProfile, one warm pass, top {top} functions by own time (per question):")
    print(profile(engine, conversations, top))
    if thread_counts:
        log(f"{name}: thread sensitivity")
        print(f"\nThread sensitivity (one round each; {load()}):")
        for count, answer_p50, floor_p50 in thread_sensitivity(
            engine, conversations, thread_counts
        ):
            print(
                f"  {count} thread(s): answer p50 {ms(answer_p50)}, floor p50 {ms(floor_p50)}, "
                f"ratio {answer_p50 / floor_p50:.1f}x"
            )
    engine.store.close()
    return CorpusResult(name, chunks, latencies, seconds)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def summary(results: list[CorpusResult], model_seconds: float) -> None:
    print(f"\n## Summary ({load()})\n")
    print(
        "| corpus | chunks | answer p50 | answer p95 | answer p50, 1st round | floor p50 "
        "| floor p95 | answer p50 / floor p50 | engine start-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        lat = r.latencies
        ratio = statistics.median(lat.answer) / statistics.median(lat.floor)
        verdict = "ok" if ratio <= GOAL_RATIO else f"goal ≤ {GOAL_RATIO:.0f}x"
        print(
            f"| {r.name} | {r.chunks:,} | {ms(percentile(lat.answer, 50))} "
            f"| {ms(percentile(lat.answer, 95))} | {ms(percentile(lat.answer_cold, 50))} "
            f"| {ms(percentile(lat.floor, 50))} | {ms(percentile(lat.floor, 95))} "
            f"| {ratio:.1f}x ({verdict}) | {ms(r.engine_seconds)} |"
        )
    print(
        f"\nModel load (Embedder(settings), once): {ms(model_seconds)}. Floor = one "
        f"encode_query + one FAISS search (k={FLOOR_K}), flat index. Fresh Conversation per "
        "conversation; follow-ups timed as their own turn. Threads: torch "
        f"{torch.get_num_threads()}, FAISS {faiss.omp_get_max_threads()}."
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(
            "The machine was busier than its cores: OpenMP pools wider than the free cores wait "
            "on each other, so figures with more than one thread are pessimistic (see the thread "
            "sensitivity lines)."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--chunks", type=int, default=50_000, help="synthetic corpus size")
    parser.add_argument(
        "--real-chunks",
        type=int,
        default=3_000,
        help="synthetic chunks embedded with the real model (the rest mixed)",
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "filmchat-bench"
    )
    parser.add_argument("--top", type=int, default=15, help="cProfile functions to show")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch and FAISS threads for the whole run (0: library defaults)",
    )
    parser.add_argument(
        "--no-thread-check",
        action="store_true",
        help="skip the one-round comparison of thread counts",
    )
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()

    print(f"# filmchat answer benchmark  ({load()})")
    started = time.perf_counter()
    model_settings = Settings()
    embedder = Embedder(model_settings)
    model_seconds = time.perf_counter() - started
    default_threads = torch.get_num_threads()
    if args.threads:
        set_threads(args.threads)
    print(
        f"model {model_settings.model}, {embedder.precision}, device {embedder.device}, "
        f"threads: torch {torch.get_num_threads()}, faiss {faiss.omp_get_max_threads()} "
        f"(library default {default_threads})"
    )
    thread_counts = [] if args.no_thread_check else sorted({default_threads, 1}, reverse=True)

    results = []
    with tempfile.TemporaryDirectory() as temp:
        seed = build_seed_index(Path(temp) / "index", embedder)
        results.append(
            run_corpus(
                "seed corpus",
                seed,
                embedder,
                seed_conversations(),
                args.rounds,
                args.top,
                thread_counts,
            )
        )
    if not args.skip_synthetic:
        synthetic = build_synthetic_index(args.cache, args.chunks, args.real_chunks, embedder)
        info = synthetic.info
        print(
            f"\nSynthetic corpus: {info['articles']} reviews of {info['films']} films, "
            f"{info['chunks']} chunks; {info['real_vectors']} vectors from the real model, "
            f"{info['mixed_vectors']} mixed from real ones (mean cosine to own film title: real "
            f"{info['cos_to_own_title_real']:.2f}, mixed {info['cos_to_own_title_mixed']:.2f}); "
            f"index built in {info['build_seconds']} s, cached in {synthetic.settings.index.parent}"
        )
        results.append(
            run_corpus(
                f"synthetic {info['chunks'] // 1000}k",
                synthetic.settings,
                embedder,
                synthetic_conversations(),
                args.rounds,
                args.top,
                thread_counts,
            )
        )
    summary(results, model_seconds)
    print(f"\nTotal benchmark time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
