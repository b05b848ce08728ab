"""A yes/no question in a dialog: build the index now, overwrite an existing export."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True for the first button, False for the second or Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Cancel", id="dialog-cancel")
    ]

    def __init__(
        self,
        title: str,
        lines: list[str],
        yes: tuple[str, str] = ("Yes", "yes"),
        no: tuple[str, str] = ("No", "no"),
    ) -> None:
        """`yes` and `no` are (label, id) of the two buttons."""
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            for line in self.lines:
                yield Static(line, markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.yes[0], variant="primary", id=self.yes[1])
                yield Button(self.no[0], id=self.no[1])

    def on_mount(self) -> None:
        self.query_one(f"#{self.yes[1]}", Button).focus()

    @on(Button.Pressed)
    def choose(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == self.yes[1])
