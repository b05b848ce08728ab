"""Incremental indexing with the real model and real FAISS: only what changed is embedded,
vectors, metadata and the lexical index stay in step, and a damaged index says how to fix it."""

from __future__ import annotations

import shutil
from pathlib import Path

import faiss
import numpy as np
import pytest

from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError, IndexCorruptError, IndexMissingError
from filmchat.indexer import build_index
from filmchat.models import IndexReport
from filmchat.settings import Settings
from filmchat.store import (
    CURRENT,
    DATABASE,
    MANIFEST,
    VECTORS,
    IndexStore,
    live_generation,
    rebuild_lock,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = FIXTURES / "site"
POIGNANT = "her-a-poignant-exploration-of-love-and-technology"
OLD_SENTENCE = (
    "Directed by Spike Jonze, “Her” is a masterclass in storytelling and character development."
)
NEW_SENTENCE = "Directed by Spike Jonze, “Her” is a quietly radical film about learning to listen."


def refuse_to_load() -> Embedder:
    raise AssertionError("the model was loaded although nothing needed embedding")


def build(settings: Settings, embedder: Embedder, **options: object) -> IndexReport:
    return build_index(settings, embedder=embedder, **options)  # type: ignore[arg-type]


def snapshot(settings: Settings) -> dict[str, object]:
    """What the live index holds, checking on the way that FAISS, SQLite and FTS agree."""
    store = IndexStore.open(settings.index)
    try:
        faiss_ids = set(faiss.vector_to_array(store.vectors.id_map).tolist())
        rows = store.db.execute("SELECT chunk_id, article_id FROM chunks").fetchall()
        fts_ids = {row[0] for row in store.db.execute("SELECT rowid FROM chunks_fts")}
        assert faiss_ids == {chunk_id for chunk_id, _ in rows} == fts_ids
        assert store.vectors.ntotal == len(rows) == store.manifest.chunks
        by_article: dict[str, set[int]] = {}
        for chunk_id, article_id in rows:
            by_article.setdefault(article_id, set()).add(chunk_id)
        vectors = {i: store.vectors.reconstruct(i).copy() for i in faiss_ids}
        return {
            "articles": {a.article_id: a for a in store.articles()},
            "chunks": by_article,
            "vectors": vectors,
            "generation": store.folder.name,
        }
    finally:
        store.close()


def lexical(settings: Settings, phrase: str) -> list[str]:
    """Articles whose chunks the lexical (FTS5) index finds for the phrase."""
    store = IndexStore.open(settings.index)
    try:
        ids = store.search_lexical(f'"{phrase}"', 10)
        return sorted({store.chunks(ids)[i][0] for i in ids})
    finally:
        store.close()


def dense_top(settings: Settings, embedder: Embedder, text: str) -> tuple[int, str]:
    """Id and text of the chunk nearest to the text by vector search."""
    store = IndexStore.open(settings.index)
    try:
        chunk_id, _ = store.search_dense(embedder.encode_query(text), 1)[0]
        return chunk_id, store.chunks([chunk_id])[chunk_id][2]
    finally:
        store.close()


def chunk_texts(settings: Settings, article_id: str) -> dict[int, str]:
    store = IndexStore.open(settings.index)
    try:
        sql = "SELECT chunk_id, text FROM chunks WHERE article_id = ?"
        return dict(store.db.execute(sql, (article_id,)).fetchall())
    finally:
        store.close()


def test_first_build_indexes_every_article(make_settings, embedder):
    settings = make_settings()
    report = build(settings, embedder)
    state = snapshot(settings)
    assert (report.added, report.updated, report.removed, report.unchanged) == (5, 0, 0, 0)
    assert report.full
    assert report.chunks_embedded == report.chunks_total == len(state["vectors"])
    articles = state["articles"]
    assert sorted(articles) == sorted(p.stem for p in settings.corpus.glob("*.md"))
    assert {a.meta.film_label() for a in articles.values()} == {"Her (2013)"}
    for article_id, chunk_ids in state["chunks"].items():
        assert articles[article_id].chunk_count == len(chunk_ids)


def test_adding_one_article_embeds_only_its_chunks(indexed, embedder):
    before = snapshot(indexed)
    shutil.copy(SITE / "arrival-2016-review.txt", indexed.corpus)
    report = build(indexed, embedder)
    after = snapshot(indexed)
    new = after["articles"]["arrival-2016-review"]
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 0, 5)
    assert not report.full
    assert report.chunks_embedded == new.chunk_count == len(after["chunks"]["arrival-2016-review"])
    assert report.chunks_total == sum(len(ids) for ids in after["chunks"].values())
    # the other articles were not touched: same chunk ids, bit-identical vectors
    for article_id, chunk_ids in before["chunks"].items():
        assert after["chunks"][article_id] == chunk_ids
        for chunk_id in chunk_ids:
            assert np.array_equal(after["vectors"][chunk_id], before["vectors"][chunk_id])
    assert (new.meta.film, new.meta.year) == ("Arrival", 2016)
    assert lexical(indexed, "heptapods") == ["arrival-2016-review"]


