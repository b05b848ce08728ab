"""One cited article in the sources panel: [n] title, film and byline, the quoted passage."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from filmchat.models import Citation
from filmchat.tui.render import byline


class SourceCard(Static):
    """A citation card; highlighted (class -selected) when its marker is the selected one."""

    class Clicked(Message):
        def __init__(self, marker: int) -> None:
            super().__init__()
            self.marker = marker

    def __init__(self, citation: Citation) -> None:
        super().__init__(self._content(citation), id=f"source-{citation.marker}")
        self.citation = citation

    @staticmethod
    def _content(citation: Citation) -> Text:
        text = Text()
        text.append(f"[{citation.marker}] ", style="bold")
        text.append(citation.title, style="bold")
        who = byline(citation)
        if who:
            text.append(f"\n{who}", style="dim")
        if citation.quote:
            text.append(f"\n“{citation.quote}”", style="italic")
        text.append(f"\n{citation.path}", style="dim")
        return text

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.citation.marker))
