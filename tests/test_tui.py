"""The Textual chat driven with Pilot: the real model, a real index, real files and history."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from textual.widgets import Button, OptionList, Static

from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.store import VECTORS, live_generation
from filmchat.tui.app import FilmchatApp
from filmchat.tui.history import History
from filmchat.tui.screens.build_index import BuildIndexScreen
from filmchat.tui.screens.history import HistoryScreen
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.note import NoteMessage
from filmchat.tui.widgets.question import QuestionMessage
from filmchat.tui.widgets.sources import SourcesPanel
from helpers_tui import (
    MOON_REVIEW,
    ask,
    cards,
    idle,
    markdown_text,
    notified,
    press_button,
    ready,
    start,
    submit,
    wait_until,
)

WIDE = (120, 40)


@pytest.fixture
def seed(seed_index: Settings, tmp_path: Path) -> Settings:
    """The shared read-only seed index, with a private history file."""
    return seed_index.model_copy(update={"history": tmp_path / "history.sqlite"})


@pytest.fixture
def private(indexed: Settings, tmp_path: Path) -> Settings:
    """A private seed index this test may add to, break or rebuild."""
    return indexed.model_copy(update={"history": tmp_path / "history.sqlite"})


def corpus_files(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.corpus.iterdir())


async def test_answer_with_its_source_cards(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.chat.header.corpus.startswith("1 film · 5 articles")
        widget = await ask(pilot, "What does Her say about loneliness?")
        answer = widget.answer
        assert answer is not None and answer.answered and answer.citations
        shown = markdown_text(widget)
        for sentence in answer.sentences:
            assert sentence.text in shown.replace("\\", "")
        assert "[\\[1\\]](cite:1)" in shown
        await wait_until(pilot, lambda: len(cards(app)) == len(answer.citations))
        for card, citation in zip(cards(app), answer.citations, strict=True):
            text = str(card.render())
            assert f"[{citation.marker}] {citation.title}" in text
            assert citation.quote and citation.quote in text
        assert app.chat.header.scope == "Her (2013)"

        # keyboard: focus the answer, step through its markers; the card is highlighted
        widget.focus()
        await pilot.press("right")
        await wait_until(pilot, lambda: cards(app)[0].has_class("-selected"))
        if len(cards(app)) > 1:
            await pilot.press("right")
            await wait_until(pilot, lambda: cards(app)[1].has_class("-selected"))
            assert not cards(app)[0].has_class("-selected")


async def test_follow_up_uses_the_conversation(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await ask(pilot, "Who directed Her?")
        follow_up = await ask(pilot, "What about the music?")
        assert follow_up.answer is not None and follow_up.answer.answered
        assert "Arcade Fire" in follow_up.answer.text
        assert app.chat.conversation is not None
        assert [a.question for a in app.chat.conversation.turns] == [
            "Who directed Her?",
            "What about the music?",
        ]
        assert len(app.chat.query(QuestionMessage)) == 2


async def test_film_command_scopes_and_lists(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.chat.header.scope is None
        await submit(pilot, "/film Her")
        await wait_until(pilot, lambda: app.chat.header.scope == "Her (2013)")
        assert app.chat.conversation is not None and app.chat.conversation.film == "Her (2013)"

        await submit(pilot, "/film Nosferatu")
        await wait_until(pilot, lambda: notified(app, "No film called 'Nosferatu'"))
        assert app.chat.header.scope == "Her (2013)"

        await submit(pilot, "/film")
        await wait_until(pilot, lambda: app.chat.query(NoteMessage))
        listing = app.chat.query(NoteMessage).last().source
        assert "Her (2013) — 5 articles ← current" in listing

        await submit(pilot, "/film all")
        await wait_until(pilot, lambda: app.chat.header.scope is None)


async def test_start_scoped_to_a_film(seed: Settings, embedder: Embedder) -> None:
    """`filmchat chat --film TITLE` opens the chat scoped; an unknown title says so."""
    app = FilmchatApp(seed, film="her", embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.chat.header.scope == "Her (2013)"
    app = FilmchatApp(seed, film="Nosferatu", embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await wait_until(pilot, lambda: notified(app, "No film called 'Nosferatu'"))
        assert notified(app, "Showing all films") and app.chat.header.scope is None


async def test_add_then_reindex_answers_from_the_new_article(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    review = tmp_path / "moon-review.md"
    review.write_text(MOON_REVIEW, encoding="utf-8")
    question = "Who composed the score?"
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        # Moon is only mentioned in the seed reviews: the chat can be scoped to it, not answer
        await submit(pilot, "/film Moon")
        await wait_until(pilot, lambda: app.chat.header.scope == "Moon (2009)")
        before = await ask(pilot, question)
        assert before.answer is not None and not before.answer.answered

        await submit(pilot, f"/add {review}")
        await wait_until(pilot, lambda: notified(app, "Article added"))
        assert len(corpus_files(private)) == 6

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: notified(app, "Index updated"), what="the rebuild")
        assert idle(app) and notified(app, "1 added")
        assert app.chat.header.corpus.startswith("2 films · 6 articles")

        after = await ask(pilot, question)  # the scope now includes the new review
        assert after.answer is not None and after.answer.answered
        assert "Clint Mansell" in after.answer.text
        assert [c.film for c in after.answer.citations] == ["Moon"]
        await wait_until(pilot, lambda: any("Moon review" in str(c.render()) for c in cards(app)))


async def test_answer_revealed_by_sentence_and_esc_cancels_it(
    seed: Settings, embedder: Embedder
) -> None:
    # a slow reveal keeps the answer running long enough to watch it and cancel it
    app = FilmchatApp(seed, embedder=embedder, reveal_delay=2.0)
    question = "What does Her say about loneliness?"
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, question)
        assert app.chat.request is not None
        widget = app.chat.request.answer_widget
        await wait_until(pilot, lambda: markdown_text(widget), what="the first sentence")
        answer = widget.answer
        assert answer is not None and len(answer.sentences) > 1
        partial = markdown_text(widget)
        assert answer.sentences[0].text in partial.replace("\\", "")
        assert answer.sentences[-1].text not in partial.replace("\\", "")

        await pilot.press("escape")
        assert app.chat.prompt.value == question
        await wait_until(pilot, lambda: not app.chat.query(AnswerMessage), what="answer removed")
        assert not app.chat.query(QuestionMessage)
        assert app.chat.answers == []
        assert app.chat.conversation is not None and app.chat.conversation.turns == []

        # cancelled while retrieval runs: holding the engine lock (as an index swap does)
        # keeps the worker thread from finishing until after Esc
        with app.session.engine_lock:
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.chat.request and app.chat.request.started)
            await pilot.press("escape")
        assert app.chat.prompt.value == question
        await wait_until(pilot, lambda: not app.chat.query(AnswerMessage), what="answer removed")
        assert app.chat.conversation.turns == []

        app.session.reveal_delay = 0.01
        await pilot.press("enter")  # the question is back in the prompt: ask it again
        await wait_until(pilot, lambda: app.chat.answers and app.chat.request is None)
        assert [a.question for a in app.chat.conversation.turns] == [question]
    history = History(seed.history, seed.corpus)  # type: ignore[arg-type]
    assert [c.turns for c in history.conversations()] == [1]


async def test_question_typed_while_the_model_loads(seed: Settings) -> None:
    """The real start-up path: the model loads in a worker while the window is usable.

    The load is held at a gate until the question is in, so the order is certain.
    """
    gate = threading.Event()

    def load() -> Embedder:
        gate.wait(timeout=120)
        return Embedder(seed)

    app = FilmchatApp(seed, load_embedder=load)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: app.chat.header.corpus.startswith("1 film"))
        assert app.session.embedder is None and not ready(app)
        assert app.chat.activity.has_class("-active")
        assert "Loading the embedding model" in str(
            app.chat.activity.query_one("#activity-text").render()
        )
        await submit(pilot, "Who plays Theodore in Her?")
        waiting = app.chat.query_one(AnswerMessage)
        assert "Waiting for the embedding model" in str(
            waiting.query_one(".answer-status").render()
        )
        gate.set()
        await wait_until(
            pilot, lambda: app.chat.answers, timeout=240, what="the model and the answer"
        )
        answer = app.chat.answers[0]
        assert answer.answered and "Joaquin Phoenix" in answer.text
        assert not app.chat.activity.has_class("-active")


async def test_no_index_offers_to_build_it(
    make_settings, embedder: Embedder, tmp_path: Path
) -> None:
    settings = make_settings(history=tmp_path / "history.sqlite")
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, BuildIndexScreen))
        await wait_until(pilot, lambda: app.screen.query(Static))
        # the dialog speaks for the chat: no command-line advice before offering the build
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "no index" in text and "build it now" in text
        assert "`" not in text and "filmchat index" not in text
        await press_button(pilot, "#later")
        await wait_until(pilot, lambda: notified(app, "ctrl+r"))
        assert app.chat.header.corpus == "no index yet"

        await submit(pilot, "Who directed Her?")
        waiting = app.chat.query_one(AnswerMessage)
        assert "Waiting for an index" in str(waiting.query_one(".answer-status").render())

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: app.chat.answers, what="index built and question answered")
        assert app.chat.answers[0].answered and "Spike Jonze" in app.chat.answers[0].text
        assert app.chat.header.corpus.startswith("1 film · 5 articles")


async def test_broken_index_is_reported_and_rebuilt(private: Settings, embedder: Embedder) -> None:
    generation = live_generation(private.index)
    assert generation is not None
    (generation / VECTORS).write_bytes(b"not a faiss index")
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, BuildIndexScreen) and app.screen.query("#build")
        )
        assert notified(app, "damaged")
        assert notified(app, "filmchat index --full")
        assert app.chat.header.corpus == "index unusable"
        app.screen.query_one("#build", Button).press()
        await start(pilot)
        await wait_until(pilot, lambda: not app.session.indexing)
        assert notified(app, "rebuilt from scratch")
        widget = await ask(pilot, "Who directed Her?")
        assert widget.answer is not None and widget.answer.answered


async def test_model_that_cannot_load_is_reported(
    seed: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # a bad model name must never reach for a hub
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    app = FilmchatApp(seed.model_copy(update={"model": str(empty)}))
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: notified(app, "Cannot load embedding model"), timeout=120)
        assert notified(app, "FILMCHAT_MODEL")
        assert not app.chat.activity.has_class("-active")
        await submit(pilot, "Who directed Her?")
        waiting = app.chat.query_one(AnswerMessage)
        assert "model did not load" in str(waiting.query_one(".answer-status").render())
        await submit(pilot, "/help")  # commands still work while the question waits
        await wait_until(pilot, lambda: app.chat.query(NoteMessage))


async def test_failed_rebuild_keeps_the_last_good_index(
    private: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        shutil.rmtree(private.corpus)
        await submit(pilot, "/reindex")
        await wait_until(pilot, lambda: notified(app, "Rebuild failed"))
        assert notified(app, "does not exist")
        assert notified(app, "previous index is still answering")
        widget = await ask(pilot, "Who directed Her?")
        assert widget.answer is not None and "Spike Jonze" in widget.answer.text


async def test_unusable_files_are_not_added(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    binary = tmp_path / "garbage.md"
    binary.write_bytes(b"\x00\x01\x02 not text")
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    before = corpus_files(private)
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, f"/add {tmp_path / 'missing.md'}")
        await wait_until(pilot, lambda: notified(app, "no such file"))
        await submit(pilot, f"/add {binary}")
        await wait_until(pilot, lambda: notified(app, "binary file"))
        await submit(pilot, f"/add {pdf}")
        await wait_until(pilot, lambda: notified(app, "unsupported file type"))
        await submit(pilot, "/add")
        await wait_until(pilot, lambda: notified(app, "Usage: /add PATH"))
        assert corpus_files(private) == before
        widget = await ask(pilot, "Who directed Her?")
        assert widget.answer is not None and widget.answer.answered


async def test_history_reopens_after_restart(seed: Settings, embedder: Embedder) -> None:
    first = FilmchatApp(seed, embedder=embedder)
    async with first.run_test(size=WIDE) as pilot:
        await start(pilot)
        await ask(pilot, "Who directed Her?")
        await ask(pilot, "Who plays Samantha in Her?")
        asked = list(first.chat.answers)

    second = FilmchatApp(seed, embedder=embedder)
    async with second.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert not second.chat.query(AnswerMessage)
        await pilot.press("ctrl+o")
        await wait_until(
            pilot,
            lambda: isinstance(second.screen, HistoryScreen) and second.screen.query(OptionList),
        )
        options = second.screen.query_one(OptionList)
        assert options.option_count == 1
        assert "Who directed Her?" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(second.chat.query(AnswerMessage)) == 2)
        reopened = [w.answer for w in second.chat.query(AnswerMessage)]
        assert [a.text for a in reopened if a] == [a.text for a in asked]
        last = asked[-1]
        await wait_until(pilot, lambda: len(cards(second)) == len(last.citations))
        assert last.citations[0].quote in str(cards(second)[0].render())

        # the reopened chat continues: a follow-up resolves against its earlier questions
        follow_up = await ask(pilot, "What about the music?")
        assert follow_up.answer is not None and "Arcade Fire" in follow_up.answer.text
    history = History(seed.history, seed.corpus)  # type: ignore[arg-type]
    assert [c.turns for c in history.conversations()] == [3]


async def test_export_copy_recall_and_clear(
    seed: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/export nothing.md")
        await wait_until(pilot, lambda: notified(app, "Nothing to export"))
        first = await ask(pilot, "Who directed Her?")
        second = await ask(pilot, "Who plays Samantha in Her?")
        assert first.answer and second.answer

        target = tmp_path / "chat.md"
        await submit(pilot, f"/export {target}")
        await wait_until(pilot, target.exists)
        exported = target.read_text(encoding="utf-8")
        assert "## Who directed Her?" in exported and "## Who plays Samantha in Her?" in exported
        assert "## References" in exported
        titles = {c.title for a in (first.answer, second.answer) for c in a.citations}
        references = exported.split("## References", 1)[1].replace("\\", "")
        for n, title in enumerate(sorted(titles, key=lambda t: references.index(f"{t} —")), 1):
            assert f"\n{n}. {title} —" in references

        second.focus()
        await pilot.press("ctrl+y")
        copied, _, _ = app.clipboard.partition("\n\nReferences:")
        assert copied.replace("\n", " ") == second.answer.text  # a list item ends its line
        assert "References:" in app.clipboard and second.answer.citations[0].title in app.clipboard

        app.chat.prompt.focus()
        await pilot.press("up")
        assert app.chat.prompt.value == "Who plays Samantha in Her?"
        await pilot.press("up")
        assert app.chat.prompt.value == "Who directed Her?"
        await pilot.press("down", "down")
        assert app.chat.prompt.value == ""

        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: not app.chat.query(AnswerMessage))
        assert app.chat.answers == [] and not cards(app)
        assert app.chat.conversation is not None and app.chat.conversation.turns == []


async def test_help_sources_and_palette(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/help")
        await wait_until(pilot, lambda: app.chat.query(NoteMessage))
        assert "/export FILE.md" in app.chat.query(NoteMessage).last().source

        await pilot.press("ctrl+p")
        await pilot.press(*"/sources")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.chat.query(NoteMessage)) == 2)
        listing = app.chat.query(NoteMessage).last().source
        assert "Articles in the collection" in listing and "her-2013-review.md" in listing

        await submit(pilot, "/nonsense")
        await wait_until(pilot, lambda: notified(app, "Unknown command /nonsense"))


async def test_sources_panel_toggles_at_80_columns(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        panel = app.chat.query_one(SourcesPanel)
        assert not panel.display
        await ask(pilot, "Who directed Her?")
        await pilot.press("ctrl+s")
        assert panel.display and panel.region.width >= 30
        assert app.chat.query_one("#chat-log").region.width >= 30
        await pilot.press("ctrl+s")
        assert not panel.display
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        panel = app.chat.query_one(SourcesPanel)
        assert panel.display
        await pilot.press("ctrl+s")
        assert not panel.display
