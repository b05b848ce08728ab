"""A film's fact sheet as people read it: credits by role, each person once with the parts
they play, and the numbered reviews that state each credit. Interfaces only format it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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

    def label(self) -> str:
        played = f" ({', '.join(self.parts)})" if self.parts else ""
        inferred = " (implied)" if self.bases == {"implied"} else ""
        return f"{self.person}{played}{inferred} " + "".join(f"[{m}]" for m in sorted(self.markers))


@dataclass
class Sheet:
    entries: list[SheetEntry]  # roles in the order of `facts.Role`, people as first credited
    sources: list[tuple[int, ArticleRecord]]  # marker → the review


def build_sheet(credits: Sequence[Credit]) -> Sheet:
    """Credits grouped by role and person; a review's marker is its order of first credit."""
    numbers: dict[str, int] = {}
    entries: dict[tuple[str, str], SheetEntry] = {}
    articles: dict[str, ArticleRecord] = {}
    stated_roles = {c.role for c in credits if c.basis != "implied"}
    for credit in [c for c in credits if c.basis != "implied" or c.role not in stated_roles]:
        marker = numbers.setdefault(credit.article.article_id, len(numbers) + 1)
        articles[credit.article.article_id] = credit.article
        entry = entries.setdefault(
            (credit.role, credit.person), SheetEntry(credit.role, credit.person)
        )
        entry.markers.add(marker)
        entry.bases.add(credit.basis)
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
