"""The chat keeping up with its collection and its user (issue 18, chat items 1-6, 10, 11, 13,
14), driven with Pilot: the real model, real indexes, real files and history."""

from __future__ import annotations

import shutil
from pathlib import Path

import frontmatter
import pytest
from textual.widgets import Button, Input, OptionList

from filmchat.embedding import Embedder
from filmchat.indexer import add_paths, build_index
from filmchat.settings import Settings
from filmchat.tui.app import FilmchatApp
from filmchat.tui.screens.article_meta import ArticleMetaScreen
from filmchat.tui.screens.confirm import ConfirmScreen
from filmchat.tui.screens.history import HistoryScreen
from filmchat.tui.widgets.sources import SourcesPanel
from helpers_tui import (
    MOON_REVIEW,
    ask,
    idle,
    markdown_text,
    notified,
    press_button,
    start,
    submit,
    wait_until,
)

WIDE = (120, 40)
NARROW = (80, 24)
FILMS = Path(__file__).resolve().parent / "fixtures" / "films"
# A review of two films, neither in its headline: filmchat cannot tell which, so it asks
TWO_FILMS = """\
Two films about winter

Still Water follows a fisherman on a northern lake who stops speaking after his brother
drowns. Agnes Lund directed Still Water with long, patient takes. Still Water is slow, but its
last scene is devastating.

The Glass Orchard follows a family of gardeners through one frozen season. Mikkel Aas directed
The Glass Orchard in a single house. The Glass Orchard is prettier and emptier.
"""


@pytest.fixture
def private(indexed: Settings, tmp_path: Path) -> Settings:
    return indexed.model_copy(update={"history": tmp_path / "history.sqlite"})


@pytest.fixture
def seed(seed_index: Settings, tmp_path: Path) -> Settings:
    return seed_index.model_copy(update={"history": tmp_path / "history.sqlite"})


def dialog_of(app: FilmchatApp, kind: type) -> object | None:
    return app.screen if isinstance(app.screen, kind) else None


# --- 1: another terminal's `filmchat add` ---------------------------------------------------


