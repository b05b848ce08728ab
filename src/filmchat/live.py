"""A collection kept answerable for as long as an interface runs, rebuilds included.

The command line opens an engine per run; a long-running interface (the MCP server) keeps one:
the model loads once, questions and the switch to a rebuilt index take turns under one lock,
and the rebuild itself runs beside them, so a question asked meanwhile is answered from the
last good index. A rebuild made elsewhere (`filmchat index` in a terminal) is picked up at the
next use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from filmchat.conversation import Engine
from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError
from filmchat.models import IndexReport
from filmchat.settings import Settings
from filmchat.store import IndexStore, live_generation

Warn = Callable[[str], None]


def open_engine(settings: Settings, load_embedder: Callable[[], Embedder]) -> Engine:
    """Index first (cheap, and its errors are the likeliest), then the model."""
    store = IndexStore.open(settings.index)
    try:
        return Engine(settings, load_embedder(), store)
    except BaseException:
        store.close()
        raise


class LiveEngine:
    """One engine for the life of a process, safe to share between threads."""

    def __init__(self, settings: Settings, warn: Warn) -> None:
        self.settings = settings
        self.warn = warn
        self._turn = threading.RLock()  # questions, and the switch to a new index
        self._loading = threading.Lock()
        self._embedder: Embedder | None = None
        self._engine: Engine | None = None

    def embedder(self) -> Embedder:
        """The model, loaded on first need and kept (questions and rebuilds share it)."""
        with self._loading:
            if self._embedder is None:
                self._embedder = Embedder(self.settings, warn=self.warn)
            return self._embedder

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        """The engine on the newest index, held so no index switch happens while it is used."""
        with self._turn:
            if self._engine is None:
                self._engine = open_engine(self.settings, self.embedder)
            else:
                try:
                    self._switch(self._engine)
                except FilmchatError as exc:  # a newer index is unusable: keep ours
                    self.warn(f"{exc} Answering from the index loaded before.")
            yield self._engine

    def _switch(self, engine: Engine) -> None:
        """Move the engine to the live generation if a rebuild made a newer one."""
        if live_generation(self.settings.index) not in (None, engine.store.folder):
            engine.reload()

    def warm(self) -> None:
        """Load the model and open the index now, so the first question does not wait."""
        try:
            with self.engine():
                pass
        except FilmchatError as exc:  # told again, as an error, to whoever asks
            self.warn(str(exc))

    def rebuild(self, *, full: bool = False) -> IndexReport:
        """Bring the index in line with the corpus, then answer from the new one.

        Questions keep being answered from the live index while this runs; only the switch
        waits for the question in progress.
        """
        from filmchat.indexer import build_index

        report = build_index(self.settings, full=full, load_embedder=self.embedder, warn=self.warn)
        with self._turn:
            if self._engine is not None:
                self._switch(self._engine)
        return report
