"""A film's fact sheet as people read it: credits by role, each person once with the parts
they play, and the numbered reviews that state each credit. Interfaces only format it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import get_args

from filmchat.answer import Credit
from filmchat.facts import Role
from filmchat.models import ArticleRecord


@dataclass
class SheetEntry:
    """One person in one role: 'Scarlett Johansson (Samantha) [1][3]'."""

    role: str
    person: str
    parts: list[str] = field(default_factory=list)
    markers: set[int] = field(default_factory=set)
    bases: set[str] = field(default_factory=set)  # stated, implied, front matter
    variants: list[str] = field(default_factory=list)  # other spellings some reviews use

    def label(self) -> str:
        played = f" ({', '.join(self.parts)})" if self.parts else ""
        inferred = " (implied)" if self.bases == {"implied"} else ""
        spelt = f" (also spelt {', '.join(self.variants)})" if self.variants else ""
        markers = "".join(f"[{m}]" for m in sorted(self.markers))
        return f"{self.person}{played}{inferred} {markers}{spelt}"


@dataclass
class Sheet:
    entries: list[SheetEntry]  # roles in the order of `facts.Role`, people as first credited
    sources: list[tuple[int, ArticleRecord]]  # marker → the review


# Above this difflib ratio two names of one role are one person spelt two ways: 'Scarlett
# Johanson'/'Scarlett Johansson' is 0.97, 'Jada Smith'/'Jaden Smith' 0.86, 'Joel Coen'/'Ethan
# Coen' 0.63.
SPELLING_RATIO = 0.9


def _same_person(one: str, other: str) -> bool:
    """Two spellings of one name ('Toni Colette', 'Toni Collette'): as many words, the same
    first letter, and a small edit between them."""
    if one == other or len(one.split()) != len(other.split()) or one[0] != other[0]:
        return False
    return SequenceMatcher(None, one.casefold(), other.casefold()).ratio() >= SPELLING_RATIO


def settle_credits(credits: Sequence[Credit]) -> list[Credit]:
    """The film's credits as every reader of the sheet sees them: a stated (or front-matter)
    credit of a role outranks an implied one, and two spellings of one person in one role
    become the one most articles use (the first credited on a tie), the other kept as
    `spelt`."""
    stated_roles = {c.role for c in credits if c.basis != "implied"}
    kept = [c for c in credits if c.basis != "implied" or c.role not in stated_roles]
    articles: dict[tuple[str, str], set[str]] = {}
    for credit in kept:
        articles.setdefault((credit.role, credit.person), set()).add(credit.article.article_id)
    spelling: dict[tuple[str, str], str] = {}
    for role, person in articles:
        rivals = [p for r, p in articles if r == role and (p == person or _same_person(person, p))]
        best = max(rivals, key=lambda p: len(articles[(role, p)]))  # max keeps the first
        if best != person:
            spelling[(role, person)] = best
    return [
        replace(c, person=spelling[(c.role, c.person)], spelt=c.person)
        if (c.role, c.person) in spelling
        else c
        for c in kept
    ]


def build_sheet(credits: Sequence[Credit]) -> Sheet:
    """Credits grouped by role and person; a review's marker is its order of first credit."""
    numbers: dict[str, int] = {}
    entries: dict[tuple[str, str], SheetEntry] = {}
    articles: dict[str, ArticleRecord] = {}
    for credit in credits:
        marker = numbers.setdefault(credit.article.article_id, len(numbers) + 1)
        articles[credit.article.article_id] = credit.article
        entry = entries.setdefault(
            (credit.role, credit.person), SheetEntry(credit.role, credit.person)
        )
        entry.markers.add(marker)
        entry.bases.add(credit.basis)
        if credit.spelt and credit.spelt not in entry.variants:
            entry.variants.append(credit.spelt)
        if credit.character and credit.character not in entry.parts:
            entry.parts.append(credit.character)
    order = {role: n for n, role in enumerate(get_args(Role))}
    ranked = sorted(entries.values(), key=lambda e: order.get(e.role, len(order)))
    return Sheet(ranked, [(n, articles[a]) for a, n in numbers.items()])


def sheet_lines(film_label: str, credits: Sequence[Credit]) -> list[str]:
    """`filmchat film`: 'Director: Spike Jonze [1]' lines, then the numbered reviews."""
    if not credits:
        return [f"{film_label}: the reviews state no credits."]
    sheet = build_sheet(credits)
    lines = [film_label]
    for role in dict.fromkeys(entry.role for entry in sheet.entries):
        people = [e.label() for e in sheet.entries if e.role == role]
        lines.append(f"  {role.capitalize()}: {', '.join(people)}")
    lines.append("Sources")
    lines += [f"  [{n}] {article.meta.title} — {article.path}" for n, article in sheet.sources]
    return lines
