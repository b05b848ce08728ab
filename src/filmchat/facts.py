"""The credits a review states about its film, each with the sentence that states it.

Extracted once per article at index time, so a factoid answer can quote and cite the sentence
that states the fact instead of guessing from retrieved text. Precision comes first: a fact
needs its role's cue and a person's name standing together in one sentence, names are checked
against a bundled first-name dictionary (gender-guesser) and a name parser's lists of titles
and suffixes (nameparser), and anything doubtful is left out, because the answer layer
refuses when no fact is found.

Every phrasing recognised is one row of `SHAPES` (or of `CREDIT_LABELS` for credits lines);
a new phrasing is one new row plus its test rows.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Literal, NamedTuple

import gender_guesser.detector
from nameparser.config import CONSTANTS
from pydantic import BaseModel

if TYPE_CHECKING:
    from spacy.tokens import Doc

Role = Literal["director", "writer", "cast", "composer", "cinematographer", "editor", "producer"]
# Where a credit comes from: a sentence stating it, a sentence implying it (the person told or
# made the film, or owns it as their work, but is never called its director), or a field of the
# article's front matter ('director: Ari Aster').
Basis = Literal["stated", "implied", "front matter"]


class Fact(BaseModel):
    """One credit an article states: who, in which role (for cast, as whom), and the index of
    the sentence that states it, so an answer can quote and cite that sentence."""

    role: Role
    person: str  # full name as the article gives it; a later bare surname resolves to it
    character: str | None = None  # for cast: the character played, else None
    sentence: int  # index into the `sentences` passed to extract_facts
    basis: Basis = "stated"


# ---------------------------------------------------------------------------------------------
# Building blocks of the patterns: how a name, a list of names and a character name look.
# ---------------------------------------------------------------------------------------------
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_LOW = "a-zß-öø-ÿā-ž"
_SPACE = r"[ \u00a0]+"
# "Ana", "McPherson", "DiCaprio", "O'Brien", "Keays-Byrne", "Joon-ho", an initial "M.".
_TOKEN = (
    rf"(?<![\w'’.\-])(?:[{_UP}]\.(?=[ \u00a0])|[{_UP}][{_LOW}]*(?:[{_UP}][{_LOW}]+)?"
    rf"(?:['’][{_UP}][{_LOW}]+|-[{_UP}]?[{_LOW}]+)*\b)"
)
_PARTICLE = r"(?:de|da|di|del|della|dos|das|du|van|von|der|den|le|la|ter|ten|bin|ibn|al|el)"
_NAME = rf"{_TOKEN}(?:{_SPACE}(?:{_PARTICLE}{_SPACE})*{_TOKEN}){{0,3}}"
# Makers named as a family: "the Coen brothers", "the Wachowski sisters".
_GROUP = rf"(?:the{_SPACE})?{_TOKEN}{_SPACE}(?:brothers|sisters|siblings)\b"
_PERSONS = rf"(?:{_GROUP}|{_NAME})"
_PAREN = r"\s*\([^()]*\)"
_FILLER = r"(?:(?:more|most)\s+importantly|of\s+course|also|especially|notably|above\s+all),?\s*"
_SEP = rf"(?:\s*[,;&]\s*(?:and\b,?\s*)?|\s+and\b,?\s*)(?:{_FILLER})?"
# "A, B and C", "A (last seen in …) and more importantly, B", "Joel and Ethan Coen".
_NAMES = rf"{_PERSONS}(?:{_PAREN})?(?:{_SEP}{_PERSONS}(?:{_PAREN})?)*"
_QUOTED = rf"[“\"]{_TOKEN}(?:{_SPACE}{_TOKEN})*[”\"]"
# A character: 'K', 'Immortan Joe', 'M. Gustave', 'Christine "Lady Bird" McPherson'.
_CHAR = rf"(?:{_TOKEN}|{_QUOTED})(?:{_SPACE}(?:{_PARTICLE}{_SPACE})?(?:{_TOKEN}|{_QUOTED})){{0,3}}"
# The possessive after a name: "Glazer's", "Deakins'", "Deakins's".
_POSS = r"(?:['’]s\b|(?<=s)['’](?!\w))"
# Up to four lowercase modifiers between a possessive and its noun ("haunting, minimal score").
_GAP = r"(?P<gap>(?:[a-z][\w\-]*,?\s+){0,4}?)"
_FILM_NOUN = (
    r"(?:film|movie|picture|feature|sequel|prequel|thriller|drama|comedy|horror|western|"
    r"musical|documentary|adaptation|remake|effort|debut|opus|epic|satire|romance|mystery|"
    r"noir|fable|fantasy|biopic|blockbuster|masterpiece|outing|reboot|follow-up)\b"
)
# "X is <word> as Y" where <word> is not a performance ("is known as", "is hailed as").
_NOT_PERFORMANCE = r"(?!(?:\w+(?:ed|en|wn)|such|same|seen|as)\b)"
_SONG_WORDS = r"(?:album|record|song|track|single|lyrics)"
_BOOK_WORDS = (
    r"(?:novel|book|story|memoir|play|poem|song|lyrics|article|essay|comic|column|letter|"
    r"piece|anthology|volume|collection|magazine|journal|newspaper)"
)
_PLACEHOLDERS = {
    # after "by": "written by Tom Stone's nephew" credits no Tom Stone (the `poss` group);
    # "Directed by Ann Lee, “Other Title” …" credits her with another film (`quoted`)
    "<BY_NAMES>": r"(?P<names><NAMES>)(?P<poss><POSS>)?(?:,\s*(?P<quoted>[“\"][^”\"]{1,80}[”\"]))?",
    # after a role noun: "director Ann Lee's Rope" is her other film (the `work` group)
    "<ROLE_NAMES>": (
        r"(?P<names><NAMES>)(?:<POSS>\s+(?P<workgap>(?:[a-z][\w\-]*,?\s+){0,3}?)"
        r"(?P<work>[“\"']?[A-Z][^.;:!?]{0,80}))?"
    ),
    # "Glazer's", or a family of makers with or without the apostrophe ("Coen brothers film")
    "<MAKERS_POSS>": r"(?:<POSS>|(?<=brothers|.sisters|siblings)(?=\s))",
    # an actor named before the cue, maybe with an aside: "Ann Lee (almost unrecognisable)"
    "<ACTOR>": r"(?P<lname><NAME>)(?:\s*\((?=[a-z])[^()]*\))?",
    "<NAMES>": _NAMES,
    "<DETERMINER>": r"(?:the|a|an|his|her|their|its)\b",
    "<NAME>": _NAME,
    "<PERSONS>": _PERSONS,
    "<CHAR>": _CHAR,
    "<POSS>": _POSS,
    "<GAP>": _GAP,
    "<FILMNOUN>": _FILM_NOUN,
}
_POSSESSIVE_CUE = "' ’"
_FILM_NOUN_WORDS = " ".join(re.findall(r"[a-z]+", _FILM_NOUN))
_MAKERS_FILM_CUE = (_POSSESSIVE_CUE + " brothers sisters siblings", _FILM_NOUN_WORDS)


class Shape(NamedTuple):
    """One way a review states a credit.

    `cue`: groups of words; a sentence must contain a word of every group for the shape to be
    tried at all (a set lookup that keeps extraction fast). `pattern` uses the placeholders
    above; `<CUE>` marks where the cue starts, so the regex is run from the cue and the part
    before it (a name or character, at most 120 characters back) is matched backwards from
    there. Groups: `names` (people after the cue), `lname` (a
    person before it), `char` (the character played), `gap` (modifiers, checked by `_gap_ok`),
    `after` (what follows a possessive film noun, checked against the title), `title` (must
    start with the film's title), `subject` (the film's title must end the text before it).
    `veto` must not match the text before the match ("novel written by" credits no
    screenwriter). `weak` facts are dropped when the same person is credited as cast.
    `either_way`: the character and the actor may stand in either order ('Tom Hardy (Max
    Rockatansky)'); `_actor_outside` decides which is which.
    """

    label: str
    roles: tuple[Role, ...]
    cue: tuple[str, ...]
    pattern: str
    veto: str | None = None
    weak: bool = False
    either_way: bool = False


# The table of role -> shapes. Each row is tested by its rows in tests/test_facts.py.
SHAPES: tuple[Shape, ...] = (
    # director -------------------------------------------------------------------------------
    Shape(
        "directed by X",
        ("director",),
        ("directed helmed", "by"),
        r"\b(?i:(?:co-)?directed|helmed)\s+by\s+<BY_NAMES>",
        veto=r"[”\"],?\s*$",  # '"The Silvia North Story," directed by X': a film in the film
    ),
    Shape(
        "a film by X",
        ("director",),
        ("film movie picture", "by"),
        r"\b(?:a|an|the)\s+(?:(?!(?i:other|earlier|previous|last|next)\b)"
        r"[A-Za-z][\w\-]*,?\s+){0,3}?(?i:film|movie|picture)\s+by\s+<BY_NAMES>",
    ),
    Shape(
        "written and directed by X",
        ("director", "writer"),
        ("directed",),
        r"\b(?i:directed\s+and\s+(?:co-)?written|(?:co-)?written\s+and\s+directed)"
        r"\s+by\s+<BY_NAMES>",
    ),
    Shape(
        "writer-director X",
        ("director", "writer"),
        ("director",),
        r"\b(?i:writer(?:\s*[-/–]\s*|\s+and\s+)director|director\s*[-/–]\s*writer),?\s+"
        r"<ROLE_NAMES>",
    ),
    Shape(
        "director X",
        ("director",),
        ("director filmmaker helmer",),
        r"\b(?i:(?:co-)?director|filmmaker|helmer),?\s+<ROLE_NAMES>",
        veto=(
            r"(?i:casting|art|music|musical|creative|artistic|festival|managing|executive|"
            r"assistant|unit|animation|stunt|fight|associate|best)\W*$"
            r"|\b(?i:with|like|fellow|another|other|than|unlike|as)\s+(?:the\s+)?$"
        ),
    ),
    Shape(
        "X directs",
        ("director",),
        ("directs helms helmed",),
        r"(?P<lname><NAME>)\s+<CUE>(?:directs|helms|helmed)\b",
    ),
    Shape(
        "X directed <Title>",
        ("director",),
        ("directed helmed",),
        r"(?P<lname><NAME>)\s+<CUE>(?:co-)?(?:directed|helmed)\s+(?P<title>[“\"']?[A-Z0-9].{0,80})",
    ),
    Shape(
        "X's <Title>",
        ("director",),
        (_POSSESSIVE_CUE,),
        r"(?P<lname><PERSONS>)<CUE><POSS>\s+(?:(?:new|latest)\s+)?(?P<title>[“\"']?[A-Z0-9].{0,80})",
        weak=True,
    ),
    Shape(
        "X's new film",
        ("director",),
        _MAKERS_FILM_CUE,
        r"(?P<lname><PERSONS>)<CUE><MAKERS_POSS>\s+<GAP>(?P<noun><FILMNOUN>)(?P<after>[^.;:!?]{0,80})",
        weak=True,
    ),
    Shape(
        "<Title> is X's film",
        ("director",),
        _MAKERS_FILM_CUE,
        r"(?P<subject>)\b(?:is|was|remains),?\s+(?:[\w\-]+,?\s+){0,5}?(?P<lname><PERSONS>)<CUE>"
        r"<MAKERS_POSS>\s+<GAP><FILMNOUN>",
        weak=True,
    ),
    # writer ---------------------------------------------------------------------------------
    Shape(
        "written by X",
        ("writer",),
        ("written", "by"),
        r"\b(?i:(?:co-)?written)\s+by\s+<BY_NAMES>",
        veto=rf"(?i:{_BOOK_WORDS}\b[^.]{{0,25}}|directed\s+and\s+(?:co-)?)$",
    ),
    Shape(
        "screenplay by X",
        ("writer",),
        ("screenplay script teleplay", "by"),
        r"\b(?i:screenplay|script|teleplay)\s+(?:is\s+|was\s+)?by\s+<BY_NAMES>",
    ),
    Shape(
        "screenwriter X",
        ("writer",),
        ("screenwriter scriptwriter writer",),
        r"\b(?i:(?:co-)?screenwriter|scriptwriter|co-writer),?\s+<ROLE_NAMES>",
    ),
    # composer -------------------------------------------------------------------------------
    Shape(
        "composer X",
        ("composer",),
        ("composer",),
        r"\b(?i:composer),?\s+<ROLE_NAMES>",
    ),
    Shape(
        "score by X",
        ("composer",),
        ("score soundtrack music scored", "by"),
        r"\b(?i:(?:score|soundtrack|music),?\s+(?:is\s+|was\s+)?(?:\w+ly\s+)?"
        r"(?:composed\s+)?by|scored\s+by)\s+<BY_NAMES>",
        veto=rf"(?i:{_SONG_WORDS}\b[^.]{{0,25}})$",
    ),
    Shape(
        "X composed the score",
        ("composer",),
        ("composed scored wrote",),
        r"(?P<lname><NAME>)\s+<CUE>(?:composed|scored|wrote)\s+(?:the|its|a|an)\s+<GAP>"
        r"(?i:score|soundtrack|music)\b",
    ),
    Shape(
        "X's score",
        ("composer",),
        (_POSSESSIVE_CUE, "score soundtrack music"),
        r"(?P<lname><NAME>)<CUE><POSS>\s+<GAP>(?i:score|soundtrack|music)\b",
    ),
    # cinematographer ------------------------------------------------------------------------
    Shape(
        "cinematographer X",
        ("cinematographer",),
        ("cinematographer photography lenser",),
        r"\b(?i:cinematographer|director\s+of\s+photography|lenser),?\s+<ROLE_NAMES>",
    ),
    Shape(
        "shot by X",
        ("cinematographer",),
        ("shot lensed photographed", "by"),
        r"(?:\b(?i:film|movie|it|picture|which)\s+(?:is|was)\s+(?:\w+ly\s+)?|\b\w+ly\s+)"
        r"(?i:shot|lensed|photographed)\s+by\s+<BY_NAMES>",
    ),
    Shape(
        "cinematography by X",
        ("cinematographer",),
        ("cinematography photography camerawork camera", "by"),
        r"\b(?i:cinematography|photography|camerawork|camera\s+work)\s+(?:is\s+|was\s+)?by\s+"
        r"<BY_NAMES>",
    ),
    Shape(
        "X's cinematography",
        ("cinematographer",),
        (_POSSESSIVE_CUE, "cinematography camerawork camera lensing photography lens"),
        r"(?P<lname><NAME>)<CUE><POSS>\s+<GAP>"
        r"(?i:cinematography|camerawork|camera\s+work|camera|lensing|photography|lens)\b",
    ),
    # editor ---------------------------------------------------------------------------------
    Shape(
        "edited by X",
        ("editor",),
        ("edited", "by"),
        r"\b(?i:edited)\s+by\s+<BY_NAMES>",
        veto=rf"(?i:{_BOOK_WORDS}\b[^.]{{0,25}})$",
    ),
    Shape(
        "X's editing",
        ("editor",),
        (_POSSESSIVE_CUE, "editing"),
        r"(?P<lname><NAME>)<CUE><POSS>\s+<GAP>(?i:editing)\b",
    ),
    # producer -------------------------------------------------------------------------------
    Shape(
        "produced by X",
        ("producer",),
        ("produced", "by"),
        r"\b(?i:produced)\s+by\s+<BY_NAMES>",
        veto=rf"(?i:{_SONG_WORDS}\b[^.]{{0,25}})$",
    ),
    Shape(
        "producer X",
        ("producer",),
        ("producer",),
        r"\b(?i:(?:executive\s+|co-)?producer),?\s+<ROLE_NAMES>",
        veto=rf"(?i:{_SONG_WORDS}|hip-hop|music)\W*$",
    ),
    # cast -----------------------------------------------------------------------------------
    Shape(
        "Character (Actor)",
        ("cast",),
        ("(",),
        r"(?P<char><CHAR>)\s*<CUE>\((?P<names><NAME>)(?:\)|,\s+[a-z][^()]*\))",
        either_way=True,
    ),
    Shape(
        "a description (Actor)",
        ("cast",),
        ("(",),
        r"\b(?:the|a|an|his|her|their|its)\s+(?P<gap>(?:(?!<DETERMINER>)[a-z][\w\-]*\s+){0,3}"
        r"(?!<DETERMINER>)[a-z][\w\-]*)\s*"
        r"<CUE>\((?P<names><NAME>)(?:\)|,\s+[a-z][^()]*\))",
    ),
    Shape(
        "Character (a brilliant Actor)",
        ("cast",),
        ("(", "a an the"),
        r"(?:(?P<char><CHAR>)\s*)?<CUE>\((?i:a|an|the)\s+(?P<gap>(?:[a-z][\w\-]*,?\s+){1,6})"
        r"(?P<names><NAME>)\)",
    ),
    Shape(
        "Actor as Character",
        ("cast",),
        ("as",),
        r"<ACTOR>\s+(?:(?i:stars|returns|appears|reprises\s+(?:his|her|their)\s+role)"
        r"\s+)?<CUE>as\s+(?:the\s+voice\s+of\s+)?(?P<char><CHAR>)",
    ),
    Shape(
        "Actor is great as Character",
        ("cast",),
        ("as", "is was"),
        rf"<ACTOR>\s+<CUE>(?:is|was)\s+(?:{_NOT_PERFORMANCE}[a-z]+\s+){{1,3}}as\s+"
        r"(?:<DETERMINER>\s+(?:[a-z][\w\-]*\s+){0,8}?)?(?:(?:<CHAR>|[a-z]+)<POSS>\s+[a-z]+,?\s+)?"
        r"(?P<char><CHAR>)",
    ),
    Shape(
        "Actor plays Character",
        ("cast",),
        ("plays played portrays portrayed voices voiced embodies",),
        r"<ACTOR>\s+<CUE>(?:plays|played|portrays|portrayed|voices|voiced|embodies)\s+"
        r"(?:(?P<char><CHAR>)|(?:a|an|the|his|her|their)\s+[a-z])",
    ),
    Shape(
        "Character, played by Actor",
        ("cast",),
        ("played portrayed voiced", "by"),
        r"(?:(?P<char><CHAR>)(?:,?\s+(?:(?:who\s+)?is\s+|was\s+)?|\s*\())?<CUE>(?<![\w-])"
        r"(?i:played|portrayed|voiced)\s+(?:\w+ly\s+)?by\s+<BY_NAMES>",
    ),
    Shape(
        "starring A, B and C",
        ("cast",),
        ("starring",),
        r"\b(?i:starring|co-starring)\s+<BY_NAMES>",
    ),
    Shape(
        "the film stars A and B",
        ("cast",),
        ("stars starred",),
        r"\b(?i:film|movie|it|picture|which)\s+(?:also\s+)?(?:stars|co-stars|starred)\s+"
        r"<BY_NAMES>",
    ),
    Shape(
        "Actor's character, Character",
        ("cast",),
        (_POSSESSIVE_CUE, "character"),
        r"(?P<lname><NAME>)<CUE><POSS>\s+<GAP>character\b"
        r"(?:,?\s+(?:of\s+|named\s+|called\s+)?(?P<char><CHAR>))?",
    ),
)

# Credits lines and blocks ("Director: X", "Cast: A, B, C"): label -> roles.
CREDIT_LABELS: tuple[tuple[str, tuple[Role, ...]], ...] = (
    (
        r"written[-\s]+and[-\s]+directed[-\s]+by|writer\s*(?:[-/&]|and)\s*director"
        r"|director\s*(?:[-/&]|and)\s*writer",
        ("director", "writer"),
    ),
    (r"directors?|directed[-\s]+by|dir\.?", ("director",)),
    (r"writers?|written[-\s]+by|screenplay|screenplay[-\s]+by|script|screenwriters?", ("writer",)),
    (r"cast|starring|staring|stars|with|actors", ("cast",)),  # 'staring:' as sites misspell it
    (r"music|original[-\s]+music|score|composer|music[-\s]+by", ("composer",)),
    (
        r"cinematography|cinematographer|director[-\s]+of[-\s]+photography|photography|dop|dp",
        ("cinematographer",),
    ),
    (r"editors?|editing|film[-\s]+editing|edited[-\s]+by", ("editor",)),
    (r"producers?|produced[-\s]+by", ("producer",)),
)
# Section headings under which a list item naming a person is a cast credit.
CAST_HEADINGS = frozenset({"cast", "the cast", "starring", "cast and crew", "cast & crew"})

# A line that opens a section about a film: "01. Ex Machina (2014):", "Moon (2009) review: …".
_FILM_LINE = re.compile(
    r"\W*(?:\d{1,2}[.)]\s*)?(?P<title>[A-Z0-9][^\s()]*(?:\s+(?:[A-Z0-9][^\s()]*|of|the|a|an|in"
    r"|on|for|and|to|with|at|from|by))*)\s*\((?:18|19|20)\d\d\)\s*(?::|[-–—|]|$|(?i:\s+review))"
)

# Photo captions and picture credits: the names in them credit nothing about the film.
_CAPTION_START = re.compile(
    r"\W*(?i:l\s*-\s*r|l\s+to\s+r|r\s*-\s*l|left\s+to\s+right|from\s+left|photo(?:graph)?s?|"
    r"pictured|image|still|credit|courtesy|caption)\b\s*[:(\-–—)]"
)
_PHOTO_CREDIT = re.compile(r"(?i:photo(?:graph)?\s+(?:by|credit|courtesy))\b")

# Words that never stand in a person's name: studios, honours, places, function words.
_NOT_PERSON = frozenset(
    """
    the a an this that these those in on at of for with from by and or but if when while after
    before as it its his her their our my your we i he she they yes no not all some every both
    here there what who how why where then so also still even just only once now later yet
    meanwhile however though although because since until despite during without within
    pictures picture studio studios films film productions production entertainment bros canal
    brothers media company corporation corp inc ltd llc records network channel tv television
    news times post guardian magazine review reviews press books house netflix hbo disney
    marvel pixar universal paramount lionsgate amazon sony columbia miramax dreamworks
    focus searchlight features best award awards academy oscars bait prize palme golden globe
    globes bafta emmy emmys festival score original supporting actor actress director
    screenplay cinematography editing winner nominee nomination nominated category
    cinematographer composer writer screenwriter producer editor filmmaker
    city street county state states united kingdom america american north south east west new
    york los angeles san santa lake river island mountain valley london paris berlin venice
    cannes sundance toronto hollywood texas california glasgow europe asia africa
    monday tuesday wednesday thursday friday saturday sunday january february march
    october november december christmas easter god part chapter episode season volume act
    scene verdict rating runtime spoiler spoilers starring featuring directed written produced
    edited shot stars plays
    """.split()
)
# Titles that may open a real person's name; other titles ("Captain", "Lady") open a character.
_PERSON_TITLES = frozenset({"sir", "dame", "dr"})
# Modifiers that make "X's … film" this film when no title follows ("X's new thriller").
_THIS_WORK = frozenset({"new", "latest", "newest", "directorial", "debut", "sequel"})
# Modifiers saying that the director of another film made this one too ("X's previous film").
_ALSO_THIS_WORK = frozenset({"previous", "earlier", "prior", "last"})
# Modifiers that make "X's … film" another of X's films, not this one.
_OTHER_WORK = frozenset(
    """
    previous earlier last prior other next upcoming first second third fourth fifth original
    early older old classic best worst greatest favourite favorite signature breakout
    breakthrough own many several two three recent
    """.split()
)
# Words that may not sit between a possessive and its noun: a gap holds modifiers only.
_GAP_STOP = frozenset(
    """
    the a an of with in on for to from by his her its their this that is was are were be been
    also not but or as at
    cinematography camera camerawork photography direction script screenplay editing score
    music soundtrack performance performances acting cast work design sound story writing
    director composer writer editor cinematographer producer actor actress star
    """.split()
)
_LEFT_WINDOW = 120  # characters searched backwards from a cue for the name before it


class _Compiled(NamedTuple):
    shape: Shape
    cue: tuple[frozenset[str], ...]
    before: re.Pattern[str] | None
    after: re.Pattern[str]
    veto: re.Pattern[str] | None


def _compile(shape: Shape) -> _Compiled:
    pattern = shape.pattern
    for placeholder, regex in _PLACEHOLDERS.items():
        pattern = pattern.replace(placeholder, regex)
    before, _, after = pattern.rpartition("<CUE>")
    return _Compiled(
        shape,
        tuple(frozenset(group.split()) for group in shape.cue),
        re.compile(f"(?:{before})$") if before else None,
        re.compile(after),
        re.compile(shape.veto) if shape.veto else None,
    )


_COMPILED = tuple(_compile(shape) for shape in SHAPES)


def _index_by_cue() -> dict[str, tuple[int, ...]]:
    """The shapes to try for a sentence containing a word: the positions in `_COMPILED` of
    the shapes whose first cue group holds the word."""
    by_word: dict[str, list[int]] = {}
    for position, compiled in enumerate(_COMPILED):
        for word in compiled.cue[0]:
            by_word.setdefault(word, []).append(position)
    return {word: tuple(group) for word, group in by_word.items()}


_SHAPES_BY_CUE = _index_by_cue()

_LABEL_ALTERNATIVES = "|".join(f"(?:{label})" for label, _ in CREDIT_LABELS)
# At the start of a sentence or after a list separator in any case ("Dir: X. Script: Y"), or
# capitalised anywhere when credits run together ("Director: X Writers: Y").
_LABEL = re.compile(
    rf"(?:^|(?<=[.;|•·]\s))\W{{0,2}}(?P<label>(?i:{_LABEL_ALTERNATIVES}))\W{{0,2}}\s*:\s*"
    rf"|(?<=\s)(?P<label2>(?=[A-Z])(?i:{_LABEL_ALTERNATIVES}))\s*:\s*"
)
_LABEL_ROLES = tuple(
    (re.compile(rf"(?:{label})", re.IGNORECASE), roles) for label, roles in CREDIT_LABELS
)
_LIST_SEPARATOR = re.compile(r"[,;/•·|]|\s+and\s+|\s+&\s+|(?<!\b[A-Z])\.\s")  # not 'M. Night'
# "Ryan Gosling as K", "Ryan Gosling – K", "Ryan Gosling ... K" in a cast list.
_BLOCK_ITEM = re.compile(
    rf"\W*(?P<name>{_NAME})\s*(?:[-–—:…]+|\.{{2,}}|\s+as\s+)\s*(?P<char>{_CHAR})\W*"
)
_NAMES_ONLY = re.compile(rf"\W*(?:{_NAMES})\W*")
_PERSON_RUN = re.compile(_PERSONS)
_NAME_RUN = re.compile(_NAME)
_GROUP_RUN = re.compile(
    rf"(?:the{_SPACE})?(?P<family>{_TOKEN}){_SPACE}(?P<kin>brothers|sisters|siblings)"
)
_PAREN_RUN = re.compile(_PAREN)
_PARTICLE_RUN = re.compile(_PARTICLE)
_CUE_WORDS = re.compile(r"[a-z]+|[('’]")
_LOWER_WORDS = re.compile(r"[a-z][\w\-]*")
_TITLE_START = re.compile(rf"\s*[“\"']?(?=[{_UP}0-9])")


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
@cache
def _first_names() -> gender_guesser.detector.Detector:
    """The bundled first-name dictionary, loaded once (about 0.2 s)."""
    return gender_guesser.detector.Detector(case_sensitive=False)


def _is_given_name(word: str) -> bool:
    return _first_names().get_gender(word) != "unknown"


# nameparser's lists of the titles that open a name and the suffixes that close one.
_NAME_TITLES = frozenset(CONSTANTS.titles)
_NAME_SUFFIXES = frozenset(CONSTANTS.suffix_acronyms) | frozenset(CONSTANTS.suffix_not_acronyms)


@lru_cache(maxsize=16384)
def _person_check(text: str, lenient: bool) -> bool:
    """A full name: name-shaped words, none a studio/honour/place/function word; without a
    title (only 'Sir', 'Dame', 'Dr' may open a person's name: 'Captain America' is a
    character) and suffix ('Jr.'), 2-4 words besides particles, the first a known given name
    (or, when `lenient` because a credit cue stands next to it, any: 'Mahershala Ali')."""
    if not _NAME_RUN.fullmatch(text):
        return False
    words = [w.casefold().rstrip(".") for w in text.split()]
    if any(w in _NOT_PERSON for w in words):
        return False
    while words and words[0] in _NAME_TITLES and len(words[0]) > 1:  # 'M.' is an initial
        if lenient:
            break  # a credit cue next to it vouches for a title-like first name: 'King Vidor'
        if words[0] not in _PERSON_TITLES:
            return False
        words = words[1:]
    while words and words[-1] in _NAME_SUFFIXES:
        words = words[:-1]
    core = [w for w in words if not _PARTICLE_RUN.fullmatch(w)]
    return 2 <= len(core) <= 4 and (lenient or _is_given_name(core[0]))


def is_person_name(text: str) -> bool:
    """'Millicent Simmonds' yes; 'Studio Pictures', 'Best Picture', 'Venice Film Festival',
    'The Shimmer' no."""
    return _person_check(" ".join(text.split()), False)


def _group_name(text: str) -> str | None:
    """'the Coen brothers' -> 'Coen brothers' (makers named as a family), else None."""
    match = _GROUP_RUN.fullmatch(text)
    if not match or match["family"].casefold() in _NOT_PERSON | {"warner"}:
        return None
    return f"{match['family']} {match['kin']}"


@dataclass
class _Article:
    """What the extraction knows of the article so far: its film, the people named (so a bare
    surname resolves to the full name given earlier) and the words used alone as names."""

    film: str
    solo: set[str]  # capitalised words standing alone somewhere ("Hardy grunts")
    by_surname: dict[str, str | None]

    def learn(self, full: str) -> None:
        """Remember `full` under its surname; two people sharing one make it ambiguous."""
        surname = full.split()[-1]
        known = self.by_surname.get(surname, full)
        self.by_surname[surname] = full if known == full else None

    def person(self, text: str, *, left: bool, lenient: bool) -> str | None:
        """The person `text` names: all of it or, when the capture ran into other capitalised
        words, the longest end (a name before its cue) or start (after it) that is a name; a
        single word only as the surname of someone named earlier."""
        text = " ".join(text.split()).rstrip(".")
        group = _group_name(text)
        if group:
            return group
        tokens = text.split()
        spans = (
            [tokens[i:] for i in range(len(tokens))]
            if left
            else [tokens[:j] for j in range(len(tokens), 0, -1)]
        )
        for span in spans:
            candidate = " ".join(span)
            if _PARTICLE_RUN.fullmatch(span[0]) or candidate.casefold() == self.film.casefold():
                continue
            if len(span) >= 2 and _person_check(candidate, lenient):
                return candidate
            if len(span) == 1 and self.by_surname.get(candidate):
                return self.by_surname[candidate]
        return None

    def people(self, listed: str) -> list[str]:
        """The people in a captured list, 'Joel and Ethan Coen' read as two full names."""
        text = _PAREN_RUN.sub("", listed)
        runs = [m.group() for m in _PERSON_RUN.finditer(text)]
        found = []
        for run, following in zip(runs, [*runs[1:], ""][: len(runs)], strict=True):
            words, next_words = run.split(), following.split()
            if (
                len(words) == 1
                and len(next_words) >= 2
                and re.search(rf"{re.escape(run)}\s+(?:and|&)\s+{re.escape(following)}", text)
                and _is_given_name(run)
                and _is_given_name(next_words[0])
                and not self.by_surname.get(run)  # 'Nolan and David Goyer': Nolan is known
            ):
                run = " ".join([run, *next_words[1:]])
            person = self.person(run, left=False, lenient=True)
            if person:
                found.append(person)
        return found

    def listed_people(self, value: str) -> list[str]:
        """The people in a credits line's value: 'Saoirse Ronan; Laurie Metcalf (voice)'."""
        items = _LIST_SEPARATOR.split(_PAREN_RUN.sub("", value))
        found = [self.person(i.strip(" .:-–—"), left=False, lenient=True) for i in items]
        return [p for p in found if p]


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------
class _Found(NamedTuple):
    position: tuple[int, int]  # sentence, character offset: the order facts are reported in
    fact: Fact
    weak: bool = False


