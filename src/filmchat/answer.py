"""Answer composition without a language model: pick the review sentences that answer.

Every answer sentence is a sentence of a retrieved passage, cited to its article. Whether the
reviews answer at all is decided from the evidence, not from a similarity threshold: the
sentence must belong to the film asked about, and what is asked (a rating, a running time, a
person in some role) must actually be stated in it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from filmchat.films import Film, mentioned_titles, title_used_in
from filmchat.models import Answer, AnswerSentence, Citation, Passage, Sentence
from filmchat.terms import GENERIC, content_stems, content_terms, words

# --- what a question asks -------------------------------------------------------------------

ROLE_CUES: dict[str, tuple[str, ...]] = {
    "director": ("direct", "director", "helm", "filmmak", "debut"),
    "composer": ("compos", "score", "music", "soundtrack", "song"),
    "writer": ("wrote", "written", "writer", "screenplai", "screenwrit", "script"),
    "cinematographer": ("cinematograph", "cinematographi", "shot", "camera", "photograph"),
    "editor": ("edit", "editor"),
    "producer": ("produc", "producer"),
    "cast": (
        "plai",
        "star",
        "cast",
        "actor",
        "actress",
        "voic",
        "portrai",
        "role",
        "perform",
        "lead",
    ),
}
# Words a review uses when it states each kind of fact: they widen the BM25 query, so a question
# like "who wrote it?" also finds "Writer & Director: ..." and "written by ...".
EVIDENCE_WORDS: dict[str, str] = {
    "director": "directed director direction",
    "composer": "composed composer score music soundtrack",
    "writer": "writer written screenplay script",
    "cinematographer": "cinematographer cinematography",
    "editor": "edited editor editing",
    "producer": "produced producer",
    "cast": "cast stars starring plays played voiced voice",
    "rating": "rating rated stars",
    "runtime": "minutes runtime running",
    "money": "box office gross budget million",
    "award": "award awards oscar won nominated",
    "similar": "similar films like",
    "date": "released release",
    "plot": "story plot synopsis follows tells premise",
}
# How reviews summarise a plot: 'tells the story of', 'follows', 'revolves around'.
_SYNOPSIS = re.compile(
    r"\b(tells the story|story of|follows|revolves around|cent(er|re)s on|is about"
    r"|introduces us)\b",
    re.I,
)

_ROLE_QUESTION = [
    ("director", r"\bdirect(ed|s|or)?\b|\bdirector\b|\bhelm"),
    ("composer", r"\b(compos\w*|score|music|soundtrack|songs?)\b"),
    ("writer", r"\b(wrote|write|written|writer|screenplay|screenwriter|script)\b"),
    ("cinematographer", r"\b(cinematograph\w*|shot|dp|director of photography|camera)\b"),
    ("editor", r"\bedit(ed|or|ing)?\b"),
    ("producer", r"\bproduc(ed|er|ers|tion company)\b"),
    (
        "cast",
        r"\b(play(s|ed)?|star(s|red|ring)?|cast|actors?|actress|voice[ds]?|portray\w*|lead)\b",
    ),
]

_KIND_PATTERNS = [
    ("runtime", r"\b(how long|running time|run ?time|length|minutes|duration)\b"),
    (
        "money",
        r"\b(box[- ]office|gross\w*|budget|earn\w*|revenue|make money|made money|cost)\b"
        r"|\bhow much (did|does|has|have)\b.*\b(make|made|take|took)\b",
    ),
    (
        "rating",
        r"\b(rating|rated|imdb|rotten tomatoes|metacritic|metascore|stars? out of"
        r"|out of (10|ten|5|five))\b|\bscore (did|does|is)\b|\bwhat score\b",
    ),
    (
        "award",
        r"\b(awards?|oscars?|academy|golden globes?|baftas?|nominat\w*|won|win|wins|prize)\b",
    ),
    (
        "verdict",
        r"\b(worth (watching|seeing|it|a watch|the time)|should i (watch|see)|is it (any )?good"
        r"|do (they|reviewers|critics) recommend (it|watching)|verdict|must[- ](see|watch))\b",
    ),
    (
        "similar",
        r"\b(similar|recommend\w*|films? like|movies? like|if i (liked|enjoyed)|what else"
        r"|compar\w*|versus|vs)\b",
    ),
    ("date", r"\b(when|what year|which year|release date|released)\b"),
    ("count", r"\bhow many\b"),
    ("age", r"\bhow old\b|\bwhat age\b"),
    ("place", r"\b(where)\b"),
]
_LIST_QUESTION = re.compile(
    r"\b(cast|who (else )?(is|are) in|who stars|list|which films|what films|actors"
    r"|characters)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(say|says|think|thought|opinion|feel|felt|view|portray\w*|explore\w*|theme\w*|about|"
    r"worth|good|bad|recommend|praise\w*|critic\w*|reviewers?|how (is|are|was|were|does)"
    r"|summar\w*|overview)\b",
    re.I,
)
_PLOT = re.compile(
    r"\b(plot|story|storyline|synopsis|premise|what happens)\b|^what('s| is) [^?]{1,60} about\W*$",
    re.I,
)

# What a sentence must state for each kind of question.
_EVIDENCE = {
    "rating": re.compile(
        r"\b\d+(\.\d+)?\s*(/\s*\d+|out of\s+\d+|stars?\b)|\b\d{1,3}\s?%|\b[A-F][+-]?\s*grade\b",
        re.I,
    ),
    "runtime": re.compile(r"\b\d+\s*(minutes?|mins?|hours?|hrs?|h\b)", re.I),
    "money": re.compile(r"[$£€¥]\s?\d|\b\d+(\.\d+)?\s*(million|billion|m\b|bn\b)", re.I),
    "date": re.compile(r"\b(18|19|20)\d{2}\b"),
    "count": re.compile(
        r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|multiple)\b", re.I
    ),
    "award": re.compile(
        r"\b(awards?|oscars?|academy award|golden globe|bafta|nominat\w*|won|wins|prize)\b", re.I
    ),
    "place": re.compile(r"\b(in|at|near)\s+(?:[\w-]+\s+){0,3}?[A-Z][a-z]+"),
    # a verdict: a rating, or a judgement a reviewer passes on the whole film
    "verdict": re.compile(
        r"\b\d+(\.\d+)?\s*(/\s*\d+|out of\s+\d+|stars?\b)|\bmust[- ](see|watch)\b|\bworth\b"
        r"|\brecommend\w*|\b(masterpiece|triumph|essential|classic|skip|disappoint\w*|rare"
        r"|remarkable|brilliant|superb|excellent|outstanding|flawed|best|worst)\b",
        re.I,
    ),
    "age": re.compile(r"\b\d{1,3}[- ]years?[- ]old\b|\baged?\s+\d{1,3}\b|\b(\w+ties|\d0s)\b", re.I),
}
# 'If you liked Parasite, try Shoplifters (2018)', 'Fans of it should see Us (2019)'
_RECOMMENDS = re.compile(
    r"\b(liked|loved|enjoyed|fans? of|try|see also|should (see|watch)|pair it with|double bill)\b",
    re.I,
)
_NAMES_A_FILM = re.compile(r"\b[A-Z][^()]{0,60}\((?:18|19|20)\d{2}\)")
_ABOUT_THE_ARTICLE = re.compile(
    r"\b(in|throughout) this (article|post|piece|essay|blog)\b|\b(we|I)('ll| will) (explore|look"
    r"|delve|dive|discuss)\b|\blet['’]s (dive|delve|explore|take a look)\b",
    re.I,
)
_FILMING = re.compile(r"\b(filmed|shot|location|locations|film(ing)? in)\b", re.I)
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
_TITLE_LIST_ITEM = re.compile(r"^[^:]{1,80}\((?:18|19|20)\d{2}\)\s*:")

# Verbs that frame a question ('how do the reviews discuss X') without saying about what.
_FRAMING = frozenset(
    """
    discuss discussed describe described describes depict depicted depicts portray portrayed
    portrays explore explored explores handle handled treat treated show shows shown present
    presented mean means meaning deal deals address addresses talk talks happen happens
    happened feel view opinion think thought reviewers come came comes out like liked enjoy
    enjoyed would kind sort type else summarize summarise summary overview sum suggest
    suggests suggested imply implies start beginning outset
    """.split()
)

# Words in a question that say *what kind* of thing is asked, not *about what*.
_INTENT_WORDS = frozenset(
    """
    rating rated imdb score running time long length minutes duration box office gross
    budget earn revenue money cost make made award awards oscar oscars won win wins nominated
    nomination similar recommend recommendation like when year release released date many
    worth watching watch seeing see good verdict must compare compares compared comparison
    versus vs
    where directed direct director composed compose composer score music soundtrack wrote
    write written writer screenplay script cinematography cinematographer shot camera edited
    editor produced producer play plays played star stars starred starring cast actor actors
    actress voice voiced lead role portrays who whom whose main character characters behind
    responsible credited
    """.split()
)
# Of those, the words that only ask: an open question keeps the rest as its topic ('what is the
# cinematography like?' is about the cinematography, not a request for a cinematographer).
_ASKING_WORDS = frozenset(
    """
    who whom whose when where many like year date responsible credited behind play plays
    played role star stars starred starring voice voiced portrays lead main character
    characters
    """.split()
)


@dataclass
class Intent:
    """What a question asks for, and the words that say about what."""

    kind: str = "general"
    role: str | None = None
    listing: bool = False
    opinion: bool = False
    plot: bool = False
    filming: bool = False
    across_films: bool = False  # 'which film has a rotating hallway fight?'
    terms: dict[str, str] = field(default_factory=dict)

    @property
    def evidence_words(self) -> str:
        """Words that state the asked fact, for the lexical half of retrieval."""
        words = EVIDENCE_WORDS.get(self.role or self.kind, "")
        return f"{words} {EVIDENCE_WORDS['plot']}" if self.plot else words

    @property
    def focus(self) -> list[str]:
        """Stems of what the question is about."""
        return list(self.terms)


def title_words(film_titles: list[str]) -> frozenset[str]:
    """Words of film titles: they name the film, not what is asked about it."""
    return frozenset(w for title in film_titles for w in words(title))


def classify(question: str, titles_words: frozenset[str] = frozenset()) -> Intent:
    """The kind of answer a question wants, from its wording alone."""
    text = question.strip()
    lowered = text.lower()
    intent = Intent()
    for kind, pattern in _KIND_PATTERNS:
        if re.search(pattern, lowered):
            intent.kind = kind
            break
    is_who = bool(re.search(r"\bwho\b|\bwhose\b|\bwhich actor|\bname of the\b", lowered))
    if intent.kind in {"general", "count", "award"} or is_who:
        for role, pattern in _ROLE_QUESTION:
            if re.search(pattern, lowered):
                if is_who or intent.kind == "general":
                    if role == "composer" and re.search(
                        r"\bscore (did|does|is)\b|\bwhat score\b", lowered
                    ):
                        continue
                    if is_who or re.search(
                        r"\b(by|composer|director|writer|cinematographer|editor|producer)\b",
                        lowered,
                    ):
                        intent.kind, intent.role = "person", role
                break
    if is_who and intent.kind == "general":
        intent.kind = "person"
    if intent.kind == "person" and re.search(
        r"\bwho (else )?(is|are|was|were) in\b|\b(main )?characters\b", lowered
    ):
        intent.role = "cast"  # 'who else is in it?', 'who are the main characters?'
    asking = _INTENT_WORDS if intent.kind != "general" else _ASKING_WORDS
    intent.terms = content_terms(text, drop=GENERIC | asking | _FRAMING | titles_words)
    if re.search(r"\b(which|what) (films?|movies?)\b", lowered) and intent.kind == "general":
        # the answer is a film: one the question describes ('which film has a rotating hallway
        # fight?', 'which film stars Johnny Depp?'), whichever review it is in, or else films
        # like the one in the conversation
        if intent.terms:
            intent.across_films = True
        else:
            intent.kind = "similar"
    intent.plot = bool(_PLOT.search(lowered))
    intent.opinion = intent.kind == "general" and bool(_OPINION.search(lowered))
    intent.filming = intent.kind == "place" and bool(_FILMING.search(lowered))
    listing = bool(_LIST_QUESTION.search(lowered)) or intent.kind == "similar"
    intent.listing = listing and not intent.terms  # 'which film stars X' wants one, not a list
    return intent


# --- evidence ----------------------------------------------------------------------------------


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


def _covers(stems: list[str], focus: str) -> bool:
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
    return any(stem.startswith(cue) for stem in content_stems(text) for cue in ROLE_CUES[role])


_CREDIT_SHAPE = {
    "director": r"\bdirect(ed|ion|or)\b",
    "composer": r"\b(composed|score|music|soundtrack)\b",
    "writer": r"\b(written|writer|screenplay|wrote)\b",
    "cinematographer": r"\b(cinematographer|cinematography|shot)\b",
    "editor": r"\b(edited|editor)\b",
    "producer": r"\b(produced|producer)\b",
}


def credits_role(sentence: str, role: str | None) -> bool:
    """The name and the role stand together: 'directed by X', 'Director: X', 'X as Amy'."""
    if role == "cast":
        return bool(_CAST_SHAPE.search(sentence))
    pattern = _CREDIT_SHAPE.get(role or "")
    if not pattern:
        return False
    name = _NAME.pattern
    return bool(
        re.search(rf"{pattern}[^.;]{{0,12}}?\b(by|:)\s+{name}", sentence, re.I)
        or re.search(rf"{pattern}\s+{name}", sentence)
        or re.search(rf"{name}['’]s?\s+(\w+\s+)?{pattern}", sentence)
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
            return bool(_CAST_SHAPE.search(sentence)) or (
                has_person and _covers(content_stems(sentence), "perform")
            )
        return has_person and has_role_cue(sentence, intent.role)
    if intent.kind == "similar":
        return bool(_TITLE_LIST_ITEM.match(sentence)) or bool(
            re.search(r"(?<![\w-])(similar|like|reminiscent|recommend|compar\w*)\b", sentence, re.I)
            or (_RECOMMENDS.search(sentence) and _NAMES_A_FILM.search(sentence))
        )
    if intent.filming and not _FILMING.search(sentence):
        return False  # where it is *set* is not where it was *filmed*
    pattern = _EVIDENCE.get(intent.kind)
    return pattern is None or bool(pattern.search(sentence))


# --- film attribution ------------------------------------------------------------------------


def sentence_films(passage: Passage, catalog_titles: set[str]) -> dict[int, str | None]:
    """Which film each list item of a passage describes ('Moon (2009): Directed by ...')."""
    owners: dict[int, str | None] = {}
    for sentence in passage.sentences:
        if sentence.kind != "item" or sentence.block in owners:
            continue
        label = sentence.text.split(":", 1)[0] if ":" in sentence.text[:90] else ""
        found = mentioned_titles([label]) if label else {}
        owners[sentence.block] = next(
            (title for title in found if title.lower() in catalog_titles), None
        )
    return owners


# --- composition --------------------------------------------------------------------------------


@dataclass
class Candidate:
    sentence: Sentence
    passage: Passage
    score: float
    stems: list[str]


def _idf(document_frequency: dict[str, int], total: int, stem: str) -> float:
    frequency = document_frequency.get(stem, 0)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _too_similar(stems: list[str], chosen: list[Candidate]) -> bool:
    mine = set(stems)
    for other in chosen:
        theirs = set(other.stems)
        if mine and theirs and len(mine & theirs) / len(mine | theirs) > 0.6:
            return True
    return False


@dataclass
class Evidence:
    """Everything composition needs besides the passages."""

    film: Film | None
    catalog_titles: set[str]
    document_frequency: dict[str, int]
    total_chunks: int


def gather(
    question: str, passages: list[Passage], intent: Intent, evidence: Evidence
) -> list[Candidate]:
    """Scored sentences of the passages that belong to the film and state what is asked."""
    film_title = evidence.film.title.lower() if evidence.film else None
    whose = makers_title(evidence.film.title) if evidence.film else None
    # 'which film has a talking dog?', 'which movie is set in Seoul?': the last word names what
    # sets the film apart, so a sentence sharing only 'talk' or 'set' does not answer
    head = intent.focus[-1] if intent.focus and intent.across_films else None
    asks_director = intent.kind == "person" and intent.role == "director"
    weights = {s: _idf(evidence.document_frequency, evidence.total_chunks, s) for s in intent.focus}
    total_weight = sum(weights.values()) or 1.0
    candidates: list[Candidate] = []
    for passage in passages:
        owners = sentence_films(passage, evidence.catalog_titles)
        passage_stems = content_stems(" ".join(passage.headings) + " " + passage.text)
        for sentence in passage.sentences:
            owner = owners.get(sentence.block) if sentence.kind == "item" else None
            if evidence.film is not None:
                if (
                    evidence.film.article_ids
                    and passage.article.article_id in evidence.film.article_ids
                ):
                    if owner not in (None, film_title) and intent.kind != "similar":
                        continue  # an item about another film inside this film's review
                elif owner != film_title and not title_used_in(sentence.text, evidence.film.title):
                    continue  # another film's review: only what it says about this film
            text = sentence.text
            if len(words(text)) < 4 and sentence.kind != "item" and ":" not in text:
                continue  # fragments, but not 'Rating: 9/10'
            if _ABOUT_THE_ARTICLE.search(text):
                continue  # 'In this article, we delve into ...' says nothing about the film

            names_maker = bool(asks_director and whose and whose.search(text))
            if not names_maker and not states_what_is_asked(text, intent):
                continue
            stems = content_stems(text)
            heading_stems = content_stems(sentence.heading or "")
            matched = sum(w for s, w in weights.items() if _covers(stems, s))
            in_heading = sum(w for s, w in weights.items() if _covers(heading_stems, s))
            lexical = matched / total_weight
            if intent.kind != "general":
                # a factual question's remaining words must be about this passage ('Samantha')
                if not all(_covers(passage_stems + stems, s) for s in intent.focus):
                    continue
            elif intent.focus and matched == 0 and in_heading == 0:
                # no word of the question in the sentence or its heading: a passage that merely
                # sits close to the question is not evidence ('is it sad?' is not answered by
                # the first sentences of the nearest passage)
                continue
            if head is not None and not (_covers(stems, head) or _covers(heading_stems, head)):
                continue  # 'the Kims talk their way in' says nothing of a talking dog
            score = 0.55 * lexical + 0.15 * (in_heading / total_weight) + 0.45 * passage.dense_score
            if intent.plot and re.search(
                r"plot|synopsis|story|premise|overview|summary", sentence.heading or "", re.I
            ):
                score += 0.2 if not intent.focus else 0.1  # 'what is it about' lives there
            if intent.plot and not intent.focus and _SYNOPSIS.search(text):
                score += 0.15
            if intent.kind == "verdict" and re.search(
                r"verdict|conclusion|final|overall|bottom line|rating", sentence.heading or "", re.I
            ):
                score += 0.2  # where a review passes judgement
            if intent.kind == "similar" and _TITLE_LIST_ITEM.match(text):
                score += 0.3  # a recommendation list names the films outright
            if intent.kind == "person" and (names_maker or credits_role(text, intent.role)):
                score += 0.3
            if intent.role and has_role_cue(sentence.heading or "", intent.role):
                score += 0.2
            candidates.append(Candidate(sentence, passage, score, stems))
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates


def choose(candidates: list[Candidate], intent: Intent) -> list[Candidate]:
    """1-4 sentences: the best, near-duplicates dropped, several reviews for opinion questions."""
    if not candidates:
        return []
    best = candidates[0]
    if intent.listing and best.sentence.kind == "item":
        same_list = [  # the whole list, even where it spans chunks
            c
            for c in candidates
            if c.passage.article.article_id == best.passage.article.article_id
            and c.sentence.kind == "item"
            and c.sentence.heading == best.sentence.heading
        ]
        firsts: dict[int, Candidate] = {}
        for c in sorted(same_list, key=lambda c: c.sentence.start):
            firsts.setdefault(c.sentence.block, c)
        return list(firsts.values())[:8]
    limit = 3 if (intent.opinion or intent.plot or intent.kind == "general") else 2
    floor = best.score * (0.6 if limit == 3 else 0.8)
    chosen: list[Candidate] = [best]
    articles = {best.passage.article.article_id}
    for prefer_new_article in (True, False):
        for candidate in candidates[1:]:
            if len(chosen) >= limit or candidate.score < floor:
                break
            if candidate in chosen or _too_similar(candidate.stems, chosen):
                continue
            article = candidate.passage.article.article_id
            if prefer_new_article and article in articles:
                continue
            chosen.append(candidate)
            articles.add(article)
    return chosen


def _citations(chosen: list[Candidate]) -> tuple[list[AnswerSentence], list[Citation]]:
    markers: dict[str, int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for candidate in chosen:
        article = candidate.passage.article
        if article.article_id not in markers:
            markers[article.article_id] = len(markers) + 1
            citations.append(Citation.of(markers[article.article_id], article))
        marker = markers[article.article_id]
        citation = citations[marker - 1]
        citation.quote = f"{citation.quote} {candidate.sentence.text}".strip()
        sentences.append(AnswerSentence(text=candidate.sentence.text, markers=[marker]))
    return sentences, citations


def nearest_articles(passages: list[Passage], limit: int = 3) -> list[Citation]:
    """For a refusal: where the closest material is, without quoting it as an answer."""
    seen: list[Citation] = []
    for passage in passages:
        article = passage.article
        if any(c.article_id == article.article_id for c in seen):
            continue
        seen.append(Citation.of(len(seen) + 1, article))
        if len(seen) == limit:
            break
    return seen


def refusal(
    question: str, film: str | None, passages: list[Passage], reason: str | None = None
) -> Answer:
    scope = f" about {film}" if film else ""
    message = reason or f"The reviews in this collection{scope} don't cover that."
    return Answer(
        question=question,
        film=film,
        answered=False,
        message=message,
        citations=nearest_articles(passages),
        passages=passages,
    )


def compose(question: str, passages: list[Passage], intent: Intent, evidence: Evidence) -> Answer:
    """An extractive, cited answer, or a refusal when the evidence does not answer."""
    film_label = evidence.film.label if evidence.film else None
    candidates = gather(question, passages, intent, evidence)
    chosen = choose(candidates, intent)
    if not chosen:
        return refusal(question, film_label, passages)
    sentences, citations = _citations(chosen)
    return Answer(
        question=question,
        film=film_label,
        answered=True,
        sentences=sentences,
        citations=citations,
        passages=passages,
        listing=intent.listing and all(c.sentence.kind == "item" for c in chosen),
    )
