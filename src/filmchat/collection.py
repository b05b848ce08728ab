"""The collection as a whole: a profile per film, and the answers that need every film at once.

A per-film answer reads sentences; "films like Moonlight", "which films are horror?", "compare
Dune and Blade Runner 2049" and "which did the reviewers like most?" need a view of each film as
a whole. That view is the film's *profile*, built at index time from its reviews and kept in the
index's `profiles` table: a vector (the mean of its passages' vectors, chosen by measurement, see
`scripts/fit_collection.py`), the genres its reviews state with the sentence stating each, its
subject sentences, the reviewers' verdict as a score with its strongest sentences (from
`answer.judgement`), its credits (from the fact sheet) and the films its reviews recommend.

Every line of a collection answer is a sentence of a film's own review, cited. Thresholds (how
close is "similar", how strongly a review must state a theme, what score is "negative") are
fitted on labelled collection questions by `scripts/fit_collection.py` and read from
`data/collection_thresholds.json`; none is set by hand.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from filmchat.answer.compose import Candidate, _citations
from filmchat.answer.judgement import is_verdict, polarity, states_rating, verdict_weight
from filmchat.answer.kinds import ROLE_BY_NAME, best_role
from filmchat.films import Film, find_film, mentioned_titles
from filmchat.models import Answer, Passage
from filmchat.store import IndexStore, IndexWriter, fts_query
from filmchat.terms import STOPWORDS, fold, stem, words

if TYPE_CHECKING:
    from filmchat.conversation import Engine
    from filmchat.store import FilmMaterial

# --- what varies, declared once ------------------------------------------------------------------

# A genre: the words a question uses for it, and the words a review uses when it states it.
GENRES: dict[str, tuple[str, str]] = {
    "horror": (r"horror|scary|frightening", r"horror"),
    "science fiction": (r"sci-?fi|science[- ]fiction", r"sci-?fi|science[- ]fiction"),
    "comedy": (r"comed(y|ies)|funny|comic", r"comed(y|ies)"),
    "thriller": (r"thrillers?", r"thrillers?"),
    "musical": (
        r"musicals?",
        r"musicals?(?!\s+(score|soundtrack|cues?|themes?|talents?|or comedy))",
    ),
    "superhero": (r"superhero(es)?|super-hero", r"superhero(es)?|super-hero"),
    "gangster": (r"gangsters?|mafia|mob films?", r"gangsters?|mafia|mob (film|movie)s?"),
    "noir": (r"noir", r"noir"),
    "western": (r"westerns?", r"westerns?"),
    "animation": (r"animated|animation|cartoons?", r"animated (film|feature|movie)|animation"),
    "coming of age": (r"coming[- ]of[- ]age", r"coming[- ]of[- ]age"),
    "romance": (r"romances?|romantic comed(y|ies)|love stor(y|ies)", r"romance|love story"),
    "war": (r"war (film|movie)s?", r"war (film|movie)"),
    "documentary": (r"documentar(y|ies)", r"documentary"),
    "fantasy": (r"fantasy (film|movie)s?", r"fantasy (film|movie|epic|adventure)"),
}
# What a comparison can be about, and the words of a sentence that speak to it.
ASPECTS: dict[str, tuple[str, str]] = {
    "verdict": (
        r"\b(like[sd]?|prefer\w*|better|worse|more|less|verdict|rat(e|ed|ing)|enjoy\w*)\b",
        "",
    ),
    "performances": (
        r"\b(perform\w*|acting|actors?|actress\w*|cast)\b",
        r"\b(perform\w*|acting|actors?|actress\w*|cast|plays|played|role)\b",
    ),
    "look": (
        r"\b(look\w*|visual\w*|cinematograph\w*|shot|camera|photograph\w*|beautiful)\b",
        r"\b(visual\w*|cinematograph\w*|shots?|camera|photograph\w*|images?|colou?rs?|frames?)\b",
    ),
    "music": (
        r"\b(music|score|soundtrack|songs?)\b",
        r"\b(music|score|soundtrack|songs?|sound)\b",
    ),
    "themes": (
        r"\b(themes?|about|in common|subject|story|stories)\b",
        r"\b(themes?|about|explor\w*|story|tale|follows|is an?)\b",
    ),
}
_SUBJECT = re.compile(
    r"\b(is an?|is about|explores?|story of|tale of|tells|follows|chronicles|centers on)\b", re.I
)
_RECOMMENDS = re.compile(
    r"similar|recommend|if you (liked|enjoyed|love)|films like|movies like|also (watch|see)"
    r"|should (also )?(see|watch)|\btry\b|fans of",
    re.I,
)
_SIMILAR = re.compile(
    r"\b(like|similar to|liked|enjoyed|loved|after)\s+(?P<name>[A-Z0-9][^?.!,]*?)"
    r"(?=\s*(,|\?|$|\bin (here|my|the|this)\b|\bwhat\b|\bwhich\b))"
)
_PAIR = re.compile(
    r"(?:compare|between|do|did|does|is|are|like|,)?\s*(?P<a>[A-Z0-9][^?]*?)\s+"
    r"(?:and|with|to|versus|vs\.?|or|more than|better than|than)\s+(?P<b>[A-Z0-9][^?]*?)\s*\??$"
)
_NAME = re.compile(
    r"\b[A-Z][a-zà-ÿ'’\-.]+(?:\s+(?:van|von|de|der|del|da|di|le|la)?\s*[A-Z][a-zà-ÿ'’\-.]+)+"
)
_LEAST = re.compile(r"\b(least|worst|negative|hated|disliked|panned|bad reviews?|lowest)\b", re.I)
_THRESHOLDS_FILE = "collection_thresholds.json"
# A role's words when no credit states it: a director 'made' the film; anyone a review names
# is in its cast unless another role is asked.
_ROLE_STEMS: dict[str, tuple[str, ...]] = {
    "director": ("direct", "director", "helm", "filmmak", "debut", "made", "make", "mak"),
    "cast": (),
}
LIMIT = 5  # films in a similar-films answer, at most
LIST_LIMIT = 12  # films listed by a genre, theme or person answer; the rest are counted
VERDICT_SENTENCES = 5  # a review's verdict: its five most verdict-like judgements
NOTHING_CLOSE = "Nothing in your collection is close to {film}."
NONE_SAYS = "None of your reviews says that."


# --- profiles ------------------------------------------------------------------------------------


class Quote(BaseModel):
    """A sentence of a film's own review, with where to cite it from."""

    text: str
    article_id: str
    chunk_id: int


