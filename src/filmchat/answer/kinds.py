"""What a question asks: every kind of question declared once, with all that belongs to it.

A kind says which cues in a question point to it (each with a weight), what a sentence must
state to answer it, which words widen retrieval, and how many sentences an answer gives. A
question is scored against every kind and the best-scoring kind wins, so a new kind is one
declaration plus its test rows, not another branch in an ordered list of patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from filmchat.terms import GENERIC, content_terms, words


@dataclass(frozen=True)
class Kind:
    """One kind of question."""

    name: str
    cues: tuple[tuple[str, float], ...]
    evidence: re.Pattern[str] | None = None  # what a sentence must match to answer it
    widen: str = ""  # words reviews use when they state this kind of fact
    sentences: int = 3  # how many sentences an answer gives at most
    fallback: str | None = None  # the kind to try when no sentence states this one
    open: bool = False  # answered from the question's topic words, not from a fact
    asks: frozenset[str] = frozenset()  # words that say this kind is asked, not about what


@dataclass(frozen=True)
class Role:
    """A credit a 'who …?' question can ask for."""

    name: str
    cues: tuple[tuple[str, float], ...]
    stems: tuple[str, ...]  # stems a sentence uses when it names this role
    widen: str
    shape: str  # the role word standing next to a name: 'directed by X', 'X's score'


_RATING = r"\b\d+(\.\d+)?\s*(/\s*\d+|out of\s+\d+|stars?\b)|\b\d{1,3}\s?%|\b[A-F][+-]?\s*grade\b"

KINDS: tuple[Kind, ...] = (
    Kind(
        "runtime",
        ((r"\b(how long|running time|run ?time|length|duration)\b", 3), (r"\bminutes\b", 2)),
        evidence=re.compile(r"\b\d+\s*(minutes?|mins?|hours?|hrs?|h\b)", re.I),
        widen="minutes runtime running",
    ),
    Kind(
        "money",
        (
            (r"\b(box[- ]office|gross\w*|budget|revenue|make money|made money)\b", 3),
            (r"\b(earn\w*|cost)\b", 2),
            (r"\bhow much (did|does|has|have)\b.*\b(make|made|take|took)\b", 3),
        ),
        evidence=re.compile(r"[$£€¥]\s?\d|\b\d+(\.\d+)?\s*(million|billion|m\b|bn\b)", re.I),
        widen="box office gross budget million",
    ),
    Kind(
        "rating",
        (
            (r"\b(rating|rated|imdb|rotten tomatoes|metacritic|metascore)\b", 3),
            (r"\bhow many stars\b|\bstars? out of\b|\bout of (10|ten|5|five)\b", 4),
            (r"\bscore (did|does|is)\b|\bwhat score\b|\bscore\b.*\bgive\b", 4),
        ),
        evidence=re.compile(_RATING, re.I),
        widen="rating rated stars",
        fallback="verdict",
    ),
    Kind(
        "award",
        ((r"\b(awards?|oscars?|academy|golden globes?|baftas?|nominat\w*|prize)\b", 3),),
        evidence=re.compile(
            r"\b(awards?|oscars?|academy award|golden globe|bafta|nominat\w*|won|wins|prize)\b",
            re.I,
        ),
        widen="award awards oscar won nominated",
    ),
    Kind(
        "verdict",
        (
            (r"\b(worth (watching|seeing|it|a watch|the time)|should i (watch|see))\b", 4),
            (r"\b(verdict|overall|recommend(s|ed)?( it| watching| \w+)?\??$)", 3),
            (r"\bdoes the (reviewer|critic|review) recommend\b", 4),
            (r"\bis it (any )?good\b|\bmust[- ](see|watch)\b", 3),
            (
                r"\b(did|does) (the )?(reviewer|critic|review|they|reviewers|critics)"
                r" (like|love|enjoy|hate|dislike|rate|recommend)\b",
                4,
            ),
            (r"\bhow did (the )?(reviewer|critic) (feel|find)\b", 4),
            (r"\bwhat did (the )?(reviewer|critic) (think|make) of\b", 3),
            (r"\b(was|is) (it|the film|the movie) (good|bad|any good|a success|sad|scary)\b", 2),
        ),
        evidence=None,  # judged by evaluative language, see judgement.py
        widen="verdict overall recommend worth rating",
        sentences=3,
        asks=frozenset(
            "final overall verdict think thought feel felt find found make like liked love "
            "enjoy enjoyed hate recommend recommends worth watching seeing good bad success "
            "opinion conclusion".split()
        ),
    ),
    Kind(
        "similar",
        (
            (r"\b(similar|films? like|movies? like|what else)\b", 3),
            (r"\bif i (liked|enjoyed|loved)\b", 5),
            (r"\brecommend\w* (other|similar|more)\b|\bwhat (should|to) watch next\b", 3),
            (r"\bsomething like\b|\bwhat else (is|here)\b.*\blike\b", 3),
        ),
        widen="similar films like",
        sentences=2,
    ),
    # the collection as a whole (answered by filmchat.collection from film profiles)
    Kind(
        "compare",
        (
            (r"\b(compar\w*|versus|vs|in common|differ\w*)\b", 3),
            (r"\b(more|better|less) than\b|\bwhich looks better\b", 5),
        ),
        widen="similar films like",
        sentences=4,
    ),
    Kind(
        "ranking",
        (
            (r"\b(like[sd]?|love[sd]?|rated?|enjoyed) (\w+ )?(the )?(most|least|best)\b", 5),
            (r"\bbest[- ]reviewed\b|\b(most|least) (positive|negative|favou?rable)\b", 6),
            (r"\breviews? (are|is|were) (negative|positive)\b", 4),
        ),
        sentences=5,
        asks=frozenset("most least best reviewed positive negative liked loved".split()),
    ),
    Kind(
        "reason",
        (
            (r"^\W*why\b|\bwhy (does|do|did|is|was|are|were|would)\b", 3),
            (r"\bwhat (made|makes|caused)\b|\bfor what reason\b|\bhow come\b", 3),
        ),
        widen="because since reason",
        sentences=2,
        open=True,
    ),
    Kind(
        "date",
        (
            (r"\bwhen\b", 1),
            (r"\b(what year|which year|release date|released|come out|came out)\b", 3),
        ),
        evidence=re.compile(r"\b(18|19|20)\d{2}\b"),
        widen="released release",
    ),
    Kind(
        "plot",
        (
            (r"\b(plot|storyline|synopsis|premise|what happens)\b", 3),
            (r"\bstory\b", 2),
            (r"^what('s| is) [^?]{1,60} about\W*$", 3),
            # 'When does Theodore meet Samantha?' asks where in the story, not a release date
            (r"\bwhen (does|do|did) (?!(it|the film|the movie)\b)\w+", 2),
            (r"\bhow does (it|the film|the movie|[A-Z][\w' ]+) end\b", 3),
        ),
        widen="story plot synopsis follows tells premise",
        sentences=3,
        open=True,
    ),
    Kind(
        "count",
        ((r"\bhow many\b", 2),),
        evidence=re.compile(
            r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|multiple)\b", re.I
        ),
    ),
    Kind(
        "age",
        ((r"\bhow old\b|\bwhat age\b", 3),),
        evidence=re.compile(
            r"\b\d{1,3}[- ]years?[- ]old\b|\baged?\s+\d{1,3}\b|\b(\w+ties|\d0s)\b", re.I
        ),
    ),
    Kind(
        "place",
        ((r"\bwhere\b", 2),),
        evidence=re.compile(
            r"\b(in|at|near)\s+(?:[\w-]+\s+){0,3}?[A-Z][a-z]+"
        ),  # a capitalised place
    ),
    Kind(
        "collection",
        (
            # 'Which films in the collection are about grief?': one line per film
            (r"\b(which|what) (films|movies|reviews)\b(?! (are )?(similar|like)\b)", 3),
            (r"\b(in|across) (the|this|my) collection\b|\bacross (all|the) (films|reviews)\b", 2),
            (r"\b(most|least) (positive|negative|favou?rable|critical|enthusiastic)\b", 3),
            (r"\b(any|show me the|what) [\w -]+ (films|movies|do i have)\b", 3),
            (r"\bwhat else is [A-Z]", 3),
            (r"\bwhich of (my|the|these) (films|movies)\b", 3),
        ),
        sentences=1,  # per film
        open=True,
        asks=frozenset("collection films movies reviews positive negative".split()),
    ),
    Kind(
        "smalltalk",
        (
            (r"^\W*(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening))\b\W*$", 6),
            (r"^\W*(thanks|thank you|thx|cheers|cool|ok|okay|bye|goodbye)\b[\w ,.!]{0,24}$", 6),
            (r"^\W*(help|what can you do|what do you do|how does this work|who are you)\W*$", 6),
            (
                r"\bwhich films do you (know|have)\b|\bwhat films (do you (know|have)|are there)\b",
                6,
            ),
            (r"\bwhat (films|movies) (are )?in the collection\b", 6),
        ),
        sentences=0,
    ),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}

ROLES: tuple[Role, ...] = (
    Role(
        "director",
        ((r"\bdirect(ed|s|or)?\b|\bdirector\b|\bhelm", 2),),
        ("direct", "director", "helm", "filmmak", "debut"),
        "directed director direction",
        r"\bdirect(ed|ion|or)\b",
    ),
    Role(
        "cinematographer",
        (
            (r"\b(cinematograph\w*|dp|director of photography|camera ?work)\b", 4),
            (r"\bshot\b|\bcamera\b", 1),
        ),
        ("cinematograph", "cinematographi", "shot", "camera", "photograph"),
        "cinematographer cinematography",
        r"\b(cinematographer|cinematography|shot|photography)\b",
    ),
    Role(
        "composer",
        ((r"\b(compos\w*|score|music|soundtrack|songs?)\b", 2),),
        ("compos", "score", "music", "soundtrack", "song"),
        "composed composer score music soundtrack",
        r"\b(composed|score|music|soundtrack)\b",
    ),
    Role(
        "writer",
        ((r"\b(wrote|write|written|writer|screenplay|screenwriter|script)\b", 2),),
        ("wrote", "written", "writer", "screenplai", "screenwrit", "script"),
        "writer written screenplay script",
        r"\b(written|writer|screenplay|wrote)\b",
    ),
    Role(
        "editor",
        ((r"\bedit(ed|or|ing)?\b", 2),),
        ("edit", "editor"),
        "edited editor editing",
        r"\b(edited|editor)\b",
    ),
    Role(
        "producer",
        ((r"\bproduc(ed|er|ers|tion company)\b", 2),),
        ("produc", "producer"),
        "produced producer",
        r"\b(produced|producer)\b",
    ),
    Role(
        "cast",
        (
            (
                r"\b(play(s|ed)?|star(s|red|ring)?|cast|actors?|actress(es)?|voice[ds]?"
                r"|portray\w*|lead)\b",
                2,
            ),
            (r"\bwho (else )?(is|are|was|were) in\b|\b(main )?characters\b", 3),
        ),
        ("plai", "star", "cast", "actor", "actress", "voic", "portrai", "role", "perform", "lead"),
        "cast stars starring plays played voiced voice",
        r"\b(as|plays|played|portrays|voiced)\b",
    ),
)
ROLE_BY_NAME = {role.name: role for role in ROLES}

_WHO = re.compile(r"\bwho\b|\bwhose\b|\bwhich (actor|actress|director)\b|\bname of the\b", re.I)
_LIST_QUESTION = re.compile(
    r"\b(cast|who (else )?(is|are) in|who stars|list|which films|what films|actors"
    r"|characters)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(say|says|think|thought|opinion|feel|felt|view|portray\w*|explore\w*|theme\w*|about|"
    r"worth|good|bad|recommend|praise\w*|critic\w*|reviewers?|how (is|are|was|were|does)"
    r"|summar\w*|overview|admire\w*)\b",
    re.I,
)
FILMING = re.compile(r"\b(filmed|shot|location|locations|film(ing)? in)\b", re.I)

# Verbs that frame a question ('how do the reviews discuss X') without saying about what.
FRAMING = frozenset(
    """
    discuss discussed describe described describes depict depicted depicts portray portrayed
    portrays explore explored explores handle handled treat treated show shows shown present
    presented mean means meaning deal deals address addresses talk talks happen happens
    happened feel view opinion think thought reviewers come came comes out like liked enjoy
    enjoyed would kind sort type else summarize summarise summary overview sum suggest
    suggests suggested imply implies start beginning outset according
    """.split()
)
# Words in a question that say *what kind* of thing is asked, not *about what*.
INTENT_WORDS = frozenset(
    """
    rating rated imdb score running time long length minutes duration box office gross
    budget earn revenue money cost make made award awards oscar oscars won win wins nominated
    nomination similar recommend recommendation like when year release released date many
    worth watching watch seeing see good verdict must compare compares compared comparison
    versus vs overall give gave stars
    where directed direct director composed compose composer score music soundtrack wrote
    write written writer screenplay script cinematography cinematographer shot camera edited
    editor produced producer play plays played star stars starred starring cast actor actors
    actress voice voiced lead role portrays who whom whose main character characters behind
    responsible credited photography dp
    """.split()
)
# Of those, the words that only ask: an open question keeps the rest as its topic ('what is the
# cinematography like?' is about the cinematography, not a request for a cinematographer).
ASKING_WORDS = frozenset(
    """
    who whom whose when where many like year date responsible credited behind play plays
    played role star stars starred starring voice voiced portrays lead main character
    characters why
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
    def spec(self) -> Kind | None:
        return KIND_BY_NAME.get(self.kind)

    @property
    def evidence_words(self) -> str:
        """Words that state the asked fact, for the lexical half of retrieval."""
        spec = ROLE_BY_NAME[self.role] if self.role else self.spec
        found = spec.widen if spec else ""
        plot = KIND_BY_NAME["plot"].widen
        return f"{found} {plot}" if self.plot and self.kind != "plot" else found

    @property
    def focus(self) -> list[str]:
        """Stems of what the question is about."""
        return list(self.terms)


