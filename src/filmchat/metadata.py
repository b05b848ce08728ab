"""Which film an article reviews, its year, title and author: inferred from evidence.

Every place an article can name its film offers candidates: front-matter fields that name a
film (`film`, `movie title`, a `name` under `about`), the page's structured data
(`Review.itemReviewed`), headlines (the front-matter title, OpenGraph, `<title>`, `<h1>`, the
first lines of a pasted page), tags, credits lines, "Title (2019)", italics and quotes. Each
candidate is then weighed by what the whole article says: how often the body uses it, in which
forms, and whether it is a person or a label rather than a film. The winner is accepted only
when it is clearly ahead; otherwise the caller hears the best candidates and asks the user.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from filmchat.cleaning import (
    byline_author,
    is_clutter,
    is_credit_line,
    is_noise_line,
    is_sentence_like,
)
from filmchat.facts import is_person_name
from filmchat.lexicon import (
    CREDIT_WORDS,
    LABEL_WORDS,
    YEAR,
    is_given_name,
    is_title_candidate,
    strip_label,
)
from filmchat.markup import decode_entities
from filmchat.models import ArticleMeta
from filmchat.pages import PageMeta

# --- what varies, as data -------------------------------------------------------------------

# Front-matter keys (split into words: `movieTitle`, `movie_title`, `movie title`) that name
# the film itself, and parents under which a `name` or `title` is the film's (`about: name:`).
FILM_KEY_WORDS = frozenset({"film", "movie", "itemreviewed", "reviewed"})
FILM_ID_WORDS = frozenset({"tmdb", "imdb", "letterboxd"})
FILM_PARENT_WORDS = frozenset({"film", "movie", "about", "subject", "item", "itemreviewed", "work"})
TITLE_KEY_WORDS = frozenset({"title", "headline"})
YEAR_KEY_WORDS = frozenset({"year", "release", "released", "releasedate", "premiere"})
AUTHOR_KEYS = frozenset({"author", "authors", "by", "byline", "reviewer", "critic"})
LIST_KEYS = frozenset({"tags", "tag", "keywords", "categories", "category"})
# Keys under which a site files a post ('layout: movie', 'type: film')
FILING_KEY_WORDS = frozenset({"layout", "type", "kind", "section", "collection", *LIST_KEYS})
# Short descriptions that may date or name the film ('Review of the movie X (1954).')
SUMMARY_KEY_WORDS = frozenset({"description", "summary", "subtitle", "excerpt", "subhead"})
# Capitalised words that start sentences or name days and months, never a film on their own
COMMON_WORDS = frozenset(
    "the a an it its this that these those he she they we you i his her their our my but and"
    " or so if when while as in on at by for with from of to after before then there here what"
    " why how who which where mr mrs ms dr monday tuesday wednesday thursday friday saturday"
    " sunday january february march april may june july august september october november"
    " december".split()
)
# Where a headline can come from (provenance labels start so)
HEADLINE_SOURCES = ("the title", "the page", "the headline")
# The kinds of place a candidate is found in; each is a feature of the fitted model
KINDS = (
    "explicit",  # a front-matter film field, the page's Review.itemReviewed
    "title-year",  # "Moon (2009)" in a headline
    "review-phrase",  # "Moon review", "Review: Moon"
    "credits",  # the line above "Director: ..." in a credits block
    "quoted",  # ‘Moon’ in a headline
    "headline",  # a whole headline, or its part before the colon
    "tag",
    "body-year",  # "Moon (2009)" in the body
    "italics",
    "body-quoted",
    "recurring",  # a capitalised run the body repeats
    "described",  # "City of God, a Brazilian film by …"
)
_SMALL_WORDS = frozenset("of the a an and in for to on with at from by or".split())

_STARS = re.compile(r"[★☆✩✪✫✬✭✮✯✰⭐½]+|\s\*{1,5}$|\(\s*\d(?:\.\d)?\s*/\s*(?:5|10)\s*\)$")
_REVIEW_PREFIX = re.compile(
    r"^\s*(?:(?:film|movie|tv|dvd|blu-ray)\s+)?reviews?\s*(?:[:|\-–—]\s*|of\s+)", re.IGNORECASE
)
_REVIEW_SUFFIX = re.compile(
    r"^(?P<film>.+?)[\s,:|\-–—]*\b(?:(?:film|movie)\s+)?review\b[\s:|\-–—]*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TITLE_YEAR = re.compile(
    r"(?P<film>[^()|–—“”\"‘’]{1,80}?)[”\"’']?\s*\((?P<year>(?:18|19|20)\d{2})\)"
)
_REVIEW_OF = re.compile(
    r"\breview\s+of\s*:?\s+(?:the\s+(?:movie|film)\s+)?(?P<film>[^:|–—]+?)\.?"
    r"(?:,\s*[\d\s/.-]+)?$",  # 'Review of Sunshine State, 8-9-02'
    re.IGNORECASE,
)
_HEADLINE_PARTS = re.compile(r"\s*(?::|\||–|—|\s-\s)\s*")
_QUOTED = re.compile(r"[“\"‘'](?P<q>[A-Z0-9][^“”\"‘’]{0,60}?)[”\"’'](?!\w)")
_TITLE_WORD = (
    r"(?:[A-Z0-9](?:[\w’'&!?-]|\.(?=\w))*)"  # a dot only inside ('L.A.'), never ending one
)
_SMALL_WORD = r"(?:of|the|a|an|and|in|for|to|on|with|at|from|by|or|de|la|le|du|del)"
_TITLE_RUN = rf"{_TITLE_WORD}(?:[ :]+(?:{_TITLE_WORD}|{_SMALL_WORD}(?=\s+[A-Z0-9])))*"
_BODY_TITLE_YEAR = re.compile(
    rf"(?P<film>{_TITLE_RUN})[”\"’']?\s*\((?P<year>(?:18|19|20)\d{{2}})\)"
)
_CREDITS_LABEL = re.compile(
    r"^\s*(?:dir(?:ector|ected\s+by)?|written\s+by|writers?|starring|cast|screenplay)\b\s*[:.]",
    re.IGNORECASE,
)
# '(Saoirse Ronan)', '(Philip Seymour Hoffman, reprising his roles)': the actor of a part
_PARENTHESISED_NAME = re.compile(r"\((?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})[,)]")
_NAME_WORD = r"[A-Z](?:[\w'’-]|\.(?=\w))+"
_PERSON_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})"
# 'directed by Name', 'Name plays …', 'Name as Louise': people, whatever else the body says
_PERSON_CONTEXTS = (
    re.compile(rf"\b(?:directed\s+by|director|starring|played\s+by|voiced\s+by)\s+{_PERSON_NAME}"),
    re.compile(
        rf"{_PERSON_NAME}\s+(?:plays|played|stars|starred|directed|directs|as\s+(?:the\s+)?[A-Z])"
    ),
    # 'Jordan Peele's directorial debut', 'Lulu Wang's The Farewell'
    re.compile(
        rf"{_PERSON_NAME}['’]s\s+(?:[a-z-]+\s+){{0,2}}(?:film|debut|movie|feature|direction|"
        r"picture|script|screenplay|latest|drama|comedy|thriller|horror|adaptation)\b"
    ),
)
# 'McConaughey plays Cooper', 'as Cooper', 'Cooper (Matthew McConaughey)': a part, not the film
_CHARACTER_CONTEXTS = (
    re.compile(
        rf"\b(?:plays|played|playing|portrays|as)\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
    ),
    re.compile(rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)\s+\({_NAME_WORD}\s+{_NAME_WORD}"),
)
# 'Title, a Brazilian film by …', 'Title, the new musical from …'
_DESCRIBED = (
    re.compile(
        rf"(?P<film>{_TITLE_RUN}),\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:film|movie|"
        r"documentary|drama|comedy|thriller|musical|picture|feature|western|adaptation)\b"
    ),
)
_RELEASE_LINE = re.compile(
    r"\b(?:released?|premiered?|opens?|opened|came\s+out|in\s+(?:cinemas|theaters|theatres))\b"
    r"[^.\n]{0,40}?"
    r"\b((?:18|19|20)\d{2})\b",
    re.IGNORECASE,
)
_NAME_ID = re.compile(r"\d|@|https?:|www\.")
_DATE_VALUE = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T].*)?$|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$")
_HEADER_LINES = 25


class Candidate(BaseModel):
    """A possible film of the article, how sure, and where it was found."""

    name: str
    year: int | None = None
    score: float = 0.0
    mentions: int = 0
    sources: list[str] = Field(default_factory=list)
    explicit: bool = False


class Inference(BaseModel):
    """What was inferred about an article, with confidence and provenance."""

    meta: ArticleMeta
    confident: bool
    film_source: str | None = None
    year_source: str | None = None
    title_source: str | None = None
    author_source: str | None = None
    candidates: list[Candidate] = Field(default_factory=list)

    def provenance(self) -> str:
        """'film and year from front matter', 'film from the title, year from the body'."""
        parts: dict[str, list[str]] = {}
        for name, source in (("film", self.film_source), ("year", self.year_source)):
            if source:
                parts.setdefault(source, []).append(name)
        return ", ".join(f"{' and '.join(names)} from {src}" for src, names in parts.items())

    def best_guesses(self, count: int = 3) -> list[Candidate]:
        """The likeliest films when none is certain, best first."""
        return sorted(self.candidates, key=lambda c: -c.score)[:count]

    def refusal(self) -> str:
        """One line naming the best candidates and the option that settles it."""
        best = [f"“{c.name}”" for c in self.best_guesses()]
        named = f"best candidates: {', '.join(best)}" if best else "no candidate found"
        return f"cannot tell which film it reviews ({named}); say it with --film TITLE [--year Y]."


@dataclass
class Evidence:
    """Everything an article offers: front matter, page metadata, rendered body, emphasis."""

    fields: dict[str, object]
    text: str
    emphasis: list[str] = field(default_factory=list)
    page: PageMeta | None = None


# --- small readers ---------------------------------------------------------------------------


def key_words(key: str) -> list[str]:
    """'movieTitle', 'movie_title', 'movie title' → ['movie', 'title']."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def text_value(value: object) -> str | None:
    """A field's value if it is text a person wrote: not a number, date, URL, id or flag."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None
    text = " ".join(decode_entities(value).split()).strip(" \"'")
    if not text or re.fullmatch(r"[\d\s.,:/-]+", text) or _DATE_VALUE.match(text):
        return None
    if re.search(r"https?://|www\.|^/|\.(?:jpe?g|png|gif|webp)$", text):
        return None
    return text


def _values(value: object) -> list[str]:
    """Text items of a list field, or of a comma-separated one ('Tags: A, B')."""
    items = value if isinstance(value, list) else str(value).split(",") if value else []
    return [text for text in (text_value(item) for item in items) if text]


def walk_fields(
    fields: dict[str, object], parents: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], list[str], object]]:
    """(parent key words, key words, value) for every field, nested ones included."""
    for key, value in fields.items():
        words = key_words(str(key))
        if isinstance(value, dict):
            yield from walk_fields(value, (*parents, *words))
        else:
            yield parents, words, value


def year_in(value: object) -> int | None:
    if isinstance(value, int) and 1870 <= value <= 2100:
        return value
    if isinstance(value, datetime | date):
        return value.year
    match = YEAR.search(str(value)) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[’']", "'", name).casefold().split()).strip(' .,:;!?"“”‘’')


def _clean_name(name: str) -> str:
    name = decode_entities(name)
    name = _STARS.sub("", name)
    return " ".join(name.split()).strip(' .,:;|-–—"“”‘’*_#')


def _mention_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(re.sub(r"['’]", "\x00", w)).replace("\x00", "['’]") for w in name.split()]
    flags = 0 if any(c.isupper() for c in name) else re.IGNORECASE
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])", flags)


# --- candidates ------------------------------------------------------------------------------


@dataclass
class _Pool:
    """Candidates by normalised name, each with the kinds of place that name it."""

    found: dict[str, Candidate] = field(default_factory=dict)
    kinds: dict[str, set[str]] = field(default_factory=dict)
    named_as_reviewed: set[str] = field(default_factory=set)  # 'Moon (2009)', 'Moon review'
    headlines: set[str] = field(default_factory=set)  # header lines of the body, normalised
    whole_titles: set[str] = field(default_factory=set)  # the front-matter title, whole
    filed_as_review: bool = False  # the front matter files it under reviews or films

    def add(self, name: str, kind: str, source: str, year: int | None = None) -> None:
        name = _clean_name(strip_label(_clean_name(name)))
        dated = re.fullmatch(r"(.+?)\s*\(((?:18|19|20)\d{2})\)", name)
        if dated:  # 'Arrival (2016)' is Arrival, of 2016
            name, year = _clean_name(dated.group(1)), year or int(dated.group(2))
        if not is_title_candidate(name):  # markup, a URL, an id, a label: never a title
            return
        key = _norm(name)
        candidate = self.found.get(key)
        if candidate is None:
            candidate = self.found[key] = Candidate(name=name)
            self.kinds[key] = set()
        elif not any(c.isupper() for c in candidate.name) and any(c.isupper() for c in name):
            candidate.name = name  # 'no country for old men' (a tag) → as the title writes it
        candidate.year = candidate.year or year
        candidate.explicit = candidate.explicit or kind == "explicit"
        if kind in ("title-year", "review-phrase") and source != "the body":
            self.named_as_reviewed.add(key)
        if source not in candidate.sources:
            candidate.sources.append(source)
        self.kinds[key].add(kind)

    def merge(self, short: str, full: str) -> None:
        """`short` is a short form of `full`: its places count for `full`."""
        self.kinds[full] |= self.kinds.pop(short)
        candidate = self.found.pop(short)
        target = self.found[full]
        target.sources.extend(s for s in candidate.sources if s not in target.sources)
        target.year = target.year or candidate.year
        target.explicit = target.explicit or candidate.explicit
        for names in (self.named_as_reviewed, self.whole_titles, self.headlines):
            if short in names:
                names.add(full)


def _headline_candidates(
    pool: _Pool, line: str, source: str, text: str, *, whole: bool = True
) -> None:
    """Candidates in one headline: 'Moon (2009) review: …', 'Review: Moon', '500 Word Review
    of Ex Machina', '‘Moon’ is …', 'Lady Bird: Love and cinema' (the part before the colon,
    unless the body uses it whole). `whole=False` (a summary field) takes only the patterns."""
    quoting = " ".join(decode_entities(line).split())  # its quotes kept: '‘La La Land’ might…'
    line = _clean_name(line)
    if not line:
        return
    kinds: list[tuple[str, str, int | None]] = []
    for match in _TITLE_YEAR.finditer(line):
        film = _REVIEW_PREFIX.sub("", match.group("film")).strip()
        named_after = _REVIEW_OF.search(film)  # 'The Drinking Game Review of: Drive (2011)'
        film = named_after.group("film") if named_after else film
        kinds.append((_colon_form(film, text), "title-year", int(match.group("year"))))
    review_of = _REVIEW_OF.search(line)
    if review_of:
        kinds.append((review_of.group("film"), "review-phrase", None))
    dated_or_named = bool(kinds)  # the headline already says which film: no guessing parts
    reviewed = False
    rest = _REVIEW_PREFIX.sub("", line)
    if rest != line:
        reviewed, line = True, rest
    suffix = _REVIEW_SUFFIX.match(line)
    if suffix and suffix.group("film").strip() and not dated_or_named:
        reviewed, line = True, suffix.group("film")
    for match in _QUOTED.finditer(quoting):
        kinds.append((match.group("q"), "quoted", None))
    parts = [part for part in _HEADLINE_PARTS.split(line) if part.strip()]
    if whole and not kinds:  # 'Night of the Living Dead (1968): still terrifying' names it
        kinds.append((line, "review-phrase" if reviewed and len(parts) == 1 else "headline", None))
        if source == "the title":
            pool.whole_titles.add(_norm(_clean_name(line)))
    # the whole headline in the body (beyond the headline line itself) makes a subtitle part
    # of the title: 'Mad Max: Fury Road'
    in_body = len(_mention_pattern(line).findall(text)) > (source == "the headline")
    if whole and len(parts) > 1 and not in_body and not dated_or_named:
        kinds.append((parts[0], "review-phrase" if reviewed else "headline", None))
    for name, kind, year in kinds:
        pool.add(name, kind, source, year)


def _colon_form(film: str, text: str) -> str:
    """'Dune: Part Two' whole when the body uses it so; else the part of 'Seven Samurai:
    Criterion Collection' or 'Sundance 2024: Dune' that the body keeps naming."""
    forms = [film, *(part.strip() for part in film.split(":") if part.strip())]
    if len(forms) == 1:
        return film
    counts = [len(_mention_pattern(form).findall(text)) for form in forms]
    return forms[0] if counts[0] else forms[counts.index(max(counts))]