class Mention(BaseModel):
    """A film a review names in a recommending passage ('Films like Her: Moon (2009) …')."""

    title: str
    quote: Quote


class Profile(BaseModel):
    """A film as a whole, as its reviews state it."""

    film: str
    article_ids: list[str]
    genres: dict[str, Quote] = Field(default_factory=dict)
    subjects: list[Quote] = Field(default_factory=list)
    verdict: float = 0.0  # -1 (panned) … +1 (praised)
    strongest: list[Quote] = Field(default_factory=list)  # the verdict's strongest sentences
    credits: list[tuple[str, str, str]] = Field(default_factory=list)  # role, person, article
    mentions: list[Mention] = Field(default_factory=list)


_RATING_VALUE = re.compile(
    r"(?P<n>\d+(\.\d+)?)\s*(/\s*|out of\s+)(?P<of>\d+)|(?P<stars>\d(\.5)?)\s+stars?\b", re.I
)
_RATING_LINE = re.compile(r"^\W*(rating|score|grade)\s*[:=]\s*(?P<n>\d+(\.\d+)?)\s*$", re.I)


def stated_rating(sentence: str) -> float | None:
    """A rating the sentence gives, on 0 … 1 ('4 out of 5' → 0.8, '5 Stars' → 1, 'Rating: 9'
    → 0.9, 'score: 85' → 0.85)."""
    line = _RATING_LINE.match(sentence)
    if line:
        value = float(line.group("n"))
        scale = 5 if value <= 5 and "." not in line.group("n") and value == int(value) else 10
        scale = 100 if value > 10 else scale
        return min(value / scale, 1.0)
    if not states_rating(sentence):
        return None
    found = _RATING_VALUE.search(sentence)
    if not found:
        return None
    if found.group("stars"):
        return min(float(found.group("stars")) / 5, 1.0)
    of = float(found.group("of"))
    return min(float(found.group("n")) / of, 1.0) if of in {1, 4, 5, 10, 100} else None


