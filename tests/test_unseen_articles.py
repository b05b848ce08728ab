"""Articles as users add them: three reviews of other films, written for these tests in the
shapes people save (a web page with its site furniture, pasted text with share links and
'Advertisement', Markdown whose headline has no year), added beside the seed corpus with `add`
and asked the questions a reader would ask. None of them is in the gold sets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.indexer import add_articles, build_index
from filmchat.models import Answer
from filmchat.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
UNSEEN = Path(__file__).resolve().parent / "fixtures" / "unseen"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    root = tmp_path_factory.mktemp("unseen")
    shutil.copytree(PROJECT / "corpus", root / "corpus")
    settings = Settings(corpus=root / "corpus", index=root / "index")
    add_articles(settings, sorted(UNSEEN.iterdir()))
    build_index(settings, embedder=embedder)
    return Engine(settings, embedder)


def ask(engine: Engine, question: str) -> Answer:
    return Conversation(engine).ask(question)


def cited_films(answer: Answer) -> set[str]:
    return {citation.film for citation in answer.citations}


def test_added_articles_are_films_with_years(engine: Engine) -> None:
    assert {"Parasite (2019)", "Inception (2010)", "Get Out (2017)", "Her (2013)"} <= set(
        engine.films()
    )


@pytest.mark.parametrize(
    ("question", "expected", "film"),
    [
        ("Who directed Parasite?", "Bong Joon-ho", "Parasite"),
        ("Who directed Get Out?", "Jordan Peele", "Get Out"),
        ("How long is Parasite?", "132 minutes", "Parasite"),
        ("How much did Get Out make?", "$255 million", "Get Out"),
        ("Who plays Rod in Get Out?", "LilRel Howery", "Get Out"),
        ("Who composed the music for Inception?", "Hans Zimmer", "Inception"),
        ("Which films are similar to Get Out?", "Us (2019)", "Get Out"),
        ("What films are similar to Parasite?", "Shoplifters", "Parasite"),
        ("Is Inception worth watching?", "4.5 out of 5", "Inception"),
        ("What does Parasite say about class?", "class", "Parasite"),
        ("What is the Sunken Place?", "Sunken Place", "Get Out"),
        ("What does Get Out say about race?", "racism", "Get Out"),
        ("How does Inception end?", "final shot", "Inception"),
    ],
)
def test_questions_about_added_films_are_answered_from_their_review(
    engine: Engine, question: str, expected: str, film: str
) -> None:
    answer = ask(engine, question)
    assert answer.answered, question
    assert expected in answer.text
    assert cited_films(answer) == {film}


@pytest.mark.parametrize(
    ("question", "film"),
    [
        ("Which film has a rotating hallway fight?", "Inception"),
        ("Which films are about class?", "Parasite"),
    ],
)
def test_which_film_questions_search_every_review(engine: Engine, question: str, film: str):
    conversation = Conversation(engine)
    conversation.ask("Who directed Her?")  # a conversation film must not narrow the search
    answer = conversation.ask(question)
    assert answer.answered
    assert film in cited_films(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Who composed the music for Get Out?",
        "How long is Get Out?",
        "What is the budget of Inception?",
        "Who directed Shoplifters?",
        "Which film has a talking dog?",  # 'the Kims talk their way in' is not about a dog
    ],
)
def test_what_an_added_review_does_not_say_is_refused(engine: Engine, question: str) -> None:
    answer = ask(engine, question)
    assert not answer.answered, answer.text
    assert answer.sentences == [] and "don't" in answer.message


@pytest.mark.parametrize(
    ("turns", "expected", "film"),
    [
        (["How long is Parasite?", "What about Inception?"], "148 minutes", "Inception"),
        (["Who directed Her?", "And Inception?"], "Christopher Nolan", "Inception"),
        (["What is Get Out about?", "Who directed it?"], "Jordan Peele", "Get Out"),
    ],
)
def test_follow_ups_carry_the_question_over_to_another_film(
    engine: Engine, turns: list[str], expected: str, film: str
) -> None:
    conversation = Conversation(engine)
    answers = [conversation.ask(turn) for turn in turns]
    assert answers[-1].answered
    assert expected in answers[-1].text
    assert cited_films(answers[-1]) == {film}


def test_which_film_answer_quotes_only_sentences_with_what_sets_the_film_apart(
    engine: Engine,
) -> None:
    """Her's 'Set in a near-future Los Angeles' shares 'set' with the question, not 'Seoul'."""
    answer = ask(engine, "Which movie is set in Seoul?")
    assert answer.answered
    assert cited_films(answer) == {"Parasite"}
    assert all("Seoul" in s.text for s in answer.sentences)