def _credit(
    roles: tuple[Role, ...], person: str, char: str | None, sentence: int, offset: int, weak: bool
) -> list[_Found]:
    return [
        _Found(
            (sentence, offset),
            Fact(
                role=role,
                person=person,
                character=char if role == "cast" else None,
                sentence=sentence,
            ),
            weak,
        )
        for role in roles
    ]


def _gap_ok(gap: str | None) -> bool:
    return not any(w in _GAP_STOP for w in _LOWER_WORDS.findall(gap or ""))


def _character(text: str | None) -> str | None:
    """A character name as given, without a sentence-opening word ('When Lena' -> 'Lena')."""
    tokens = (text or "").split()
    while tokens and (
        tokens[0].casefold() in _NOT_PERSON
        or (tokens[0].endswith("ly") and not _is_given_name(tokens[0]))  # "Suddenly", not "Emily"
    ):
        tokens = tokens[1:]
    if not tokens or any(t.casefold() in _NOT_PERSON for t in tokens):
        return None
    return " ".join(tokens)


def _starts_with_film(text: str, film: str) -> bool:
    title = text.lstrip(" “\"'")
    return (
        bool(film)
        and title.casefold().startswith(film.casefold())
        and not title[len(film) : len(film) + 1].isalnum()
    )


def _ends_with_film(text: str, film: str) -> bool:
    text = text.rstrip(" ”\"'")
    return (
        bool(film)
        and text.casefold().endswith(film.casefold())
        and not text[-len(film) - 1 : -len(film)].isalnum()
    )


