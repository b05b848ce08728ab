"""Snapshots of the chat screen (pytest-textual-snapshot); update with `--snapshot-update`.

Deterministic by construction: the real model and seed index, the cursor not blinking,
a private history file, and nothing time-dependent on the main screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.tui.app import FilmchatApp
from helpers_tui import ask, chat_of, start

QUESTION = "What does Her say about loneliness?"


@pytest.fixture
def app(seed_index: Settings, embedder: Embedder, tmp_path: Path) -> FilmchatApp:
    settings = seed_index.model_copy(update={"history": tmp_path / "history.sqlite"})
    return FilmchatApp(settings, embedder=embedder)


async def steady(pilot: Pilot) -> None:
    """Ready to answer, with the cursor not blinking."""
    chat_of(await start(pilot)).prompt.cursor_blink = False
    await pilot.pause()


async def answered(pilot: Pilot) -> None:
    await steady(pilot)
    await ask(pilot, QUESTION)
    await pilot.pause()


def then_press(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await answered(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_empty(snap_compare, app: FilmchatApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=steady)


def test_references_under_the_answer_at_80_columns(snap_compare, app: FilmchatApp) -> None:
    """No panel at 80×24: the answer's numbered references are under it."""
    assert snap_compare(app, terminal_size=(80, 24), run_before=answered)


def test_panel_with_the_active_marker_at_120_columns(snap_compare, app: FilmchatApp) -> None:
    """Tab to the answer, → to its first marker: highlighted in the text and in the panel."""
    assert snap_compare(app, terminal_size=(120, 40), run_before=then_press("shift+tab", "right"))


def test_sources_shown_at_80_columns(snap_compare, app: FilmchatApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=then_press("ctrl+s"))


async def editing(pilot: Pilot) -> None:
    """The /edit dialog over the chat: every field and both buttons must show."""
    from filmchat.tui.screens.article_meta import ArticleMetaScreen
    from helpers_tui import submit, wait_until

    await steady(pilot)
    await submit(pilot, "/edit her-2013-review.md")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ArticleMetaScreen))
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_edit_dialog_whole(snap_compare, app: FilmchatApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=editing)
