"""Evidence: whether a sentence states what a question asks, and which film it is about.

A sentence answers only when it belongs to the film asked about and states the kind of fact
asked for: a number with a unit for a running time, a named person in the asked role for
"who …?", the question's own topic (or a word of its family) for an open question.
"""

from __future__ import annotations

import re

from filmchat.answer.kinds import FILMING, KIND_BY_NAME, ROLE_BY_NAME, Intent
from filmchat.films import mentioned_titles
from filmchat.models import Passage, Sentence
from filmchat.terms import content_stems

# How reviews summarise a plot: 'tells the story of', 'follows', 'revolves around'.
SYNOPSIS = re.compile(
    r"\b(tells the story|story of|follows|revolves around|cent(er|re)s on|is about"
    r"|introduces us)\b",
    re.I,
)

# 'If you liked Parasite, try Shoplifters (2018)', 'Fans of it should see Us (2019)'
_RECOMMENDS = re.compile(
    r"\b(liked|loved|enjoyed|fans? of|try|see also|should (see|watch)|pair it with|double bill)\b",
    re.I,
)
_NAMES_A_FILM = re.compile(r"\b[A-Z][^()]{0,60}\((?:18|19|20)\d{2}\)")
ABOUT_THE_ARTICLE = re.compile(
    r"\b(in|throughout) this (article|post|piece|essay|blog)\b|\b(we|I)('ll| will) (explore|look"
    r"|delve|dive|discuss)\b|\blet['’]s (dive|delve|explore|take a look)\b",
    re.I,
)
# Capitalised runs that are honours, not people ('the Academy Award', 'Best Original Screenplay').
_NOT_A_PERSON = re.compile(r"\b(Award|Awards|Academy|Oscar|Oscars|Globe|Prize|Best|Festival)\b")
# 'Denis Villeneuve's visually stunning sequel': a possessive name before the work is its maker.
_MAKERS_WORK = re.compile(
    r"\b[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)+['’]s?\s+"
    r"(?!(?:score|music|cinematography|camera|script|screenplay|performance|editing|design)\b)"
    r"(?:[\w\-]+\s+){0,3}?"
    r"(film|movie|sequel|prequel|debut|feature|drama|thriller|comedy|romance|adaptation|"
    r"masterpiece|direction|vision)\b"
)


def makers_title(title: str) -> re.Pattern[str]:
    """'Bong Joon-ho's Parasite', 'Jordan Peele's directorial debut Get Out': whose film it is."""
    return re.compile(
        rf"\b[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)+['’]s?\s+(?:[\w\-]+\s+){{0,3}}?[“\"']?"
        rf"{re.escape(title)}(?![\w-])"
    )


_NAME = re.compile(
    r"\b[A-Z][a-zà-ÿ'’\-]+(?:\s+(?:van|von|de|der|del|da|di|le|la|du)?\s*[A-Z][a-zà-ÿ'’\-]+)+"
)
_CAST_SHAPE = re.compile(
    r"\b[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)*,?\s+as\s+(the\s+voice\s+of\s+)?[A-Z]"
    r"|\([A-Z][a-z]+\s+[A-Z][a-z]+\)|\b(played|portrayed|voiced)\s+by\b|\b(plays|stars|starring)\b",
)
TITLE_LIST_ITEM = re.compile(r"^[^:]{1,80}\((?:18|19|20)\d{2}\)\s*:")

_DERIVED = frozenset("ism ist ial ic i y ou al iti".split())


