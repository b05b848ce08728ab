"""Answers on an article written in the shapes real reviews use (the real model and index):
credits from the fact sheet, parts named by a relation, meaning rather than shared words,
verdicts from the closing words, reasons after a claim, and a chatbot's manners."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.indexer import build_index
from filmchat.models import Answer
from filmchat.settings import Settings

SHAPES = Path(__file__).resolve().parent / "fixtures" / "answers"


@pytest.fixture(scope="module")
def shapes_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    root = tmp_path_factory.mktemp("shapes")
    shutil.copytree(Path(__file__).resolve().parents[1] / "corpus", root / "corpus")
    for article in ("the-lantern-keeper.md", "a-glass-orchard.md"):
        shutil.copy(SHAPES / article, root / "corpus")
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build_index(settings, embedder=embedder)
    return Engine(settings, embedder)


def ask(engine: Engine, *turns: str) -> Answer:
    conversation = Conversation(engine)
    return [conversation.ask(turn) for turn in turns][-1]


def folders(settings: Settings) -> list[str]:
    return ["--corpus", str(settings.corpus), "--index", str(settings.index)]


def cited_keeper(answer: Answer) -> bool:
    return answer.answered and all(c.film == "The Lantern Keeper" for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "person"),
    [
        ("Who directed The Lantern Keeper?", "Mara Okafor"),
        ("Who plays Ines in The Lantern Keeper?", "Julia Brandt"),
        ("Who plays Ines's brother in The Lantern Keeper?", "Felix Arden"),
        ("Who does Julia Brandt play in The Lantern Keeper?", "Ines"),
    ],
)
def test_credits_come_from_the_fact_sheet(shapes_engine: Engine, question: str, person: str):
    answer = ask(shapes_engine, question)
    assert cited_keeper(answer) and person in answer.text, answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Who plays Ines's father in The Lantern Keeper?",  # nobody is credited with the part
        "Who composed the music for The Lantern Keeper?",  # 'soundtrack' and a name, apart
    ],
)
def test_a_credit_no_review_states_is_refused(shapes_engine: Engine, question: str) -> None:
    answer = ask(shapes_engine, question)
    assert not answer.answered, answer.text
    assert answer.citations  # the refusal lists the nearest articles


def test_a_paraphrase_finds_its_answer(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "What does The Lantern Keeper say about solitude?")
    assert cited_keeper(answer) and "loneliness" in answer.text


def test_the_verdict_comes_from_the_closing_words(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Did the reviewer like The Lantern Keeper?")
    assert cited_keeper(answer) and "want to see it" in answer.text


def test_why_quotes_the_claim_and_its_reason(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Why is the ending of The Lantern Keeper weak?")
    assert cited_keeper(answer)
    assert "weakest part" in answer.text and "too quickly" in answer.text


@pytest.mark.parametrize("greeting", ["hi", "thanks!", "what can you do?"])
def test_small_talk_gets_a_reply_naming_the_films(shapes_engine: Engine, greeting: str) -> None:
    answer = ask(shapes_engine, greeting)
    assert answer.smalltalk and not answer.answered
    assert "The Lantern Keeper (2021)" in answer.text and "don't cover" not in answer.text


def test_film_command_prints_the_cited_fact_sheet(shapes_engine: Engine) -> None:
    settings = shapes_engine.settings
    result = subprocess.run(
        [sys.executable, "-m", "filmchat", "film", "The Lantern Keeper", *folders(settings)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Director: Mara Okafor [1]" in result.stdout
    assert "Julia Brandt (Ines) [1]" in result.stdout
    assert "[1] The Lantern Keeper review" in result.stdout


def test_eval_on_a_folder_adds_indexes_asks_and_counts(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(SHAPES / "the-lantern-keeper.md", folder)
    questions = [
        {"id": "k-1", "turns": ["Who directed The Lantern Keeper?"], "expect": ["Okafor"],
         "gold": ["the-lantern-keeper.md"], "type": "factoid"},
        {"id": "k-2", "turns": ["Who composed the music for The Lantern Keeper?"],
         "unanswerable": True, "type": "unanswerable"},
    ]  # fmt: skip
    (folder / "questions.json").write_text(json.dumps(questions), encoding="utf-8")
    (folder / "films.json").write_text(
        json.dumps({"the-lantern-keeper.md": {"film": "The Lantern Keeper", "year": 2021}})
    )
    seed = Settings(corpus=Path(__file__).resolve().parents[1] / "corpus", index=tmp_path / "x")
    result = subprocess.run(
        [sys.executable, "-m", "filmchat", "eval", str(folder), "--json", *folders(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["right"] == 1 and summary["refused"] == 1 and summary["film_right"] == 1


def test_a_forced_film_stays_the_scope_and_says_so(shapes_engine: Engine) -> None:
    conversation = Conversation(shapes_engine, forced_film="The Lantern Keeper", k=3)
    answer = conversation.ask("Who directed Her?")
    assert answer.film == "The Lantern Keeper (2021)" and "Mara Okafor" in answer.text
    assert "Her (2013)" in answer.note and "--film" in answer.note
    cast = Conversation(shapes_engine, k=3).ask("Who is in the cast of Her?")
    assert len(cast.passages) == 3  # --k is the number of passages returned, lists too


@pytest.mark.xfail(
    strict=True,
    reason="issue 17: the fitted theme threshold (0.294) leaves out 'The film is mostly about "
    "loneliness' by 0.0004, its passage's closeness being the only evidence weighed",
)
def test_a_collection_question_answers_one_line_per_film(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Which films in the collection are about loneliness?")
    assert answer.answered and answer.listing
    lines = {s.text.split(":", 1)[0] for s in answer.sentences}
    assert {"Her (2013)", "The Lantern Keeper (2021)"} <= lines
    assert all(s.markers for s in answer.sentences)


def test_an_answer_found_across_films_names_its_film(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Which film is about a lighthouse on a northern island?")
    assert answer.answered and answer.film is None  # asked of every review
    assert answer.about == "The Lantern Keeper", answer.text


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Did the Evening Lamp like it?", "the-lantern-keeper"),
        ("What does Ozaifa Rose think of Her?", "her-2013-a-futuristic-love-story"),
    ],
)
def test_a_question_naming_a_site_or_critic_is_answered_from_their_review(
    shapes_engine: Engine, question: str, article: str
) -> None:
    answer = ask(shapes_engine, question)
    assert answer.answered, answer.text
    assert {c.article_id for c in answer.citations} == {article}


def test_a_site_the_collection_does_not_have_is_refused(shapes_engine: Engine) -> None:
    answer = ask(shapes_engine, "Did the Daily Bugle like Her?")
    assert not answer.answered and "Daily Bugle" in answer.text


def test_a_title_without_its_leading_article_is_not_an_unknown_name(
    shapes_engine: Engine,
) -> None:
    """'Glass Orchard' is part of 'A Glass Orchard' (a review that never names its film), not
    a name the reviews lack."""
    answer = ask(shapes_engine, "Who directed A Glass Orchard?")
    assert answer.answered and "Ilse Varga" in answer.text, answer.text
