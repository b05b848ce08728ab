"""The chat screen on its own, with a session built in the test; key bindings by id.

The app owns the session and talks to the screen with messages, so a tiny host app can stand
in for it (as oterm tests its widgets): whatever the screen asks of the app arrives here as a
message.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import App
from textual.message import Message

import filmchat.tui.app
from filmchat.conversation import Engine
from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.tui.app import FilmchatApp, binding_ids
from filmchat.tui.screens.chat import ChatScreen
from filmchat.tui.session import (
    CorpusStatus,
    EngineReady,
    HistoryRequested,
    ReindexRequested,
    Session,
    StatusChanged,
)
from helpers_tui import ask, start, submit, wait_until

README = Path(__file__).resolve().parents[1] / "README.md"
KEY_NAMES = {"esc": "escape", "↑": "up", "↓": "down", "←": "left", "→": "right"}


class Host(App[None]):
    """Stands in for FilmchatApp: shows the screen, records what it asks for."""

    CSS_PATH = Path(filmchat.tui.app.__file__).with_name("app.tcss")

    def __init__(self, screen: ChatScreen) -> None:
        super().__init__()
        self.chat = screen
        self.asked_for: list[type[Message]] = []

    def get_default_screen(self) -> ChatScreen:
        return self.chat

    def on_reindex_requested(self, message: ReindexRequested) -> None:
        self.asked_for.append(type(message))

    def on_history_requested(self, message: HistoryRequested) -> None:
        self.asked_for.append(type(message))


async def test_the_screen_answers_with_a_session_built_here(
    seed_index: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    settings = seed_index.model_copy(update={"history": tmp_path / "history.sqlite"})
    session = Session(settings, embedder=embedder, reveal_delay=0)
    session.engine = Engine(settings, embedder)
    session.status = CorpusStatus.of(session.engine.store)
    session.corpus_line = session.status.summary()
    host = Host(ChatScreen(session))
    async with host.run_test(size=(120, 40)) as pilot:
        host.chat.post_message(StatusChanged())
        host.chat.post_message(EngineReady())
        await start(pilot)
        assert host.chat.header.corpus == session.status.summary()
        widget = await ask(pilot, "Who directed Her?")
        assert widget.answer is not None and "Spike Jonze" in widget.answer.text

        await submit(pilot, "/reindex")
        await submit(pilot, "/history")
        await wait_until(pilot, lambda: len(host.asked_for) == 2)
        assert host.asked_for == [ReindexRequested, HistoryRequested]


def readme_keys() -> dict[str, str]:
    """id → key from the README's key table (rows with binding ids)."""
    text = README.read_text("utf-8")
    table = text[text.index("| Key | Binding id | Action |") :].split("\n\n")[0]
    keys = {}
    for row in re.findall(r"^\| ([^|]+) \| (`[^|]+`) \|", table, re.M):
        names = [re.sub(r"\s*\(.*\)", "", name).strip() for name in row[0].split(" / ")]
        ids = re.findall(r"`([^`]+)`", row[1])
        assert len(names) == len(ids), row
        for name, binding in zip(names, ids, strict=True):
            keys[binding] = KEY_NAMES.get(name, name)
    return keys


def test_the_readme_key_table_matches_the_bindings() -> None:
    assert readme_keys() == binding_ids()


async def test_keys_are_remapped_by_binding_id(seed_index: Settings, embedder: Embedder) -> None:
    settings = seed_index.model_copy(
        update={"keys": {"copy-answer": "f5", "copy-everything": "ctrl+e"}}
    )
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        assert any("no key binding called copy-everything" in note for note in app.told)
        widget = await ask(pilot, "Who directed Her?")
        await pilot.press("f5")
        assert widget.answer is not None and app.clipboard.startswith(widget.answer.text)