def _other_film_titles(text: str, film: str) -> bool:
    return any(fold(title) != fold(film) for title in mentioned_titles([text]))


def own_sentences(
    film: str, rows: list[tuple[int, str, str | None, int, str]]
) -> list[tuple[Quote, str | None, str | None]]:
    """A film's review sentences (chunk, article, heading, block, text, in article order),
    each once, with the other film it is about, if any: an item headed by another film's
    title ('Moon (2009): Directed by Duncan Jones …') and the rest of its block are about
    that film ("same block"), as is a sentence naming another film by title and year."""
    found: list[tuple[Quote, str | None, str | None]] = []
    seen: set[tuple[str, str]] = set()
    other_block: tuple[str, int] | None = None
    for chunk_id, article_id, heading, block, text in rows:
        if (article_id, text) in seen:  # chunks overlap by a sentence
            continue
        seen.add((article_id, text))
        quote = Quote(text=text, article_id=article_id, chunk_id=chunk_id)
        label = text.split(":", 1)[0] if ":" in text[:90] else ""
        titles = [t for t in mentioned_titles([label]) if fold(t) != fold(film)] if label else []
        if titles:
            other_block = (article_id, block)
            found.append((quote, heading, titles[0]))
        elif other_block == (article_id, block):
            found.append((quote, heading, "same block"))
        else:
            other = _other_film_titles(text, film)
            found.append((quote, heading, "named" if other else None))
    return found


def build_profile(material: FilmMaterial) -> tuple[np.ndarray, Profile]:
    """A film's profile from its reviews as the index holds them."""
    vector = material.vectors.mean(axis=0)
    vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
    profile = Profile(film=material.film, article_ids=material.article_ids)
    ratings: dict[str, list[float]] = {}
    leanings: dict[str, list[tuple[float, float]]] = {}
    judged: list[tuple[float, Quote]] = []
    rows = [(c, a, h, b, t) for c, a, _, h, b, _, t in material.sentences]
    starts = {(a, t): start for _, a, start, _, _, _, t in material.sentences}
    kinds = {(a, t): kind for _, a, _, _, _, kind, t in material.sentences}
    for quote, heading, other in own_sentences(material.film, rows):
        if other:  # 'Moon (2009): …' under 'If you enjoyed Her…': a film the review suggests
            if other == "named" and _RECOMMENDS.search(quote.text):
                # or in a sentence of its own: 'Fans of it should see Us (2019) and …'
                for title in mentioned_titles([quote.text]):
                    if fold(title) != fold(material.film):
                        profile.mentions.append(Mention(title=title, quote=quote))
            elif other != "same block" and _RECOMMENDS.search(heading or ""):
                profile.mentions.append(Mention(title=other, quote=quote))
            continue
        text, article_id = quote.text, quote.article_id
        start, kind = starts[(article_id, text)], kinds[(article_id, text)]
        position = start / max(material.lengths.get(article_id, 1), 1)
        rating = stated_rating(text)
        if rating is not None:
            ratings.setdefault(article_id, []).append(rating)
        for genre, (_, states) in GENRES.items():
            if genre not in profile.genres and _states_genre(states, text):
                profile.genres[genre] = quote
        if len(profile.subjects) < 3 and kind != "heading" and _SUBJECT.search(text):
            profile.subjects.append(quote)
        names_film = material.film.lower() in text.lower()
        if is_verdict(text, heading, position, names_film):
            weight = verdict_weight(text, heading, position, names_film)
            leanings.setdefault(article_id, []).append((weight, polarity(text)))
            if kind != "heading" and (len(words(text)) >= 6 or rating is not None):
                judged.append((weight * (1 + abs(polarity(text))), quote))
    scores = []
    for article_id in material.article_ids:
        if ratings.get(article_id):
            scores.append(2 * float(np.mean(ratings[article_id])) - 1)
        elif leanings.get(article_id):  # its strongest judgements, by how verdict-like
            strongest = sorted(leanings[article_id], reverse=True)[:VERDICT_SENTENCES]
            weights = np.array([w for w, _ in strongest])
            values = np.array([p for _, p in strongest])
            scores.append(float((weights * values).sum() / max(weights.sum(), 1e-9)))
    profile.verdict = float(np.mean(scores)) if scores else 0.0
    judged.sort(key=lambda pair: pair[0], reverse=True)
    profile.strongest = [quote for _, quote in judged[:3]]
    profile.credits = [(role, person, article_id) for article_id, role, person, _ in material.facts]
    return vector.astype(np.float32), profile


