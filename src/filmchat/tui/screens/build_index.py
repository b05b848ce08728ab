"""Asked when there is no usable index: build it now (with progress in the chat) or later."""

from __future__ import annotations

from filmchat.tui.screens.confirm import ConfirmScreen


class BuildIndexScreen(ConfirmScreen):
    """Dismisses with True to build the index, False to carry on without it."""

    def __init__(self, problem: str, corpus: str) -> None:
        super().__init__(
            "Build the index?",
            [problem, f"filmchat can build it now from {corpus}; the chat stays usable meanwhile."],
            yes=("Build index", "build"),
            no=("Not now", "later"),
        )
