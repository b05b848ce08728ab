"""The chat screen: conversation and sources side by side, the prompt below, slash commands."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker

from filmchat.errors import FilmchatError
from filmchat.models import Answer
from filmchat.tui.commands import BY_NAME, COMMANDS, parse
from filmchat.tui.render import answer_with_references, escape, export_markdown, one_line
from filmchat.tui.screens.curation import CurationCommands
from filmchat.tui.widgets.activity_bar import ActivityBar
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.chat_log import ChatLog
from filmchat.tui.widgets.prompt import Prompt
from filmchat.tui.widgets.question import QuestionMessage
from filmchat.tui.widgets.source_card import SourceCard
from filmchat.tui.widgets.sources import SourcesPanel
from filmchat.tui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from filmchat.conversation import Conversation
    from filmchat.llm import AnswerStream
    from filmchat.tui.app import FilmchatApp


@dataclass
class Request:
    """A question on its way to an answer; Esc sets `cancelled` and the answer is dropped.

    Read from the answer's thread too: a streaming model answer stops at its next words.
    """

    question: str
    question_widget: QuestionMessage
    answer_widget: AnswerMessage
    started: bool = False
    cancelled: bool = False


class ChatScreen(CurationCommands, Screen[None]):
    """Questions go to the answering layer in a worker; answers and their sources are shown."""

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="cancel-answer",
            tooltip="Stop the running answer and put the question back in the prompt",
        ),
        Binding(
            "ctrl+s",
            "toggle_sources",
            "Sources",
            id="toggle-sources",
            tooltip="Show or hide the sources panel",
        ),
        Binding("ctrl+l", "clear", "Clear", id="clear", tooltip="Start a new conversation"),
        Binding(
            "y",
            "copy_answer",
            "Copy answer",
            id="copy-answer",
            tooltip="Copy the selected (else the last) answer with its references",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation: Conversation | None = None
        self.answers: list[Answer] = []
        self.history_id: int | None = None
        self._request: Request | None = None
        self.replay_questions: list[str] = []
        self.shown: AnswerMessage | None = None
        self.restoring: Worker[None] | None = None

    @property
    def request(self) -> Request | None:
        """The question being answered (or waiting for the model), if any."""
        return self._request

    @request.setter
    def request(self, request: Request | None) -> None:
        self._request = request
        self.refresh_bindings()

    @property
    def filmchat(self) -> FilmchatApp:
        return cast("FilmchatApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        with Horizontal(id="main"):
            yield ChatLog(id="chat-log")
            yield SourcesPanel(id="sources")
        yield ActivityBar()
        yield Prompt(id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Prompt).focus()
        self.update_completions([])
        self.filmchat.start()

    @property
    def header(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    @property
    def activity(self) -> ActivityBar:
        return self.query_one(ActivityBar)

    @property
    def log_view(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def prompt(self) -> Prompt:
        return self.query_one(Prompt)

    def update_completions(self, films: list[str]) -> None:
        commands = [f"/{c.name}" for c in COMMANDS]
        self.prompt.set_completions([*(f"/film {label}" for label in films), *commands])

    # --- engine life cycle (called by the app) ---------------------------------------------

    def engine_ready(self) -> None:
        """The index is open: start the conversation and answer a question typed meanwhile."""
        engine = self.filmchat.engine
        assert engine is not None
        if self.conversation is None:
            self.conversation = self.new_conversation()
            film = self.filmchat.start_film
            if film:
                try:
                    self.conversation.set_film(film)
                except FilmchatError as exc:
                    self.app.notify(f"{exc} Showing all films.", severity="warning", timeout=10)
            if self.replay_questions:
                self.restoring = self.restore_context(self.replay_questions)
        self.index_changed()
        if self.request is not None and not self.request.started:
            self.request.answer_widget.set_waiting("Searching the reviews…")
            self.start_answer(self.request)

    def new_conversation(self) -> Conversation:
        from filmchat.conversation import Conversation

        assert self.filmchat.engine is not None
        return Conversation(self.filmchat.engine, llm=self.filmchat.llm)

    def index_changed(self) -> None:
        """After a rebuild the film in scope is looked up again: it may have new articles."""
        engine = self.filmchat.engine
        self.update_completions(engine.films() if engine else [])
        if self.conversation is not None:
            self.rescope(self.conversation.film)
        self.header.scope = self.conversation.film if self.conversation else None

    def rescope(self, film: str | None) -> None:
        """Scope the conversation to `film` in the current catalogue, or to all films if gone."""
        assert self.conversation is not None
        try:
            self.conversation.set_film(film)
        except FilmchatError as exc:
            self.conversation.set_film(None)
            self.app.notify(f"{exc} Talking about all films.", severity="warning")

    # --- the prompt ------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    async def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        command = parse(text)
        if self.request is not None and (command is None or command[0] == "film"):
            self.app.notify(
                "Still answering the last question; Esc cancels it.", severity="warning"
            )
            return
        self.prompt.value = ""
        if command is not None:
            await self.run_command(*command)
            return
        self.prompt.remember(text)
        await self.ask(text)

    async def ask(self, question: str) -> None:
        question_widget = await self.log_view.add_question(question)
        if self.conversation is not None:
            waiting = "Searching the reviews…"
        elif self.filmchat.model_problem:
            waiting = "Cannot answer: the embedding model did not load (see the notification)."
        elif self.filmchat.index_problem:
            waiting = "Waiting for an index: build it with ctrl+r (/reindex)."
        else:
            waiting = "Waiting for the embedding model to load…"
        answer_widget = await self.log_view.add_answer(waiting)
        self.request = Request(question, question_widget, answer_widget)
        if self.conversation is not None:
            self.start_answer(self.request)

    def start_answer(self, request: Request) -> None:
        request.started = True
        self.answer(request)

    @work(group="answer", exit_on_error=False)
    async def answer(self, request: Request) -> None:
        """Retrieval and composition in a thread, then the answer revealed sentence by sentence.

        A generated answer has already streamed in as a draft: its checked version replaces
        the draft at once. Esc (LLMCancelled from the thread) leaves no turn behind.
        """
        if self.restoring is not None:
            await self.restoring.wait()
        assert self.conversation is not None
        trial = self.conversation.fork()
        try:
            try:
                answer = await asyncio.to_thread(
                    self.filmchat.ask,
                    trial,
                    request.question,
                    use_llm=self.filmchat.use_llm,
                    on_stream=partial(self.stream_draft, request),
                    warn=partial(self.warn_from_thread, request),
                )
            except Exception as exc:  # shown as one line; the conversation is unchanged
                if not request.cancelled:
                    self.app.notify(one_line(exc), title="No answer", severity="error")
                    self.prompt.value = request.question
                    request.cancelled = True
                return
            finally:
                await request.answer_widget.end_draft()
            if request.cancelled:
                return
            delay = 0.0 if answer.mode == "llm" else self.filmchat.reveal_delay
            shown = await request.answer_widget.reveal(answer, delay, lambda: request.cancelled)
            if not shown:
                return
            self.conversation = trial
            self.answers.append(answer)
            self.header.scope = trial.film
            self.save(answer)
        finally:
            if self.request is request:
                self.request = None
            if request.cancelled:
                await request.question_widget.remove()
                await request.answer_widget.remove()

    def stream_draft(self, request: Request, stream: AnswerStream) -> None:
        """Runs in the answer's thread: the model's words appear as they arrive; Esc stops them."""
        widget = request.answer_widget
        self.app.call_from_thread(widget.set_waiting, f"Writing the answer ({self.filmchat.mode})…")
        for delta in stream:
            if request.cancelled:
                stream.cancel()  # leaving the loop closes the connection; ask raises LLMCancelled
                break
            self.app.call_from_thread(widget.draft, delta)

    def warn_from_thread(self, request: Request, message: str) -> None:
        """The model failed and the extractive answer stands in: say why, unless cancelled."""
        if not request.cancelled:
            self.app.call_from_thread(
                self.app.notify, message, title="Model answer", severity="warning", timeout=10
            )

    def on_unmount(self) -> None:
        """Quitting mid-answer: a streaming thread must stop touching the widgets."""
        if self.request is not None:
            self.request.cancelled = True

    def save(self, answer: Answer) -> None:
        history = self.filmchat.history
        if history is None:
            return
        try:
            if self.history_id is None:
                self.history_id = history.start(answer.question, answer.film)
            history.add_turn(self.history_id, answer)
        except sqlite3.Error as exc:
            self.app.notify(
                f"Could not save to the chat history {history.path}: {exc}.", severity="warning"
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc appears in the footer only while there is an answer to cancel."""
        if action == "cancel":
            return self.request is not None
        return True

    def action_cancel(self) -> None:
        """Esc: drop the running answer and give the question back to edit."""
        request = self.request
        if request is None:
            return
        request.cancelled = True
        self.request = None
        request.question_widget.display = False
        request.answer_widget.display = False
        if not request.started:
            request.question_widget.remove()
            request.answer_widget.remove()
        self.prompt.value = request.question
        self.prompt.cursor_position = len(request.question)
        self.prompt.focus()
        self.app.notify("Answer cancelled; the question is back in the prompt.", timeout=3)

    # --- sources ---------------------------------------------------------------------------

    @on(AnswerMessage.Selected)
    async def answer_selected(self, event: AnswerMessage.Selected) -> None:
        self.shown = event.message
        await self.query_one(SourcesPanel).show(event.message.answer, event.marker)

    @on(SourceCard.Clicked)
    def card_clicked(self, event: SourceCard.Clicked) -> None:
        if self.shown is not None:
            self.shown.select(event.marker)

    def action_toggle_sources(self) -> None:
        visible = self.query_one(SourcesPanel).display
        self.set_class(visible, "-hide-sources")
        self.set_class(not visible, "-show-sources")

    def action_copy_answer(self) -> None:
        target = self.shown.answer if self.shown and self.shown.answer else None
        if target is None and self.answers:
            target = self.answers[-1]
        if target is None:
            self.app.notify("No answer to copy yet.")
            return
        self.app.copy_to_clipboard(answer_with_references(target))
        self.app.notify(f"Copied the answer to “{target.question}” with its references.", timeout=3)

    # --- conversations ---------------------------------------------------------------------

    async def action_clear(self) -> None:
        """A new conversation; the film scope stays, the old chat stays in history."""
        if self.request is not None:
            self.action_cancel()
        film = self.conversation.film if self.conversation else None
        if self.filmchat.engine is not None:
            self.conversation = self.new_conversation()
            self.rescope(film)
        self.answers = []
        self.history_id = None
        self.shown = None
        await self.log_view.clear()
        await self.query_one(SourcesPanel).show(None)
        self.prompt.value = ""

    async def reopen(self, conversation_id: int, answers: list[Answer]) -> None:
        """Show a past conversation as it was, sources included, and continue it."""
        await self.action_clear()
        self.history_id = conversation_id
        self.answers = list(answers)
        last: AnswerMessage | None = None
        for answer in answers:
            await self.log_view.add_question(answer.question)
            last = await self.log_view.add_answer("")
            await last.show(answer)
            self.prompt.remember(answer.question)
        if last is not None:
            self.shown = last
            await self.query_one(SourcesPanel).show(last.answer)
        questions = [a.question for a in answers]
        if self.filmchat.engine is None:
            self.replay_questions = questions
        else:
            self.conversation = self.new_conversation()
            self.restoring = self.restore_context(questions)
        self.header.scope = answers[-1].film if answers else None

    @work(group="answer", exit_on_error=False)
    async def restore_context(self, questions: list[str]) -> None:
        """Follow-ups in a reopened chat resolve against its earlier questions."""
        conversation = self.conversation
        assert conversation is not None
        self.replay_questions = []
        try:
            await asyncio.to_thread(self.filmchat.replay, conversation, questions)
        except Exception as exc:  # context is a nicety: the chat still works without it
            self.app.notify(f"Could not restore the conversation's context: {one_line(exc)}")
        self.header.scope = conversation.film

    # --- slash commands --------------------------------------------------------------------

    async def run_command(self, name: str, argument: str) -> None:
        command = BY_NAME.get(name)
        if command is None:
            self.app.notify(
                f"Unknown command /{name}; type /help for the list.", severity="warning"
            )
            return
        if command.needs_argument and not argument:
            self.app.notify(f"Usage: {command.usage}", severity="warning")
            self.prompt.value = f"/{name} "
            return
        await getattr(self, f"command_{name}")(argument)

    def palette_command(self, name: str, argument: str = "") -> None:
        """A command chosen in the palette: run it, or leave it in the prompt to complete."""
        command = BY_NAME[name]
        if command.needs_argument and not argument:
            self.prompt.value = f"/{name} "
            self.prompt.cursor_position = len(self.prompt.value)
            self.prompt.focus()
            return
        self.run_worker(self.run_command(name, argument), group="command")

    def _ready(self) -> Conversation | None:
        if self.conversation is None:
            self.app.notify(
                self.filmchat.index_problem or "The index is still loading; try again in a moment.",
                severity="warning",
            )
        return self.conversation

    async def command_film(self, argument: str) -> None:
        conversation = self._ready()
        if conversation is None:
            return
        if not argument:
            await self.command_films("")
            return
        try:
            label = conversation.set_film(None if argument.lower() == "all" else argument)
        except FilmchatError as exc:
            self.app.notify(str(exc), severity="warning", timeout=8)
            return
        self.header.scope = label
        self.app.notify(
            f"Talking about {label}." if label else "Talking about all films.", timeout=3
        )

    async def command_films(self, _: str) -> None:
        engine, status = self.filmchat.engine, self.filmchat.status
        if engine is None or status is None:
            self._ready()
            return
        current = self.conversation.film if self.conversation else None
        lines = ["**Films in the collection** (scope with `/film TITLE`, `/film all` for all):", ""]
        for label in engine.films():
            count = len(status.films.get(label, []))
            mark = " ← current" if label == current else ""
            lines.append(f"- {escape(label)} — {count} article{'s' if count != 1 else ''}{mark}")
        await self.log_view.add_note("\n".join(lines))

    async def command_sources(self, _: str) -> None:
        status = self.filmchat.status
        if status is None:
            self._ready()
            return
        lines = [f"**Articles in the collection** ({status.summary()}):", ""]
        for label, articles in status.films.items():
            lines.append(f"- **{escape(label)}**")
            for article in articles:
                by = article.meta.author or article.meta.site
                lines.append(
                    f"  - {escape(article.meta.title)}"
                    + (f" — {escape(by)}" if by else "")
                    + f" (`{article.path}`, {article.chunk_count} passages)"
                )
        await self.log_view.add_note("\n".join(lines))

    async def command_reindex(self, _: str) -> None:
        self.filmchat.action_reindex()

    async def command_clear(self, _: str) -> None:
        await self.action_clear()

    async def command_history(self, _: str) -> None:
        self.filmchat.action_history()

    async def command_llm(self, argument: str) -> None:
        settings = self.filmchat.settings
        choice = argument.lower()
        if choice not in ("", "on", "off"):
            self.app.notify("Usage: /llm [on|off]", severity="warning")
            return
        problem = self.filmchat.set_llm(choice == "on") if choice else None
        if problem:
            self.app.notify(
                f"{problem} Answers stay extractive.",
                title="Cannot use a model",
                severity="warning",
                timeout=10,
            )
            return
        if self.filmchat.use_llm:
            message = f"Answers are written by the model at {settings.llm_url}, citations checked."
        else:
            message = "Answers quote the reviews (extractive)."
            if not self.filmchat.llm_problem and not choice:
                message += " /llm on to use the model."
        self.app.notify(message, title=self.filmchat.mode, timeout=5)

    async def command_export(self, argument: str) -> None:
        if not self.answers:
            self.app.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        path = Path(argument).expanduser()
        if path.suffix.lower() != ".md":
            path = path.with_name(path.name + ".md")
        try:
            path.write_text(export_markdown(self.answers), encoding="utf-8")
        except OSError as exc:
            self.app.notify(
                f"Cannot write {path}: {exc.strerror or exc}. Choose another file.",
                title="Export failed",
                severity="error",
            )
            return
        self.app.notify(f"Saved the conversation to {path}.", title="Exported", timeout=5)

    async def command_help(self, _: str) -> None:
        lines = ["**Commands** (also in the command palette, ctrl+p):", ""]
        lines += [f"- `{c.usage}` — {c.help}" for c in COMMANDS]
        lines += [
            "",
            "**Keys:** enter ask · esc cancel an answer · ↑/↓ earlier questions · "
            "tab or shift+tab to an answer, then ←/→ through its sources · "
            "ctrl+s sources panel · ctrl+r reindex · ctrl+l clear · ctrl+o history · "
            "y copy the answer · ctrl+q quit",
        ]
        await self.log_view.add_note("\n".join(lines))
