"""The top line: the film in scope, how answers are written, and what the index holds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label


class StatusHeader(Horizontal):
    """'filmchat │ Film: Her (2013) │ extractive │ 1 film · 5 articles · 42 passages'.

    With no film in scope: 'All films · last answer: Moon', the film the last answer was about.
    """

    scope: reactive[str | None] = reactive(None)
    about: reactive[str | None] = reactive(None)
    mode: reactive[str] = reactive("extractive")
    corpus: reactive[str] = reactive("reading the index…")

    def compose(self) -> ComposeResult:
        yield Label("filmchat", id="app-name")
        yield Label(id="scope")
        yield Label(id="mode")
        yield Label(id="corpus")

    def watch_scope(self) -> None:
        self._show_scope()

    def watch_about(self) -> None:
        self._show_scope()

    def _show_scope(self) -> None:
        if self.scope:
            text = f"Film: {self.scope}"
        else:
            text = "All films" + (f" · last answer: {self.about}" if self.about else "")
        self.query_one("#scope", Label).update(text)

    def watch_mode(self, mode: str) -> None:
        self.query_one("#mode", Label).update(mode)

    def watch_corpus(self, corpus: str) -> None:
        self.query_one("#corpus", Label).update(corpus)