def header_lines(text: str, limit: int = 3) -> list[str]:
    """The first lines of a pasted page that could be its headline: navigation, dates,
    bylines, captions, ratings, section labels and the like skipped; stops where prose starts."""
    found: list[str] = []
    for raw in text.splitlines()[:_HEADER_LINES]:
        line = raw.strip().lstrip("#").strip()
        if not line or is_noise_line(line) or is_credit_line(line) or is_clutter(line):
            continue
        words = len(line.split())
        if words > 20 or (is_sentence_like(line) and words >= 12):
            break
        if words == 1 and line.isupper():
            continue  # 'REVIEWS': a section label
        found.append(line)
        if len(found) == limit:
            break
    return found


def _people(evidence: Evidence) -> set[str]:
    """People the article names as crew, cast or author: never the film."""
    people: set[str] = set()
    for parents, words, value in walk_fields(evidence.fields):
        if set(words) & (CREDIT_WORDS | AUTHOR_KEYS) or set(parents) & CREDIT_WORDS:
            people.update(_norm(v) for v in _values(value))
    if evidence.page:
        people.update(_norm(p) for p in evidence.page.people)
        if evidence.page.author:
            people.add(_norm(evidence.page.author))
    for pattern in (_PARENTHESISED_NAME, *_PERSON_CONTEXTS):
        people.update(_norm(m.group("name")) for m in pattern.finditer(evidence.text))
    # ... and their surnames on their own ('Peele uses the Sunken Place')
    return people | {name.split()[-1] for name in people if len(name.split()) > 1}


