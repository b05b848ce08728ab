"""One chat session: what the app owns and lends to the chat screen, and the messages between them.

The app fills the session as things load (the model, the index, the model server, the history)
and tells the screen with a message when something it shows has changed; the screen reads the
session and answers through it, and asks the app for app-wide work (a rebuild, the history
dialog) with messages of its own. So the app and the screen never import each other or write
each other's widgets, and a test can mount the screen with a session it built itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from textual.message import Message

from filmchat.models import Answer, ArticleRecord
from filmchat.settings import Settings
from filmchat.tui.history import History
from filmchat.wording import counted

if TYPE_CHECKING:
    # numpy, faiss and torch load in the app's workers, so the window paints before them
    from filmchat.answer import Credit
    from filmchat.conversation import Conversation, Engine
    from filmchat.embedding import Embedder
    from filmchat.films import Film
    from filmchat.llm import AnswerStream, ChatClient
    from filmchat.store import IndexStore

NO_LLM = (
    "No model server is configured: set FILMCHAT_LLM_URL (and FILMCHAT_LLM_MODEL), "
    "then restart filmchat."
)


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
        return " · ".join(
            [
                counted(len(self.films), "film"),
                counted(self.articles, "article"),
                counted(self.passages, "passage"),
            ]
        )


@dataclass
class Session:
    """Settings, the answering engine, the model server, the history, and their state.

    Written by the app (and its workers); read by the chat screen. `engine_lock` keeps one
    question at a time and no question during an index swap.
    """

    settings: Settings
    start_film: str | None = None
    reveal_delay: float = 0.05
    embedder: Embedder | None = None
    engine: Engine | None = None
    status: CorpusStatus | None = None
    corpus_line: str = "reading the index…"
    index_problem: str | None = None
    model_problem: str | None = None
    llm: ChatClient | None = None
    use_llm: bool = False
    llm_problem: str | None = None
    history: History | None = None
    indexing: bool = False
    engine_lock: threading.Lock = field(default_factory=threading.Lock)
    model_ready: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.use_llm = bool(self.settings.llm_url)
        self.llm_problem = None if self.settings.llm_url else NO_LLM

    @property
    def mode(self) -> str:
        """How answers are written, for the header: 'extractive' or 'LLM <model name>'."""
        if not self.use_llm or not self.settings.llm_url:
            return "extractive"
        name = self.settings.llm_model or urlsplit(self.settings.llm_url).netloc
        name = name or self.settings.llm_url
        return f"LLM {name if len(name) <= 24 else name[:23] + '…'}"

    def set_llm(self, on: bool) -> str | None:
        """Switch between generated and extractive answers; why not, if the model is unusable."""
        if on and self.llm_problem:
            return self.llm_problem
        self.use_llm = on
        return None

    def new_conversation(self) -> Conversation:
        from filmchat.conversation import Conversation

        assert self.engine is not None
        return Conversation(self.engine, llm=self.llm)

    def catch_up(self) -> str | None:
        """Runs in a worker thread, before a question: when another process (`filmchat add` or
        `index` in another terminal) made a newer index generation live, answer from it, and
        say what changed."""
        from filmchat.errors import FilmchatError
        from filmchat.store import live_generation

        engine = self.engine
        if engine is None or self.indexing:  # our own rebuild switches when it is done
            return None
        with self.engine_lock:
            try:
                live = live_generation(self.settings.index)
            except FilmchatError:
                return None  # a damaged pointer: the open index keeps answering
            if live is None or live.name == engine.store.folder.name:
                return None
            before = {a.path: a.content_hash for a in engine.retriever.articles.values()}
            try:
                engine.reload()
            except Exception:  # a generation being replaced again: the next question retries
                return None
            after = {a.path: a.content_hash for a in engine.retriever.articles.values()}
            self.status = CorpusStatus.of(engine.store)
            self.corpus_line = self.status.summary()
        return collection_change(before, after)

    def unindexed(self) -> list[str]:
        """Runs in a worker thread: corpus files written after the live index was built and
        not in it (added, waiting for a rebuild); older files it skipped stay unmentioned."""
        from filmchat.corpus import discover
        from filmchat.errors import FilmchatError

        engine, corpus = self.engine, self.settings.corpus
        if engine is None:
            return []
        indexed = {a.path for a in engine.retriever.articles.values()}
        built = engine.store.folder.stat().st_mtime
        try:
            files = discover(corpus)
        except FilmchatError:
            return []
        return [
            p.relative_to(corpus).as_posix()
            for p in files
            if p.relative_to(corpus).as_posix() not in indexed and p.stat().st_mtime > built
        ]

    def ask(
        self,
        conversation: Conversation,
        question: str,
        *,
        on_stream: Callable[[AnswerStream], None],
        warn: Callable[[str], None],
    ) -> Answer:
        """Runs in a worker thread; one question at a time, never during an index swap."""
        with self.engine_lock:
            return conversation.ask(question, use_llm=self.use_llm, on_stream=on_stream, warn=warn)

    def credits(self, conversation: Conversation, film: Film) -> list[Credit]:
        """Runs in a worker thread: the film's fact sheet, never during an index swap."""
        with self.engine_lock:
            return conversation.engine.credits(film)

    def replay(self, conversation: Conversation, questions: list[str]) -> None:
        """Runs in a worker thread: re-ask a reopened chat's questions so follow-ups resolve.

        Never with the model: the answers are already shown, only the context is rebuilt.
        """
        with self.engine_lock:
            for question in questions:
                conversation.ask(question, use_llm=False)


