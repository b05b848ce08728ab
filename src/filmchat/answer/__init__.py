"""Answering without a language model, in typed steps.

question → `kinds.classify` (the intent) → the sentences in scope that state what the kind asks
(`evidence`) → either the hand-weighted rules of `compose` (the default, `answering = "rules"`)
or their `features` → the fitted `scorer` → `ranked` (`answering = "fitted"`) → the best one to
three sentences, cited, or a refusal. Each kind of question is declared once in `kinds.KINDS`;
`compose` also holds the fact-sheet, collection and small-talk answers.
"""

from filmchat.answer.compose import (
    Credit,
    Evidence,
    collection_answer,
    compose,
    credits_answer,
    gather,
    refusal,
    relation_asked,
    reply,
)
from filmchat.answer.kinds import Intent, classify, title_words

__all__ = [
    "Credit",
    "Evidence",
    "Intent",
    "classify",
    "collection_answer",
    "compose",
    "credits_answer",
    "gather",
    "refusal",
    "relation_asked",
    "reply",
    "title_words",
]