async def test_an_index_updated_elsewhere_is_answered_from_and_said(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        # as `filmchat add moon.md` in another terminal: a new generation goes live on disk
        review = tmp_path / "moon.md"
        review.write_text(MOON_REVIEW, encoding="utf-8")
        assert add_paths(private, [review])[0].added
        build_index(private, embedder=embedder)

        widget = await ask(pilot, "Who composed the score of Moon?")
        answer = widget.answer
        assert answer is not None and answer.answered and "Clint Mansell" in answer.text
        assert notified(app, "The collection changed: 1 article added")
        assert "The collection changed: 1 article added" in markdown_text(widget)
        assert app.chat.header.corpus.startswith("2 films · 6 articles")


# --- 2 and 10: the dialog, whole at 80×24, offering both films of a two-film article -----------


async def test_the_add_dialog_is_whole_at_80x24_and_offers_each_candidate(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    review = tmp_path / "winter-films.txt"
    review.write_text(TWO_FILMS, encoding="utf-8")
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        await submit(pilot, f"/add {review}")
        await wait_until(pilot, lambda: dialog_of(app, ArticleMetaScreen), what="the dialog")
        screen = app.screen
        await pilot.pause()
        for selector in ("#meta-film", "#meta-year", "#meta-title", "#meta-author"):
            field = screen.query_one(selector, Input)
            assert field.region.height >= 1 and field.region.bottom <= 24, selector
        for button in screen.query(Button):
            assert button.region.height >= 1 and button.region.bottom <= 24, button.id

        # the article reviews two films: both are offered, the likelier filled in
        candidates = screen.query_one("#candidates", OptionList)
        offered = [
            str(candidates.get_option_at_index(n).prompt) for n in range(candidates.option_count)
        ]
        assert {"Still Water", "The Glass Orchard"} <= set(offered)
        assert screen.query_one("#meta-film", Input).value == offered[0]
        other = "The Glass Orchard" if offered[0] == "Still Water" else "Still Water"
        candidates.focus()
        candidates.highlighted = offered.index(other)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.query_one("#meta-film", Input).value == other)

        # tab reaches every field and button, each scrolled into view
        for _ in range(8):
            await pilot.press("tab")
            focused = app.focused
            assert focused is not None and focused.region.bottom <= 24, focused
        await press_button(pilot, "#save")
        await wait_until(pilot, lambda: notified(app, "Article added"))
    (added,) = [p for p in private.corpus.iterdir() if "winter" in p.name]
    assert frontmatter.load(added)["film"] == other


# --- 3: /add FOLDER --------------------------------------------------------------------------


async def test_add_a_folder_adds_each_article(private: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, f"/add {FILMS}")
        await wait_until(pilot, lambda: notified(app, "Articles added"), what="the folder")
        assert notified(app, "2 of 2 articles in films added")
        names = sorted(p.name for p in private.corpus.iterdir())
        assert any(name.startswith("moon") for name in names)
        assert any(name.startswith("arrival") for name in names)


# --- 4 and 11: articles named as the user knows them; /remove asks; the pending index -----------


async def test_edit_and_remove_by_original_name_or_film_remove_asks_and_errors_say_sources(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    review = tmp_path / "lady-bird.md"  # `add` renames it after its title
    review.write_text(MOON_REVIEW, encoding="utf-8")
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, f"/add {review}")
        await wait_until(pilot, lambda: notified(app, "Article added"))
        (added,) = [p for p in private.corpus.iterdir() if p.name.startswith("moon")]

        # 11: asked before the index has it, the refusal says indexing is pending
        widget = await ask(pilot, "Who composed the score of Moon?")
        assert widget.answer is not None and not widget.answer.answered
        assert "Not in the index yet" in markdown_text(widget)
        assert added.name in markdown_text(widget) and "ctrl+r" in markdown_text(widget)

        await submit(pilot, "/edit lady-bird.md")  # the name it had before `add`
        await wait_until(pilot, lambda: dialog_of(app, ArticleMetaScreen), what="edit dialog")
        assert app.screen.query_one("#meta-film", Input).value == "Moon"
        await pilot.press("escape")

        await submit(pilot, "/remove no such review")
        await wait_until(pilot, lambda: notified(app, "Cannot remove article"))
        assert notified(app, "/sources") and not notified(app, "filmchat sources")

        await submit(pilot, "/remove moon")  # by its film: asks first, and keeps it on "no"
        await wait_until(pilot, lambda: dialog_of(app, ConfirmScreen), what="remove dialog")
        await press_button(pilot, "#keep")
        await wait_until(pilot, lambda: notified(app, "was kept"))
        assert added.exists()

        await submit(pilot, "/remove moon")
        await wait_until(pilot, lambda: dialog_of(app, ConfirmScreen), what="remove dialog")
        await press_button(pilot, "#remove")
        await wait_until(pilot, lambda: notified(app, "Article removed"))
        await wait_until(pilot, lambda: idle(app) and notified(app, "Index updated"))
        assert not added.exists()


# --- 5: the film in scope holds, ctrl+l lets it go -----------------------------------------------


async def test_the_film_in_scope_holds_until_cleared(private: Settings, embedder: Embedder) -> None:
    shutil.copy(FILMS / "moon-2009-review.md", private.corpus)
    build_index(private, embedder=embedder)
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/film moon")
        await wait_until(pilot, lambda: app.chat.header.scope == "Moon (2009)")
        widget = await ask(pilot, "Who directed Her?")
        assert app.chat.header.scope == "Moon (2009)"
        assert app.chat.conversation is not None and app.chat.conversation.film == "Moon (2009)"
        answer = widget.answer
        assert answer is not None and answer.film == "Moon (2009)"
        assert "Answering about Moon (2009) only" in markdown_text(widget)

        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: app.chat.header.scope is None)
        assert app.chat.conversation is not None and app.chat.conversation.film is None
        widget = await ask(pilot, "Who directed Her?")
        assert widget.answer is not None and "Jonze" in widget.answer.text


