"""The collection as a whole, on the real index of the shapes fixtures (Her and The Lantern
Keeper, sentences written for the tests): profiles are built at index time, and collection
answers cite each film's own review."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from filmchat import collection
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.indexer import build_index
from filmchat.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "tests" / "fixtures" / "answers"


@pytest.fixture(scope="module")
def shapes_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    root = tmp_path_factory.mktemp("collection")
    shutil.copytree(ROOT / "corpus", root / "corpus")
    for article in ("the-lantern-keeper.md", "a-glass-orchard.md"):
        shutil.copy(SHAPES / article, root / "corpus")
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build_index(settings, embedder=embedder)
    return Engine(settings, embedder)


@pytest.fixture(scope="module")
def seed_engine(seed_index: Settings, embedder: Embedder) -> Engine:
    return Engine(seed_index, embedder)


def ask(engine: Engine, question: str):  # type: ignore[no-untyped-def]
    return Conversation(engine).ask(question)


def test_every_reviewed_film_has_a_profile(shapes_engine: Engine) -> None:
    profiles = collection.profiles_of(shapes_engine.store)
    reviewed = {f.title for f in shapes_engine.catalog if not f.mentioned_only}
    assert {p.film for p in profiles.profiles} == reviewed
    assert profiles.matrix.shape == (len(reviewed), shapes_engine.store.manifest.dimension)
    for profile in profiles.profiles:
        assert -1.0 <= profile.verdict <= 1.0
    for film in ("Her", "The Lantern Keeper"):  # reviews that judge: a verdict and its sentences
        found = profiles.of(film)
        assert found is not None and found[1].strongest and found[1].verdict > 0


def test_similar_films_never_list_the_film_asked_and_give_a_cited_reason(
    shapes_engine: Engine,
) -> None:
    answer = ask(shapes_engine, "Which films in my collection are like Her?")
    assert answer.answered
    lines = [s for s in answer.sentences if s.text.startswith("Her (2013):")]
    assert not lines, answer.text
    assert all(s.markers for s in answer.sentences)


def test_the_review_s_own_suggestions_say_which_are_in_the_collection(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "What films are similar to Her?")
    assert answer.answered
    for title in ("Ex Machina", "Moon", "Lost in Translation"):
        assert title in answer.text
    assert "not in your collection" in answer.note


def test_a_film_the_collection_lacks_is_named_as_missing(shapes_engine: Engine) -> None:
    similar = ask(shapes_engine, "Any films like Titanic in here?")
    assert not similar.answered and "Titanic is not in your collection" in similar.text
    compared = ask(shapes_engine, "Compare Her and Titanic")
    assert "Titanic" in compared.note
    assert {c.film for c in compared.citations} == {"Her"}


def test_a_comparison_cites_both_films(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Compare Her and The Lantern Keeper")
    assert answer.answered
    assert {c.film for c in answer.citations} == {"Her", "The Lantern Keeper"}


def test_a_ranking_lists_films_by_verdict_each_cited(shapes_engine: Engine) -> None:
    profiles = collection.profiles_of(shapes_engine.store).profiles
    answer = ask(shapes_engine, "Which film did the reviewers like most?")
    assert answer.answered and answer.listing
    listed = [s.text.split(" (", 1)[0] for s in answer.sentences]
    by_score = sorted(profiles, key=lambda p: p.verdict, reverse=True)
    assert listed == [p.film for p in by_score][: len(listed)]
    assert all(s.markers for s in answer.sentences)


def test_a_person_no_review_names_gets_none(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Which films did Steven Spielberg direct?")
    assert not answer.answered
    assert not re.search(r"\[\d\]", answer.text)


def test_a_person_is_found_in_the_reviews_that_credit_them(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Which films star Joaquin Phoenix?")
    assert answer.answered
    assert {c.film for c in answer.citations} == {"Her"}
