"""Answers as text: Markdown for the conversation, plain text for the clipboard, and exports.

Only formatting lives here; what an answer says and cites comes from the answering layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from filmchat.errors import FilmchatError
from filmchat.models import Answer, AnswerSentence, Citation
from filmchat.wording import counted

if TYPE_CHECKING:
    from filmchat.answer import Credit

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_ENDS_SENTENCE = re.compile(r"[.!?…:;][\"'”’)\]]*$")
MARKER_SCHEME = "cite:"
UNCITED = "(uncited)"


def escape(text: str) -> str:
    """Review text shown as Markdown must not turn into headings, links or emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def marker_links(markers: Sequence[int], active: int | None = None) -> str:
    """`[n]` markers as links, so clicking one highlights its source card.

    The active marker is written as inline code instead (it is already selected): answers
    never contain code (review text is escaped), so the chat's CSS styles it as the highlight.
    """
    return "".join(
        f"`[{m}]`" if m == active else f"[\\[{m}\\]]({MARKER_SCHEME}{m})" for m in markers
    )


def answer_fragments(answer: Answer, active: int | None = None) -> list[str]:
    """The answer's Markdown in reveal order: its note on the scope or the collection first,
    then one fragment per sentence (per film, across films)."""
    fragments = _text_fragments(answer, active)
    return [f"_{escape(answer.note)}_\n\n", *fragments] if answer.note else fragments


def _text_fragments(answer: Answer, active: int | None) -> list[str]:
    if not answer.answered:
        markers = [c.marker for c in answer.citations]
        nearest = f" Nearest articles: {marker_links(markers, active)}."
        return [f"_{escape(answer.message)}_" + (nearest if answer.citations else "")]
    cited = [_cited(sentence, active) for sentence in answer.sentences]
    by_film = films_of(answer)
    if len(by_film) > 1:
        # across the collection: one line per film, so no film's sentence reads as another's
        return [
            f"- **{escape(film or 'Other reviews')}** — "
            + " ".join(cited[n] for n in positions)
            + "\n"
            for film, positions in by_film.items()
        ]
    if answer.listing:
        return [f"- {text}\n" for text in cited]
    return [
        (separator(answer.sentences[n - 1].text, "  \n") if n else "") + text
        for n, text in enumerate(cited)
    ]


def _cited(sentence: AnswerSentence, active: int | None) -> str:
    if sentence.grounded:
        return f"{escape(sentence.text)} {marker_links(sentence.markers, active)}".rstrip()
    # a generated sentence no passage backs; the chat's CSS shows ~~ as dim, not struck
    return f"~~{escape(sentence.text)} {UNCITED}~~"


def films_of(answer: Answer) -> dict[str | None, list[int]]:
    """Positions of an unscoped answer's sentences by the film their citations review.

    Empty for an answer scoped to one film: only answers across the collection are split.
    """
    if answer.film:
        return {}
    film_of = {c.marker: c.film for c in answer.citations}
    groups: dict[str | None, list[int]] = {}
    for n, sentence in enumerate(answer.sentences):
        film = next((film_of[m] for m in sentence.markers if film_of.get(m)), None)
        groups.setdefault(film, []).append(n)
    return groups


def separator(previous: str, line_break: str) -> str:
    """What follows a sentence in prose: a space, or a line break after a quoted list item.

    A list item without a full stop ('… the voice of Samantha') would otherwise run into the
    next sentence and read as one.
    """
    return " " if _ENDS_SENTENCE.search(previous) else line_break


def prose(answer: Answer, cited: Sequence[str], line_break: str) -> str:
    """Cited sentences joined as the answer reads: one item a line for lists, else a paragraph."""
    if answer.listing:
        return "\n".join(f"- {part}" for part in cited)
    joined = cited[0] if cited else ""
    for sentence, part in zip(answer.sentences[:-1], cited[1:], strict=False):
        joined += separator(sentence.text, line_break) + part
    return joined


