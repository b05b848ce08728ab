"""An answer in the conversation: Markdown with clickable [n] markers, revealed by sentence.

A generated answer first streams in as the model's unchecked draft, then the checked answer
(invalid citations removed, markers renumbered, uncited sentences flagged) replaces it.
Under it, its numbered references: the chat's CSS shows them whenever the sources panel is
hidden, so at any width a reader sees where every answer came from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from filmchat.models import Answer, Citation
from filmchat.tui.render import (
    MARKER_SCHEME,
    answer_film,
    answer_fragments,
    answer_markdown,
    escape,
    films_of,
    reference,
)


class ReferenceLine(Static):
    """'[n] title — film · author / site (path)' under an answer; -selected when active."""

    def __init__(self, citation: Citation) -> None:
        super().__init__(f"[{citation.marker}] {reference(citation)}", markup=False)
        self.citation = citation

    def on_click(self) -> None:
        answer = next(a for a in self.ancestors if isinstance(a, AnswerMessage))
        answer.select(self.citation.marker)


class AnswerMessage(Vertical, can_focus=True):
    """One answer; focusing it (or clicking a marker) shows its sources in the panel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left",
            "step_source(-1)",
            "Prev source",
            id="previous-source",
            tooltip="Highlight the source card of the previous [n] marker",
        ),
        Binding(
            "right",
            "step_source(1)",
            "Next source",
            id="next-source",
            tooltip="Highlight the source card of the next [n] marker",
        ),
        Binding(
            "escape",
            "screen.focus_prompt",
            "Back to prompt",
            id="back-to-prompt",
            tooltip="Leave the answer and type in the prompt again",
        ),
    ]

    selected: reactive[int | None] = reactive(None)

    class Selected(Message):
        """This answer (and maybe one of its markers) is what the sources panel should show."""

        def __init__(self, message: AnswerMessage, marker: int | None) -> None:
            super().__init__()
            self.message = message
            self.marker = marker

    def __init__(self, waiting: str = "Searching the reviews…") -> None:
        super().__init__()
        self.answer: Answer | None = None
        self._waiting = waiting
        self._draft: MarkdownStream | None = None
        self._complete = False  # fully rendered: re-rendering cannot cut a reveal short

    def compose(self) -> ComposeResult:
        yield Label(self._waiting, classes="answer-status")
        yield Label(classes="answer-film")
        yield Markdown(open_links=False)
        yield Vertical(classes="references")

    def set_waiting(self, text: str) -> None:
        self.query_one(".answer-status", Label).update(text)

    async def draft(self, delta: str) -> None:
        """Append the model's next words, literally: its [n] are not checked yet."""
        if self._draft is None:
            self.query_one(".answer-status").display = False
            self.add_class("-draft")
            self._draft = Markdown.get_stream(self.query_one(Markdown))
        await self._draft.write(escape(delta))

    async def end_draft(self) -> None:
        """The model stopped (finished, failed or cancelled): flush what it wrote."""
        if self._draft is not None:
            await self._draft.stop()
            self._draft = None
            self.remove_class("-draft")

    async def reveal(self, answer: Answer, delay: float, cancelled: Callable[[], bool]) -> bool:
        """Show the answer one sentence at a time, replacing any draft; False if cancelled."""
        self.answer = answer
        self.set_class(not answer.answered, "-refusal")
        markdown = self.query_one(Markdown)
        self.query_one(".answer-status").display = False
        await self.end_draft()
        if markdown.source:
            await markdown.update("")
        stream = Markdown.get_stream(markdown)
        try:
            for fragment in answer_fragments(answer):
                if cancelled():
                    return False
                await stream.write(fragment)
                await asyncio.sleep(delay)
        finally:
            await stream.stop()
        if cancelled():
            return False
        # one final full render: a stream may leave the last block half parsed (oterm #308)
        await markdown.update(answer_markdown(answer, self.selected))
        await self._show_references(answer)
        self._name_film(answer)
        self._complete = True
        self.post_message(self.Selected(self, None))
        return True

    async def show(self, answer: Answer) -> None:
        """Render at once: reopened conversations."""
        self.answer = answer
        self.set_class(not answer.answered, "-refusal")
        self.query_one(".answer-status").display = False
        await self.query_one(Markdown).update(answer_markdown(answer, self.selected))
        await self._show_references(answer)
        self._name_film(answer)
        self._complete = True

    def _name_film(self, answer: Answer) -> None:
        """Asked with no film in scope: say which film the answer is about."""
        # scoped to a film, or already one line per film: nothing to add
        film = None if answer.film or len(films_of(answer)) > 1 else answer_film(answer)
        label = self.query_one(".answer-film", Label)
        label.update(f"About {film}" if film else "")
        label.display = film is not None

    async def _show_references(self, answer: Answer) -> None:
        references = self.query_one(".references", Vertical)
        await references.remove_children()
        await references.mount_all(ReferenceLine(c) for c in answer.citations)
        self._highlight(self.selected)

    @property
    def markers(self) -> list[int]:
        return [c.marker for c in self.answer.citations] if self.answer else []

    def on_focus(self) -> None:
        if self.answer:
            self.post_message(self.Selected(self, self.selected))

    @on(Markdown.LinkClicked)
    def marker_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        if event.href.startswith(MARKER_SCHEME) and event.href[len(MARKER_SCHEME) :].isdigit():
            self.select(int(event.href[len(MARKER_SCHEME) :]))

    def select(self, marker: int | None) -> None:
        self.selected = marker
        self.post_message(self.Selected(self, marker))

    async def watch_selected(self, marker: int | None) -> None:
        """The active [n] is highlighted in the text and in the references under it."""
        self._highlight(marker)
        if self.answer is not None and self._complete:
            await self.query_one(Markdown).update(answer_markdown(self.answer, marker))

    def _highlight(self, marker: int | None) -> None:
        for line in self.query(ReferenceLine):
            line.set_class(line.citation.marker == marker, "-selected")

    def action_step_source(self, step: int) -> None:
        markers = self.markers
        if not markers:
            return
        if self.selected not in markers:
            self.select(markers[0] if step > 0 else markers[-1])
            return
        position = (markers.index(self.selected) + step) % len(markers)
        self.select(markers[position])
