"""The reviewer's judgement: evaluative language, ratings, and where verdicts sit in a review.

A verdict is recognised from what the sentence says, not from a word list of our own: the
VADER sentiment lexicon (a maintained, bundled lexicon of ~7,500 rated words and idioms) gives
how strongly a sentence praises or pans, a rating ("4/5", "5 out of 5", "9 for competence")
states a verdict outright, and reviews put theirs at the end or under a verdict heading.
"""

from __future__ import annotations

import re
from functools import lru_cache

_RATING = re.compile(
    r"\b\d+(\.\d+)?\s*(/\s*\d+|out of\s+(\d+|five|ten)|stars?\b)|\b(one|two|three|four|five)"
    r"(\s+and a half)? stars?\b|\b\d{1,2} for [a-z]+|\b\d{1,3}\s?%",
    re.I,
)
_VERDICT_HEADING = re.compile(
    r"verdict|conclusion|final|overall|bottom line|rating|score|in short|summary", re.I
)
# 'you're going to want to see it', 'skip it': advice to the reader is a verdict
_ADVICE = re.compile(r"\b(want to (see|watch)|should (see|watch|skip)|skip it|go see|must)\b", re.I)
_JUDGES_THE_FILM = re.compile(
    r"\b(film|movie|picture|it|this|sequel|one|experience|work|watch|see)\b", re.I
)


@lru_cache(maxsize=1)
def _analyzer():  # type: ignore[no-untyped-def]
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=65536)
def _scores(sentence: str) -> dict[str, float]:
    return dict(_analyzer().polarity_scores(sentence))


def polarity(sentence: str) -> float:
    """-1 (pans) … +1 (praises): VADER's compound score of the sentence."""
    return _scores(sentence)["compound"]


def intensity(sentence: str) -> float:
    """How much of the sentence is evaluative, praise and blame alike ('a good movie making a
    hell of an argument' is mixed, so its compound is near 0, yet it is all judgement)."""
    scores = _scores(sentence)
    return scores["pos"] + scores["neg"]


# 'Xan Brooks of the Guardian gave it five stars': another critic's rating, not this review's
_OTHERS_RATING = re.compile(
    r"\b[A-Z][\w.]*(?:\s+[\w.]+){0,4}\s+(gave|awarded|rated)\s+(it|the film)\b"
)


def states_rating(sentence: str) -> bool:
    """A rating this review gives."""
    return bool(_RATING.search(sentence)) and not _OTHERS_RATING.search(sentence)


# Where a review's closing words sit: its last tenth.
CLOSING = 0.9


def is_verdict(
    sentence: str, heading: str | None = None, position: float = 0.5, names_film: bool = False
) -> bool:
    """A rating, or a clearly evaluative sentence about the film (not about one scene's mood);
    in the closing paragraph or under a verdict heading, a milder judgement is enough."""
    if states_rating(sentence):
        return True
    about_the_film = names_film or bool(_JUDGES_THE_FILM.search(sentence))
    if (heading and _VERDICT_HEADING.search(heading)) or position >= CLOSING:
        return intensity(sentence) >= 0.2 or bool(about_the_film and _ADVICE.search(sentence))
    return abs(polarity(sentence)) >= 0.5 and about_the_film


def verdict_weight(
    sentence: str, heading: str | None, position: float, names_film: bool = False
) -> float:
    """How much a sentence reads as the review's verdict: 0 … ~1.

    `position` is where the sentence sits in its article (0 start, 1 end): reviews close on
    their verdict; a judgement that names the film ('Fury Road is all about pleasure over
    punishment') is about the whole of it.
    """
    weight = 0.25 * abs(polarity(sentence)) + 0.25 * intensity(sentence)
    if names_film:
        weight += 0.15
    if states_rating(sentence):
        weight += 0.3
    if heading and _VERDICT_HEADING.search(heading):
        weight += 0.2
    if position >= CLOSING:
        weight += 0.3 + 2.0 * (position - CLOSING)  # the very last words weigh most
    elif position >= 0.75:
        weight += 0.1
    return weight