def _states_genre(states: str, text: str) -> bool:
    """The sentence names the genre as a word of its own, not in a title ('The King of
    Comedy'): capitalised only at the start of a sentence or a 'Genre: Horror' line."""
    for found in re.finditer(rf"\b({states})\b", text, re.I):
        before = text[: found.start()].rstrip()
        capital = found.group(0)[0].isupper()
        if not capital or not before or before[-1] in ":-–—•*,/|":
            return True
    return False


def refresh_profiles(writer: IndexWriter) -> None:
    """Make again the profile of every film whose reviews changed in this build."""
    for film in sorted(writer.touched_films):
        material = writer.film_material(film)
        if not material.chunk_ids:
            writer.put_profile(film, None, "")
            continue
        vector, profile = build_profile(material)
        writer.put_profile(film, vector, profile.model_dump_json())


@dataclass
class Profiles:
    """Every film's profile, and their vectors as one matrix: a collection question is one
    matrix product over it, whatever the number of films."""

    profiles: list[Profile]
    matrix: np.ndarray

    def of(self, title: str) -> tuple[int, Profile] | None:
        for n, profile in enumerate(self.profiles):
            if fold(profile.film) == fold(title):
                return n, profile
        return None


_LOADED: weakref.WeakKeyDictionary[IndexStore, Profiles] = weakref.WeakKeyDictionary()


def profiles_of(store: IndexStore) -> Profiles:
    """The store's profiles, read once per index generation."""
    if store not in _LOADED:
        rows, matrix = store.profiles()
        _LOADED[store] = Profiles([Profile.model_validate_json(r) for r in rows], matrix)
    return _LOADED[store]


@lru_cache(maxsize=1)
def thresholds() -> dict[str, float]:
    """The fitted thresholds (see scripts/fit_collection.py)."""
    text = resources.files("filmchat.data").joinpath(_THRESHOLDS_FILE).read_text("utf-8")
    return {k: float(v) for k, v in json.loads(text)["thresholds"].items()}


# --- what a collection question asks -------------------------------------------------------------


@dataclass
class Ask:
    """A collection question, read."""

    kind: str  # similar, compare, ranking, genre, person, theme
    films: list[Film]
    missing: list[str]
    aspect: str | None = None
    genre: str | None = None
    person: str | None = None
    role: str | None = None
    worst: bool = False
    terms: tuple[str, ...] = ()


def _reviewed(name: str, engine: Engine) -> Film | None:
    film = find_film(name.strip(" '\"“”‘’"), engine.catalog)
    return film if film is not None and not film.mentioned_only else None