def _about_this_film(modifiers: str, after: str, film: str) -> bool:
    """'X's new thriller' and 'X's sci-fi opus <this film>' are this film; 'X's previous film',
    'X's sci-fi opus <another title>' and 'X's horror masterpiece' (which one?) are not."""
    words = set(_LOWER_WORDS.findall(modifiers))
    if words & _OTHER_WORK and "directorial" not in words:
        return False
    if _TITLE_START.match(after):
        return _starts_with_film(after, film)
    return bool(words & _THIS_WORK)


def _another_work(modifiers: str | None, work: str, film: str) -> bool:
    """'director X's Rope' names X's other film (so X need not have made this one), unless it
    is this film or X's 'previous film' (so X made this one too)."""
    words = set(_LOWER_WORDS.findall(modifiers or ""))
    return not (_starts_with_film(work, film) or words & _ALSO_THIS_WORK)


def _actor_outside(outside: str, inside: str, article: _Article, credited: set[str]) -> bool | None:
    """'Max Rockatansky (Tom Hardy)' or 'Tom Hardy (Max Rockatansky)'? When both look like
    full names, the actor is the one credited before or called by surname alone elsewhere
    ('Hardy grunts'), the character the one called by first name alone ('Max drives');
    None when that does not tell them apart."""
    if not is_person_name(outside):
        return False

    def actor_like(name: str) -> bool:
        return name in credited or name.split()[-1] in article.solo

    def character_like(name: str) -> bool:
        return name.split()[0] in article.solo

    outside_actor = actor_like(outside) or character_like(inside)
    inside_actor = actor_like(inside) or character_like(outside)
    return outside_actor if inside_actor != outside_actor else None


