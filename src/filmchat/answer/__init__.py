"""Answering without a language model, in typed steps.

question → `kinds.classify` (the intent) → the sentences in scope that state what the kind asks
(`evidence`) → their `features` → the fitted `scorer` → `ranked` (the best one to three, cited)
or a refusal. Each kind of question is declared once in `kinds.KINDS`; `compose` holds the
fact-sheet, collection and small-talk answers.
"""

from filmchat.answer.compose import (
    Credit,
    Evidence,
    collection_answer,
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
    "credits_answer",
    "gather",
    "refusal",
    "relation_asked",
    "reply",
    "title_words",
]