def read_question(question: str, kind: str, named: list[Film], engine: Engine) -> Ask | None:
    """What a question of a declared collection kind asks; None when it is not one."""
    reviewed = [f for f in named if not f.mentioned_only]
    missing: list[str] = [f.title for f in named if f.mentioned_only]
    if kind == "ranking":
        return Ask("ranking", reviewed, missing, worst=bool(_LEAST.search(question)))
    if kind == "compare":
        pair = _PAIR.search(question)
        if pair:
            for side in (pair.group("a"), pair.group("b")):
                # a side naming no film of the catalogue names one the collection lacks
                names_one = any(fold(f.title) in fold(side) for f in named)
                side = re.sub(r"^(compare|how (do|does)|did the \w+ like)\s+", "", side, flags=re.I)
                if not names_one and side[:1].isupper() and not find_film(side, engine.catalog):
                    missing.append(side.strip())
        aspect = next(
            (
                name
                for name, (asks, _) in ASPECTS.items()
                if name != "verdict" and re.search(asks, question, re.I)
            ),
            "verdict" if re.search(ASPECTS["verdict"][0], question, re.I) else None,
        )
        if len(reviewed) + len(missing) >= 2 and reviewed:
            asked_first = sorted(reviewed, key=lambda f: fold(question).find(fold(f.title)))
            return Ask("compare", asked_first[:2], missing, aspect=aspect)
        return None
    similar = _SIMILAR.search(question)
    if kind == "similar" or (similar and kind == "collection"):
        if similar and not reviewed:
            name = similar.group("name").strip()
            if find_film(name, engine.catalog) is None and not _NAME_IS_PERSON(name, engine):
                return Ask("similar", [], [name])
        if reviewed:
            return Ask("similar", reviewed[:1], missing)
        if kind == "similar" and not _person(question, engine):
            return None
    person = _person(question, engine)
    if person and _named_anywhere(person, engine):
        return Ask("person", [], missing, person=person, role=_role(question))
    lowered = question.lower()
    for genre, (asks, _) in GENRES.items():
        if re.search(rf"\b({asks})\b", lowered):
            return Ask("genre", [], missing, genre=genre)
    return Ask("theme", [], missing)


def _NAME_IS_PERSON(name: str, engine: Engine) -> bool:
    return bool(_NAME.fullmatch(name)) and any(
        fold(name).split()[-1] in fold(person)
        for p in profiles_of(engine.store).profiles
        for _, person, _ in p.credits
    )


def _named_anywhere(person: str, engine: Engine) -> bool:
    """Some review names the person ('Los Angeles' is a place no credit or review names as
    one: a theme, then)."""
    surname = fold(person.split()[-1])
    credited = any(
        surname in fold(name)
        for p in profiles_of(engine.store).profiles
        for _, name, _ in p.credits
    )
    return credited or bool(engine.store.search_lexical(fts_query(person, STOPWORDS), 1))


def _person(question: str, engine: Engine) -> str | None:
    """A person the question names: a run of capitalised words that is no film's title."""
    for found in _NAME.finditer(question):
        name = found.group(0)
        if name.split()[0] in {"Which", "What", "Show", "Any", "Did", "Who", "Compare"}:
            name = " ".join(name.split()[1:])
            if len(name.split()) < 2:
                continue
        if find_film(name, engine.catalog) is None:
            return name
    return None


def _role(question: str) -> str | None:
    lowered = question.lower()
    if re.search(r"\b(star\w*|feature\w*|in\?|act\w*|plays?|cast)\b", lowered):
        return "cast"
    if re.search(r"\b(by|made)\b", lowered):
        return "director"
    return best_role(lowered)


# --- answers -------------------------------------------------------------------------------------


def answer(engine: Engine, question: str, ask: Ask, question_vector: np.ndarray) -> Answer:
    """The answer to a collection question, every line cited from a film's own review."""
    profiles = profiles_of(engine.store)
    if ask.kind == "similar":
        return _similar(engine, question, ask, profiles)
    if ask.kind == "compare":
        return _compare(engine, question, ask, profiles)
    if ask.kind == "ranking":
        return _ranking(engine, question, ask, profiles)
    if ask.kind == "person":
        found = _sharing_person(ask, profiles, engine)
    elif ask.kind == "genre":
        found = [(p.film, p.genres[ask.genre]) for p in profiles.profiles if ask.genre in p.genres]
    else:
        enough = thresholds()["theme"]
        scored = theme_scores(engine, question, question_vector)
        found = [(film, quote) for film, score, quote in scored if score >= enough]
    if len(found) > LIST_LIMIT:  # the strongest first (a theme's are ranked), the rest counted
        more = f"{len(found) - LIST_LIMIT} more films' reviews say it too."
        return _listed(engine, question, found[:LIST_LIMIT], NONE_SAYS, more)
    return _listed(engine, question, found, NONE_SAYS)