def _matches(compiled: _Compiled, sentence: str) -> list[tuple[int, dict[str, str | None]]]:
    """Where a shape matches: its start and groups, the part before its cue matched backwards."""
    found = []
    for match in compiled.after.finditer(sentence):
        start, groups = match.start(), match.groupdict()
        if compiled.before:
            before = compiled.before.search(sentence, max(0, start - _LEFT_WINDOW), start)
            if not before:
                continue
            start, groups = before.start(), {**before.groupdict(), **groups}
        if compiled.veto and compiled.veto.search(sentence, 0, start):
            continue
        found.append((start, groups))
    return found


def _shape_facts(index: int, sentence: str, article: _Article, credited: set[str]) -> list[_Found]:
    found: list[_Found] = []
    words = set(_CUE_WORDS.findall(sentence.casefold()))
    candidates = {i for word in words & _SHAPES_BY_CUE.keys() for i in _SHAPES_BY_CUE[word]}
    for compiled in [_COMPILED[i] for i in sorted(candidates)]:
        shape = compiled.shape
        if not all(group & words for group in compiled.cue[1:]):
            continue
        for start, groups in _matches(compiled, sentence):
            if not _gap_ok(groups.get("gap")):
                continue
            if "after" in groups and not _about_this_film(
                f"{groups['gap']} {groups['noun']}", groups["after"] or "", article.film
            ):
                continue
            if "title" in groups and not _starts_with_film(groups["title"] or "", article.film):
                continue
            if "subject" in groups and not _ends_with_film(sentence[:start], article.film):
                continue
            if groups.get("poss"):
                continue
            if groups.get("quoted") and not _starts_with_film(groups["quoted"] or "", article.film):
                continue
            if groups.get("work") and _another_work(
                groups["workgap"], groups["work"] or "", article.film
            ):
                continue
            char = _character(groups.get("char"))
            if groups.get("char") and char is None:
                continue
            if groups.get("names"):
                people = article.people(groups["names"] or "")
            else:
                person = article.person(groups["lname"] or "", left=True, lenient=False)
                people = [person] if person else []
            if shape.either_way and char and people:
                outside = _actor_outside(char, people[0], article, credited)
                if outside is None:
                    continue
                if outside:
                    people, char = [char], people[0]
            for person in people:
                if person != char:
                    one_char = char if len(people) == 1 else None
                    found += _credit(shape.roles, person, one_char, index, start, shape.weak)
    return found