def test_changing_one_article_replaces_its_chunks(indexed, embedder):
    before = snapshot(indexed)
    old_texts = chunk_texts(indexed, POIGNANT)
    path = indexed.corpus / f"{POIGNANT}.md"
    text = path.read_text(encoding="utf-8")
    assert OLD_SENTENCE in text
    path.write_text(text.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    assert lexical(indexed, "masterclass") == [POIGNANT]

    report = build(indexed, embedder)
    after = snapshot(indexed)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 4)
    assert report.chunks_embedded == len(after["chunks"][POIGNANT])
    assert not after["chunks"][POIGNANT] & before["chunks"][POIGNANT]  # old chunks gone
    for chunk_id in before["chunks"][POIGNANT]:
        assert chunk_id not in after["vectors"]
    assert lexical(indexed, "masterclass") == []
    assert lexical(indexed, "quietly radical") == [POIGNANT]
    # vector search finds each new chunk by its text, and the old text no longer
    for chunk_id, text in chunk_texts(indexed, POIGNANT).items():
        assert dense_top(indexed, embedder, text)[0] == chunk_id
    old = next(text for text in old_texts.values() if OLD_SENTENCE in text)
    assert OLD_SENTENCE not in dense_top(indexed, embedder, old)[1]


def test_deleting_one_article_removes_it(indexed, embedder):
    before = snapshot(indexed)
    assert lexical(indexed, "Pratt") == ["her-synopsis-awards-cast-and-rating"]
    (indexed.corpus / "her-synopsis-awards-cast-and-rating.md").unlink()
    report = build(indexed, embedder)
    after = snapshot(indexed)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 4)
    assert report.chunks_embedded == 0
    assert "her-synopsis-awards-cast-and-rating" not in after["articles"]
    gone = before["chunks"]["her-synopsis-awards-cast-and-rating"]
    assert not gone & set(after["vectors"])
    assert report.chunks_total == len(before["vectors"]) - len(gone)
    assert lexical(indexed, "Pratt") == []


def test_second_run_does_no_work_and_writes_nothing(indexed):
    files_before = sorted(p.relative_to(indexed.index) for p in indexed.index.rglob("*"))
    current_before = (indexed.index / CURRENT).read_text()
    report = build_index(indexed, load_embedder=refuse_to_load)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 5)
    assert report.chunks_embedded == 0 and not report.full
    assert sorted(p.relative_to(indexed.index) for p in indexed.index.rglob("*")) == files_before
    assert (indexed.index / CURRENT).read_text() == current_before


def test_line_shared_by_a_new_article_is_removed_from_the_old_one(make_settings, embedder):
    """A site tagline is furniture once a second article repeats it: both are re-cleaned."""
    settings = make_settings()
    shutil.copy(SITE / "arrival-2016-review.txt", settings.corpus)
    build(settings, embedder)
    assert lexical(settings, "independent film criticism") == ["arrival-2016-review"]
    shutil.copy(SITE / "sicario-2015-review.txt", settings.corpus)
    report = build(settings, embedder)
    assert (report.added, report.updated, report.unchanged) == (1, 1, 5)
    assert lexical(settings, "independent film criticism") == []
    assert lexical(settings, "Deakins") == ["sicario-2015-review"]


def test_chunk_settings_change_forces_a_full_rebuild_and_says_so(indexed, embedder):
    before = snapshot(indexed)
    changed = indexed.model_copy(update={"max_words": 120})
    report = build(changed, embedder)
    after = snapshot(changed)
    assert report.full
    assert report.reason and "chunk settings changed" in report.reason
    assert report.chunks_embedded == report.chunks_total == len(after["vectors"])
    assert len(after["vectors"]) > len(before["vectors"])  # smaller chunks, more of them
    assert build_index(changed, load_embedder=refuse_to_load).chunks_embedded == 0


