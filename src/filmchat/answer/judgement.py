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
_JUDGES_THE_FILM = re.compile(
    r"\b(film|movie|picture|it|this|sequel|one|experience|work|watch|see)\b", re.I
)


@lru_cache(maxsize=1)
def _analyzer():  # type: ignore[no-untyped-def]
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=65536)
def polarity(sentence: str) -> float:
    """-1 (pans) … +1 (praises): VADER's compound score of the sentence."""
    return float(_analyzer().polarity_scores(sentence)["compound"])


def states_rating(sentence: str) -> bool:
    return bool(_RATING.search(sentence))


def is_verdict(sentence: str, heading: str | None = None) -> bool:
    """A rating, or a clearly evaluative sentence about the film (not about one scene's mood)."""
    if states_rating(sentence):
        return True
    if heading and _VERDICT_HEADING.search(heading) and abs(polarity(sentence)) >= 0.2:
        return True
    return abs(polarity(sentence)) >= 0.5 and bool(_JUDGES_THE_FILM.search(sentence))


def verdict_weight(sentence: str, heading: str | None, position: float) -> float:
    """How much a sentence reads as the review's verdict: 0 … ~1.

    `position` is where the sentence sits in its article (0 start, 1 end): reviews close on
    their verdict.
    """
    weight = 0.35 * abs(polarity(sentence))
    if states_rating(sentence):
        weight += 0.35
    if heading and _VERDICT_HEADING.search(heading):
        weight += 0.2
    if position >= 0.8:
        weight += 0.2
    elif position <= 0.1:
        weight += 0.05  # a standfirst often sums the review up too
    return weight
