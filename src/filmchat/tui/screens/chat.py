"""The chat screen: conversation and sources side by side, the prompt below, slash commands."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker

from filmchat.errors import FilmchatError
from filmchat.models import Answer
from filmchat.tui.commands import BY_NAME, COMMANDS, parse, path_argument
from filmchat.tui.render import (
    answer_film,
    answer_with_references,
    escape,
    export_markdown,
    fact_sheet_markdown,
    one_line,
)
from filmchat.tui.screens.confirm import ConfirmScreen
from filmchat.tui.screens.curation import CurationCommands
from filmchat.tui.session import (
    Activity,
    EngineReady,
    HistoryOpened,
    HistoryRequested,
    IndexChanged,
    ReindexRequested,
    Reopen,
    RunCommand,
    Session,
    StatusChanged,
    unindexed_hint,
)
from filmchat.tui.widgets.activity_bar import ActivityBar
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.chat_log import ChatLog
from filmchat.tui.widgets.prompt import Prompt
from filmchat.tui.widgets.question import QuestionMessage
from filmchat.tui.widgets.source_card import SourceCard
from filmchat.tui.widgets.sources import SourcesPanel
from filmchat.tui.widgets.status_header import StatusHeader
from filmchat.wording import counted

if TYPE_CHECKING:
    from filmchat.conversation import Conversation
    from filmchat.llm import AnswerStream


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
            "pageup",
            "scroll_log(-1)",
            "Scroll up",
            id="scroll-up",
            show=False,
            tooltip="Scroll the conversation up a page, from anywhere",
        ),
        Binding(
            "pagedown",
            "scroll_log(1)",
            "Scroll down",
            id="scroll-down",
            show=False,
            tooltip="Scroll the conversation down a page, from anywhere",
        ),
        Binding(
            "ctrl+y",
            "copy_answer",
            "Copy answer",
            id="copy-answer",
            tooltip="Copy the selected (else the last) answer with its references",
        ),
    ]

    def __init__(self, session: Session) -> None:
        """`session` is the app's: read here, written by the app, which says what changed."""
        super().__init__()
        self.session = session
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

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        with Horizontal(id="main"):
            yield ChatLog(id="chat-log")
            yield SourcesPanel(id="sources")
        yield ActivityBar()
        yield Prompt(id="prompt")
        yield Footer(compact=True)  # every key fits at 120 columns with an answer selected

    def on_mount(self) -> None:
        self.query_one(Prompt).focus()
        self.update_completions([])
        self.show_status()

    def on_key(self, event: events.Key) -> None:
        """Typing is never lost: a printable key pressed anywhere but the prompt goes to it.

        Handled before any binding is looked up, so no single-letter key can swallow typing.
        The prompt keeps the keys it gets (an Input stops them), so any printable key that
        reaches the screen was typed elsewhere, or before the prompt had focus (typed while
        filmchat started).
        """
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.prompt.type_in(event.character)

    async def action_focus_prompt(self) -> None:
        """Back to the prompt: the sources panel shows the newest answer's cards again."""
        self.prompt.focus()
        newest = [widget for widget in self.log_view.answers() if widget.answer is not None]
        if newest and newest[-1] is not self.shown:
            self.shown = newest[-1]
            await self.query_one(SourcesPanel).show(newest[-1].answer, newest[-1].selected)

    def action_newest_answer(self) -> None:
        """Tab from the prompt: the answer just read, not the first of the whole log."""
        answers = self.log_view.answers()
        if answers:
            answers[-1].focus()
        else:
            self.focus_next()

    def action_scroll_log(self, pages: int) -> None:
        if pages < 0:
            self.log_view.scroll_page_up()
        else:
            self.log_view.scroll_page_down()

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

    @on(Activity)
    def show_activity(self, event: Activity) -> None:
        if event.kind == "busy":
            self.activity.busy(event.text)
        elif event.kind == "progress":
            self.activity.progress(event.text, event.done, event.total)
        else:
            self.activity.idle()

    @on(StatusChanged)
    def show_status(self) -> None:
        self.header.mode = self.session.mode
        self.header.corpus = self.session.corpus_line

    @on(HistoryOpened)
    def recall_earlier_launches(self) -> None:
        """↑ recalls this corpus's questions from earlier launches too, as a shell does."""
        history = self.session.history
        try:
            earlier = history.questions() if history else []
        except sqlite3.Error:
            return  # recall is a nicety; the history dialog reports a broken file
        self.prompt.asked[:0] = [q for q in earlier if q not in self.prompt.asked[:1]]
        self.prompt.remember("")

    @on(EngineReady)
    def engine_ready(self) -> None:
        """The index is open: start the conversation and answer a question typed meanwhile."""
        engine = self.session.engine
        assert engine is not None
        if self.conversation is None:
            self.conversation = self.new_conversation()
            film = self.session.start_film
            if film:
                try:
                    self.conversation.set_film(film)
                except FilmchatError as exc:
                    self.app.notify(f"{exc} Showing all films.", severity="warning")
            if self.replay_questions:
                self.restoring = self.restore_context(self.replay_questions)
        self.index_changed()
        if self.request is not None and not self.request.started:
            self.request.answer_widget.set_waiting("Searching the reviews…")
            self.start_answer(self.request)

    def new_conversation(self) -> Conversation:
        return self.session.new_conversation()

    @on(IndexChanged)
    def index_changed(self) -> None:
        """After a rebuild the film in scope is looked up again: it may have new articles."""
        engine = self.session.engine
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
        elif self.session.model_problem:
            waiting = "Cannot answer: the embedding model did not load (see the notification)."
        elif self.session.index_problem:
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
        change = await asyncio.to_thread(self.session.catch_up)
        if change:  # `filmchat add` or `index` ran elsewhere: answer from the new index
            self.app.notify(change, title="Collection changed")
            self.show_status()
            self.index_changed()
        trial = self.conversation.fork()
        try:
            try:
                answer = await asyncio.to_thread(
                    self.session.ask,
                    trial,
                    request.question,
                    on_stream=partial(self.stream_draft, request),
                    warn=partial(self.warn_from_thread, request),
                )
                notes = [change] if change else []
                if not answer.answered and not answer.smalltalk:
                    waiting = await asyncio.to_thread(self.session.unindexed)
                    notes += [unindexed_hint(waiting)] if waiting else []
                if notes:
                    answer = answer.model_copy(
                        update={"note": " ".join([*notes, answer.note]).strip()}
                    )
            except Exception as exc:  # shown as one line; the conversation is unchanged
                if not request.cancelled:
                    self.app.notify(one_line(exc), title="No answer", severity="error")
                    self.prompt.restore(request.question)
                    request.cancelled = True
                return
            finally:
                await request.answer_widget.end_draft()
            if request.cancelled:
                return
            delay = 0.0 if answer.mode == "llm" else self.session.reveal_delay
            shown = await request.answer_widget.reveal(answer, delay, lambda: request.cancelled)
            if not shown:
                return
            self.conversation = trial
            self.answers.append(answer)
            self.header.scope = trial.film
            self.header.about = answer_film(answer)
            self.save(answer)
        finally:
            if self.request is request:
                self.request = None
            if request.cancelled and request.answer_widget.is_attached:
                await request.question_widget.remove()
                await request.answer_widget.remove()

    def stream_draft(self, request: Request, stream: AnswerStream) -> None:
        """Runs in the answer's thread: the model's words appear as they arrive; Esc stops them."""
        widget = request.answer_widget
        self.app.call_from_thread(widget.set_waiting, f"Writing the answer ({self.session.mode})…")
        for delta in stream:
            if request.cancelled:
                stream.cancel()  # leaving the loop closes the connection; ask raises LLMCancelled
                break
            self.app.call_from_thread(widget.draft, delta)

    def warn_from_thread(self, request: Request, message: str) -> None:
        """The model failed and the extractive answer stands in: say why, unless cancelled."""
        if not request.cancelled:
            self.app.call_from_thread(
                self.app.notify, message, title="Model answer", severity="warning"
            )

    def on_unmount(self) -> None:
        """Quitting mid-answer: a streaming thread must stop touching the widgets."""
        if self.request is not None:
            self.request.cancelled = True

    def save(self, answer: Answer) -> None:
        history = self.session.history
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
        # at once, not at the next sentence of the reveal: its worker's task ends here
        self.workers.cancel_group(self, "answer")
        # removed here: a worker cancelled while its thread waits (on the engine lock, say)
        # never reaches its own clean-up
        request.question_widget.remove()
        request.answer_widget.remove()
        self.prompt.restore(request.question)
        self.app.notify("Answer cancelled; the question is back in the prompt.")

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
        """A toggle holds at the width it was made at; at the other width the panel follows it."""
        self.toggle_class("-hide-sources" if self.has_class("-wide") else "-show-sources")

    def action_copy_answer(self) -> None:
        target = self.shown.answer if self.shown and self.shown.answer else None
        if target is None and self.answers:
            target = self.answers[-1]
        if target is None:
            self.app.notify("No answer to copy yet.")
            return
        self.app.copy_to_clipboard(answer_with_references(target))
        self.app.notify(f"Copied the answer to “{target.question}” with its references.")

    # --- conversations ---------------------------------------------------------------------

    async def action_clear(self) -> None:
        """A new conversation about all films (/film scopes it again); the old chat stays in
        history."""
        if self.request is not None:
            self.action_cancel()
        if self.session.engine is not None:
            self.conversation = self.new_conversation()
        self.answers = []
        self.history_id = None
        self.shown = None
        self.header.scope = None
        self.header.about = None
        await self.log_view.clear()
        await self.query_one(SourcesPanel).show(None)
        self.prompt.value = ""

    @on(Reopen)
    async def reopened(self, event: Reopen) -> None:
        await self.reopen(event.conversation_id, event.answers)

    async def reopen(self, conversation_id: int, answers: list[Answer]) -> None:
        """Show a past conversation as it was, sources included, and continue it."""
        await self.action_clear()
        self.history_id = conversation_id
        self.answers = list(answers)
        last: AnswerMessage | None = None
        opening = f"Opening the conversation ({counted(len(answers), 'answer')})"
        for number, answer in enumerate(answers, 1):
            self.activity.progress(opening, number - 1, len(answers))
            await self.log_view.add_question(answer.question)
            last = await self.log_view.add_answer("")
            await last.show(answer)
            self.prompt.remember(answer.question)
        self.activity.idle()
        if last is not None:
            self.shown = last
            await self.query_one(SourcesPanel).show(last.answer)
        questions = [a.question for a in answers]
        if self.session.engine is None:
            self.replay_questions = questions
        else:
            self.conversation = self.new_conversation()
            self.restoring = self.restore_context(questions)
        self.header.scope = answers[-1].film if answers else None
        self.header.about = answer_film(answers[-1]) if answers else None

    @work(group="answer", exit_on_error=False)
    async def restore_context(self, questions: list[str]) -> None:
        """Follow-ups in a reopened chat resolve against its earlier questions."""
        conversation = self.conversation
        assert conversation is not None
        self.replay_questions = []
        try:
            await asyncio.to_thread(self.session.replay, conversation, questions)
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
            self.prompt.restore(f"/{name} {argument}".rstrip())
            return
        if command.needs_argument and not argument:
            self.app.notify(f"Usage: {command.usage}", severity="warning")
            self.prompt.restore(f"/{name} ")
            return
        await getattr(self, f"command_{name}")(argument)

    @on(RunCommand)
    async def palette_command(self, event: RunCommand) -> None:
        """A command chosen in the palette: run it, or leave it in the prompt to complete."""
        command = BY_NAME[event.name]
        if command.needs_argument and not event.argument:
            self.prompt.restore(f"/{event.name} ")
            return
        await self.run_command(event.name, event.argument)

    def _ready(self) -> Conversation | None:
        if self.conversation is None:
            self.app.notify(
                self.session.index_problem or "The index is still loading; try again in a moment.",
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
            self.app.notify(str(exc), severity="warning")
            return
        # held until /film all or ctrl+l: a question naming another film does not move it
        conversation.forced_film = label
        self.header.scope = label
        self.app.notify(f"Talking about {label}." if label else "Talking about all films.")

    async def command_films(self, _: str) -> None:
        engine, status = self.session.engine, self.session.status
        if engine is None or status is None:
            self._ready()
            return
        current = self.conversation.film if self.conversation else None
        lines = ["**Films in the collection** (scope with `/film TITLE`, `/film all` for all):", ""]
        for label in engine.films():
            count = len(status.films.get(label, []))
            mark = " ← current" if label == current else ""
            lines.append(f"- {escape(label)} — {counted(count, 'article')}{mark}")
        await self.log_view.add_note("\n".join(lines))

    async def command_about(self, argument: str) -> None:
        """The film's fact sheet, with the reviews that state each credit."""
        from filmchat.films import find_film

        conversation, engine = self._ready(), self.session.engine
        if conversation is None or engine is None:
            return
        name = argument or conversation.film
        if not name:
            self.app.notify("Usage: /about TITLE (or scope a film with /film first).")
            self.prompt.restore("/about ")
            return
        film = find_film(name, engine.catalog)
        if film is None:
            known = ", ".join(engine.films()) or "none yet"
            self.app.notify(f"No film called {name!r} (films: {known}).", severity="warning")
            self.prompt.restore(f"/about {argument}".rstrip())
            return
        credits = await asyncio.to_thread(self.session.credits, conversation, film)
        await self.log_view.add_note(fact_sheet_markdown(film.label, credits))

    async def command_similar(self, argument: str) -> None:
        """Asked as the question `filmchat similar` asks, so it answers like any question."""
        from filmchat.collection import similar_question

        await self.ask(similar_question(argument))

    async def command_sources(self, _: str) -> None:
        status = self.session.status
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
                    + f" (`{article.path}`, {counted(article.chunk_count, 'passage')})"
                )
        await self.log_view.add_note("\n".join(lines))

    async def command_reindex(self, _: str) -> None:
        self.post_message(ReindexRequested())

    async def command_clear(self, _: str) -> None:
        await self.action_clear()

    async def command_history(self, _: str) -> None:
        self.post_message(HistoryRequested())

    async def command_llm(self, argument: str) -> None:
        settings = self.session.settings
        choice = argument.lower()
        if choice not in ("", "on", "off"):
            self.app.notify("Usage: /llm [on|off]", severity="warning")
            return
        problem = self.session.set_llm(choice == "on") if choice else None
        self.show_status()
        if problem:
            self.app.notify(
                f"{problem} Answers stay extractive.",
                title="Cannot use a model",
                severity="warning",
            )
            return
        if self.session.use_llm:
            message = f"Answers are written by the model at {settings.llm_url}, citations checked."
        else:
            message = "Answers quote the reviews (extractive)."
            if not self.session.llm_problem and not choice:
                message += " /llm on to use the model."
        self.app.notify(message, title=self.session.mode)

    async def command_export(self, argument: str) -> None:
        if not self.answers:
            self.app.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        path = Path(os.path.abspath(path_argument(argument)))  # '/root/../tmp/x' → '/tmp/x'
        if path.suffix.lower() != ".md":
            path = path.with_name(path.name + ".md")
        text = export_markdown(self.answers)
        if not path.exists():
            self.write_export(path, text)
            return
        ask = ConfirmScreen(
            f"Overwrite {path.name}?",
            [f"{path} already exists; saving replaces what it holds."],
            yes=("Overwrite", "overwrite"),
            no=("Keep it", "keep"),
        )
        self.app.push_screen(ask, lambda overwrite: self.export_chosen(path, text, overwrite))

    def export_chosen(self, path: Path, text: str, overwrite: bool | None) -> None:
        if overwrite:
            self.write_export(path, text)
        else:
            self.prompt.restore(f"/export {path}")
            self.app.notify(f"{path} was kept; choose another file name.")

    def write_export(self, path: Path, text: str) -> None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.app.notify(
                f"Cannot write {path}: {exc.strerror or exc}. Choose another file.",
                title="Export failed",
                severity="error",
            )
            return
        self.app.notify(f"Saved the conversation to {path}.", title="Exported")

    async def command_help(self, _: str) -> None:
        lines = ["**Commands** (also in the command palette, ctrl+p):", ""]
        lines += [f"- `{c.usage}` — {c.help}" for c in COMMANDS]
        lines += [
            "",
            "**Keys** (defaults; FILMCHAT_KEYS remaps them): enter ask · esc cancel an answer · "
            "↑/↓ earlier questions · tab to the newest answer, shift+tab/tab between answers, "
            "←/→ through its sources, esc back to the prompt · pageup/pagedown scroll · "
            "ctrl+s sources panel · ctrl+r reindex · ctrl+l clear · ctrl+o history · "
            "ctrl+y copy the answer · ctrl+q quit",
        ]
        await self.log_view.add_note("\n".join(lines))
