"""Word meaning from the encoder already loaded: a paraphrase finds its answer.

Every content word of the collection is embedded once, at index time, and stored with the
index. A question's word then stands for the collection's words whose vectors are close to it
("solitude" for loneliness and isolation, "talking" for dialogue), so a sentence can answer in
other words than the question's, without a hand-written synonym list. Single words are short,
so this costs a few percent of embedding the passages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from filmchat.terms import STOPWORDS, stem, words

# Cosines between two words' vectors, measured on the bundled MiniLM over the seed and
# realdev vocabularies: near-synonyms score 0.57-0.75 (solitude/loneliness 0.63,
# solitude/isolation 0.57, quiet/silence 0.75, men/gender 0.58, talking/dialogue 0.62), words
# merely of one register up to 0.565 (violent/dramatic, funny/interesting, scary/hauntingly
# 0.555), unrelated words 0.15-0.35. Above RELATED a word helps rank a sentence that also
# has the question's own words; only above STANDS_FOR may it replace a word of the question.
RELATED = 0.5
STANDS_FOR = 0.57


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The words worth a vector: alphabetic, three letters or more, not stopwords."""
    found: set[str] = set()
    for text in texts:
        for word in words(text):
            if word.endswith("'s"):
                word = word[:-2]
            if len(word) >= 3 and word.isalpha() and word not in STOPWORDS:
                found.add(word)
    return found


class WordSpace:
    """The collection's word vectors, and the words related to a question's words."""

    def __init__(self, vocabulary: list[str], vectors: np.ndarray) -> None:
        self.words = vocabulary
        self.vectors = vectors
        self.position = {word: n for n, word in enumerate(vocabulary)}
        self.stems = [stem(word) for word in vocabulary]

    def related(
        self, asked: dict[str, str], encode: Callable[[list[str]], np.ndarray]
    ) -> dict[str, dict[str, float]]:
        """For each asked stem (→ its word), the collection's words of other stems that mean
        nearly the same, with their similarity. Words the collection lacks are embedded now."""
        if not asked or not len(self.words):
            return {}
        missing = [word for word in asked.values() if word not in self.position]
        fresh = dict(zip(missing, encode(missing), strict=True)) if missing else {}
        found: dict[str, dict[str, float]] = {}
        for asked_stem, word in asked.items():
            vector = fresh[word] if word in fresh else self.vectors[self.position[word]]
            similarity = self.vectors @ vector
            found[asked_stem] = {
                self.words[n]: float(similarity[n])
                for n in np.flatnonzero(similarity >= RELATED)
                if self.stems[n] != asked_stem
            }
        return found