def collection_change(before: dict[str, str], after: dict[str, str]) -> str:
    """'The collection changed: 2 articles added, 1 removed.' from path → content hash."""
    added = len(after.keys() - before.keys())
    removed = len(before.keys() - after.keys())
    updated = sum(1 for path in before.keys() & after.keys() if before[path] != after[path])
    parts = [f"{counted(added, 'article')} added"] if added else []
    parts += [f"{removed if parts else counted(removed, 'article')} removed"] if removed else []
    parts += [f"{updated if parts else counted(updated, 'article')} updated"] if updated else []
    return f"The collection changed: {', '.join(parts) or 'its index was rebuilt'}."


def unindexed_hint(files: list[str]) -> str:
    """Why a question about a just-added article is refused, and what to do."""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return (
        f"Not in the index yet: {counted(len(files), 'article')} added since it was built "
        f"({shown}); press ctrl+r (/reindex) to answer from {'it' if len(files) == 1 else 'them'}."
    )


# --- app → screen ------------------------------------------------------------------------------


class Activity(Message):
    """Background work to show above the prompt: 'busy' (open-ended), 'progress', or 'idle'."""

    def __init__(
        self,
        kind: Literal["busy", "progress", "idle"],
        text: str = "",
        done: int = 0,
        total: int | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.done = done
        self.total = total


class StatusChanged(Message):
    """The session's mode or corpus line changed: the header shows them again."""


class EngineReady(Message):
    """The index is open: a conversation can start, and a waiting question be answered."""


class HistoryOpened(Message):
    """The chat history is open: ↑ can recall the questions of earlier launches."""


class IndexChanged(Message):
    """A rebuild swapped the index: films and completions are looked up again."""


class Reopen(Message):
    """Show a past conversation from the history, and continue it."""

    def __init__(self, conversation_id: int, answers: list[Answer]) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.answers = answers


class RunCommand(Message):
    """A slash command chosen in the command palette."""

    def __init__(self, name: str, argument: str = "") -> None:
        super().__init__()
        self.name = name
        self.argument = argument


# --- screen → app ------------------------------------------------------------------------------


class ReindexRequested(Message):
    """ctrl+r or /reindex: rebuild the index in the background."""


class HistoryRequested(Message):
    """ctrl+o or /history: choose a past conversation."""
