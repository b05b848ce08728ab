"""The filmchat Textual app: owns the settings, the model, the live index and the history.

The window paints at once; the embedding model loads in a thread worker (sentence-transformers
is imported there, by `Embedder`), and rebuilds run in another. Everything the chat shows
comes from the answering layer (`Engine`, `Conversation`); this module only schedules it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from filmchat.errors import FilmchatError, IndexMissingError
from filmchat.models import Answer, ArticleRecord, IndexReport
from filmchat.settings import Settings
from filmchat.tui.commands import COMMANDS
from filmchat.tui.history import History, history_path
from filmchat.tui.render import one_line
from filmchat.tui.screens.build_index import BuildIndexScreen
from filmchat.tui.screens.chat import ChatScreen
from filmchat.tui.screens.history import HistoryScreen

if TYPE_CHECKING:
    # numpy, faiss and torch load in the workers, so the window paints before them
    from filmchat.conversation import Conversation, Engine
    from filmchat.embedding import Embedder
    from filmchat.store import IndexStore


@dataclass
class CorpusStatus:
    """What the header shows and /films, /sources list."""

    films: dict[str, list[ArticleRecord]] = field(default_factory=dict)
    passages: int = 0

    @classmethod
    def of(cls, store: IndexStore) -> CorpusStatus:
        from filmchat.films import films_in

        return cls(films_in(store.articles()), store.manifest.chunks)

    @property
    def articles(self) -> int:
        return sum(len(items) for items in self.films.values())

    def summary(self) -> str:
        films = len(self.films)
        return (
            f"{films} film{'s' if films != 1 else ''} · {self.articles} articles · "
            f"{self.passages} passages"
        )


class FilmchatApp(App[None]):
    """`FilmchatApp(settings, film=None, embedder=None)`; pass a loaded embedder to skip loading.

    `load_embedder` replaces how the model is loaded in the background (default
    `Embedder(settings)`), as in `build_index`.
    """

    CSS_PATH = "app.tcss"
    TITLE = "filmchat"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+r",
            "reindex",
            "Reindex",
            id="reindex",
            tooltip="Embed new or changed articles; answers use them at once",
        ),
        Binding(
            "ctrl+o",
            "history",
            "History",
            id="history",
            tooltip="Reopen a past conversation with its sources",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        film: str | None = None,
        embedder: Embedder | None = None,
        *,
        load_embedder: Callable[[], Embedder] | None = None,
        reveal_delay: float = 0.05,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.start_film = film
        self.embedder = embedder
        self.load_embedder = load_embedder or self._load_embedder
        self.reveal_delay = reveal_delay
        self.engine: Engine | None = None
        self.status: CorpusStatus | None = None
        self.index_problem: str | None = None
        self.history: History | None = None
        self.engine_lock = threading.Lock()
        self.model_ready = threading.Event()
        self.model_problem: str | None = None
        self.indexing = False
        self.chat = ChatScreen()

    def _load_embedder(self) -> Embedder:
        from filmchat.embedding import Embedder

        return Embedder(self.settings)

    def get_default_screen(self) -> Screen:
        return self.chat

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Messages quote paths, titles and errors: shown literally, never parsed as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # --- start-up ----------------------------------------------------------------------------

    def start(self) -> None:
        """Called once the chat screen is mounted: open the history, start loading."""
        try:
            self.history = History(history_path(self.settings))
        except FilmchatError as exc:
            self.notify(f"{exc} History is off for this session.", severity="warning", timeout=10)
        if self.embedder is None:
            self.chat.activity.busy("Loading the embedding model…")
        self.load()

    @work(thread=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Corpus status first (fast), then the model (slow), then the answering engine."""
        from filmchat.store import IndexStore

        problem: FilmchatError | None = None
        try:
            store = IndexStore.open(self.settings.index, verify=False)
            try:
                self.call_from_thread(self.show_status, CorpusStatus.of(store))
            finally:
                store.close()
        except FilmchatError as exc:
            problem = exc
            self.call_from_thread(self.index_unusable, exc)
        if self.embedder is None:
            try:
                self.embedder = self.load_embedder()
            except Exception as exc:  # any failure to load must reach the user as one line
                self.model_problem = one_line(exc)
                self.model_ready.set()
                self.call_from_thread(self.model_failed)
                return
        self.model_ready.set()
        if problem is None:
            self.open_engine()
        else:
            self.call_from_thread(self.chat.activity.idle)

    def open_engine(self) -> None:
        """Runs in a worker thread: open the live index for answering."""
        from filmchat.conversation import Engine

        assert self.embedder is not None
        try:
            engine = Engine(self.settings, self.embedder)
            status = CorpusStatus.of(engine.store)
        except Exception as exc:  # a damaged index can fail in many ways; one line each
            error = exc if isinstance(exc, FilmchatError) else FilmchatError(one_line(exc))
            self.call_from_thread(self.index_unusable, error)
            self.call_from_thread(self.chat.activity.idle)
            return
        self.call_from_thread(self.engine_ready, engine, status)

    def show_status(self, status: CorpusStatus) -> None:
        self.status = status
        self.chat.header.corpus = status.summary()

    def engine_ready(self, engine: Engine, status: CorpusStatus) -> None:
        self.engine = engine
        self.index_problem = None
        self.show_status(status)
        if not self.indexing:
            self.chat.activity.idle()
        self.chat.engine_ready()

    def model_failed(self) -> None:
        self.chat.activity.idle()
        self.chat.header.corpus = "model not loaded"
        self.notify(
            f"{self.model_problem} Restart filmchat once that is fixed.",
            title="Cannot answer",
            severity="error",
            timeout=30,
        )

    def index_unusable(self, error: FilmchatError) -> None:
        """No index or a broken one: say so and offer to build it; a live engine keeps answering."""
        if self.engine is not None:
            self.notify(f"{error} The previous index is still answering.", severity="error")
            return
        self.index_problem = str(error)
        missing = isinstance(error, IndexMissingError)
        self.chat.header.corpus = "no index yet" if missing else "index unusable"
        if not missing:
            self.notify(str(error), title="Index unusable", severity="error", timeout=15)
        if not self.indexing:
            self.push_screen(
                BuildIndexScreen(str(error), str(self.settings.corpus)), self.build_chosen
            )

    def build_chosen(self, build: bool | None) -> None:
        if build:
            self.action_reindex()
        else:
            self.notify("Build the index any time with ctrl+r or /reindex.", timeout=8)

    # --- answering ---------------------------------------------------------------------------

    def ask(self, conversation: Conversation, question: str) -> Answer:
        """Runs in a worker thread; one question at a time, never during an index swap."""
        with self.engine_lock:
            return conversation.ask(question)

    def replay(self, conversation: Conversation, questions: list[str]) -> None:
        """Runs in a worker thread: re-ask a reopened chat's questions so follow-ups resolve."""
        with self.engine_lock:
            for question in questions:
                conversation.ask(question)

    # --- rebuilding --------------------------------------------------------------------------

    def action_reindex(self) -> None:
        """Incremental rebuild in a worker; the live index answers until the new one is ready."""
        if self.indexing:
            self.notify("The index is already being rebuilt.")
            return
        self.indexing = True
        self.chat.activity.progress("Indexing: reading the corpus", 0, None)
        self.reindex()

    @work(thread=True, group="index", exit_on_error=False)
    def reindex(self) -> None:
        from filmchat.indexer import build_index

        if not self.model_ready.is_set():
            self.call_from_thread(self.chat.activity.busy, "Loading the model before indexing…")
        self.model_ready.wait()
        if self.embedder is None:
            self.call_from_thread(self.index_failed, f"{self.model_problem}")
            return
        warnings: list[str] = []

        def progress(done: int, total: int) -> None:
            self.call_from_thread(
                self.chat.activity.progress, "Indexing: embedding passages", done, total
            )

        try:
            report = build_index(
                self.settings, embedder=self.embedder, progress=progress, warn=warnings.append
            )
        except Exception as exc:  # a failed rebuild must leave the app and the old index alive
            self.call_from_thread(self.index_failed, one_line(exc))
            return
        if self.engine is None:
            self.call_from_thread(self.indexed, report, warnings)
            self.open_engine()
            return
        try:
            with self.engine_lock:
                self.engine.reload()
                status = CorpusStatus.of(self.engine.store)
        except Exception as exc:  # the rebuilt index could not be opened: keep the old one
            self.call_from_thread(self.index_failed, one_line(exc))
            return
        self.call_from_thread(self.indexed, report, warnings, status)

    def indexed(
        self, report: IndexReport, warnings: list[str], status: CorpusStatus | None = None
    ) -> None:
        self.indexing = False
        self.chat.activity.idle()
        if status is not None:
            self.show_status(status)
            self.chat.index_changed()
        message = report.summary() + (f" {report.reason}." if report.reason else "")
        self.notify(message, title="Index updated", timeout=8)
        if warnings:
            self.notify("\n".join(warnings), title="Some files were skipped", severity="warning")

    def index_failed(self, message: str) -> None:
        self.indexing = False
        self.chat.activity.idle()
        still = (
            " The previous index is still answering."
            if self.engine is not None
            else " Fix the problem, then press ctrl+r to try again."
        )
        self.notify(message + still, title="Rebuild failed", severity="error", timeout=15)

    # --- history -----------------------------------------------------------------------------

    def action_history(self) -> None:
        if self.history is None:
            self.notify("History is off for this session.", severity="warning")
            return
        try:
            conversations = self.history.conversations()
        except sqlite3.Error as exc:
            self.history_unreadable(exc)
            return
        if not conversations:
            self.notify("No past conversations yet.")
            return
        self.push_screen(HistoryScreen(conversations), self.history_chosen)

    def history_unreadable(self, exc: sqlite3.Error) -> None:
        path = self.history.path if self.history else "(none)"
        self.notify(f"Cannot read the chat history {path}: {exc}.", severity="error")

    async def history_chosen(self, conversation_id: int | None) -> None:
        if conversation_id is None or self.history is None:
            return
        try:
            answers = self.history.answers(conversation_id)
        except sqlite3.Error as exc:
            self.history_unreadable(exc)
            return
        await self.chat.reopen(conversation_id, answers)

    # --- command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The slash commands, plus one entry per film, in the command palette."""
        yield from super().get_system_commands(screen)
        if screen is not self.chat:
            return
        for command in COMMANDS:
            yield SystemCommand(
                command.usage,
                command.help,
                lambda name=command.name: self.chat.palette_command(name),
            )
        for label in self.engine.films() if self.engine else []:
            yield SystemCommand(
                f"/film {label}",
                f"Talk about {label}",
                lambda label=label: self.chat.palette_command("film", label),
            )

    def on_unmount(self) -> None:
        if self.history is not None:
            self.history.close()