def _label_facts(
    index: int, sentence: str, article: _Article
) -> tuple[list[_Found], tuple[Role, ...]]:
    """Credits lines: 'Director: X. Cast: A, B and C.' Returns the facts and, for a label with
    nothing after it ('Cast:'), the roles the following list items credit."""
    if ":" not in sentence:
        return [], ()
    found: list[_Found] = []
    labels = list(_LABEL.finditer(sentence))
    pending: tuple[Role, ...] = ()
    ends = [label.start() for label in labels[1:]] + [len(sentence)]
    for label, end in zip(labels, ends[: len(labels)], strict=True):
        value = sentence[label.end() : end]
        text = label["label"] or label["label2"] or ""
        roles = next(r for pattern, r in _LABEL_ROLES if pattern.fullmatch(text))
        if not value.strip():
            pending = roles
        for person in article.listed_people(value):
            found += _credit(roles, person, None, index, label.start(), False)
    return found, pending


def _block_facts(
    index: int, sentence: str, article: _Article, roles: tuple[Role, ...]
) -> list[_Found]:
    """A list item under 'Cast:' or a Cast heading: 'A, B and C' or 'Actor – Character'."""
    text = sentence.strip()
    if _NAMES_ONLY.fullmatch(text):
        return [
            fact
            for person in article.listed_people(text)
            for fact in _credit(roles, person, None, index, 0, False)
        ]
    item = _BLOCK_ITEM.fullmatch(text)
    person = article.person(item["name"], left=False, lenient=True) if item else None
    if not item or not person:
        return []
    return _credit(roles, person, _character(item["char"]), index, 0, False)


