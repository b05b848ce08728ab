"""The conversation: questions, answers and notes, scrolled to follow the newest."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.note import NoteMessage
from filmchat.tui.widgets.question import QuestionMessage

WELCOME = (
    "Ask about the films in your reviews. Every answer quotes the reviews and cites "
    "them with [n]; the cited articles appear in the sources panel (ctrl+s).\n"
    "Type /help for commands, ctrl+p for the command palette."
)


class ChatLog(VerticalScroll, can_focus=False):
    """Holds the messages of the current conversation."""

    def compose(self) -> ComposeResult:
        yield Static(WELCOME, id="welcome", markup=False)

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
