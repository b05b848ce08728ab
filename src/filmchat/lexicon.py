"""What a film's title, a label and a year look like: the one home of those word-level rules.

Inferring an article's film starts from strings found in its front matter, headlines and
body. Only prose can be a title: no markup, no URL, no emphasis marks, no label in front
("Movie: Interstellar" names Interstellar), no id-like token (a video id such as
`WR7cc5t7tv8`), no rating or running time ("5 Stars", "108 minutes"), no run of sentences.
"""

from __future__ import annotations

import functools
import re

import gender_guesser.detector

# Labels a site files reviews under; never a film's title on their own, and a label in front
# of a colon ('Movie: Interstellar', 'Film review | Moon') is not part of the title.
LABEL_WORDS = frozenset(
    "review reviews movie movies film films cinema tv television horror comedy drama thriller"
    " science fiction sci-fi action adventure mystery romance documentary animation fantasy"
    " crime western musical war news culture arts entertainment home features blog post posts"
    " opinion criticism critics imported image video trailer streaming dvd blu-ray"
    " netflix short shorts watched watching rewatch".split()
)
# Words that introduce people in credits ('Director: …', 'Cast: …'); a field or line under
# one of them names people, never the film.
CREDIT_WORDS = frozenset(
    "director directors directed cast starring staring stars actor actors actress writer writers"
    " written screenplay script composer music producer producers dir".split()
)
# Units of a rating or a running time: '5 Stars', '108 minutes', '4 out of 5'
MEASURE_WORDS = frozenset(
    "star stars minute minutes min mins hour hours hr hrs point points out score".split()
)
MAX_TITLE_WORDS = 12

YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MARKUP = re.compile(
    r"<[a-zA-Z/!?][^>]*>?|\{[%{<]|[%}>]\}|\]\(|!\[|`|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
    re.IGNORECASE,
)
_URL = re.compile(
    r"https?:|www\.|@|\b[\w-]+\.(?:com|org|net|io|co|uk|de|fr|html?|php|jpe?g|png|gif)\b",
    re.IGNORECASE,
)
_EMPHASIS_MARKS = re.compile(r"\*|(?<!\w)_|_(?!\w)|__|~~|^#+\s|\|")
_LABEL_PREFIX = re.compile(r"^\s*(?P<label>[\w -]{1,30}?)\s*(?::|\||–|—|\s-\s)\s*(?P<rest>\S.*)$")
# A sentence break inside: 'underwhelmed. My' (not 'Mr. Smith', 'Kill Bill: Vol. 2')
_SENTENCE_BREAK = re.compile(r"\b(?P<word>[A-Za-z]*[a-z]{2})\.\s+\S")
ABBREVIATIONS = frozenset("vol vols pt pts no nos vs mrs mr dr st jr sr ft mt ep eps".split())
_MEASURE = re.compile(r"^\s*\d+(?:[.,/]\d+)?\s*(?P<unit>[a-z]+)", re.IGNORECASE)


def strip_label(text: str) -> str:
    """'Movie: Interstellar' → 'Interstellar'; 'Film review | Moon' → 'Moon'; else as given."""
    match = _LABEL_PREFIX.match(text)
    if match and all(word in LABEL_WORDS for word in match.group("label").lower().split()):
        return match.group("rest").strip()
    return text


def is_credit_label(text: str) -> bool:
    """'Writers: A, B' or 'Director - C': a credits line, not a title."""
    match = _LABEL_PREFIX.match(text)
    return bool(match) and bool(set(match.group("label").lower().split()) & CREDIT_WORDS)


def is_id_like(token: str) -> bool:
    """A token made for machines: 'WR7cc5t7tv8', 'tt9764362', 'a3f9c2e1' — letters and digits
    interleaved, or a long hex run. 'Se7en', '2049', 'THX' and 'R2' are not."""
    token = token.strip(".,;:!?()[]\"'“”‘’")
    if len(token) < 6 or not re.search(r"\d", token) or not re.search(r"[^\W\d_]", token):
        return False
    digits = re.findall(r"\d+", token)
    letter_runs = len(re.findall(r"[^\W\d_]+", token))
    many_digits = sum(len(run) for run in digits) >= 5  # 'tt9764362'
    return len(digits) >= 2 or letter_runs >= 2 or many_digits


def is_measure(text: str) -> bool:
    """'5 Stars', '108 minutes', '4 out of 5', '3.5/5': a rating or a running time."""
    match = _MEASURE.match(text)
    if not match:
        return False
    unit = (match.group("unit") or "").lower()
    rest = text[match.end() :].strip()
    return unit in MEASURE_WORDS and len(rest.split()) <= 3


def is_title_candidate(text: str) -> bool:
    """Whether `text` could be a film's title as a person writes it: prose, not markup, a URL,
    an emphasised fragment, a label, an id, a measure or a run of sentences."""
    text = text.strip()
    words = text.split()
    if not words or len(words) > MAX_TITLE_WORDS or not re.search(r"[^\W\d_]", text):
        return False
    if _MARKUP.search(text) or _URL.search(text) or _EMPHASIS_MARKS.search(text):
        return False
    breaks = [m for m in _SENTENCE_BREAK.finditer(text) if m["word"].lower() not in ABBREVIATIONS]
    if "\n" in text or breaks or is_credit_label(text):
        return False
    if strip_label(text) != text or is_measure(text):
        return False
    return not any(is_id_like(word) for word in words)


@functools.cache
def _first_names() -> gender_guesser.detector.Detector:
    """The bundled first-name dictionary (gender-guesser), loaded once (about 0.2 s)."""
    return gender_guesser.detector.Detector(case_sensitive=False)


def is_given_name(word: str) -> bool:
    """'Jack', 'Amy': a first name people are given (a character's, or an actor's)."""
    return _first_names().get_gender(word.strip(".,;:!?'’")) != "unknown"