def _film_label(engine: Engine, title: str) -> str:
    film = find_film(title, engine.catalog)
    return film.label if film else title


def _listed(
    engine: Engine,
    question: str,
    found: list[tuple[str, Quote]],
    refusal: str,
    note: str = "",
    labelled: bool = True,
) -> Answer:
    """One cited line per film: 'Film (Year): its sentence [n]' (the sentence alone when it
    names its film itself, as an item of a review's list of suggestions does)."""
    if not found:
        return Answer(question=question, film=None, answered=False, message=refusal, note=note)
    rows = engine.store.chunks(sorted({quote.chunk_id for _, quote in found}))
    candidates, labels = [], []
    for title, quote in found:
        article_id, headings, text, sentences = rows[quote.chunk_id]
        passage = Passage(
            chunk_id=quote.chunk_id,
            article=engine.retriever.articles[article_id],
            text=text,
            headings=headings,
            sentences=sentences,
            score=0.0,
        )
        sentence = next((s for s in sentences if s.text == quote.text), sentences[0])
        candidates.append(Candidate(sentence=sentence, passage=passage, score=0.0, stems=[]))
        labels.append(_film_label(engine, title) if labelled else "")
    sentences, citations = _citations(candidates)
    for label, sentence in zip(labels, sentences, strict=True):
        sentence.text = f"{label}: {sentence.text}" if label else sentence.text
    return Answer(
        question=question,
        film=None,
        answered=True,
        sentences=sentences,
        citations=citations,
        passages=[c.passage for c in candidates],
        listing=True,
        note=note,
    )


def _reason(candidate: Profile, asked: Profile) -> Quote | None:
    """Why a film is like the asked one, from its own review: a genre both reviews state,
    else what its review says it is about, else its strongest verdict sentence."""
    shared = [g for g in candidate.genres if g in asked.genres]
    if shared:
        return candidate.genres[shared[0]]
    if candidate.subjects:
        return candidate.subjects[0]
    return candidate.strongest[0] if candidate.strongest else None


def nearest(profiles: Profiles, index: int) -> list[tuple[float, int]]:
    """Every other film by closeness of profile to the film at `index`, closest first."""
    similarity = profiles.matrix @ profiles.matrix[index]
    order = np.argsort(-similarity)
    return [(float(similarity[n]), int(n)) for n in order if n != index]


def _similar(engine: Engine, question: str, ask: Ask, profiles: Profiles) -> Answer:
    if not ask.films:
        name = ask.missing[0] if ask.missing else "that film"
        return Answer(
            question=question,
            film=None,
            answered=False,
            message=f"{name} is not in your collection, so there is nothing to compare it with.",
        )
    film = ask.films[0]
    found = profiles.of(film.title)
    if found is None:
        return Answer(question=question, film=film.label, answered=False, message=NONE_SAYS)
    index, asked = found
    close = thresholds()["similar"]
    listed = []
    for similarity, n in nearest(profiles, index)[:LIMIT]:
        reason = _reason(profiles.profiles[n], asked)
        if similarity >= close and reason is not None:
            listed.append((profiles.profiles[n].film, reason))
    in_collection = [m for m in asked.mentions if _reviewed(m.title, engine)]
    elsewhere = [m for m in asked.mentions if not _reviewed(m.title, engine)]
    notes = []
    if asked.mentions:
        parts = []
        if elsewhere:
            names = ", ".join(dict.fromkeys(m.title for m in elsewhere))
            parts.append(
                f"{names}, which {'is' if len(elsewhere) == 1 else 'are'} not in your collection"
            )
        if in_collection:
            names = ", ".join(dict.fromkeys(m.title for m in in_collection))
            parts.append(f"{names}, which {'is' if len(in_collection) == 1 else 'are'}")
        notes.append(f"The review of {film.title} suggests {'; '.join(parts)}.")
    note = " ".join(notes)
    # the review's own suggestions follow, each its own item ('Moon (2009): …'), unlabelled
    suggested = [("", quote) for quote in {m.quote.text: m.quote for m in asked.mentions}.values()]
    if not listed and not suggested:
        return Answer(
            question=question,
            film=film.label,
            answered=False,
            message=NOTHING_CLOSE.format(film=film.title),
        )
    if not listed:
        note = f"{NOTHING_CLOSE.format(film=film.title)} {note}"
    answered = _listed(engine, question, listed + suggested, "", note)
    for sentence in answered.sentences[len(listed) :]:
        sentence.text = sentence.text.removeprefix(": ")
    return answered


