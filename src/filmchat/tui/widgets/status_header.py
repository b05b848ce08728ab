"""The top line: which film the conversation is scoped to and what the index holds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label


class StatusHeader(Horizontal):
    """'filmchat │ Film: Her (2013) │ 1 film · 5 articles · 42 passages'."""

    scope: reactive[str | None] = reactive(None)
    corpus: reactive[str] = reactive("reading the index…")

    def compose(self) -> ComposeResult:
        yield Label("filmchat", id="app-name")
        yield Label(id="scope")
        yield Label(id="corpus")

    def watch_scope(self, scope: str | None) -> None:
        self.query_one("#scope", Label).update(f"Film: {scope}" if scope else "All films")

    def watch_corpus(self, corpus: str) -> None:
        self.query_one("#corpus", Label).update(corpus)
