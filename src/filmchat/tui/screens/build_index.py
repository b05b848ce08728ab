"""Asked when there is no usable index: build it now (with progress in the chat) or later."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class BuildIndexScreen(ModalScreen[bool]):
    """Dismisses with True to build the index, False to carry on without it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(False)", "Not now", id="build-later")
    ]

    def __init__(self, problem: str, corpus: str) -> None:
        super().__init__()
        self.problem = problem
        self.corpus = corpus

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Build the index?", id="dialog-title")
            yield Static(self.problem, markup=False)
            yield Static(
                f"filmchat can build it now from {self.corpus}; the chat stays usable meanwhile.",
                markup=False,
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Build index", variant="primary", id="build")
                yield Button("Not now", id="later")

    def on_mount(self) -> None:
        self.query_one("#build", Button).focus()

    @on(Button.Pressed)
    def choose(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "build")
