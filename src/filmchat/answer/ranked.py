"""The answer from scored sentences: the best one to three, cited, in reading order.

The scorer says how likely each sentence of the reviews in scope answers; below its fitted
threshold nothing answers and the question is refused. A sentence that leans on the one before
it ('It is ...') brings that one along, and a reason follows its claim.
"""

from __future__ import annotations

import numpy as np

from filmchat.answer.compose import cite
from filmchat.answer.features import LEANS_BACK, Candidate
from filmchat.answer.kinds import Intent
from filmchat.models import Answer, Passage, Sentence
from filmchat.terms import content_stems


def _too_similar(sentence: Sentence, chosen: list[Candidate]) -> bool:
    """Near-duplicates (a pull quote beside its sentence) are said once."""
    mine = set(content_stems(sentence.text))
    for other in chosen:
        theirs = set(content_stems(other.sentence.text))
        if mine and theirs and len(mine & theirs) / len(mine | theirs) > 0.6:
            return True
    return False


def _sibling(candidate: Candidate, step: int) -> Candidate | None:
    index = candidate.index + step
    if not 0 <= index < len(candidate.siblings):
        return None
    return Candidate(
        candidate.article, candidate.siblings[index], candidate.vector, index, candidate.siblings
    )


def answer_length(intent: Intent) -> int:
    """At most this many sentences answer: the kind's own number, else three."""
    return intent.spec.sentences if intent.spec else 3


def choose(
    candidates: list[Candidate], probabilities: np.ndarray, answers: bool, intent: Intent
) -> list[Candidate]:
    """The best sentences, as many as the kind gives; none when the scorer says that even
    the best do not answer."""
    if not candidates or not answers:
        return []
    order = np.argsort(-probabilities, kind="stable")
    best = candidates[order[0]]
    if intent.listing and best.sentence.kind == "item":
        same_list = {  # the whole list: each item once
            c.sentence.block: c
            for c in reversed([candidates[i] for i in order])
            if c.article.article_id == best.article.article_id
            and c.sentence.kind == "item"
            and c.sentence.heading == best.sentence.heading
        }
        return sorted(same_list.values(), key=lambda c: c.sentence.start)[:8]
    limit = answer_length(intent)
    chosen = [best]
    for i in order[1:]:
        if len(chosen) >= limit:
            break
        if intent.across_films and candidates[i].article.meta.film != best.article.meta.film:
            continue  # 'which film …?' is answered by one film
        if not _too_similar(candidates[i].sentence, chosen):
            chosen.append(candidates[i])
    if intent.kind == "reason":  # reviewers state a judgement, then say why
        following = _sibling(best, 1)
        if following and following.sentence.heading == best.sentence.heading:
            chosen.append(following)
    for candidate in list(chosen):
        before = _sibling(candidate, -1)
        if before and LEANS_BACK.match(candidate.sentence.text):
            chosen.append(before)  # 'It is ...' needs what 'it' is
    unique = {c.key: c for c in chosen}
    return sorted(unique.values(), key=lambda c: c.key)


def cited_answer(
    question: str, film: str | None, chosen: list[Candidate], passages: list[Passage], listing: bool
) -> Answer:
    """Each sentence cited to its article, one marker per article."""
    sentences, citations = cite([(c.article, c.sentence.text) for c in chosen])
    return Answer(
        question=question,
        film=film,
        answered=True,
        sentences=sentences,
        citations=citations,
        passages=passages,
        listing=listing and all(c.sentence.kind == "item" for c in chosen),
    )
