"""Features of (question, sentence) pairs: what the fitted scorer weighs.

Each rule that once decided on its own (a verdict's shape, a reason's connective, a person in the
asked role, the closing paragraph) is one feature here; how much each counts, for which kind of
question, is fitted on real reviews (`fitting/fit_answers.py`), never set by hand. A feature is a
name and a function of the candidate and its question; a new one is one row of `FEATURES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from rank_bm25 import BM25Okapi

from filmchat.answer.evidence import (
    ABOUT_THE_ARTICLE,
    SYNOPSIS,
    TITLE_LIST_ITEM,
    covers,
    credits_role,
    has_role_cue,
    makers_title,
    states_what_is_asked,
)
from filmchat.answer.judgement import CLOSING, intensity, is_verdict, polarity, states_rating
from filmchat.answer.kinds import Intent
from filmchat.films import title_used_in
from filmchat.models import ArticleRecord, Sentence
from filmchat.terms import content_stems, words

# Words that give a reason: a 'why' question is answered by the sentence that states one.
REASON = re.compile(
    r"\b(because|since|due to|owing to|thanks to|as a result|which is why|that is why|so that"
    r"|stemming from|leads? to|led to|the reason|reasons?|means|meaning|makes? (it|the)"
    r"|in order to|after|given that)\b",
    re.I,
)
# A sentence that leans on the one before it: 'It is ...', 'This makes ...'.
LEANS_BACK = re.compile(r"^\W*(it|this|that|these|those|he|she|they|his|her|their)\b", re.I)
_PLOT_HEADING = re.compile(r"plot|synopsis|story|premise|overview|summary", re.I)

# The kinds of question, in groups the scorer knows apart (one indicator each): a verdict's
# best sentence scores differently from a credit's.
GROUPS = ("open", "verdict", "reason", "person", "fact")
GROUP_OF_KIND = {
    "general": "open",
    "plot": "open",
    "verdict": "verdict",
    "rating": "verdict",
    "reason": "reason",
    "person": "person",
}


def group_of(intent: Intent) -> str:
    return GROUP_OF_KIND.get(intent.kind, "fact")


@dataclass
class Candidate:
    """A sentence of a review in scope, with where it sits in its article."""

    article: ArticleRecord
    sentence: Sentence
    vector: np.ndarray
    index: int  # its place among its article's sentences
    siblings: list[Sentence] = field(repr=False)  # the article's sentences, in reading order
    passage_rank: int | None = None  # rank of the first retrieved passage holding it

    @property
    def from_end(self) -> int:
        return len(self.siblings) - 1 - self.index

    @property
    def position(self) -> float:
        return self.sentence.start / (self.article.text_length or 1)

    @property
    def key(self) -> tuple[str, int]:
        return self.article.article_id, self.sentence.start


@dataclass
class Context:
    """The question as features see it."""

    question: str
    intent: Intent
    film_title: str | None
    idf: dict[str, float]  # asked stem → weight
    related: dict[str, dict[str, float]]  # asked stem → stems of close meaning
    characters: frozenset[str]
    fact_sentences: frozenset[str]

    def coverage(self, stems: list[str], asked: str) -> float:
        if covers(stems, asked):
            return 1.0
        close = self.related.get(asked)
        return max((close[s] for s in stems if s in close), default=0.0) if close else 0.0


@dataclass
class Pair:
    """What the row functions read: the candidate, its stems, and the question."""

    candidate: Candidate
    context: Context
    stems: list[str]
    heading_stems: list[str]

    @property
    def text(self) -> str:
        return self.candidate.sentence.text


def declares_evidence(intent: Intent) -> bool:
    """Kinds that say what an answering sentence must state (a running time, a sum, a person
    in a role): a sentence that states it, about the film, answers; refusal is for when none
    does. Open questions are judged by the answer model instead."""
    spec = intent.spec
    return bool(
        (spec is not None and spec.evidence is not None)
        or intent.kind == "similar"
        or (intent.kind == "person" and intent.role)
    )


def states_asked(candidate: Candidate, context: Context) -> bool:
    """What a kind declares a sentence must state, it must state: a number with a unit for a
    running time, a person in the asked role for 'who …?' (or the maker named as the owner of
    the film). Sentences that don't are not candidates at all; the rest are weighed."""
    text = candidate.sentence.text
    if states_what_is_asked(text, context.intent):
        return True
    title = context.film_title
    director = context.intent.kind == "person" and context.intent.role == "director"
    return bool(director and title and makers_title(title).search(text))


def _weighted_coverage(pair: Pair, stems: list[str]) -> float:
    weights = pair.context.idf
    total = sum(weights.values())
    if not total:
        return 0.0
    return sum(w * pair.context.coverage(stems, s) for s, w in weights.items()) / total


def _telling_word(pair: Pair) -> float:
    """The question's rarest word, or one meaning it, in the sentence or its heading."""
    weights = pair.context.idf
    if not weights:
        return 0.0
    rarest = max(weights, key=lambda s: weights[s])
    return pair.context.coverage(pair.stems + pair.heading_stems, rarest)


