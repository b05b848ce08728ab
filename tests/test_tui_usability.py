"""The chat used for an hour (issue 11): typing is never lost, sources are always visible.

Each test drives the real app with the real model and seed index, as a person would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Label

from filmchat.embedding import Embedder
from filmchat.films import find_film
from filmchat.indexer import add_articles, build_index
from filmchat.models import Answer, AnswerSentence, Citation, IndexReport
from filmchat.settings import Settings
from filmchat.tui.app import TOAST_SECONDS, FilmchatApp
from filmchat.tui.render import answer_markdown, answer_with_references
from filmchat.tui.screens.confirm import ConfirmScreen
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.note import NoteMessage
from filmchat.tui.widgets.sources import SourcesPanel
from helpers_tui import (
    MOON_REVIEW,
    ask,
    markdown_text,
    notified,
    press_button,
    start,
    submit,
    wait_until,
)

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


async def test_keys_typed_while_filmchat_starts_are_kept(
    seed: Settings, embedder: Embedder
) -> None:
    """Keys typed before the first frame reach the app with nothing focused; it hands them to
    the screen, which handles them only after the prompt took focus (seen in tmux)."""
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        app.set_focus(None)
        await type_text(pilot, "who")
        assert app.chat.prompt.value == "who"
        for key in "is":  # delivered to the screen, handled once the prompt has focus
            app.chat.post_message(events.Key(key, key))
        await wait_until(pilot, lambda: app.chat.prompt.value == "whois")
        assert app.focused is app.chat.prompt


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
        with app.session.engine_lock:
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


@pytest.fixture
def private(indexed: Settings, tmp_path: Path) -> Settings:
    """A private seed index this test may add to."""
    return indexed.model_copy(update={"history": tmp_path / "history.sqlite"})


async def test_a_multi_line_paste_becomes_one_question_and_says_so(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        app.post_message(events.Paste("Who directed Her?\n\n  Who composed the music?\n"))
        await wait_until(pilot, lambda: app.chat.prompt.value)
        assert app.chat.prompt.value == "Who directed Her? Who composed the music?"
        assert notified(app, "Pasted 2 lines as one question")


async def test_export_keeps_lists_and_asks_before_overwriting(
    seed: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    target = tmp_path / "my chats" / "films.md"
    target.parent.mkdir()
    target.write_text("notes I keep\n", encoding="utf-8")
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        widget = await ask(pilot, "What films are similar to Her?")
        assert widget.answer is not None and widget.answer.listing

        await submit(pilot, f"/export '{target}'")  # quoted, with a space, as file managers paste
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press_button(pilot, "#keep")
        await wait_until(pilot, lambda: notified(app, "was kept"))
        assert target.read_text(encoding="utf-8") == "notes I keep\n"

        await submit(pilot, f"/export '{target}'")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press_button(pilot, "#overwrite")
        await wait_until(pilot, lambda: notified(app, "Saved the conversation"))
        exported = target.read_text(encoding="utf-8")
        items = [line for line in exported.splitlines() if line.startswith("- ")]
        assert len(items) == len(widget.answer.sentences)
        for item, sentence in zip(items, widget.answer.sentences, strict=True):
            assert sentence.text in item.replace("\\", "")


async def test_add_takes_quoted_paths_and_home(
    private: Settings, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "reviews").mkdir(parents=True)
    (home / "reviews" / "moon review.md").write_text(MOON_REVIEW, encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    binary = tmp_path / "still.md"
    binary.write_bytes(b"\x00\x01 not text")
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/add '~/reviews/moon review.md'")
        await wait_until(pilot, lambda: notified(app, "Article added") or notified(app, "Cannot"))
        assert notified(app, "Article added"), "quoted path with ~ and a space"

        await submit(pilot, f"/add {binary}")
        await wait_until(pilot, lambda: notified(app, "binary file"))
        assert not notified(app, "remove it from the corpus")  # it never was in the corpus


async def test_the_panel_follows_the_width_unless_toggled_there(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        panel = app.chat.query_one(SourcesPanel)
        await pilot.press("ctrl+s", "ctrl+s")  # hidden, then shown again at 120 columns
        assert panel.display
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: not panel.display, what="panel hidden at 80")
        await wait_until(pilot, lambda: app.chat.log_view.region.width >= 78, what="chat at 80")
        await pilot.resize_terminal(60, 16)
        await wait_until(pilot, lambda: app.chat.log_view.region.width >= 58, what="chat at 60")
        assert not panel.display
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: panel.display, what="panel back at 120")

        await pilot.press("ctrl+s")  # hidden by the user at 120: stays hidden at 120
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: app.chat.has_class("-narrow"), what="narrow")
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: app.chat.has_class("-wide"), what="wide again")
        assert not panel.display


async def test_paging_tab_and_the_selected_answer(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        first = await ask(pilot, "Who directed Her?")
        await ask(pilot, "Who plays Samantha in Her?")
        newest = await ask(pilot, "What does Her say about loneliness?")
        log = app.chat.log_view
        await wait_until(pilot, lambda: log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y)

        await pilot.press("pageup")  # from the prompt
        await wait_until(pilot, lambda: log.scroll_y < log.max_scroll_y, what="scrolled up")
        assert app.focused is app.chat.prompt
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: log.scroll_y == log.max_scroll_y, what="scrolled down")

        await pilot.press("tab")  # the newest answer, not the first of the log
        assert app.focused is newest
        assert log.scroll_y > 0
        # the selected answer stands out: another border and background than the others
        assert newest.styles.border_left != first.styles.border_left
        assert newest.styles.background != first.styles.background


async def test_toasts_are_short_and_clear_of_the_newest_answer(
    seed: Settings, embedder: Embedder
) -> None:
    assert max(TOAST_SECONDS.values()) <= 8 and TOAST_SECONDS["information"] <= 3
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await start(pilot)
        widget = await ask(pilot, "Who directed Her?")
        await submit(pilot, "/film Her")
        await wait_until(pilot, lambda: notified(app, "Talking about Her"))
        assert all(n.timeout <= TOAST_SECONDS[n.severity] for n in app._notifications)

        app.notify("A notice that stays while the test looks at it.", timeout=600)
        await wait_until(pilot, lambda: app.screen.query("Toast"))
        toast = app.screen.query_one("Toast")
        assert not toast.region.overlaps(widget.query_one("Markdown").region)


def test_an_unfinished_list_item_does_not_run_into_the_next_sentence() -> None:
    answer = Answer(
        question="Who is in it?",
        film="Her (2013)",
        answered=True,
        sentences=[
            AnswerSentence(text="Scarlett Johansson as the voice of Samantha", markers=[1]),
            AnswerSentence(
                text="Set in a near-future Los Angeles, it follows Theodore.", markers=[1]
            ),
            AnswerSentence(text="It won an Oscar.", markers=[2]),
        ],
    )
    markdown = answer_markdown(answer)
    assert "(cite:1)  \nSet in a near-future" in markdown  # a line break, not a run-on
    assert "Theodore. [\\[1\\]](cite:1) It won" in markdown  # finished sentences flow on
    copied = answer_with_references(answer)
    assert "Samantha [1]\nSet in" in copied


def test_counts_read_right() -> None:
    assert "1 chunk embedded," in IndexReport(chunks_embedded=1, chunks_total=3).summary()
    assert "2 chunks embedded," in IndexReport(chunks_embedded=2, chunks_total=3).summary()


async def test_an_answer_across_films_names_its_film(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    review = tmp_path / "moon-review.md"
    review.write_text(MOON_REVIEW, encoding="utf-8")
    add_articles(private, [review])
    build_index(private, embedder=embedder)
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.chat.header.scope is None  # two films: all films
        widget = await ask(pilot, "Who composed the score?")
        answer = widget.answer
        assert answer is not None and answer.answered and answer.film is None
        films = {c.film for c in answer.citations}
        assert len(films) == 1
        (film,) = films
        named = widget.query_one(".answer-film", Label)
        assert named.display and str(named.render()) == f"About {film}"
        header = str(app.chat.header.query_one("#scope", Label).render())
        assert header == f"All films · last answer: {film}"

        scoped = await ask(pilot, "Who directed Moon?")  # names its film: no extra line
        assert not scoped.query_one(".answer-film").display


def test_an_answer_across_films_is_one_line_per_film() -> None:
    def cite(marker: int, film: str) -> Citation:
        return Citation(
            marker=marker, article_id=film, title=f"{film} review", film=film, path=f"{film}.md"
        )

    answer = Answer(
        question="Which film has a lonely hero?",
        film=None,
        answered=True,
        sentences=[
            AnswerSentence(text="Theodore is lonely after his divorce.", markers=[1]),
            AnswerSentence(text="Sam Bell works alone on the Moon.", markers=[2]),
            AnswerSentence(text="Theodore writes letters for others.", markers=[1]),
        ],
        citations=[cite(1, "Her"), cite(2, "Moon")],
    )
    lines = answer_markdown(answer).splitlines()
    assert lines == [
        "- **Her** — Theodore is lonely after his divorce. [\\[1\\]](cite:1) "
        "Theodore writes letters for others. [\\[1\\]](cite:1)",
        "- **Moon** — Sam Bell works alone on the Moon. [\\[2\\]](cite:2)",
    ]
    scoped = answer.model_copy(update={"film": "Her (2013)"})
    assert len(answer_markdown(scoped).splitlines()) == 1  # one film in scope: prose


async def test_about_shows_the_fact_sheet_with_its_citations(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/about her")
        await wait_until(pilot, lambda: app.chat.query(NoteMessage))
        sheet = app.chat.query(NoteMessage).last().source.replace("\\", "")
        engine, conversation = app.session.engine, app.chat.conversation
        assert engine is not None and conversation is not None
        film = find_film("her", engine.catalog)
        assert film is not None and sheet.startswith(f"**{film.label}** — fact sheet")
        credits = conversation.credits(film)
        assert any(c.role == "director" for c in credits)
        references = sheet.split("**References**")[1]
        for credit in credits:  # every credit is listed under its role and cited
            line = next(
                x for x in sheet.splitlines() if x.startswith(f"- **{credit.role.capitalize()}:**")
            )
            assert re.search(rf"{re.escape(credit.person)}[^·]*\[\d+\]", line)
            assert f"(`{credit.article.path}`)" in references

        await submit(pilot, "/about Nosferatu")
        await wait_until(pilot, lambda: notified(app, "No film called 'Nosferatu'"))
        assert app.chat.prompt.value == "/about Nosferatu"
