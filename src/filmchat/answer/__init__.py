"""Answering without a language model, in typed steps.

question → `kinds.classify` (the intent) → `evidence` (sentences that state what is asked, of the
film asked about) → `compose` (the best few, cited) or a refusal. Each kind of question is
declared once in `kinds.KINDS`.
"""

from filmchat.answer.compose import (
    Credit,
    Evidence,
    compose,
    credits_answer,
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
    "compose",
    "credits_answer",
    "refusal",
    "relation_asked",
    "reply",
    "title_words",
]