def _files_as_review(words: list[str], value: object) -> bool:
    """`categories: [review]`, `reviews/lists: [2021 Movie Reviews]`, `layout: movie`: the
    site files the article as a review of a film, so its title names what it reviews."""
    labels = [words, *(key_words(v) for v in _values(value))]
    if any({"review", "reviews"} & set(label) for label in labels):
        return True
    return bool(set(words) & FILING_KEY_WORDS) and any(
        label in (["movie"], ["film"], ["movies"], ["films"]) for label in labels[1:]
    )


def _collect(evidence: Evidence, headline_text: str) -> _Pool:
    pool = _Pool()
    text = evidence.text
    for parents, words, value in walk_fields(evidence.fields):
        word_set = set(words)
        name = text_value(value)
        film_key = bool(word_set & FILM_KEY_WORDS) or (
            bool(word_set & FILM_ID_WORDS) and bool(word_set & {"title", "name"})
        )
        named_under_film = bool(word_set & {"name", "title"}) and bool(
            set(parents) & FILM_PARENT_WORDS
        )
        if name and (film_key or named_under_film) and not word_set & CREDIT_WORDS:
            label = " ".join((*parents, *words))
            year = None
            pool.add(name, "explicit", f"front matter “{label}”", year)
        elif words and (words[-1] in LIST_KEYS or words[0] in LIST_KEYS):
            for tag in _values(value):
                pool.add(tag, "tag", "the tags")
        elif name and word_set & TITLE_KEY_WORDS and not parents:
            source = "the title" if words == ["title"] else f"front matter “{' '.join(words)}”"
            _headline_candidates(pool, name, source, text)
        elif name and word_set & SUMMARY_KEY_WORDS:  # 'Review of the movie Seven Samurai (1954)'
            _headline_candidates(pool, name, "the summary", text, whole=False)
        pool.filed_as_review = pool.filed_as_review or _files_as_review(words, value)
    page = evidence.page
    if page is not None:
        if page.reviewed:
            pool.add(page.reviewed.name, "explicit", "the page's structured data")
        for line, source in page.headlines:
            _headline_candidates(pool, line, source, text)
    for line in header_lines(headline_text):
        pool.headlines.add(_norm(_clean_name(line)))
        _headline_candidates(pool, line, "the headline", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line, nxt in itertools.pairwise(lines):
        if (
            _CREDITS_LABEL.match(nxt)
            and not _CREDITS_LABEL.match(line)
            and ":" not in line
            and len(line.split()) <= 8
            and not is_sentence_like(line)
        ):
            pool.add(line, "credits", "a credits line")
    for span in evidence.emphasis:
        titled = span[:1].isupper() or span[:1].isdigit()
        if titled and len(span.split()) <= 8 and not is_sentence_like(span):
            pool.add(span, "italics", "italics in the body")
    for pattern in _DESCRIBED:
        for match in pattern.finditer(text):
            pool.add(match.group("film"), "described", "the body")
    for match in _BODY_TITLE_YEAR.finditer(text):
        pool.add(match.group("film"), "body-year", "the body", int(match.group("year")))
    for match in _QUOTED.finditer(text):
        if len(match.group("q").split()) <= 5 and not is_sentence_like(match.group("q")):
            pool.add(match.group("q"), "body-quoted", "quotes in the body")
    for name in _recurring_names(text):
        pool.add(name, "recurring", "recurring in the body")
    return pool


def _recurring_names(text: str) -> list[str]:
    """Capitalised runs the body uses at least twice: the names it is about
    (films among them) when a pasted page has no italics to mark titles."""
    seen: dict[str, list[bool]] = {}
    for match in re.finditer(_TITLE_RUN, text):
        name = match.group(0).strip(" :")
        if len(name) < 3 or len(name.split()) > 6:
            continue
        before = text[max(0, match.start() - 2) : match.start()]
        sentence_start = not before.strip() or before.strip()[-1:] in '.!?"“”:'
        seen.setdefault(name, []).append(sentence_start)
    return [
        name
        for name, starts in seen.items()
        if len(starts) >= 2 and _norm(name) not in COMMON_WORDS
    ]


# --- weighing candidates: features, and weights fitted on real reviews ----------------------

# What is known of each candidate, as numbers for the model. Each former rule of thumb is one of
# them ('a headline says "Title (Year)"', 'the body keeps naming it'); how much each counts is
# fitted on real reviews by benchmarks/fit_film_inference.py, never set by hand.
FEATURES = (
    *(f"kind {kind}" for kind in KINDS),
    "only recurring",
    "in the title",
    "in the page's headlines",
    "in the first lines",
    "in the summary",
    "the whole title",
    "the title, named in the body",
    "named as reviewed",
    "headline dated in the body",
    "filed as a review",
    "mentions",
    "share of mentions",
    "most mentioned",
    "emphasis",
    "places",
    "words",
    "first mention",
    "a single word",
    "a given name",
    "a person's name",
    "a surname in the body",
    "in a headline",
    "capitalised words",
    "a part played",
    "the whole title, a sentence",
)
MODEL_FILE = "film_inference.json"


class FilmModel(BaseModel):
    """A conditional logit over FEATURES: of one article's candidates, how likely each is its
    film (a softmax of the weighted features, so the candidates compete with each other)."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    accept: float = Field(description="The lowest probability taken without asking the user.")
    fitted_on: str = ""
    figures: dict[str, object] = Field(default_factory=dict)

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        """The weight of evidence for each candidate (0 is an average candidate's)."""
        import numpy as np

        if not rows:
            return []
        matrix = np.array([[row[name] for name in self.features] for row in rows], dtype=float)
        scaled = (matrix - np.array(self.mean)) / np.array(self.scale)
        return [float(v) for v in scaled @ np.array(self.weights)]

    def probabilities(self, rows: list[dict[str, float]]) -> list[float]:
        """One article's candidates → the probability of each being its film."""
        scores = self.scores(rows)
        top = max(scores, default=0.0)
        odds = [math.exp(score - top) for score in scores]
        return [value / sum(odds) for value in odds]


@functools.cache
def film_model() -> FilmModel:
    """The weights shipped in filmchat/data, fitted by benchmarks/fit_film_inference.py."""
    path = Path(__file__).resolve().parent / "data" / MODEL_FILE
    return FilmModel.model_validate_json(path.read_text(encoding="utf-8"))


@dataclass
class Weighed:
    """An article's title candidates with their features, and its site and own title."""

    candidates: list[Candidate]
    features: list[dict[str, float]]
    site: str | None
    title: str | None
    title_source: str | None


def weigh_candidates(evidence: Evidence) -> Weighed:
    """Every title candidate of the article (people, labels and the site left out) with the
    features the model weighs; the model is not consulted here, so this is what it is fitted on.
    """
    page = evidence.page
    site = _field(evidence, "site", "sitename") or (page.site if page else None)
    title, title_source = _title(evidence, evidence.text)
    text = evidence.text
    pool = _collect(evidence, text)
    if title:  # the article's own title, as it will be stored
        pool.whole_titles.add(_norm(_clean_name(strip_label(title))))
    _merge_full_titles(pool)
    people = _people(evidence)
    emphasised = [_norm(s) for s in evidence.emphasis]
    spans: dict[str, list[tuple[int, int]]] = {
        key: [m.span() for m in _mention_pattern(c.name).finditer(text)]
        for key, c in pool.found.items()
    }
    kept: list[Candidate] = []
    for key, candidate in pool.found.items():
        if key in people or (site and key == _norm(site)):
            continue
        if all(word in LABEL_WORDS for word in key.split()):
            continue
        # mentions inside a longer candidate's mentions belong to that one ('Blade Runner' in
        # 'Blade Runner 2049', 'Mad Max' in 'Mad Max: Fury Road')
        longer = [
            span
            for other, other_spans in spans.items()
            if other != key
            and len(other) > len(key)
            and key in other
            and set(pool.found[other].sources) - {"recurring in the body"}
            for span in other_spans
        ]
        own = [s for s in spans[key] if not any(a <= s[0] and s[1] <= b for a, b in longer)]
        # a headline that is all film ('Under the Skin' above the credits) is no mention
        candidate.mentions = len(own) - (key in pool.headlines and bool(own))
        spans[key] = own
        kept.append(candidate)
    _absorb_short_forms(kept, pool)
    most = max((c.mentions for c in kept), default=0)
    surnames = _surnames(text)
    parts = {_norm(m["name"]) for pattern in _CHARACTER_CONTEXTS for m in pattern.finditer(text)}
    features = []
    for candidate in kept:
        key = _norm(candidate.name)
        sources = candidate.sources
        kinds = pool.kinds[key]
        headlined = any(s.startswith(HEADLINE_SOURCES) for s in sources)
        first = min((start for start, _ in spans.get(key, [])), default=None)
        row = {f"kind {kind}": float(kind in kinds) for kind in KINDS}
        row |= {
            "only recurring": float(kinds == {"recurring"}),
            "in the title": float(
                "the title" in sources
                or (not candidate.explicit and any(s.startswith("front matter") for s in sources))
            ),
            "in the page's headlines": float(
                any(s.startswith("the page") and "structured" not in s for s in sources)
            ),
            "in the first lines": float("the headline" in sources),
            "in the summary": float("the summary" in sources),
            "the whole title": float(key in pool.whole_titles),
            "named as reviewed": float(key in pool.named_as_reviewed),
            "headline dated in the body": float(headlined and "the body" in sources),
            "filed as a review": float(pool.filed_as_review and key in pool.whole_titles),
            "mentions": math.log2(1 + max(candidate.mentions, 0)),
            "share of mentions": max(candidate.mentions, 0) / most if most > 0 else 0.0,
            "most mentioned": float(most > 0 and candidate.mentions == most),
            "emphasis": math.log2(1 + min(emphasised.count(key), 8)),
            "places": math.log2(len(sources)),
            "words": float(len(candidate.name.split())),
            "first mention": 1.0 - first / max(len(text), 1) if first is not None else 0.0,
            "the title, named in the body": float(
                key in pool.whole_titles and candidate.mentions > 0
            ),
            "a single word": float(len(candidate.name.split()) == 1),
            "a given name": float(
                len(candidate.name.split()) == 1 and is_given_name(candidate.name)
            ),
            "a person's name": float(is_person_name(candidate.name)),
            "a surname in the body": float(key in surnames),
            "in a headline": float(headlined),
            "capitalised words": _capitalised(candidate.name),
            "a part played": float(key in parts),
            # 'Scar Jo gets under your skin': a headline written as a sentence, not a title
            "the whole title, a sentence": float(key in pool.whole_titles)
            * (1.0 - _capitalised(candidate.name)),
        }
        features.append(row)
    return Weighed(kept, features, site, title, title_source)


def _capitalised(name: str) -> float:
    """The share of a name's words, small words aside, written with a capital (or a digit):
    1 for 'The Quiet Orchard', low for a headline sentence ('On a wing and a prayer')."""
    words = [w for w in name.split() if w.lower() not in _SMALL_WORDS] or name.split()
    return sum(w[:1].isupper() or w[:1].isdigit() for w in words) / len(words)


def _surnames(text: str) -> set[str]:
    """Last words of the full names the body uses ('Pitt' of 'Brad Pitt'), normalised."""
    runs = {match.group(0).strip(" :") for match in re.finditer(_TITLE_RUN, text)}
    return {_norm(run.split()[-1]) for run in runs if is_person_name(run)}


def _merge_full_titles(pool: _Pool) -> None:
    """A headline's 'Fantastic Beasts' that the body italicises as 'Fantastic Beasts and Where
    to Find Them' is that title's short form: they are one candidate, under the full title."""
    headlined = [
        key
        for key, c in pool.found.items()
        if any(s.startswith(HEADLINE_SOURCES) for s in c.sources)
    ]
    for short in headlined:
        longer = [
            key
            for key in pool.found
            if "italics" in pool.kinds[key]
            and key.startswith(short + " ")
            and key[len(short) + 1 :].split()[0] in _SMALL_WORDS
        ]
        if len(longer) == 1 and short in pool.found:
            pool.merge(short, longer[0])


def _absorb_short_forms(ranked: list[Candidate], pool: _Pool) -> None:
    """A headline 'Mad Max: Fury Road' the body uses whole is the title, and the body's
    'Fury Road' and 'Mad Max' are its short forms: their mentions count for it."""
    for full in [c for c in ranked if ":" in c.name and c.mentions]:
        if not any(s.startswith(HEADLINE_SOURCES) for s in full.sources):
            continue
        parts = {_norm(part) for part in full.name.split(":", 1)}
        for short in [c for c in ranked if _norm(c.name) in parts]:
            full.mentions += short.mentions
            ranked.remove(short)


def choose(weighed: Weighed, model: FilmModel) -> tuple[list[Candidate], Candidate | None]:
    """Candidates best first, each scored with the model's probability, and the film if the
    best one's probability reaches the fitted level at which a film is taken without asking."""
    for candidate, probability in zip(
        weighed.candidates, model.probabilities(weighed.features), strict=True
    ):
        candidate.score = probability
    ranked = sorted(weighed.candidates, key=lambda c: (-c.score, -len(c.name)))
    taken = bool(ranked) and ranked[0].score >= model.accept and named_outright(ranked[0])
    return ranked, ranked[0] if taken else None


def named_outright(candidate: Candidate) -> bool:
    """Named as a film: by the article's title or a headline, a field that names a film, or
    the body dating or describing it ('Title (2016)', 'Title, a Brazilian film by …'). Only
    such a name is taken without asking; one the body merely repeats (a character, a place)
    is offered as a candidate."""
    return candidate.explicit or any(
        s.startswith(HEADLINE_SOURCES) or s == "the body" for s in candidate.sources
    )


# --- year, title, author ---------------------------------------------------------------------


def film_year(best: Candidate | None, evidence: Evidence) -> tuple[int | None, str | None]:
    if best is not None and best.year:
        source = next((s for s in best.sources if "body" not in s), best.sources[0])
        return best.year, source
    reviewed = evidence.page.reviewed if evidence.page else None
    if reviewed and reviewed.year and (best is None or _norm(reviewed.name) == _norm(best.name)):
        return reviewed.year, "the page's structured data"
    for parents, words, value in walk_fields(evidence.fields):
        film_date = bool(set(parents) & FILM_PARENT_WORDS) and "created" in words
        if set(words) & YEAR_KEY_WORDS or film_date:
            year = year_in(value)
            if year:
                return year, f"front matter “{' '.join((*parents, *words))}”"
    text = evidence.text
    if best is not None:
        name = _mention_pattern(best.name).pattern
        for pattern in (
            rf"{name}[”\"’']?\s*\([^()]*?\b((?:18|19|20)\d{{2}})\)",
            rf"\b((?:18|19|20)\d{{2}})['’]s\s+{name}",
        ):
            match = re.search(pattern, text, 0 if best.name != best.name.lower() else re.I)
            if match:
                return int(match.group(1)), "the body"
    match = _RELEASE_LINE.search(text)
    if match:
        return int(match.group(1)), "a release line in the body"
    return None, None


def _title(evidence: Evidence, headline_text: str) -> tuple[str | None, str | None]:
    for parents, words, value in walk_fields(evidence.fields):
        if words == ["title"] and not parents and text_value(value):
            return text_value(value), "front matter"
    for parents, words, value in walk_fields(evidence.fields):
        film_key = set(words) & (FILM_KEY_WORDS | FILM_ID_WORDS)
        if set(words) & TITLE_KEY_WORDS and not parents and not film_key and text_value(value):
            return text_value(value), "front matter"
    if evidence.page and evidence.page.headlines:
        return strip_site_name(evidence.page.headlines, evidence.page.site), "the page"
    lines = header_lines(headline_text, limit=1)
    if lines:
        return _STARS.sub("", lines[0]).strip(" *"), "the headline"
    return None, None


_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|•|·)\s+")


def strip_site_name(headlines: list[tuple[str, str]], site: str | None) -> str:
    """The best headline without ' | Site Name' or 'Site Name - ' around it.

    Without a known site name, an end part the page's other headlines (its `<h1>`, its
    OpenGraph title) never use is taken for the site's."""
    line = headlines[0][0]
    parts = _TITLE_SEPARATOR.split(line)
    if len(parts) < 2:
        return line.strip()
    others = {w for other, _ in headlines[1:] for w in _norm(other).split()}
    site_key = _norm(site) if site else None

    def is_site(part: str) -> bool:
        key = _norm(part)
        if all(word in LABEL_WORDS for word in key.split()):
            return True  # 'Moon | Film review | The Daily Planet'
        if site_key is not None:
            return key == site_key
        return bool(others) and not (set(key.split()) & others) and len(key.split()) <= 4

    separators = _TITLE_SEPARATOR.findall(line)
    start, end = 0, len(parts)
    while end - start > 1 and is_site(parts[end - 1]):
        end -= 1
    while end - start > 1 and is_site(parts[start]):
        start += 1
    kept = parts[start]
    for separator, part in zip(separators[start : end - 1], parts[start + 1 : end], strict=True):
        kept += separator + part
    return kept.strip() or line.strip()


def _person_value(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    names = [v for v in _values(value) if not _NAME_ID.search(v)]
    return ", ".join(names) or None


def _author(evidence: Evidence) -> tuple[str | None, str | None]:
    for parents, words, value in walk_fields(evidence.fields):
        in_film = set(parents) & (FILM_PARENT_WORDS | CREDIT_WORDS)
        if not in_film and " ".join(words) in AUTHOR_KEYS:
            name = _person_value(value)
            if name:
                return name, "front matter"
    if evidence.page and evidence.page.author:
        return evidence.page.author, "the page"
    name = byline_author(evidence.text)
    return (name, "the byline") if name else (None, None)


def _field(evidence: Evidence, *keys: str) -> str | None:
    for key in keys:
        value = evidence.fields.get(key)
        if isinstance(value, datetime | date):
            return value.isoformat()[:10]
        if isinstance(value, str) and value.strip():
            return decode_entities(value.strip())
    return None


def _day(value: str | None) -> str | None:
    """'2023-03-14T09:30:00+00:00' → '2023-03-14'; other spellings as written."""
    if value and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return value


def infer(evidence: Evidence, fallback_title: str) -> Inference:
    """Title, film, year and author of an article, and how sure the film is."""
    page = evidence.page
    weighed = weigh_candidates(evidence)
    site, title, title_source = weighed.site, weighed.title, weighed.title_source
    ranked, best = choose(weighed, film_model())
    confident = best is not None
    year, year_source = film_year(best, evidence) if best else (None, None)
    author, author_source = _author(evidence)
    meta = ArticleMeta(
        title=title or fallback_title,
        film=best.name if best else None,
        year=year,
        author=author,
        site=site,
        published=_day(_field(evidence, "published", "date") or (page.published if page else None)),
        url=_field(evidence, "url") or (page.url if page else None),
    )
    return Inference(
        meta=meta,
        confident=confident,
        film_source=best.sources[0] if best else None,
        year_source=year_source,
        title_source=title_source,
        author_source=author_source,
        candidates=ranked[:5],
    )
