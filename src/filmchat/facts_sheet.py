"""A film's fact sheet as people read it: credits by role, each with its numbered source."""

from __future__ import annotations

from filmchat.conversation import Engine
from filmchat.films import Film

ROLE_NAMES = {
    "director": "Director",
    "writer": "Writer",
    "cast": "Cast",
    "composer": "Music",
    "cinematographer": "Cinematography",
    "editor": "Editing",
    "producer": "Producer",
}


def _entry(person: str, parts: list[str], marks: set[int]) -> str:
    """'Scarlett Johansson (Samantha) [1][3]'."""
    played = f" ({', '.join(parts)})" if parts else ""
    return f"{person}{played} " + "".join(f"[{m}]" for m in sorted(marks))


def sheet_lines(engine: Engine, film: Film) -> list[str]:
    """'Director: Spike Jonze [1]' lines, then the numbered articles with the quoted sentence
    behind each credit, so every fact can be checked where it was read."""
    credits = engine.credits(film)
    if not credits:
        return [f"{film.label}: the reviews state no credits."]
    markers: dict[str, int] = {}
    # role → person → (the parts they play, the articles that say so)
    by_role: dict[str, dict[str, tuple[list[str], set[int]]]] = {}
    for credit in credits:
        marker = markers.setdefault(credit.article.article_id, len(markers) + 1)
        parts, marks = by_role.setdefault(credit.role, {}).setdefault(credit.person, ([], set()))
        marks.add(marker)
        if credit.character and credit.character not in parts:
            parts.append(credit.character)
    lines = [film.label]
    for role, name in ROLE_NAMES.items():
        people = by_role.get(role, {})
        listed = [_entry(person, parts, marks) for person, (parts, marks) in people.items()]
        if listed:
            lines.append(f"  {name}: {', '.join(listed)}")
    lines.append("Sources")
    articles = {c.article.article_id: c.article for c in credits}
    for article_id, marker in markers.items():
        article = articles[article_id]
        lines.append(f"  [{marker}] {article.meta.title} — {article.path}")
    return lines
