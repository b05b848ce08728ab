"""The fitted scorer: how likely a sentence answers a question, and when to refuse.

Two logistic regressions fitted on real reviews by `fitting/fit_answers.py`, shipped as
`data/answer_scorer.json`: one weighs each sentence, the other (over the best sentences' scores)
says whether they answer at all. Applying them needs numpy alone, so no training library is
imported when a question is asked. The refusal threshold is fitted with them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from filmchat.answer.features import ANSWER_FEATURES, FEATURE_NAMES, answer_features
from filmchat.errors import FilmchatError

SCORER_FILE = "answer_scorer.json"


class Logistic(BaseModel):
    """A fitted logistic regression over standardised features."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        if matrix.shape[0] == 0:
            return np.zeros(0)
        z = (matrix - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))


class Scorer(BaseModel):
    """Which sentences answer (`sentences`), whether any does (`answers`), and the threshold
    on the latter below which the question is refused."""

    sentences: Logistic
    answers: Logistic
    threshold: float
    fitted_on: str = ""

    def decide(self, matrix: np.ndarray, stated: bool = False) -> tuple[np.ndarray, bool]:
        """Each sentence's probability of answering, and whether the best ones answer
        (`stated`: every candidate states what the kind declares an answer must state)."""
        probabilities = self.sentences.probabilities(matrix)
        if not len(probabilities):
            return probabilities, False
        row = answer_features(probabilities, matrix, stated)[None, :]
        return probabilities, bool(self.answers.probabilities(row)[0] >= self.threshold)


def load_scorer(path: Path | None = None) -> Scorer:
    """The shipped scorer (or one at `path`); its features must be the ones computed here."""
    if path is None:
        text = resources.files("filmchat").joinpath("data", SCORER_FILE).read_text("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    scorer = Scorer.model_validate(json.loads(text))
    if (tuple(scorer.sentences.features), tuple(scorer.answers.features)) != (
        FEATURE_NAMES,
        ANSWER_FEATURES,
    ):
        raise FilmchatError(
            "The answer scorer was fitted on other features than this filmchat computes; "
            "run `python fitting/fit_answers.py` to refit it."
        )
    return scorer


@cache
def default_scorer() -> Scorer:
    return load_scorer()