# --- 6: the sources panel follows the answer in focus ------------------------------------------


async def test_back_at_the_prompt_the_panel_shows_the_newest_answer(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        first = await ask(pilot, "Who directed Her?")
        newest = await ask(pilot, "What does Her say about loneliness?")
        panel = app.chat.query_one(SourcesPanel)
        await pilot.press("tab", "shift+tab")
        await wait_until(pilot, lambda: panel.answer is first.answer, what="the older cards")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.prompt.has_focus)
        await wait_until(pilot, lambda: panel.answer is newest.answer, what="the newest cards")


# --- 13: history per corpus, titled by a real question, reopened visibly, recalled ------------


async def test_history_is_per_corpus_titled_by_a_question_and_recalled_after_restart(
    seed: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    other_corpus = tmp_path / "other"
    shutil.copytree(seed.corpus, other_corpus)
    other = seed.model_copy(update={"corpus": other_corpus})
    app = FilmchatApp(other, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await ask(pilot, "Who plays Samantha in Her?")

    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await ask(pilot, "hi")
        await ask(pilot, "Who directed Her?")
        await ask(pilot, "What about the music?")

    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        prompt = app.chat.prompt
        prompt.focus()
        await pilot.press("up")
        assert prompt.value == "What about the music?"  # from the previous launch
        await pilot.press("up", "up")
        assert prompt.value == "hi"
        await pilot.press("up")
        assert prompt.value == "hi"  # never the other corpus's question

        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: dialog_of(app, HistoryScreen), what="the history")
        listed = app.screen.query_one(OptionList)
        assert listed.option_count == 1  # the other corpus's chat is not listed
        assert str(listed.get_option_at_index(0).prompt).startswith("Who directed Her?")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.chat.answers) == 3, what="the reopened chat")
        activity = app.chat.activity
        assert "Opening the conversation (3 answers)" in str(
            activity.query_one("#activity-text").render()
        )
        assert not activity.has_class("-active")


# --- 14: rough edges ---------------------------------------------------------------------


async def test_the_welcome_at_80_columns_points_under_the_answers(
    seed: Settings, embedder: Embedder
) -> None:
    """The sources panel is hidden at 80 columns: the welcome does not point at it."""
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        shown = [w for w in app.chat.query("#welcome Static") if w.display]
        assert len(shown) == 1 and "under each answer" in str(shown[0].render())
        assert "appear in the sources panel" not in str(shown[0].render())


async def test_the_header_keeps_the_collection_whole_at_80_columns(
    seed: Settings, embedder: Embedder
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        header = app.chat.header
        header.scope = "The Assassination of Jesse James by the Coward Robert Ford (2007)"
        header.mode = "LLM llama3.2"
        await pilot.pause()
        corpus = header.query_one("#corpus")
        assert corpus.region.right <= 80
        assert corpus.region.width >= len(header.corpus) + 2  # the text and its padding


async def test_ctrl_c_says_how_to_quit_in_plain_words(seed: Settings, embedder: Embedder) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        app.chat.set_focus(None)  # in the prompt ctrl+c copies
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: notified(app, "to quit"))
        quit_note = next(note for note in app.told if "to quit" in note)
        assert "ctrl+q" in quit_note and "[b]" not in quit_note


async def test_goodbye_is_small_talk_and_export_names_a_plain_path(
    seed: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    app = FilmchatApp(seed, embedder=embedder)
    async with app.run_test(size=NARROW) as pilot:
        await start(pilot)
        bye = await ask(pilot, "ok thanks, bye")
        assert bye.answer is not None and bye.answer.smalltalk and not bye.answer.citations

        folder = tmp_path / "deep"
        folder.mkdir()
        await submit(pilot, f"/export {folder}/../chat.md")
        await wait_until(pilot, lambda: notified(app, "Saved the conversation"))
        saved = next(note for note in app.told if "Saved the conversation" in note)
        assert saved.endswith(f"to {tmp_path / 'chat.md'}.") and "/../" not in saved
