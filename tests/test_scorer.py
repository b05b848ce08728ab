"""The fitted answer scorer: sentence vectors in the index, features, the shipped weights, the
answer it composes, and the fitting script run end to end on a small dev folder we wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from filmchat.answer.features import FEATURE_NAMES, ROW_FEATURES, VECTOR_FEATURES
from filmchat.answer.ranked import choose
from filmchat.answer.scorer import Scorer, default_scorer, load_scorer
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError
from filmchat.indexer import build_index
from filmchat.settings import Settings
from filmchat.store import IndexStore

PROJECT = Path(__file__).resolve().parents[1]
DEV = Path(__file__).resolve().parent / "fixtures" / "dev"


def test_every_sentence_is_stored_once_with_its_own_vector(seed_index: Settings, embedder):
    store = IndexStore.open(seed_index.index)
    try:
        article = store.articles()[0]
        rows = store.article_sentences([article.article_id])
        starts = [sentence.start for _, sentence, _ in rows]
        assert starts == sorted(set(starts)), "each sentence once, in reading order"
        chunk_sentences = {
            s.start
            for _, _, _, sentences in store.chunks(
                store.chunk_ids_for([article.article_id]).tolist()
            ).values()
            for s in sentences
        }
        assert set(starts) == chunk_sentences
        texts = [sentence.text for _, sentence, _ in rows[:5]]
        fresh = embedder.encode(texts)
        stored = np.stack([vector.astype(np.float32) for _, _, vector in rows[:5]])
        assert np.all(np.sum(fresh * stored, axis=1) > 0.999)
    finally:
        store.close()


def test_sentence_vectors_follow_their_article(indexed: Settings, embedder: Embedder):
    store = IndexStore.open(indexed.index)
    victim = store.articles()[0]
    store.close()
    (indexed.corpus / Path(victim.path).name).unlink()
    build_index(indexed, embedder=embedder)
    store = IndexStore.open(indexed.index)
    try:
        assert store.article_sentences([victim.article_id]) == []
        left = store.db.execute(
            "SELECT count(*) FROM sentence_vectors WHERE article_id = ?", (victim.article_id,)
        ).fetchone()[0]
        assert left == 0
    finally:
        store.close()


def test_the_shipped_scorer_weighs_the_features_computed_here():
    scorer = default_scorer()
    assert tuple(scorer.sentences.features) == FEATURE_NAMES
    assert len(scorer.sentences.coef) == len(FEATURE_NAMES) and 0 < scorer.threshold < 1
    assert len(FEATURE_NAMES) == len(set(FEATURE_NAMES))
    assert len(VECTOR_FEATURES) + len(ROW_FEATURES) <= len(FEATURE_NAMES)


def test_a_scorer_fitted_on_other_features_is_refused_in_one_line(tmp_path: Path):
    scorer = default_scorer()
    fewer = scorer.sentences.model_copy(
        update={"features": ["cosine"], "coef": [1.0], "mean": [0.0], "scale": [1.0]}
    )
    stale = scorer.model_copy(update={"sentences": fewer})
    path = tmp_path / "scorer.json"
    path.write_text(stale.model_dump_json())
    with pytest.raises(FilmchatError, match="refit"):
        load_scorer(path)


def _engine_with(tmp_path: Path, embedder: Embedder, *articles: Path) -> Engine:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for article in articles:
        shutil.copy(article, corpus)
    settings = Settings(corpus=corpus, index=tmp_path / "index", answering="fitted")
    build_index(settings, embedder=embedder)
    return Engine(settings, embedder)


def test_an_answer_is_one_to_three_cited_sentences_in_reading_order(tmp_path, embedder):
    engine = _engine_with(tmp_path, embedder, DEV / "blog" / "the-salt-road.md")
    answer = Conversation(engine).ask("What is The Salt Road about?")
    assert answer.answered and 1 <= len(answer.sentences) <= 4
    # the article as read: its Markdown emphasis ('*The Salt Road*') is not part of a sentence
    text = (DEV / "blog" / "the-salt-road.md").read_text(encoding="utf-8").replace("*", "")
    places = [text.find(s.text[:40]) for s in answer.sentences]
    assert all(p >= 0 for p in places) and places == sorted(places)
    assert all(s.markers == [1] for s in answer.sentences)


def test_a_sentence_that_leans_back_brings_the_one_before(tmp_path, embedder):
    engine = _engine_with(tmp_path, embedder, DEV / "blog" / "the-salt-road.md")
    conversation = Conversation(engine)
    scoring = conversation.scoring_for("Why does the ending of The Salt Road work?")
    assert scoring is not None
    probabilities, _ = engine.scorer.decide(scoring.matrix)
    chosen = choose(scoring.candidates, probabilities, True, scoring.intent)
    assert chosen
    for candidate in chosen:
        if candidate.sentence.text.startswith(("It ", "This ")) and candidate.index > 0:
            before = candidate.siblings[candidate.index - 1]
            assert before.start in {c.sentence.start for c in chosen}


def test_a_threshold_above_every_sentence_refuses(tmp_path, embedder):
    engine = _engine_with(tmp_path, embedder, DEV / "blog" / "the-salt-road.md")
    engine.scorer = engine.scorer.model_copy(update={"threshold": 1.01})
    answer = Conversation(engine).ask("What is The Salt Road about?")
    assert not answer.answered and "don't cover" in answer.message


def test_asking_imports_no_training_library(seed_index: Settings):
    script = (
        "import sys; from filmchat.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('SKLEARN' if 'sklearn' in sys.modules else 'CLEAN')\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "ask",
            "--corpus",
            str(seed_index.corpus),
            "--index",
            str(seed_index.index),
            "Who directed Her?",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip().endswith("CLEAN"), result.stdout + result.stderr


def test_the_fitting_script_cross_validates_by_source_and_ships_weights(tmp_path: Path):
    out = tmp_path / "scorer.json"
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "fitting" / "fit_answers.py"),
            "--only",
            str(DEV / "blog"),
            "--only",
            str(DEV / "site"),
            "--workdir",
            str(tmp_path / "work"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [f["figure"] for f in figures][:2] == ["in-sample", "cross-validated by source"]
    assert {f["figure"] for f in figures[2:]} == {  # the bundled gold questions are a source too
        "cross-validated by source, blog",
        "cross-validated by source, site",
        "cross-validated by source, gold",
        "hand-weighted rules",  # the default answering, beside the fit
        "hand-weighted rules, blog",
        "hand-weighted rules, site",
    }
    assert all("right" in f and "by_type" in f for f in figures)
    scorer = Scorer.model_validate_json(out.read_text())
    assert tuple(scorer.sentences.features) == FEATURE_NAMES and scorer.fitted_on
