"""The film's maker when a review only implies it (facts.IMPLICATIONS, read from spaCy's parse),
credits from the front matter, and how answers word them: an inferred credit never reads as
a stated one. Every sentence here is written for these tests."""

from __future__ import annotations

import pytest

from filmchat.facts import IMPLICATIONS, extract_facts, front_matter_facts
from filmchat.parsing import parse


def _makers(sentences: list[str], film: str) -> list[tuple[str, str, str]]:
    facts = extract_facts(sentences, film, None, parse(sentences))
    return [(f.role, f.person, f.basis) for f in facts if f.role == "director"]


# (implication label, sentences, film, the director credits expected as (person, basis))
IMPLIED_ROWS: list[tuple[str, list[str], str, list[tuple[str, str]]]] = [
    (
        "the tale is told by X",
        ["The tale is told with great patience by the young Rowan Castellane."],
        "Stillwater",
        [("Rowan Castellane", "implied")],
    ),
    (
        "the tale is told by X",
        ["Stillwater was crafted by Ilse Marchetti over four winters on the coast."],
        "Stillwater",
        [("Ilse Marchetti", "implied")],
    ),
    (
        "it is X's magnum opus",
        ["Rowan Castellane returns to the sea.", "It is, to my mind, Castellane's magnum opus."],
        "Stillwater",
        [("Rowan Castellane", "implied")],
    ),
    (
        "it is X's magnum opus",
        ["After all these years, it remains Ilse Marchetti's finest achievement."],
        "Stillwater",
        [("Ilse Marchetti", "implied")],
    ),
    (
        "the way X uses reflections",
        ["The way Marchetti uses reflections makes every room feel like a trap."],
        "Stillwater",
        [("Marchetti", "implied")],
    ),
    (
        "the way X uses reflections",
        ["I love the way Tomas Reyna frames the harbour at dawn."],
        "Stillwater",
        [("Tomas Reyna", "implied")],
    ),
    (
        "X uses low-angle shots",
        ["Throughout, Reyna uses lots of low-angle shots and foggy back light."],
        "Stillwater",
        [("Reyna", "implied")],
    ),
    (
        "X uses low-angle shots",
        ["Ilse Marchetti employs long takes that never let the tension drop."],
        "Stillwater",
        [("Ilse Marchetti", "implied")],
    ),
    (
        "the world X created",
        ["It is an extension of the strange world Marchetti had created."],
        "Stillwater",
        [("Marchetti", "implied")],
    ),
    (
        "the world X created",
        ["I wanted to live in the gentle universe Tomas Reyna built."],
        "Stillwater",
        [("Tomas Reyna", "implied")],
    ),
    (
        "X has made a tone poem",
        ["Ilse Marchetti has made a cold, patient tone poem about the sea."],
        "Stillwater",
        [("Ilse Marchetti", "implied")],
    ),
    (
        "X has made a tone poem",
        ["With this one, Tomas Reyna made a thriller that never raises its voice."],
        "Stillwater",
        [("Tomas Reyna", "implied")],
    ),
    (
        "X's use of pop songs",
        ["Another thing worth praising is Tomas Reyna's use of pop songs."],
        "Stillwater",
        [("Tomas Reyna", "implied")],
    ),
    (
        "X's use of pop songs",
        ["Thanks to Ilse Marchetti's handling of the crowd scenes, nothing feels staged."],
        "Stillwater",
        [("Ilse Marchetti", "implied")],
    ),
]


@pytest.mark.parametrize(("label", "sentences", "film", "expected"), IMPLIED_ROWS)
def test_implication_finds_the_maker(label: str, sentences: list[str], film: str, expected):
    assert [(p, b) for _, p, b in _makers(sentences, film)] == expected, label


def test_every_implication_has_at_least_two_test_rows():
    tested = [row[0] for row in IMPLIED_ROWS]
    assert {i.label for i in IMPLICATIONS if tested.count(i.label) < 2} == set()


@pytest.mark.parametrize(
    ("sentences", "film"),
    [
        # the subject of the telling is not this film
        (["The legend was told by Rowan Castellane's grandmother long before."], "Stillwater"),
        # a place, not a person, "uses" nothing here
        (["The way London uses its river is the subject of the second half."], "Stillwater"),
        # her other film's masterpiece, not this one
        (["Her debut remains Ilse Marchetti's masterpiece."], "Stillwater"),
        # "made the right call" makes no film
        (["Tomas Reyna made the right call in cutting the prologue."], "Stillwater"),
    ],
)
def test_sentences_that_imply_no_maker(sentences: list[str], film: str):
    assert _makers(sentences, film) == []


def test_a_stated_director_outranks_an_implied_one():
    sentences = [
        "Stillwater is directed by Ilse Marchetti.",
        "The way Tomas Reyna uses reflections is a joy.",
    ]
    assert _makers(sentences, "Stillwater") == [("director", "Ilse Marchetti", "stated")]


def test_the_person_implied_most_often_is_the_likely_maker():
    sentences = [
        "Tomas Reyna's use of colour is bold.",
        "The way Ilse Marchetti frames the harbour is wonderful.",
        "It is Ilse Marchetti's masterpiece.",
    ]
    assert _makers(sentences, "Stillwater") == [("director", "Ilse Marchetti", "implied")]


def test_an_actor_the_review_casts_is_not_its_maker():
    sentences = [
        "Lena (Ilse Marchetti) walks to the harbour every night.",
        "The way Ilse Marchetti uses her silences is the best thing in the film.",
    ]
    assert _makers(sentences, "Stillwater") == []


def test_front_matter_fields_credit_people():
    fields = [
        ("director", "Ilse Marchetti"),
        ("written-by", "Ilse Marchetti"),
        ("staring", "Tomas Reyna; Lena Okafor"),
        ("studio", "A24"),
        ("author", "Sam Hale"),
    ]
    assert front_matter_facts(fields) == [
        ("director", "Ilse Marchetti", "director: Ilse Marchetti"),
        ("writer", "Ilse Marchetti", "written-by: Ilse Marchetti"),
        ("cast", "Tomas Reyna", "staring: Tomas Reyna; Lena Okafor"),
        ("cast", "Lena Okafor", "staring: Tomas Reyna; Lena Okafor"),
    ]
