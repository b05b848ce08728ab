"""Output of slash commands (/help, /films, /sources) shown inside the conversation."""

from __future__ import annotations

from textual.widgets import Markdown


class NoteMessage(Markdown):
    """A Markdown note from filmchat itself, styled apart from answers."""