def test_model_change_forces_a_full_rebuild_and_says_so(indexed, embedder):
    from filmchat.embedding import resolve_model

    # the bundled model named by its folder: a different model name as far as the index knows
    changed = indexed.model_copy(update={"model": resolve_model(indexed.model)})
    report = build(changed, embedder)
    assert report.full
    assert report.reason and "model changed" in report.reason
    assert report.chunks_embedded == report.chunks_total
    assert IndexStore.open(changed.index).manifest.model == changed.model


def test_full_rebuild_re_embeds_everything_into_a_new_generation(indexed, embedder):
    before = snapshot(indexed)
    report = build(indexed, embedder, full=True)
    after = snapshot(indexed)
    assert report.full
    assert report.chunks_embedded == report.chunks_total == len(before["vectors"])
    # nothing was new or changed: the report says so, though everything was embedded again
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == len(before["articles"])
    assert after["generation"] != before["generation"]
    generations = sorted(p.name for p in indexed.index.glob("gen-*"))
    assert generations == [before["generation"], after["generation"]]  # the previous one kept


def test_a_second_rebuild_at_the_same_time_is_refused_in_one_line(indexed):
    """The chat's reindex and a terminal's `filmchat index` must not write over each other."""
    (indexed.corpus / "her-2013-review.md").unlink()
    with rebuild_lock(indexed.index), pytest.raises(FilmchatError) as caught:
        build_index(indexed, load_embedder=refuse_to_load)
    assert "Another `filmchat index`" in str(caught.value)
    assert len(snapshot(indexed)["articles"]) == 5  # untouched


def test_generation_a_killed_commit_never_made_live_is_cleared(indexed, embedder):
    """A commit killed between renaming its folder and swapping CURRENT leaves a generation
    nobody reads; the next commit removes it and keeps the one readers may have open."""
    replaced = live_generation(indexed.index).name
    shutil.copytree(live_generation(indexed.index), indexed.index / "gen-000009")
    (indexed.corpus / "her-2013-review.md").unlink()
    build(indexed, embedder)
    assert sorted(p.name for p in indexed.index.glob("gen-*")) == [replaced, "gen-000010"]


def test_bad_files_are_skipped_with_a_warning_naming_them(make_settings, embedder):
    settings = make_settings()
    corpus = settings.corpus
    (corpus / "poster.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (corpus / "latin1-review.txt").write_bytes("Café Society is a charm.".encode("cp1252"))
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "only-front-matter.md").write_text("---\ntitle: Nothing\n---\n", encoding="utf-8")
    shutil.copy(FIXTURES / "bad" / "page-not-found.html", corpus)
    warnings: list[str] = []
    report = build(settings, embedder, warn=warnings.append)
    assert report.added == 5
    for name in (
        "poster.txt",
        "latin1-review.txt",
        "empty.md",
        "only-front-matter.md",
        "page-not-found.html",
    ):
        assert sum(name in message for message in warnings) == 1, (name, warnings)
    assert len(warnings) == 5
    assert sorted(report.skipped) == sorted(
        [
            "poster.txt",
            "latin1-review.txt",
            "empty.md",
            "only-front-matter.md",
            "page-not-found.html",
        ]
    )
    assert sorted(snapshot(settings)["articles"]) == sorted(p.stem for p in corpus.glob("her*.md"))


# --- a damaged index is reported in one line that says how to fix it --------------------------


def garble(path: Path) -> None:
    """Zero two pages in the middle of the file, as a bad disk block or torn write would."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 8192] = bytes(len(data[middle : middle + 8192]))
    path.write_bytes(bytes(data))


DAMAGE = {
    "vectors garbled": lambda s: garble(live_generation(s.index) / VECTORS),
    "vectors truncated": lambda s: (live_generation(s.index) / VECTORS).write_bytes(
        (live_generation(s.index) / VECTORS).read_bytes()[:1000]
    ),
    "vectors deleted": lambda s: (live_generation(s.index) / VECTORS).unlink(),
    "manifest garbled": lambda s: (live_generation(s.index) / MANIFEST).write_text(
        '{"format_version": 2, "mo'
    ),
    "manifest deleted": lambda s: (live_generation(s.index) / MANIFEST).unlink(),
    "database garbled": lambda s: garble(live_generation(s.index) / DATABASE),
    "database emptied": lambda s: (live_generation(s.index) / DATABASE).write_bytes(b""),
    "database deleted": lambda s: (live_generation(s.index) / DATABASE).unlink(),
    "pointer garbled": lambda s: (s.index / CURRENT).write_text("gen-\x00oops"),
    "pointer to nothing": lambda s: (s.index / CURRENT).write_text("gen-000042\n"),
    "generation deleted": lambda s: shutil.rmtree(live_generation(s.index)),
}


@pytest.fixture
def built_copy(seed_index: Settings, tmp_path: Path) -> Settings:
    """A private copy of the session's seed index, to damage."""
    shutil.copytree(seed_index.index, tmp_path / "index")
    return seed_index.model_copy(update={"index": tmp_path / "index"})


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_reported_with_the_fix(built_copy, damage):
    """Verified (as a rebuild and `filmchat index --check` open it): every damage is found."""
    DAMAGE[damage](built_copy)
    with pytest.raises(IndexCorruptError) as caught:
        IndexStore.open(built_copy.index, verify=True)
    message = str(caught.value)
    assert "filmchat index --full" in message
    assert "\n" not in message


