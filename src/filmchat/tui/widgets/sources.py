"""The sources panel: the cards of the articles the selected answer cites."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from filmchat.models import Answer
from filmchat.tui.widgets.source_card import SourceCard

EMPTY = "The articles an answer cites appear here, with the passage it quotes."


class SourcesPanel(VerticalScroll, can_focus=False):
    """Shows one answer's citations; `select` highlights one card and scrolls to it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.answer: Answer | None = None

    def compose(self) -> ComposeResult:
        yield Label("Sources", id="sources-title")
        yield Static(EMPTY, id="sources-empty")

    async def show(self, answer: Answer | None, selected: int | None = None) -> None:
        if answer is not self.answer:
            self.answer = answer
            await self.query(SourceCard).remove()
            cards = [SourceCard(c) for c in answer.citations] if answer else []
            self.query_one("#sources-empty").display = not cards
            title = "Sources" if answer is None or answer.answered else "Nearest articles"
            self.query_one("#sources-title", Label).update(title)
            await self.mount_all(cards)
        self.select(selected)

    def select(self, marker: int | None) -> None:
        for card in self.query(SourceCard):
            card.set_class(card.citation.marker == marker, "-selected")
            if card.citation.marker == marker:
                self.scroll_to_widget(card, animate=False)
