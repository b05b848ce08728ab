"""Past conversations, most recent first; choosing one reopens it with its sources."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from filmchat.tui.history import SavedConversation
from filmchat.wording import counted


class HistoryScreen(ModalScreen[int | None]):
    """Dismisses with the chosen conversation's id, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="close-history")
    ]

    def __init__(self, conversations: list[SavedConversation]) -> None:
        super().__init__()
        self.conversations = conversations

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Past conversations", id="dialog-title")
            options = [
                Option(
                    Text(
                        f"{c.title}\n  {c.film or 'all films'} · {counted(c.turns, 'answer')} · "
                        f"{c.updated[:16].replace('T', ' ')}"
                    ),
                    id=str(c.id),
                )
                for c in self.conversations
            ]
            yield OptionList(*options, id="history-list")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id) if event.option.id else None)