def _last_word(pair: Pair) -> float:
    """The question's last word of substance ('which film has a talking *dog*?'): what sets
    the film apart when a question asks which film."""
    focus = pair.context.intent.focus
    return pair.context.coverage(pair.stems + pair.heading_stems, focus[-1]) if focus else 0.0


def _names_maker(pair: Pair) -> float:
    title = pair.context.film_title
    return float(bool(title and makers_title(title).search(pair.text)))


def _names_film(pair: Pair) -> float:
    title = pair.context.film_title
    return float(bool(title and title_used_in(pair.text, title)))


def _verdict_shape(pair: Pair) -> float:
    sentence = pair.candidate.sentence
    return float(
        is_verdict(pair.text, sentence.heading, pair.candidate.position, bool(_names_film(pair)))
    )


def _neighbour_coverage(pair: Pair, step: int) -> float:
    """How much of the question the sentence before says: a reason follows its claim."""
    index = pair.candidate.index + step
    siblings = pair.candidate.siblings
    if not 0 <= index < len(siblings):
        return 0.0
    return _weighted_coverage(pair, content_stems(siblings[index].text))


def _neighbour_leans(pair: Pair) -> float:
    following = pair.candidate.index + 1
    siblings = pair.candidate.siblings
    return float(following < len(siblings) and bool(LEANS_BACK.match(siblings[following].text)))


# Features computed row by row: (name, function of the pair).
ROW_FEATURES: tuple[tuple[str, Callable[[Pair], float]], ...] = (
    ("coverage", lambda p: _weighted_coverage(p, p.stems)),
    ("heading_coverage", lambda p: _weighted_coverage(p, p.heading_stems)),
    ("telling_word", _telling_word),
    ("last_word", _last_word),
    ("across_films", lambda p: float(p.context.intent.across_films)),
    ("sets_apart", lambda p: _last_word(p) if p.context.intent.across_films else 0.0),
    ("rating", lambda p: float(states_rating(p.text))),
    ("evaluative", lambda p: abs(polarity(p.text))),
    ("intensity", lambda p: intensity(p.text)),
    ("verdict_shape", _verdict_shape),
    ("reason_words", lambda p: float(bool(REASON.search(p.text)))),
    ("synopsis", lambda p: float(bool(SYNOPSIS.search(p.text)))),
    (
        "plot_heading",
        lambda p: float(bool(_PLOT_HEADING.search(p.candidate.sentence.heading or ""))),
    ),
    ("characters", lambda p: float(bool(p.context.characters & set(p.stems)))),
    ("credits_role", lambda p: float(credits_role(p.text, p.context.intent.role))),
    (
        "role_in_heading",
        lambda p: float(
            bool(p.context.intent.role)
            and has_role_cue(p.candidate.sentence.heading or "", p.context.intent.role or "")
        ),
    ),
    ("names_maker", _names_maker),
    ("names_film", _names_film),
    ("fact_sheet", lambda p: float(p.text in p.context.fact_sentences)),
    ("position", lambda p: p.candidate.position),
    ("closing", lambda p: float(p.candidate.position >= CLOSING)),
    ("opening", lambda p: float(p.candidate.index < 3)),
    ("last_words", lambda p: 1.0 / (1.0 + p.candidate.from_end)),
    ("previous_coverage", lambda p: _neighbour_coverage(p, -1)),
    ("item", lambda p: float(p.candidate.sentence.kind == "item")),
    (
        "listed_when_listing",
        lambda p: float(p.context.intent.listing and p.candidate.sentence.kind == "item"),
    ),
    ("title_list_item", lambda p: float(bool(TITLE_LIST_ITEM.match(p.text)))),
    ("about_the_article", lambda p: float(bool(ABOUT_THE_ARTICLE.search(p.text)))),
    ("fragment", lambda p: float(len(words(p.text)) < 4)),
    ("length", lambda p: float(np.log1p(len(words(p.text))))),
    ("leans_back", lambda p: float(bool(LEANS_BACK.match(p.text)))),
    ("followed_by_leaning", _neighbour_leans),
)
VECTOR_FEATURES = (
    "cosine",
    "cosine_gap",
    "cosine_z",
    "cosine_rank",
    "neighbour_cosine",
    "previous_cosine",
    "next_cosine",
    "bm25",
    "retrieved_rank",  # the hybrid retriever's rank of the best passage holding it
)
BASE_FEATURES = (*VECTOR_FEATURES, *(name for name, _ in ROW_FEATURES))
# What each group of kinds looks for beyond what every question does: these features get a
# weight of their own within the group. (A weight per feature and group for every feature
# fitted worse across sources: too many for the questions there are.)
GROUP_FEATURES = {
    "open": ("synopsis", "plot_heading", "characters", "opening", "names_film"),
    "verdict": ("rating", "evaluative", "intensity", "verdict_shape", "closing", "last_words"),
    "reason": ("reason_words", "previous_coverage", "previous_cosine"),
    "person": ("credits_role", "names_maker", "fact_sheet", "role_in_heading"),
    "fact": ("coverage", "cosine"),
}
FEATURE_NAMES = (
    *BASE_FEATURES,
    *(f"group:{g}" for g in GROUPS),
    *(f"{g}×{name}" for g in GROUPS for name in GROUP_FEATURES[g]),
)