def _sharing_person(ask: Ask, profiles: Profiles, engine: Engine) -> list[tuple[str, Quote]]:
    """Films whose own reviews credit the person (in the role asked, if one is)."""
    assert ask.person
    surname = fold(ask.person.split()[-1])
    role = ROLE_BY_NAME.get(ask.role or "")
    found = []
    # the reviews naming the person at all: one full-text search, not a read of every film
    hits = engine.store.search_lexical(fts_query(ask.person, STOPWORDS), 500)
    articles = set(engine.store.article_of(hits).values())
    for profile in profiles.profiles:
        if not articles & set(profile.article_ids):
            continue
        for credited_role, person, article_id in profile.credits:
            if surname in words(fold(person)) and (role is None or credited_role == role.name):
                quote = _sentence_naming(engine, profile, person, article_id)
                if quote:
                    found.append((profile.film, quote))
                    break
        else:
            stems = _ROLE_STEMS.get(role.name, role.stems) if role else ()
            quote = _sentence_naming(engine, profile, ask.person, None, stems, whole=True)
            if quote:
                found.append((profile.film, quote))
    return found


def _film_sentences(engine: Engine, profile: Profile) -> list[Quote]:
    """Every sentence of a film's reviews that is about that film."""
    ids = engine.store.chunk_ids_for(profile.article_ids).tolist()
    rows = [
        (chunk_id, article_id, sentence.heading, sentence.block, sentence.text)
        for chunk_id, (article_id, _, _, sentences) in sorted(engine.store.chunks(ids).items())
        for sentence in sentences
    ]
    return [quote for quote, _, other in own_sentences(profile.film, rows) if not other]


def _sentence_naming(
    engine: Engine,
    profile: Profile,
    person: str,
    article_id: str | None,
    stems: tuple[str, ...] = (),
    whole: bool = False,
) -> Quote | None:
    """The first sentence of the film's own review naming the person (with a word of the
    role, when a role is asked and no credit states it)."""
    surname = fold(person) if whole else fold(person.split()[-1])
    for quote in _film_sentences(engine, profile):
        if article_id and quote.article_id != article_id:
            continue
        if not re.search(rf"\b{re.escape(surname)}\b", fold(quote.text)):
            continue
        tokens = words(fold(quote.text))
        if stems and not any(stem(t).startswith(stems) for t in tokens):
            continue
        return quote
    return None


def theme_scores(
    engine: Engine, question: str, vector: np.ndarray
) -> list[tuple[str, float, Quote]]:
    """Films whose own reviews have sentences with the question's topic words, each with its
    best such sentence, scored by how close its passage is to the question (best first); an
    answer keeps those at or above the fitted threshold."""
    topic = [
        w for w in words(question) if w not in STOPWORDS and w not in _QUESTION_WORDS and len(w) > 2
    ]
    stems = {stem(w) for w in topic}
    if not stems:
        return []
    chunk_ids = engine.store.search_lexical(fts_query(" ".join(topic), STOPWORDS), 200)
    rows = engine.store.chunks(chunk_ids)
    film_of = {a.article_id: a.meta.film for a in engine.retriever.articles.values()}
    best: dict[str, tuple[float, Quote]] = {}
    for chunk_id, (article_id, _, _, sentences) in rows.items():
        film = film_of.get(article_id)
        if not film:
            continue
        closeness = float(engine.store.vectors.reconstruct(chunk_id) @ vector)
        for sentence in sentences:
            tokens = {stem(t) for t in words(sentence.text)}
            matched = len(stems & tokens) / len(stems)
            if not matched or _other_film_titles(sentence.text, film):
                continue
            score = closeness * (0.5 + 0.5 * matched)
            if score > best.get(film, (-1.0, None))[0]:
                best[film] = (
                    score,
                    Quote(text=sentence.text, article_id=article_id, chunk_id=chunk_id),
                )
    ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
    return [(film, score, quote) for film, (score, quote) in ranked]


