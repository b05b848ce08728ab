"""The prompt: questions and slash commands, with up/down recalling earlier questions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.suggester import SuggestFromList
from textual.widgets import Input

PLACEHOLDER = "Ask about a film, or type / for commands (/help)"


class Prompt(Input):
    """An Input that remembers what was asked, like a shell."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # enter typed while filmchat starts reaches it as a newline (ctrl+j): the terminal
        # was not in raw mode yet and turned the carriage return into a line feed
        Binding("ctrl+j", "submit", "Ask", show=False),
        Binding(
            "up",
            "recall(-1)",
            "Previous question",
            id="recall-previous",
            show=False,
            tooltip="Put the previous question back in the prompt",
        ),
        Binding(
            "tab",
            "screen.newest_answer",
            "Answers",
            id="to-newest-answer",
            show=False,
            tooltip="Go to the newest answer (shift+tab and tab then move between answers)",
        ),
        Binding(
            "down",
            "recall(1)",
            "Next question",
            id="recall-next",
            show=False,
            tooltip="Put the next question back in the prompt",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        # select_on_focus would make the next key replace a draft the user came back to
        super().__init__(placeholder=PLACEHOLDER, id=id, select_on_focus=False)
        self.asked: list[str] = []
        self._position = 0
        self._draft = ""

    def remember(self, text: str) -> None:
        """Add a question to the recall list (not twice in a row) and reset the position."""
        if text and (not self.asked or self.asked[-1] != text):
            self.asked.append(text)
        self._position = len(self.asked)

    def restore(self, text: str) -> None:
        """Give text back to edit, cursor at its end; a different draft stays one ↑ away."""
        draft = self.value.strip()
        if draft and draft != text.strip():
            self.remember(draft)
        self.value = text
        self.cursor_position = len(text)
        self.focus()

    def type_in(self, text: str) -> None:
        """Keys typed elsewhere on the screen land here, at the cursor."""
        self.focus()
        self.insert_text_at_cursor(text)

    def _on_paste(self, event: events.Paste) -> None:
        """Several pasted lines become one question, in order, and the user is told so.

        A one-line prompt would otherwise keep only the first line, silently.
        """
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if len(lines) < 2:
            super()._on_paste(event)
            return
        event.stop()
        event.prevent_default()  # Input's own handler would paste the first line again
        self.insert_text_at_cursor(" ".join(lines))
        self.notify(f"Pasted {len(lines)} lines as one question; edit it or press enter to ask.")

    def set_completions(self, completions: Iterable[str]) -> None:
        """Slash commands and film titles, offered as inline suggestions."""
        self.suggester = SuggestFromList(list(completions), case_sensitive=False)

    def action_recall(self, step: int) -> None:
        if not self.asked:
            return
        if self._position == len(self.asked):
            self._draft = self.value
        self._position = max(0, min(len(self.asked), self._position + step))
        self.value = self.asked[self._position] if self._position < len(self.asked) else self._draft
        self.cursor_position = len(self.value)
