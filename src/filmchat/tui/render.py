"""Answers as text: Markdown for the conversation, plain text for the clipboard, and exports.

Only formatting lives here; what an answer says and cites comes from the answering layer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from filmchat.errors import FilmchatError
from filmchat.models import Answer, Citation

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
    """The answer's Markdown in reveal order: one fragment per sentence."""
    if not answer.answered:
        markers = [c.marker for c in answer.citations]
        nearest = f" Nearest articles: {marker_links(markers, active)}."
        return [f"_{escape(answer.message)}_" + (nearest if answer.citations else "")]
    fragments = []
    for n, sentence in enumerate(answer.sentences):
        if sentence.grounded:
            text = f"{escape(sentence.text)} {marker_links(sentence.markers, active)}".rstrip()
        else:
            # a generated sentence no passage backs; the chat's CSS shows ~~ as dim, not struck
            text = f"~~{escape(sentence.text)} {UNCITED}~~"
        if answer.listing:
            fragments.append(f"- {text}\n")
        else:
            before = "" if n == 0 else separator(answer.sentences[n - 1].text, "  \n")
            fragments.append(before + text)
    return fragments


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
    """The film an answer is about: its scope, else the film its cited articles review.

    An answer asked across the collection may quietly come from one film's reviews; naming
    that film keeps the reader from taking it for the other films' answer.
    """
    if answer.film:
        return answer.film
    films = list(dict.fromkeys(c.film for c in answer.citations if c.film))
    if len(films) > 1:
        return f"{len(films)} films: {', '.join(films)}"
    return films[0] if films else None


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


def one_line(exc: BaseException) -> str:
    """A FilmchatError's own message; anything else as type and first line, never a traceback."""
    if isinstance(exc, FilmchatError):
        return str(exc)
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