def answer_markdown(answer: Answer, active: int | None = None) -> str:
    return "".join(answer_fragments(answer, active))


def answer_film(answer: Answer) -> str | None:
    """The film an answer is about (see `Answer.about`)."""
    return answer.about


def byline(citation: Citation) -> str:
    """'Her (2013) · Jane Doe / example.com': film, then author and site where known."""
    who = " / ".join(part for part in (citation.author, citation.site) if part)
    return " · ".join(part for part in (citation.film, who) if part)


def reference(citation: Citation) -> str:
    """A reference without its number: title, film and byline, corpus path."""
    who = byline(citation)
    return citation.title + (f" — {who}" if who else "") + f" ({citation.path})"


def answer_with_references(answer: Answer) -> str:
    """What `y` copies: the answer with its [n] markers, then the numbered references."""
    cited = [f"{s.text} {''.join(f'[{m}]' for m in s.markers)}".strip() for s in answer.sentences]
    lines = [prose(answer, cited, "\n") if answer.answered else answer.message]
    if answer.citations:
        heading = "References:" if answer.answered else "Nearest articles:"
        lines += ["", heading, *(f"[{c.marker}] {reference(c)}" for c in answer.citations)]
    return "\n".join(lines)


def export_markdown(answers: Sequence[Answer]) -> str:
    """A conversation as Markdown, markers renumbered into one reference list for the whole."""
    numbers: dict[str, int] = {}
    cited: list[Citation] = []
    parts = ["# filmchat conversation", ""]
    for answer in answers:
        local: dict[int, int] = {}
        for citation in answer.citations:
            if citation.article_id not in numbers:
                numbers[citation.article_id] = len(numbers) + 1
                cited.append(citation)
            local[citation.marker] = numbers[citation.article_id]
        parts += [f"## {escape(answer.question)}", ""]
        film = answer_film(answer)
        if film:
            parts += [f"_Film: {escape(film)}_", ""]
        if answer.answered:
            sentences = [
                f"{escape(s.text)} "
                + ("".join(f"[{local.get(m, m)}]" for m in s.markers) if s.grounded else UNCITED)
                for s in answer.sentences
            ]
            parts += [prose(answer, [s.rstrip() for s in sentences], "  \n"), ""]
        else:
            parts += [f"_{escape(answer.message)}_", ""]
    if cited:
        parts += ["## References", ""]
        parts += [f"{n}. {escape(reference(c))}" for n, c in enumerate(cited, start=1)]
        parts.append("")
    return "\n".join(parts)


def fact_sheet_markdown(film: str, credits: Sequence[Credit]) -> str:
    """`/about`: a film's credits by role, each cited by the reviews that state it (the
    grouping is `filmchat.facts_sheet`'s; only formatting is here)."""
    from filmchat.facts_sheet import build_sheet

    if not credits:
        return f"**{escape(film)}**: its reviews state no credits filmchat can cite."
    sheet = build_sheet(credits)
    lines = [f"**{escape(film)}** — fact sheet from {counted(len(sheet.sources), 'review')}:", ""]
    for role in dict.fromkeys(entry.role for entry in sheet.entries):
        people = [escape(e.label()) for e in sheet.entries if e.role == role]
        lines.append(f"- **{role.capitalize()}:** {' · '.join(people)}")
    lines += ["", "**References**", ""]
    for n, article in sheet.sources:
        meta = article.meta
        by = " / ".join(part for part in (meta.author, meta.site) if part)
        lines.append(
            f"{n}. {escape(meta.title)}"
            + (f" — {escape(by)}" if by else "")
            + f" (`{article.path}`)"
        )
    return "\n".join(lines)


def one_line(exc: BaseException) -> str:
    """A FilmchatError's own message; anything else as type and first line, never a traceback."""
    if isinstance(exc, FilmchatError):
        return str(exc)
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