# the one damage only a hash finds: zeroed vector data keeps the file's size and structure
HASH_ONLY = {"vectors garbled"}


@pytest.mark.parametrize("damage", sorted(set(DAMAGE) - HASH_ONLY))
def test_damage_is_found_even_without_checksum_verification(built_copy, damage):
    """A question opens without hashing the files: sizes, generation, format and SQLite's page
    structure still catch the damage on open, not as a crash in the first query touching it."""
    DAMAGE[damage](built_copy)
    with pytest.raises(IndexCorruptError) as caught:
        IndexStore.open(built_copy.index, verify=False)
    assert "filmchat index --full" in str(caught.value) and "\n" not in str(caught.value)


def test_opening_for_a_question_hashes_nothing(
    seed_index: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing reads the whole index (1.5 GB at a million chunks): never for a question."""
    from filmchat import store as store_module
    from filmchat.conversation import Conversation, Engine

    hashed: list[Path] = []

    def counting_sha256(path: Path) -> str:
        hashed.append(path)
        return ""

    monkeypatch.setattr(store_module, "_sha256", counting_sha256)
    IndexStore.open(seed_index.index).close()
    engine = Engine(seed_index, embedder)
    try:
        answer = Conversation(engine).ask("Who directed Her?")
    finally:
        engine.store.close()
    assert answer.answered and "Spike Jonze" in answer.text
    assert hashed == []
    with pytest.raises(IndexCorruptError):  # the same open, verified, does hash
        IndexStore.open(seed_index.index, verify=True)
    assert hashed


def test_a_generation_pointed_at_by_mistake_is_damage(built_copy):
    """CURRENT naming a folder whose manifest was written for another generation."""
    live = live_generation(built_copy.index)
    assert live is not None
    shutil.copytree(live, built_copy.index / "gen-000099")
    (built_copy.index / CURRENT).write_text("gen-000099\n")
    with pytest.raises(IndexCorruptError, match="filmchat index --full"):
        IndexStore.open(built_copy.index)


def test_missing_index_says_to_build_it(tmp_path):
    for index in (tmp_path / "never-built", tmp_path):
        with pytest.raises(IndexMissingError) as caught:
            IndexStore.open(index)
        assert "filmchat index" in str(caught.value)


def test_pointer_deleted_counts_as_missing(built_copy):
    (built_copy.index / CURRENT).unlink()
    with pytest.raises(IndexMissingError):
        IndexStore.open(built_copy.index)


@pytest.mark.parametrize("damage", ["vectors garbled", "database garbled", "pointer garbled"])
def test_next_index_run_rebuilds_a_damaged_index_and_says_why(built_copy, embedder, damage):
    DAMAGE[damage](built_copy)
    report = build(built_copy, embedder)
    assert report.full and report.reason and "unusable" in report.reason
    assert report.chunks_embedded == report.chunks_total > 0
    assert snapshot(built_copy)["articles"]


def test_no_chunk_is_truncated_by_the_encoder(seed_index: Settings, embedder: Embedder) -> None:
    """Film and headings are embedded with each chunk; together they fit the model's window."""
    store = IndexStore.open(seed_index.index)
    try:
        articles = {a.article_id: a for a in store.articles()}
        rows = store.chunks([int(i) for i in store.chunk_ids_for(list(articles))])
        assert rows
        for article_id, headings, text, _ in rows.values():
            context = " / ".join(p for p in [articles[article_id].meta.film, *headings] if p)
            tokens = embedder.count_tokens([f"{context}\n{text}"])[0] + 2  # CLS and SEP
            assert tokens <= embedder.max_tokens, (article_id, tokens)
    finally:
        store.close()
