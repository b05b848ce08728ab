"""A deterministic synthetic corpus of review-like articles, for benchmarks only.

Each article is Markdown with front matter like the seed corpus, one section per aspect of an
invented film (plot, performances, craft, themes, verdict...), with a little web noise for the
cleaner to remove. Sections hold 80-130 words, so the chunker makes one chunk of about
500-800 characters per section. Article `i` depends only on `i` and the seed, so a larger
corpus is a smaller one plus new articles, and "add one article" is article `count`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import yaml

ADJECTIVES = (
    "Silent Crimson Distant Hollow Electric Broken Golden Quiet Burning Lonely Northern "
    "Paper Glass Midnight Wild Last Secret Falling Velvet Iron Winter Bright Forgotten "
    "Shallow Restless Pale Hidden"
).split()
NOUNS = (
    "Harbor Orchard Signal Meridian Lantern Frontier Garden Tide Echo Archive Summer "
    "Station River Kingdom Mirror Engine Season Island Letters Voices Horizon Compass "
    "Empire Waltz Machine Shore Bridge"
).split()
FIRST = (
    "Ava Marcus Lena Tomas Priya Jonah Celine Mateo Ines Oskar Hana Dmitri Rosa Felix Noor "
    "Elias Maren Kofi Sofia Idris Greta Ravi Yara Anton Leila Bruno Mira Soren Amara Viktor"
).split()
LAST = (
    "Lindqvist Okafor Moreau Castellano Haddad Novak Whitfield Tanaka Brennan Adeyemi "
    "Kowalski Delacroix Ferreira Ishikawa Sandoval Virtanen Abernathy Rahimi Lund Marchetti "
    "Osei Petrov Quinlan Romero Strand"
).split()
PROFESSIONS = [
    "lighthouse keeper",
    "translator",
    "retired boxer",
    "night-shift nurse",
    "cartographer",
    "piano tuner",
    "astronomer",
    "ferry captain",
    "forensic accountant",
    "beekeeper",
    "radio host",
    "schoolteacher",
    "failed novelist",
    "stunt driver",
    "archivist",
]
PLACES = [
    "a fishing town on the Baltic coast",
    "near-future Lagos",
    "a crumbling Lisbon hotel",
    "the outskirts of Montreal",
    "a mining village in Wales",
    "1970s Buenos Aires",
    "an orbital research station",
    "a flooded Venice",
    "rural Hokkaido",
    "a Texas border town",
    "post-war Vienna",
    "a Mumbai high-rise",
    "a snowed-in Norwegian valley",
    "Marseille's docks",
]
THEMES = [
    "grief",
    "loneliness",
    "memory",
    "ambition",
    "forgiveness",
    "class",
    "faith",
    "obsession",
    "family loyalty",
    "identity",
    "the cost of progress",
    "first love",
    "exile",
    "guilt",
    "friendship",
    "technology and intimacy",
    "ageing",
    "the limits of justice",
]
GENRES = [
    "drama",
    "thriller",
    "romance",
    "science-fiction film",
    "comedy",
    "mystery",
    "war film",
    "coming-of-age story",
    "musical",
    "western",
    "horror film",
    "heist film",
]
PRAISE = [
    "luminous",
    "understated",
    "ferocious",
    "precise",
    "tender",
    "magnetic",
    "controlled",
    "heartbreaking",
    "wry",
    "fearless",
    "restrained",
    "volcanic",
    "quietly devastating",
]
FAULTS = [
    "a sagging middle act",
    "a rushed final ten minutes",
    "one subplot too many",
    "a score that underlines every emotion",
    "dialogue that sometimes explains too much",
    "a villain drawn too broadly",
    "an ending that hedges its bets",
    "uneven pacing",
]
SITES = ["Reel Notes", "The Projector", "Frame by Frame", "Cinema Ledger", "Night Screenings"]

SECTIONS: dict[str, list[str]] = {
    "Plot Summary": [
        "{film} follows {hero}, a {job} living in {place}, whose routine breaks when {other} "
        "arrives with a secret.",
        "The first act takes its time, letting us watch {hero_first} work, eat alone and avoid "
        "the phone calls from {other_first}.",
        "When a {object} turns up where it should not be, {hero_first} is pulled into a search "
        "that reopens an old wound.",
        "Without giving too much away, the story turns on a single night that {hero_first} has "
        "spent years trying to forget.",
        "{director} structures the plot around three journeys, each one shorter and more "
        "desperate than the last.",
        "By the midpoint the film has become less a {genre} than a portrait of two people "
        "bargaining with the past.",
        "The screenplay by {writer} keeps the mystery simple so the characters can carry the "
        "weight.",
        "A late revelation about {other_first} reframes everything before it, and it is earned "
        "rather than sprung on us.",
    ],
    "Performances": [
        "{actor} gives a {praise} performance as {hero_first}, all clipped sentences and sudden "
        "warmth.",
        "{actor2} matches {actor_first} scene for scene as {other_first}, finding humour in a "
        "role that could have been a device.",
        "The supporting cast is strong, especially {actor3} as a neighbour who sees more than "
        "anyone admits.",
        "There is a long take in a kitchen where {actor_first} says almost nothing, and it is the "
        "best acting of the year.",
        "{actor2_first} plays the final confrontation {praise}, and the film is wise enough to "
        "hold on the face.",
        "Even the smaller parts feel lived in; nobody on screen is merely moving the plot along.",
        "The chemistry between the leads is {praise}, built from glances and interrupted "
        "sentences.",
        "Only {actor3_first} struggles, stuck with lines that announce the theme instead of "
        "living it.",
    ],
    "Direction and Craft": [
        "{director} directs with a {praise} hand, trusting silence more than most filmmakers of "
        "the moment.",
        "Cinematographer {dp} shoots {place_short} in cold blues that warm slowly as {hero_first} "
        "lets people in.",
        "The editing by {editor} is patient, cutting on sound rather than on action in the best "
        "sequences.",
        "The production design makes every room tell us who lives there and how long they have "
        "been unhappy.",
        "{composer}'s score is sparse, a few piano figures and a cello that enters only when "
        "words fail.",
        "Sound matters here: the hum of the {object} and the sea outside are as important as the "
        "dialogue.",
        "A single tracking shot through a crowded market shows what {director} can do with a "
        "larger budget.",
        "The film runs long, but few scenes could be cut without losing something of its texture.",
    ],
    "Themes and Analysis": [
        "At heart {film} is about {theme}, and how people build lives around what they cannot say.",
        "The film treats {theme2} with unusual patience, refusing the easy consolation of a "
        "speech.",
        "{hero_first}'s job as a {job} becomes a quiet metaphor for tending something that no "
        "longer needs tending.",
        "Questions of {theme} run through every relationship, from the family table to the final "
        "scene.",
        "It is rare for a {genre} to take {theme2} this seriously without becoming solemn.",
        "The title points at what the characters share and what keeps them apart, and the film "
        "never resolves the tension.",
        "Some viewers will find the ambiguity frustrating, but it is the point: nobody here gets "
        "a clean ending.",
        "{director} seems less interested in answers than in the moment someone finally asks the "
        "right question.",
    ],
    "What Did Not Work": [
        "Not everything lands, and {film} suffers from {fault}.",
        "The second half also has {fault2}, which blunts the impact of the ending.",
        "A flashback structure in the middle stretch feels borrowed from a more conventional "
        "{genre}.",
        "Some of the symbolism, especially the recurring {object}, is heavier than it needs to be.",
        "These are small complaints about a film that otherwise knows exactly what it is doing.",
        "Viewers hoping for the thrills the trailer promises may feel misled by the slower "
        "reality.",
        "The marketing sells a {genre}, but the film is really a character study with genre "
        "furniture.",
    ],
    "Verdict": [
        "{film} is {director}'s most confident work, a {genre} that stays with you for days.",
        "It earns its emotion honestly, and {actor}'s performance alone is worth the ticket.",
        "I would rate it {rating} out of 5, and recommend it to anyone who loved the quieter "
        "films of {year_before}.",
        "See it in a cinema if you can; the sound design deserves a proper room.",
        "Flaws and all, this is a film about {theme} made by people who clearly lived through it.",
        "It will divide audiences, but the ones it reaches will keep talking about that final "
        "shot.",
        "Few films this year are as {praise} or as generous to their characters.",
    ],
}
OBJECTS = [
    "letter",
    "music box",
    "radio",
    "photograph",
    "pocket watch",
    "map",
    "key",
    "film reel",
    "suitcase",
    "telescope",
    "typewriter",
    "painting",
    "violin",
    "telephone",
]
OPTIONAL_SECTIONS = {"What Did Not Work", "Direction and Craft"}
NOISE = ["Share this article", "4 min read", "Click Here to subscribe", "Advertisement"]


@dataclass(frozen=True)
class SyntheticArticle:
    """One generated review: front-matter fields and the Markdown body."""

    slug: str
    meta: dict[str, object]
    body: str

    def markdown(self) -> str:
        header = yaml.safe_dump(self.meta, allow_unicode=True, sort_keys=False).strip()
        return f"---\n{header}\n---\n{self.body}\n"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _paragraph(rng: random.Random, templates: list[str], slots: dict[str, str]) -> str:
    """85-110 words: one chunk of the target size per section (the chunker's minimum is 80)."""
    sentences: list[str] = []
    words = 0
    for template in rng.sample(templates, k=len(templates)):
        sentence = template.format(**slots)
        sentences.append(sentence)
        words += len(sentence.split())
        if words >= 85:
            break
    return " ".join(sentences)


def make_article(index: int, seed: int = 0) -> SyntheticArticle:
    """Article number `index`: deterministic, and independent of how many others exist."""
    rng = random.Random(seed * 1_000_003 + index)
    film = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    year = rng.randint(1995, 2024)
    hero, other = _person(rng), _person(rng)
    actor, actor2, actor3 = _person(rng), _person(rng), _person(rng)
    director = _person(rng)
    place = rng.choice(PLACES)
    slots = {
        "film": film,
        "hero": hero,
        "hero_first": hero.split()[0],
        "other": other,
        "other_first": other.split()[0],
        "job": rng.choice(PROFESSIONS),
        "place": place,
        "place_short": place.removeprefix("a ").removeprefix("an ").removeprefix("the "),
        "object": rng.choice(OBJECTS),
        "director": director,
        "writer": _person(rng),
        "dp": _person(rng),
        "editor": _person(rng),
        "composer": _person(rng),
        "actor": actor,
        "actor_first": actor.split()[0],
        "actor2": actor2,
        "actor2_first": actor2.split()[0],
        "actor3": actor3,
        "actor3_first": actor3.split()[0],
        "theme": rng.choice(THEMES),
        "theme2": rng.choice(THEMES),
        "genre": rng.choice(GENRES),
        "praise": rng.choice(PRAISE),
        "fault": rng.choice(FAULTS),
        "fault2": rng.choice(FAULTS),
        "rating": str(rng.randint(2, 5)),
        "year_before": str(year - rng.randint(1, 10)),
    }
    author = _person(rng)
    title = f"{film} ({year}) review: {rng.choice(PRAISE)} {slots['genre']} about {slots['theme']}"
    lines = [title, "", f"By {author}", rng.choice(NOISE), ""]
    for heading, templates in SECTIONS.items():
        # one section in five is left out, so articles differ in length as real ones do
        if heading in OPTIONAL_SECTIONS and rng.random() < 0.2:
            continue
        lines += [heading, "", _paragraph(rng, templates, slots), ""]
    lines += [rng.choice(NOISE)]
    meta: dict[str, object] = {
        "title": title,
        "film": film,
        "year": year,
        "author": author,
        "site": rng.choice(SITES),
        "published": f"{min(year + 1, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }
    slug = f"{index:05d}-{film.lower().replace(' ', '-')}-{year}"
    return SyntheticArticle(slug=slug, meta=meta, body="\n".join(lines))


def write_article(folder: Path, index: int, seed: int = 0) -> Path:
    """Write article `index` into `folder` as Markdown with front matter."""
    article = make_article(index, seed)
    path = folder / f"{article.slug}.md"
    path.write_text(article.markdown(), encoding="utf-8")
    return path


def write_corpus(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """Articles 0..count-1 in `folder` (five or six chunks each)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_article(folder, index, seed) for index in range(count)]