def _stem_match(a: str, b: str) -> bool:
    """Porter stems of one family: 'loneli' (loneliness) and 'lone' (lonely)."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    # a suffix's worth longer, no more: 'cinemat' (cinematic) is not 'cinematographi'
    if len(short) >= 4 and len(long_) - len(short) <= 3 and long_.startswith(short):
        return True
    # the stemmer keeps a base's final e: 'race' and 'racism', 'scare' and 'scari'
    base = short[:-1] if short.endswith("e") else ""
    return len(base) >= 3 and long_[len(base) :] in _DERIVED and long_.startswith(base)


# Reviews name a film's crafts in several ways: a question about the music is answered by a
# sentence about the score. Stems of one family stand in for each other as topics.
_TOPIC_FAMILIES = (
    ("music", "score", "soundtrack", "song", "compos"),
    ("cinematograph", "camera", "photograph"),
    ("screenplai", "script", "screenwrit", "dialogu"),
    ("cast", "actor", "actress", "perform"),
    ("direct", "filmmak"),
    ("edit", "pace", "pacing"),
    ("messag", "theme", "moral", "lesson"),
)


# 'How does it end?' is answered by 'the final shot' or 'the climax' ('end' itself is too short
# a stem to be a prefix: 'endure', 'endless')
_ENDING = ("final", "climax")


def covers(stems: list[str], focus: str) -> bool:
    if any(_stem_match(focus, stem) for stem in stems):
        return True
    if focus == "end":
        return any(stem == "end" or stem.startswith(_ENDING) for stem in stems)
    for family in _TOPIC_FAMILIES:
        if focus.startswith(family):
            return any(stem.startswith(family) for stem in stems)
    return False


def has_role_cue(text: str, role: str) -> bool:
    """'directed', 'direction', 'Director' for the director; stems must start with the cue."""
    cues = ROLE_BY_NAME[role].stems
    return any(stem.startswith(cues) for stem in content_stems(text))


def credits_role(sentence: str, role: str | None) -> bool:
    """The name and the role stand together: 'directed by X', 'Director: X', 'X's score',
    'X composed the score', 'X as Amy'."""
    if role == "cast":
        return bool(_CAST_SHAPE.search(sentence))
    if role not in ROLE_BY_NAME:
        return False
    pattern = ROLE_BY_NAME[role].shape
    name = _NAME.pattern
    return bool(
        re.search(rf"{pattern}[^.;]{{0,12}}?\b(by|:)\s+{name}", sentence, re.I)
        or re.search(rf"{pattern}\s+{name}", sentence)
        or re.search(rf"{name}(['’]s?)?\s+(\w+\s+)?{pattern}", sentence)
    )


def states_what_is_asked(sentence: str, intent: Intent) -> bool:
    """Whether the sentence actually states the kind of fact the question asks for."""
    if intent.kind == "person":
        has_person = any(not _NOT_A_PERSON.search(name) for name in _NAME.findall(sentence))
        if intent.role is None:
            return has_person
        if intent.role == "director" and _MAKERS_WORK.search(sentence):
            return True
        if intent.role == "cast":
            stems = content_stems(sentence)
            return (
                bool(_CAST_SHAPE.search(sentence))
                or (has_person and covers(stems, "perform"))
                # 'Which actress was wasted?': a person named where all that is asked is said
                or bool(
                    intent.focus
                    and all(covers(stems, asked) for asked in intent.focus)
                    and _names_a_person(sentence)
                )
            )
        # the name and the role must stand together: a sentence that mentions the soundtrack
        # and, elsewhere, an actor does not say who composed it
        return has_person and credits_role(sentence, intent.role)
    if intent.kind == "similar":
        return bool(TITLE_LIST_ITEM.match(sentence)) or bool(
            re.search(r"(?<![\w-])(similar|like|reminiscent|recommend|compar\w*)\b", sentence, re.I)
            or (_RECOMMENDS.search(sentence) and _NAMES_A_FILM.search(sentence))
        )
    if intent.filming and not FILMING.search(sentence):
        return False  # where it is *set* is not where it was *filmed*
    spec = KIND_BY_NAME.get(intent.kind)
    return spec is None or spec.evidence is None or bool(spec.evidence.search(sentence))


# --- film attribution ------------------------------------------------------------------------


def sentence_films(passage: Passage, catalog_titles: set[str]) -> dict[int, str | None]:
    """Which film each list item of a passage describes ('Moon (2009): Directed by ...')."""
    return item_films(passage.sentences, catalog_titles)


def item_films(sentences: list[Sentence], catalog_titles: set[str]) -> dict[int, str | None]:
    """Which film each list item describes, by its block: 'Moon (2009): Directed by ...'."""
    owners: dict[int, str | None] = {}
    for sentence in sentences:
        if sentence.kind != "item" or sentence.block in owners:
            continue
        label = sentence.text.split(":", 1)[0] if ":" in sentence.text[:90] else ""
        found = mentioned_titles([label]) if label else {}
        owners[sentence.block] = next(
            (title for title in found if title.lower() in catalog_titles), None
        )
    return owners


def _names_a_person(sentence: str) -> bool:
    """Whether a name in the sentence is a person's. facts.py is imported here, on first
    need, not with the module: compiling its patterns took half of a cold `ask`."""
    from filmchat.facts import is_person_name

    return any(is_person_name(name) for name in _NAME.findall(sentence))
