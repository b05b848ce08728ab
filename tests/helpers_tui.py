"""Helpers for driving the real chat app with Pilot.

One `pilot.pause()` does not drain thread workers (model loading, retrieval, rebuilds), so
tests wait for the state a user would see, as oterm's `wait_until` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot

from filmchat.tui.app import FilmchatApp
from filmchat.tui.screens.chat import ChatScreen
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.source_card import SourceCard

MOON_REVIEW = """\
---
title: "Moon review: Sam Rockwell alone on the far side"
film: Moon
year: 2009
author: Test Critic
site: fixtures.example
---
Duncan Jones directed Moon, his first feature, in 2009.
Sam Rockwell plays Sam Bell, an astronaut finishing a three-year contract alone on a lunar
mining base, with only the robot GERTY, voiced by Kevin Spacey, for company.
Clint Mansell composed the score, a slow piano theme that returns whenever Sam thinks of home.
The film was shot on a small budget at Shepperton Studios, with model work instead of
computer graphics for the lunar harvesters.
Rockwell carries almost every scene, and his performance is the reason the film works.
"""


async def wait_until(
    pilot: Pilot, predicate: Callable[[], object], timeout: float = 60.0, what: str = ""
) -> None:
    """Pause until predicate() is true; fail with `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            shown = notes(pilot.app) if isinstance(pilot.app, FilmchatApp) else []
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what or predicate}; "
                f"notifications: {shown}"
            )
        await pilot.pause(0.05)


def chat_of(app: App) -> ChatScreen:
    """The chat screen of the app under test (FilmchatApp, or a host app with `chat`)."""
    screen = getattr(app, "chat", None)
    assert isinstance(screen, ChatScreen)
    return screen


def ready(app: App) -> bool:
    return chat_of(app).conversation is not None


def idle(app: FilmchatApp) -> bool:
    return app.chat.request is None and not app.session.indexing


async def start(pilot: Pilot) -> App:
    """Wait until the app can answer."""
    app = pilot.app
    await wait_until(pilot, lambda: ready(app), what="the engine to be ready")
    return app


async def submit(pilot: Pilot, text: str) -> None:
    """Type into the prompt and press enter, as a user does."""
    prompt = chat_of(pilot.app).prompt
    prompt.focus()
    prompt.value = text
    await pilot.press("enter")


async def ask(pilot: Pilot, question: str, timeout: float = 60.0) -> AnswerMessage:
    """Ask and wait until the answer is fully shown; returns its widget."""
    chat = chat_of(pilot.app)
    before = len(chat.answers)
    await submit(pilot, question)
    await wait_until(
        pilot,
        lambda: len(chat.answers) > before and chat.request is None,
        timeout,
        what=f"an answer to {question!r}",
    )
    return chat.log_view.answers()[-1]


def notes(app: FilmchatApp) -> list[str]:
    """Title and message of every notification shown so far (a toast lasts seconds)."""
    return list(app.told)


def notified(app: FilmchatApp, text: str) -> bool:
    return any(text.lower() in note.lower() for note in notes(app))


def cards(app: FilmchatApp) -> list[SourceCard]:
    return [card for card in app.chat.query(SourceCard) if card.display]


def markdown_text(widget: AnswerMessage) -> str:
    from textual.widgets import Markdown

    return widget.query_one(Markdown).source


async def run_from_palette(pilot: Pilot, command: str) -> None:
    """Open the command palette, type `command` and run it once the palette offers it.

    The palette searches in a worker: enter before its results are listed selects nothing.
    """
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.press(*command)

    def offered() -> bool:
        palette = pilot.app.screen
        if not isinstance(palette, CommandPalette):
            return False
        searching = any(
            worker.group == CommandPalette._GATHER_COMMANDS_GROUP and not worker.is_finished
            for worker in palette.workers
        )
        listing = palette.query_one(CommandList)
        if searching or listing.highlighted is None:
            return False
        highlighted = listing.get_option_at_index(listing.highlighted)
        return str(highlighted.prompt).startswith(command)

    await wait_until(pilot, offered, what=f"the palette to offer {command}")
    await pilot.press("enter")


async def press_button(pilot: Pilot, selector: str) -> None:
    """Click a dialog's button once it is laid out (a click before that lands nowhere)."""

    def shown() -> bool:
        found = pilot.app.screen.query(selector)
        return bool(found) and found.first().region.width > 0

    await wait_until(pilot, shown, what=f"{selector} on screen")
    await pilot.click(selector)