def _film_line(text: str | None, film: str) -> bool | None:
    """Whether `text` opens a section about this film (True), another film (False: 'Other
    films like it: 01. Ex Machina (2014):'), or neither (None)."""
    line = _FILM_LINE.match(text or "")
    if not line:
        return None
    return bool(film) and line["title"].casefold().strip(" :") == film.casefold()


def _names_another_dated_film(sentence: str, film: str) -> bool:
    """'In The Apartment (1960), director Billy Wilder paid homage…': a sentence about another
    film, named with its year, credits that film's people, not this one's."""
    if "(" not in sentence:
        return False
    return any(
        not (film and " ".join(m["title"].split()).casefold().endswith(film.casefold()))
        for m in _DATED_TITLE.finditer(sentence)
    )


_DATED_TITLE = re.compile(
    r"(?P<title>(?:[A-Z0-9][\w'’:\-]*\s+(?:(?:of|the|a|an|in|on|and|to|for)\s+)*){1,6})"
    r"\((?:18|19|20)\d\d\)"
)


def _is_caption(sentence: str) -> bool:
    # The substring test skips the regex search for the many sentences without "photo".
    return bool(
        _CAPTION_START.match(sentence) or ("hoto" in sentence and _PHOTO_CREDIT.search(sentence))
    )


