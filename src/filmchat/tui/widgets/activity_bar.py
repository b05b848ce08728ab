"""A line above the prompt showing background work: the model loading, an index rebuild."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, LoadingIndicator, ProgressBar


class ActivityBar(Horizontal):
    """Hidden when idle; a spinner for open-ended work, a progress bar for counted work."""

    def compose(self) -> ComposeResult:
        yield LoadingIndicator(id="activity-spinner")
        yield Label(id="activity-text")
        yield ProgressBar(id="activity-progress", show_eta=False)

    def busy(self, text: str) -> None:
        """Open-ended work such as loading the model."""
        self.query_one("#activity-text", Label).update(text)
        self.query_one(ProgressBar).display = False
        self.query_one(LoadingIndicator).display = True
        self.add_class("-active")

    def progress(self, text: str, done: int, total: int | None) -> None:
        """Counted work such as embedding chunks; total None until it is known."""
        self.query_one("#activity-text", Label).update(text)
        bar = self.query_one(ProgressBar)
        bar.update(total=total, progress=done)
        bar.display = True
        self.query_one(LoadingIndicator).display = False
        self.add_class("-active")

    def idle(self) -> None:
        self.remove_class("-active")