def _vector_features(
    question_vector: np.ndarray, query_stems: list[str], candidates: list[Candidate]
) -> np.ndarray:
    """Meaning and shared words: cosine to the question (and the best in scope, the
    neighbours'), and BM25 of the sentence among the scope's sentences."""
    matrix = np.stack([c.vector for c in candidates]).astype(np.float32)
    cosine = matrix @ question_vector.astype(np.float32)
    order = np.argsort(-cosine)
    rank = np.empty(len(candidates))
    rank[order] = np.arange(len(candidates))
    by_key = {c.key: n for n, c in enumerate(candidates)}
    neighbour = np.zeros(len(candidates))
    for n, candidate in enumerate(candidates):
        around = [
            by_key.get((candidate.article.article_id, s.start))
            for s in candidate.siblings[max(candidate.index - 1, 0) : candidate.index + 2]
            if s.start != candidate.sentence.start
        ]
        neighbour[n] = max((cosine[i] for i in around if i is not None), default=0.0)
    previous = np.zeros(len(candidates))
    following = np.zeros(len(candidates))
    for n, candidate in enumerate(candidates):
        for step, target in ((-1, previous), (1, following)):
            index = candidate.index + step
            if 0 <= index < len(candidate.siblings):
                found = by_key.get((candidate.article.article_id, candidate.siblings[index].start))
                target[n] = cosine[found] if found is not None else 0.0
    spread = cosine.std() or 1.0
    corpus = [content_stems(c.sentence.text) or ["_"] for c in candidates]
    bm25 = np.asarray(BM25Okapi(corpus).get_scores(query_stems), dtype=np.float64)
    bm25 = bm25 / bm25.max() if bm25.max() > 0 else bm25
    retrieved = np.array(
        [1.0 / (1.0 + c.passage_rank) if c.passage_rank is not None else 0.0 for c in candidates]
    )
    return np.column_stack(
        [
            cosine,
            cosine - cosine.max(),
            (cosine - cosine.mean()) / spread,
            1.0 / (1.0 + rank),
            neighbour,
            previous,
            following,
            bm25,
            retrieved,
        ]
    )


def feature_matrix(
    context: Context, question_vector: np.ndarray, candidates: list[Candidate]
) -> np.ndarray:
    """One row per candidate, columns as `FEATURE_NAMES`."""
    if not candidates:
        return np.zeros((0, len(FEATURE_NAMES)))
    base_vectors = _vector_features(question_vector, list(context.intent.focus), candidates)
    rows = []
    for candidate in candidates:
        pair = Pair(
            candidate,
            context,
            content_stems(candidate.sentence.text),
            content_stems(candidate.sentence.heading or ""),
        )
        rows.append([function(pair) for _, function in ROW_FEATURES])
    base = np.column_stack([base_vectors, np.asarray(rows, dtype=np.float64)])
    group = np.zeros(len(GROUPS))
    group[GROUPS.index(group_of(context.intent))] = 1.0
    mine = group_of(context.intent)
    within = [
        base[:, BASE_FEATURES.index(name)] * float(g == mine)
        for g in GROUPS
        for name in GROUP_FEATURES[g]
    ]
    return np.column_stack([base, np.tile(group, (len(candidates), 1)), *within])


# What says whether the best sentences answer at all, per question: how sure the scorer is of
# the best and how far ahead of the next, how close anything in scope comes, and what the best
# sentence states. A second fitted model weighs them; its probability decides refusal.
ANSWER_FEATURES = (
    "stated",  # the kind declares what an answer states, and every candidate states it
    "best",
    "second",
    "lead",
    "candidates",
    "best_cosine",
    "top_cosine",
    "best_coverage",
    "top_coverage",
    "best_telling_word",
    "best_last_word",
    "across_films",
    "best_bm25",
    *(f"group:{g}" for g in GROUPS),
)
_COLUMN = {name: n for n, name in enumerate(FEATURE_NAMES)}


def answer_features(probabilities: np.ndarray, matrix: np.ndarray, stated: bool) -> np.ndarray:
    """One row, columns as `ANSWER_FEATURES`, from the sentences' probabilities and rows."""
    order = np.argsort(-probabilities, kind="stable")
    best = matrix[order[0]]
    second = probabilities[order[1]] if len(order) > 1 else 0.0
    return np.array(
        [
            float(stated),
            probabilities[order[0]],
            second,
            probabilities[order[0]] - second,
            np.log(len(order)),
            best[_COLUMN["cosine"]],
            matrix[:, _COLUMN["cosine"]].max(),
            best[_COLUMN["coverage"]],
            matrix[:, _COLUMN["coverage"]].max(),
            best[_COLUMN["telling_word"]],
            best[_COLUMN["last_word"]],
            best[_COLUMN["across_films"]],
            best[_COLUMN["bm25"]],
            *(best[_COLUMN[f"group:{g}"]] for g in GROUPS),
        ]
    )