def extract_facts(
    sentences: list[str],
    film: str | None = None,
    headings: list[str | None] | None = None,
    docs: Sequence[Doc] | None = None,
) -> list[Fact]:
    """All credits the article states, in order, de-duplicated (same role, person, character);
    with the sentences' parses (`docs`, from `filmchat.parsing`), also the film's maker when
    the review only implies it."""
    sentences = [html.unescape(s) if "&" in s else s for s in sentences]
    runs = [[m.group() for m in _NAME_RUN.finditer(s)] for s in sentences]
    article = _Article(
        film=(film or "").strip(),
        solo={run for sentence_runs in runs for run in sentence_runs if " " not in run},
        by_surname={},
    )
    found: list[_Found] = []
    pending: tuple[Role, ...] = ()  # roles of a credits block being listed ("Cast:" then names)
    elsewhere = False  # in a section about another film (a list of films to watch next)
    for index, sentence in enumerate(sentences):
        heading = (headings[index] if headings and index < len(headings) else None) or ""
        if index and heading != ((headings[index - 1] if headings else None) or ""):
            elsewhere = False
        about = _film_line(sentence, article.film)
        elsewhere = (not about) if about is not None else elsewhere
        if elsewhere or _film_line(heading, article.film) is False or _is_caption(sentence):
            pending = ()
            continue
        for run in runs[index]:
            full = article.person(run, left=True, lenient=False) if " " in run else None
            if full and " " in full:
                article.learn(full)
        block = pending or (("cast",) if heading.strip().casefold() in CAST_HEADINGS else ())
        here, label_pending = _label_facts(index, sentence, article)
        if here or label_pending:
            pending = label_pending
        elif block:
            here = _block_facts(index, sentence, article, block)
            pending = pending if here else ()
        if not _names_another_dated_film(sentence, article.film):
            here += _shape_facts(index, sentence, article, {f.fact.person for f in found})
        if docs is not None:
            for entity in docs[index].ents:
                if (
                    entity.label_ == "PERSON"
                    and " " in entity.text
                    and _NAME_RUN.fullmatch(entity.text)
                ):
                    article.learn(entity.text)
            here += _implied_makers(docs[index], index, article)
        for item in here:
            if _NAME_RUN.fullmatch(item.fact.person):  # a full name (not "Coen brothers")
                article.learn(item.fact.person)
        found += here
    return _settle(found, article.film)


def _likely_maker(found: list[_Found]) -> list[_Found]:
    """Implied credits give way to any stated one; of the people implied, the one implied in
    the most sentences (the first on a tie) is kept, never someone the article credits in
    another part (an actor, the cinematographer)."""
    implied = [f for f in found if f.fact.basis == "implied"]
    stated = [f for f in found if f.fact.basis != "implied"]
    if not implied or any(f.fact.role == "director" for f in stated):
        return stated
    # the cast, the cinematographer, the composer… use the camera or the music too
    crew = {f.fact.person for f in stated if f.fact.role not in ("director", "writer")}
    implied = [f for f in implied if f.fact.person not in crew]
    hits = dict.fromkeys(
        (f.fact.person, f.fact.sentence) for f in sorted(implied, key=lambda f: f.position)
    )
    counts = Counter(person for person, _ in hits)
    if not counts:
        return stated
    maker = max(counts, key=lambda person: counts[person])  # max keeps the first of equals
    return stated + [f for f in implied if f.fact.person == maker]


def _settle(found: list[_Found], film: str) -> list[Fact]:
    """Order, drop what stronger evidence contradicts, de-duplicate."""
    found = _likely_maker(found)
    cast = {f.fact.person for f in found if f.fact.role == "cast"}
    directors = {f.fact.person for f in found if f.fact.role == "director" and not f.weak}
    facts: list[Fact] = []
    seen: set[tuple[str, str, str | None]] = set()
    for item in sorted(found, key=lambda f: f.position):
        fact = item.fact
        if item.weak and fact.person in cast and fact.person not in directors:
            continue  # "Scarlett Johansson's latest film": her film as its star
        if fact.character and fact.character == film and fact.person in directors:
            continue  # "Victoria (Sebastian Schipper)": the film and its maker
        key = (fact.role, fact.person, fact.character)
        if key not in seen:
            seen.add(key)
            facts.append(fact)
    return facts


# ---------------------------------------------------------------------------------------------
# The film's maker when the review only implies it, from the trained parse (index time only)
# ---------------------------------------------------------------------------------------------
# Words that stand for the film itself as a subject: "the tale is told by X", "it is X's opus".
_THIS_FILM_WORDS = frozenset(
    "it this tale story film movie picture narrative feature thriller drama".split()
)
_WORK_NOUNS = sorted(
    {*re.findall(r"[a-z]+", _FILM_NOUN), "poem", "piece", "work", "movie", "picture", "tale"}
)
_COPULAS = frozenset({"is", "was", "remains", "'s", "’s", "be", "becomes"})


class Implication(NamedTuple):
    """One way a review implies who made its film without calling them its director: a spaCy
    DependencyMatcher pattern whose node `maker` is the person. A node called `film` must
    stand for this film (a word like 'it' or 'the tale', the title, or the complement of a
    copula whose subject is one: "it is X's magnum opus"). Each row is tested by its rows in
    tests/test_facts.py."""

    label: str
    role: Role
    pattern: list[dict[str, object]]


def _node(name: str, attrs: dict[str, object], parent: str | None = None, op: str = ">"):
    node: dict[str, object] = {"RIGHT_ID": name, "RIGHT_ATTRS": attrs}
    return {"LEFT_ID": parent, "REL_OP": op, **node} if parent else node