_QUESTION_WORDS = frozenset(
    """which what films film movies movie reviews review collection about deal deals talk talks
    are is my in here have any show me set there does did the of and or with how praise
    praises blurring""".split()
)


def _ranking(engine: Engine, question: str, ask: Ask, profiles: Profiles) -> Answer:
    """Films by their reviewers' verdict, each with its strongest sentence."""
    scored = [p for p in profiles.profiles if p.strongest]
    scored.sort(key=lambda p: p.verdict, reverse=not ask.worst)
    if ask.worst and re.search(r"\bnegative\b", question, re.I):
        scored = [p for p in scored if p.verdict < thresholds()["negative"]]
    chosen = scored[:LIMIT]
    return _listed(engine, question, [(p.film, p.strongest[0]) for p in chosen], NONE_SAYS)


def _compare(engine: Engine, question: str, ask: Ask, profiles: Profiles) -> Answer:
    """Both films side by side on the aspect asked (verdict and subject when none is)."""
    lines: list[tuple[str, Quote]] = []
    for film in ask.films:
        found = profiles.of(film.title)
        if found is None:
            continue
        profile = found[1]
        for aspect in [ask.aspect] if ask.aspect else ["verdict", "themes"]:
            # a review silent on the aspect asked still stands beside the other by its verdict
            quote = _on_aspect(engine, profile, aspect) or _on_aspect(engine, profile, "verdict")
            if quote and quote not in [q for _, q in lines]:
                lines.append((profile.film, quote))
        for name in ask.missing:  # what this film's reviews say of the missing one
            for quote in _film_sentences_all(engine, profile):
                if fold(name) in fold(quote.text):
                    lines.append((profile.film, quote))
                    break
    shown = " then ".join(f.label for f in ask.films if profiles.of(f.title))
    note = f"{shown}, {ask.aspect or 'verdict and subject'}." if shown else ""
    order = {fold(f.title): n for n, f in enumerate(ask.films)}
    lines.sort(key=lambda line: order.get(fold(line[0]), len(order)))
    if ask.missing:
        names = ", ".join(ask.missing)
        verb = "is" if len(ask.missing) == 1 else "are"
        note = f"{note} {names} {verb} not reviewed in your collection.".strip()
    # each line is the review's sentence as it stands (its source names the film)
    return _listed(engine, question, lines, NONE_SAYS, note, labelled=False)


def _film_sentences_all(engine: Engine, profile: Profile) -> list[Quote]:
    ids = engine.store.chunk_ids_for(profile.article_ids).tolist()
    return [
        Quote(text=s.text, article_id=article_id, chunk_id=chunk_id)
        for chunk_id, (article_id, _, _, sentences) in sorted(engine.store.chunks(ids).items())
        for s in sentences
    ]


def _on_aspect(engine: Engine, profile: Profile, aspect: str) -> Quote | None:
    if aspect == "verdict":
        return profile.strongest[0] if profile.strongest else None
    if aspect == "themes" and (profile.subjects or profile.genres):
        return profile.subjects[0] if profile.subjects else next(iter(profile.genres.values()))
    states = ASPECTS[aspect][1]
    for quote in _film_sentences(engine, profile):
        if re.search(states, quote.text, re.I) and len(quote.text) > 40:
            return quote
    return None


def similar_question(title: str) -> str:
    """The question `filmchat similar TITLE` and the chat's /similar ask."""
    return f"Which films in my collection are like {title}?"


# The declared kinds (answer/kinds.py) a collection answer serves.
KINDS = frozenset({"similar", "compare", "ranking", "collection"})
