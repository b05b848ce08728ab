"""What a question asks, one row per question shape: classification runs in milliseconds."""

from __future__ import annotations

import pytest

from filmchat.answer import classify
from filmchat.answer.judgement import is_verdict, states_rating

KIND_ROWS = [
    ("Who directed The Lighthouse?", "person", "director"),
    ("Who was the director of photography on Dune?", "person", "cinematographer"),
    ("Who composed the score for Alien?", "person", "composer"),
    ("Who plays the detective in Zodiac?", "person", "cast"),
    ("How long is Heat?", "runtime", None),
    ("How much did Titanic make at the box office?", "money", None),
    ("What rating did the reviewer give Jaws?", "rating", None),
    ("How many stars did the critic give Up?", "rating", None),
    ("What score did the reviewer give it, and what was the main complaint?", "rating", None),
    ("Is Vertigo worth watching?", "verdict", None),
    ("Does the reviewer recommend Psycho?", "verdict", None),
    ("How did the critic feel about Rocky overall?", "verdict", None),
    ("What is the reviewer's final verdict on Gravity?", "verdict", None),
    ("Why does the heist fail in Rififi?", "reason", None),
    ("When does Ripley wake up?", "plot", None),
    ("When was Alien released?", "date", None),
    ("What is Solaris about?", "plot", None),
    ("Which films are similar to Stalker?", "similar", None),
    ("hi", "smalltalk", None),
    ("thanks!", "smalltalk", None),
    ("what can you do?", "smalltalk", None),
    ("Which films do you know?", "smalltalk", None),
    ("What does the film say about grief?", "general", None),
]


@pytest.mark.parametrize(("question", "kind", "role"), KIND_ROWS)
def test_the_best_scoring_kind_wins(question: str, kind: str, role: str | None) -> None:
    intent = classify(question)
    assert (intent.kind, intent.role) == (kind, role)


def test_a_verdict_question_keeps_only_its_topic_words() -> None:
    """'final', 'verdict', 'reviewer' say what is asked, not about what."""
    assert classify("What is the reviewer's final verdict on it?").focus == []


VERDICT_ROWS = [
    ("A bold, gorgeous and deeply moving film that I cannot recommend enough.", True),
    ("It is a dull, lifeless and frankly awful movie.", True),
    ("RATING: 4 out of 5", True),
    ("I give it 7/10.", True),
    ("The heroine drives to the coast and meets her brother.", False),
    ("The film runs for two hours.", False),
]


@pytest.mark.parametrize(("sentence", "verdict"), VERDICT_ROWS)
def test_a_verdict_is_evaluative_language_or_a_rating(sentence: str, verdict: bool) -> None:
    assert is_verdict(sentence) == verdict


def test_ratings_in_the_shapes_reviews_write_them() -> None:
    for shape in ("5/5", "3.5 out of 5", "four stars", "8 for ambition", "92%"):
        assert states_rating(f"My score: {shape}."), shape
    assert not states_rating("It was released in 2019 across 3,000 screens.")