_PROPER_NOUN = {"POS": "PROPN"}
IMPLICATIONS: tuple[Implication, ...] = (
    Implication(
        "the tale is told by X",
        "director",
        [
            _node(
                "verb",
                {
                    "LOWER": {
                        "IN": [
                            "told",
                            "made",
                            "crafted",
                            "staged",
                            "narrated",
                            "realised",
                            "realized",
                            "conceived",
                            "fashioned",
                            "shaped",
                            "filmed",
                            "brought",
                        ]
                    }
                },
            ),
            _node("film", {"DEP": "nsubjpass"}, "verb"),
            _node("by", {"LOWER": "by"}, "verb", ">>"),
            _node("maker", {"DEP": "pobj", **_PROPER_NOUN}, "by"),
        ],
    ),
    Implication(
        "it is X's magnum opus",
        "director",
        [
            _node(
                "film",
                {
                    "LOWER": {
                        "IN": [
                            "opus",
                            "masterpiece",
                            "triumph",
                            "achievement",
                            "masterwork",
                            "best",
                        ]
                    }
                },
            ),
            _node("maker", {"DEP": "poss", **_PROPER_NOUN}, "film"),
        ],
    ),
    Implication(
        "the way X uses reflections",
        "director",
        [
            _node(
                "verb",
                {
                    "LOWER": {
                        "IN": [
                            "uses",
                            "used",
                            "frames",
                            "framed",
                            "shoots",
                            "stages",
                            "staged",
                            "handles",
                            "handled",
                            "employs",
                            "employed",
                            "lights",
                            "builds",
                            "directs",
                        ]
                    }
                },
            ),
            _node("maker", {"DEP": "nsubj", **_PROPER_NOUN}, "verb"),
            _node("way", {"LOWER": {"IN": ["way", "manner"]}}, "verb", "<"),
        ],
    ),
    Implication(
        "X uses low-angle shots",
        "director",
        [
            _node("verb", {"LOWER": {"IN": ["uses", "used", "employs", "employed"]}}),
            _node("maker", {"DEP": "nsubj", **_PROPER_NOUN}, "verb"),
            _node(
                "craft",
                {
                    "LOWER": {
                        "IN": [
                            "shots",
                            "angles",
                            "takes",
                            "close-ups",
                            "closeups",
                            "reflections",
                            "lighting",
                            "camera",
                            "colour",
                            "color",
                            "colours",
                            "colors",
                            "silence",
                            "framing",
                            "montage",
                            "mirrors",
                            "zooms",
                            "tracking",
                        ]
                    }
                },
                "verb",
                ">>",
            ),
        ],
    ),
    Implication(
        "the world X created",
        "director",
        [
            _node("verb", {"LOWER": {"IN": ["created", "built", "crafted", "conjured"]}}),
            _node("maker", {"DEP": "nsubj", **_PROPER_NOUN}, "verb"),
            _node("world", {"LOWER": {"IN": ["world", "universe"]}}, "verb", "<"),
        ],
    ),
    Implication(
        "X has made a tone poem",
        "director",
        [
            _node("verb", {"LOWER": {"IN": ["made", "makes", "crafted", "delivered", "created"]}}),
            _node("maker", {"DEP": "nsubj", **_PROPER_NOUN}, "verb"),
            _node("work", {"DEP": "dobj", "LOWER": {"IN": _WORK_NOUNS}}, "verb"),
        ],
    ),
    Implication(
        "X's use of pop songs",
        "director",
        [
            _node(
                "craft",
                {
                    "LOWER": {
                        "IN": [
                            "use",
                            "usage",
                            "direction",
                            "handling",
                            "framing",
                            "staging",
                            "treatment",
                        ]
                    }
                },
            ),
            _node("maker", {"DEP": "poss", **_PROPER_NOUN}, "craft"),
        ],
    ),
)


@cache
def _implication_matcher():  # -> spacy.matcher.DependencyMatcher
    from spacy.matcher import DependencyMatcher

    from filmchat.parsing import pipeline

    matcher = DependencyMatcher(pipeline().vocab)
    for number, implication in enumerate(IMPLICATIONS):
        matcher.add(str(number), [implication.pattern])
    return matcher


def _stands_for_film(token, film: str) -> bool:  # token: spacy.tokens.Token
    """'it', 'the tale', the title — or the complement of a copula whose subject is one."""
    title_words = {w.casefold() for w in film.split()}

    def is_film(word) -> bool:
        return word.lower_ in _THIS_FILM_WORDS or (bool(film) and word.lower_ in title_words)

    if is_film(token):
        return True
    head = token
    for _ in range(3):  # 'It is one of the best films and Pike's magnum opus': opus → is
        head = head.head
        if head.lower_ in _COPULAS:
            return any(c.dep_ in ("nsubj", "nsubjpass") and is_film(c) for c in head.children)
        if head.head is head:
            break
    return False


def _maker_name(token, article: _Article) -> str | None:  # token: spacy.tokens.Token
    """The person a proper noun names: the whole PERSON entity ('M. Night Shyamalan'), a
    surname resolved to the full name given earlier, else the surname alone."""
    if token.ent_type_ in ("GPE", "LOC", "NORP", "DATE", "EVENT", "FAC"):
        return None  # (the model calls some names works of art: 'M. Night Shyamalan')
    start = token.i
    while (
        start
        and token.doc[start - 1].dep_ == "compound"
        and token.doc[start - 1].head.i > start - 1
    ):
        start -= 1  # 'M. Night Shyamalan': each word a compound of the next
    end = token.i + 1
    for entity in token.doc.ents:
        if entity.label_ == "PERSON" and entity.start <= token.i < entity.end:
            start, end = entity.start, entity.end
    while start < token.i and token.doc[start].lower_ in _NOT_PERSON:
        start += 1  # 'Cinematographer Hoyte van Hoytema': the role is not the name
    span = token.doc[start:end]
    text = " ".join(t.text for t in span if t.text not in ("'s", "’s", "'", "’"))
    if " " in text:
        return text if _person_check(text, True) else None
    if text.casefold() in _NOT_PERSON or not _TOKEN_RUN.fullmatch(text):
        return None
    return article.by_surname.get(text) or text


_TOKEN_RUN = re.compile(_TOKEN)


def _implied_makers(doc, index: int, article: _Article) -> list[_Found]:  # doc: spacy Doc
    """The makers a parsed sentence implies, each an implied credit of that sentence."""
    found = []
    for match_id, nodes in _implication_matcher()(doc):
        implication = IMPLICATIONS[int(doc.vocab.strings[match_id])]
        names = [n["RIGHT_ID"] for n in implication.pattern]
        tokens = dict(zip(names, (doc[i] for i in nodes), strict=True))
        if "film" in tokens and not _stands_for_film(tokens["film"], article.film):
            continue
        maker = _maker_name(tokens["maker"], article)
        if maker is None or maker.casefold() == article.film.casefold():
            continue
        if " " in maker:
            article.learn(maker)  # 'the then-young M. Night Shyamalan', later 'Shyamalan'
        found.append(
            _Found(
                (index, tokens["maker"].idx),
                Fact(role=implication.role, person=maker, sentence=index, basis="implied"),
            )
        )
    return found


# ---------------------------------------------------------------------------------------------
# The article's front matter
# ---------------------------------------------------------------------------------------------
def _label_roles(label: str) -> tuple[Role, ...]:
    text = " ".join(label.replace("_", " ").split())
    return next((roles for pattern, roles in _LABEL_ROLES if pattern.fullmatch(text)), ())


def is_credit_label(label: str) -> bool:
    """'director', 'written-by', 'Cast', 'staring': a label (or field) that names people."""
    return bool(_label_roles(label))


def front_matter_facts(fields: Sequence[tuple[str, str]]) -> list[tuple[Role, str, str]]:
    """Credits in the front matter's fields ('director: Ari Aster', 'cast: [A, B]', given as
    (field, text) pairs, a list's items joined by '; '): (role, person, 'field: text')."""
    article = _Article(film="", solo=set(), by_surname={})
    found: list[tuple[Role, str, str]] = []
    for key, value in fields:
        for role in _label_roles(key):
            for person in article.listed_people(value):
                found.append((role, person, f"{key}: {value}"))
    return list(dict.fromkeys(found))