def title_words(film_titles: list[str]) -> frozenset[str]:
    """Words of film titles: they name the film, not what is asked about it."""
    return frozenset(w for title in film_titles for w in words(title))


def _score(cues: tuple[tuple[str, float], ...], question: str) -> float:
    return sum(weight for pattern, weight in cues if re.search(pattern, question, re.I))


def best_kind(question: str) -> tuple[str, float]:
    """The best-scoring declared kind ('general' when no cue fires); ties go to the first."""
    best, best_score = "general", 0.0
    for kind in KINDS:
        score = _score(kind.cues, question)
        if score > best_score:
            best, best_score = kind.name, score
    return best, best_score


def best_role(question: str) -> str | None:
    scored = [(_score(role.cues, question), role.name) for role in ROLES]
    score, name = max(scored, key=lambda pair: pair[0])
    return name if score > 0 else None


def classify(question: str, titles_words: frozenset[str] = frozenset()) -> Intent:
    """The kind of answer a question wants, from its wording alone."""
    text = question.strip()
    lowered = text.lower()
    intent = Intent()
    kind, kind_score = best_kind(text)
    intent.kind = kind
    is_who = bool(_WHO.search(lowered))
    role = best_role(lowered)
    if is_who or kind in {"general", "count", "award"}:
        credit_words = r"\b(by|composer|director|writer|cinematographer|editor|producer)\b"
        asks_person = is_who or (kind == "general" and re.search(credit_words, lowered))
        # a strong kind cue ('what score did the critic give?') beats a weak role word in it
        if role and asks_person and not (kind in {"rating", "verdict"} and kind_score >= 3):
            intent.kind, intent.role = "person", role
        elif is_who and kind in {"general", "count"}:
            intent.kind = "person"
    asking = INTENT_WORDS if intent.kind not in {"general", "reason", "plot"} else ASKING_WORDS
    kind_words = intent.spec.asks if intent.spec else frozenset()
    intent.terms = content_terms(text, drop=GENERIC | asking | kind_words | FRAMING | titles_words)
    if re.search(r"\b(which|what) (films?|movies?)\b", lowered) and intent.kind == "general":
        # the answer is a film: one the question describes ('which film has a rotating hallway
        # fight?', 'which film stars Johnny Depp?'), whichever review it is in, or else films
        # like the one in the conversation
        if intent.terms:
            intent.across_films = True
        else:
            intent.kind = "similar"
    intent.plot = intent.kind == "plot" or (
        intent.kind == "general" and _score(KIND_BY_NAME["plot"].cues, text) > 0
    )
    intent.opinion = intent.kind in {"general", "reason"} and bool(_OPINION.search(lowered))
    intent.filming = intent.kind == "place" and bool(FILMING.search(lowered))
    listing = bool(_LIST_QUESTION.search(lowered)) or intent.kind == "similar"
    intent.listing = listing and not intent.terms  # 'which film stars X' wants one, not a list
    return intent
