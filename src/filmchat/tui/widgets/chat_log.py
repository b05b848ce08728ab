"""The conversation: questions, answers and notes, scrolled to follow the newest."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.note import NoteMessage
from filmchat.tui.widgets.question import QuestionMessage

WELCOME = (
    "Ask about the films in your reviews. Every answer quotes the reviews and cites "
    "them with [n]; {where}.\n"
    "Type /help for commands, ctrl+p for the command palette."
)
WHERE_CITED = {  # the chat's CSS shows the one true at the width (the panel hides below 100)
    "wide": "the cited articles appear in the sources panel (ctrl+s hides it)",
    "narrow": "the cited articles are listed under each answer (ctrl+s shows them beside it)",
}


class ChatLog(VerticalScroll, can_focus=False):
    """Holds the messages of the current conversation."""

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome"):
            for width, where in WHERE_CITED.items():
                yield Static(WELCOME.format(where=where), classes=f"welcome-{width}", markup=False)

    def on_mount(self) -> None:
        self.anchor()

    async def add_question(self, question: str) -> QuestionMessage:
        widget = QuestionMessage(question)
        await self._add(widget)
        return widget

    async def add_answer(self, waiting: str) -> AnswerMessage:
        widget = AnswerMessage(waiting)
        await self._add(widget)
        return widget

    async def add_note(self, markdown: str) -> NoteMessage:
        widget = NoteMessage(markdown)
        await self._add(widget)
        return widget

    async def _add(self, widget: Static | AnswerMessage | NoteMessage) -> None:
        self.query_one("#welcome").display = False
        await self.mount(widget)
        self.anchor()

    async def clear(self) -> None:
        await self.query("QuestionMessage, AnswerMessage, NoteMessage").remove()
        self.query_one("#welcome").display = True

    def answers(self) -> list[AnswerMessage]:
        return list(self.query(AnswerMessage))
