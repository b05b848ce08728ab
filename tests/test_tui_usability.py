"""The chat used for an hour (issue 11): typing is never lost, sources are always visible.

Each test drives the real app with the real model and seed index, as a person would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.tui.app import FilmchatApp
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.sources import SourcesPanel
from helpers_tui import ask, markdown_text, notified, start, submit, wait_until

WIDE = (120, 40)
NARROW = (80, 24)


@pytest.fixture
def seed(seed_index: Settings, tmp_path: Path) -> Settings:
    """The shared read-only seed index, with a private history file."""
    return seed_index.model_copy(update={"history": tmp_path / "history.sqlite"})


async def type_text(pilot: Pilot, text: str) -> None:
    """Press one key per character, as a person types."""
    await pilot.press(*("space" if c == " " else c for c in text))


def references(widget: AnswerMessage) -> list[Widget]:
    """The reference lines under an answer, if they are shown."""
    shown = widget.query_one(".references").display
    return list(widget.query("ReferenceLine")) if shown else []


async def test_typing_after_selecting_an_answer_goes_to_the_prompt(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        widget = await ask(pilot, "What does Her say about loneliness?")
        app.copy_to_clipboard("what the user copied before")

        await pilot.press("shift+tab")  # keyboard: to the answer
        assert app.focused is widget
        await type_text(pilot, "why is it sad, you say?")
        assert app.focused is app.chat.prompt
        assert app.chat.prompt.value == "why is it sad, you say?"
        assert app.clipboard == "what the user copied before"
        assert not notified(app, "Copied")

        app.chat.prompt.value = ""
        await pilot.click(AnswerMessage)  # mouse: click the answer
        assert app.focused is widget
        await type_text(pilot, "yes")
        assert app.chat.prompt.value == "yes"
        assert app.clipboard == "what the user copied before"

        widget.focus()
        await pilot.press("escape")  # Esc from an answer: back to the prompt, text intact
        assert app.focused is app.chat.prompt and app.chat.prompt.value == "yes"

        await pilot.press("ctrl+y")  # copying is a key that cannot be typed
        assert app.clipboard.startswith(widget.answer.text)


async def test_keys_reaching_the_screen_before_the_prompt_has_focus_are_kept(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        app.set_focus(None)
        await type_text(pilot, "who")
        assert app.chat.prompt.value == "who"


async def test_references_under_each_answer_below_the_panel_width(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        assert not app.chat.query_one(SourcesPanel).display
        widget = await ask(pilot, "Who directed Her?")
        answer = widget.answer
        assert answer is not None and answer.citations
        await wait_until(pilot, lambda: len(references(widget)) == len(answer.citations))
        for line, citation in zip(references(widget), answer.citations, strict=True):
            text = str(line.render())
            assert text.startswith(f"[{citation.marker}] {citation.title}")
            assert citation.path in text
            assert line.region.height > 0 and line.region.bottom <= app.size.height

        widget.focus()
        await pilot.press("right")
        await wait_until(pilot, lambda: references(widget)[0].has_class("-selected"))
        # the active marker is highlighted in the answer text too
        assert "`[1]`" in markdown_text(widget)
        if len(answer.citations) > 1:
            await pilot.press("right")
            await wait_until(pilot, lambda: references(widget)[1].has_class("-selected"))
            assert not references(widget)[0].has_class("-selected")

        # with the panel shown the references move there, not twice on screen
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not references(widget))


async def test_references_hidden_beside_the_panel(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        widget = await ask(pilot, "Who directed Her?")
        assert app.chat.query_one(SourcesPanel).display and not references(widget)


async def test_text_typed_after_a_usage_error_goes_after_the_command(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/export")
        await wait_until(pilot, lambda: notified(app, "Usage: /export"))
        await type_text(pilot, "chat.md")
        assert app.chat.prompt.value == "/export chat.md"

        await submit(pilot, "/exprot chat.md")  # a typo is kept to fix, not cleared
        await wait_until(pilot, lambda: notified(app, "Unknown command /exprot"))
        assert app.chat.prompt.value == "/exprot chat.md"
        assert app.chat.prompt.cursor_position == len("/exprot chat.md")


async def test_esc_keeps_the_draft_typed_meanwhile(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    question = "Who directed Her?"
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        # holding the engine lock keeps the answer running until after Esc
        with app.engine_lock:
            await submit(pilot, question)
            await wait_until(pilot, lambda: app.chat.request and app.chat.request.started)
            await type_text(pilot, "and the music")
            await pilot.press("escape")
        assert app.chat.prompt.value == question
        assert app.chat.prompt.cursor_position == len(question)
        await pilot.press("up")
        assert app.chat.prompt.value == "and the music"
        await pilot.press("down")
        assert app.chat.prompt.value == question
