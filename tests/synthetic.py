"""Synthetic review articles for tests that need many or long articles (never seed text).

Deterministic for a given seed, varied enough that no two paragraphs repeat, so cleaning keeps
them all and every article chunks into several passages.
"""

from __future__ import annotations

import random
from pathlib import Path

_PEOPLE = [
    "the director",
    "the lead actor",
    "the supporting cast",
    "the screenwriter",
    "the composer",
    "the cinematographer",
    "the editor",
    "the production designer",
    "the young star",
    "the veteran character actor",
]
_VERBS = [
    "shapes",
    "undercuts",
    "illuminates",
    "complicates",
    "sharpens",
    "softens",
    "frames",
    "questions",
    "rewards",
    "stretches",
    "deepens",
    "mirrors",
]
_THINGS = [
    "the quiet opening scenes",
    "the long dinner sequence",
    "the central relationship",
    "the film's uneasy humour",
    "the second act",
    "the final confrontation",
    "the night shoot",
    "the recurring piano theme",
    "the cramped interiors",
    "the desert exteriors",
    "the flashback structure",
    "the hero's loneliness",
    "the villain's patience",
    "the rain-soaked city",
    "the lingering close-ups",
    "the improvised dialogue",
]
_MANNERS = [
    "with real patience",
    "without a wasted gesture",
    "in a way few films attempt",
    "more boldly than the trailer suggests",
    "with a dry sense of humour",
    "at the cost of some momentum",
    "so that every silence counts",
    "until the tension is nearly unbearable",
    "with a confidence that feels earned",
    "in ways that linger after the credits",
]
_CLOSINGS = [
    "and the audience is trusted to keep up",
    "while the story keeps its secrets",
    "even when the plot turns predictable",
    "which gives the ending its weight",
    "though not every idea lands",
    "and the result is often moving",
]
_SECTIONS = [
    "The Story So Far",
    "Performances",
    "Direction and Style",
    "Music and Sound",
    "Themes Worth Noticing",
    "Where It Stumbles",
    "Verdict",
]


def sentence(rng: random.Random) -> str:
    text = (
        f"{rng.choice(_PEOPLE)} {rng.choice(_VERBS)} {rng.choice(_THINGS)} "
        f"{rng.choice(_MANNERS)}, {rng.choice(_CLOSINGS)}."
    )
    return text[0].upper() + text[1:]


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def review(film: str, year: int, *, seed: int, sections: int = 3, paragraphs: int = 3) -> str:
    """A Markdown review with a headline, titled sections and paragraphs of 3-5 sentences."""
    rng = random.Random(seed)
    parts = [f"# {film} ({year}) review: notes on a film called {film}", ""]
    for heading in _SECTIONS[:sections]:
        parts += [f"## {heading}", ""]
        for _ in range(paragraphs):
            parts += [paragraph(rng, rng.randint(3, 5)), ""]
    return "\n".join(parts)


def write_corpus(folder: Path, count: int, *, sections: int = 3, paragraphs: int = 3) -> list[Path]:
    """`count` synthetic reviews of invented films, one Markdown file each."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        film = f"Synthetic Film {number:03d}"
        path = folder / f"synthetic-{number:03d}.md"
        path.write_text(
            review(film, 1950 + number % 70, seed=number, sections=sections, paragraphs=paragraphs),
            encoding="utf-8",
        )
        paths.append(path)
    return paths
