"""Terms: the tokenising and stemming shared by lexical search and sentence scoring.

The stemmer is the original Porter algorithm, as in SQLite FTS5's `porter` tokenizer, so the
words a sentence is scored on are the words BM25 matched it by; only British '-our' spellings
are folded into American ones on top.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each few for from further had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how
    how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most
    mustn't my myself no nor not of off on once only or other ought our ours ourselves out
    over own same shan't she she'd she'll she's should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll
    they're they've this those through to too under until up very was wasn't we we'd we'll
    we're we've were weren't what what's when when's where where's which while who who's
    whom why why's with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves tell know also just like get got give gave say says said think
    thinks anything something much many us will shall may might must
    """.split()
)

# Words that say "the film" rather than what is asked about it.
GENERIC = frozenset(
    """
    film films movie movies review reviews reviewer reviewers critic critics article
    articles picture story
    """.split()
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    return snowballstemmer.stemmer("porter")


def fold(text: str) -> str:
    """Lowercase without accents, with curly apostrophes made straight."""
    text = text.replace("’", "'")
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def words(text: str) -> list[str]:
    """Folded word tokens."""
    return _WORD.findall(fold(text))


# British spellings the stemmer leaves apart from American ones ('colour', 'color'): one stem for
# both, so a question in either spelling finds sentences in the other
_BRITISH_OUR = re.compile(r"(?<=\w\w)our(?=$|it|ful|less|abl)")
_NOT_BRITISH = frozenset("devour contour detour velour paramour".split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmed = str(_stemmer().stemWord(word))
    return stemmed if stemmed in _NOT_BRITISH else _BRITISH_OUR.sub("or", stemmed)


@lru_cache(maxsize=65536)
def content_terms(text: str, *, drop: frozenset[str] = frozenset()) -> dict[str, str]:
    """Stem → first word, for the words that carry meaning (stopwords and `drop` removed).

    Cached: the same passage sentences are scored again and again; treat the result as read-only.
    """
    terms: dict[str, str] = {}
    for word in words(text):
        if word.endswith("'s"):
            word = word[:-2]
        if word in STOPWORDS or word in drop or len(word) < 2:
            continue
        terms.setdefault(stem(word), word)
    return terms


def content_stems(text: str, *, drop: frozenset[str] = frozenset()) -> list[str]:
    """Stems of the words that carry meaning, in order, unique."""
    return list(content_terms(text, drop=drop))
