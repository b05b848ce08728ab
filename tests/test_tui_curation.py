"""Correcting the corpus from the chat, driven with Pilot: `/add` of a review whose film is
unclear opens a dialog to confirm it, `/edit` corrects a film, `/remove` takes a review out;
each followed by a question to show the answers follow (`/remove` asks first)."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import pytest
from textual.widgets import Input

from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.tui.app import FilmchatApp
from filmchat.tui.screens.article_meta import ArticleMetaScreen
from filmchat.tui.screens.confirm import ConfirmScreen
from helpers_tui import ask, idle, notified, press_button, start, submit, wait_until

WIDE = (120, 40)
# A review whose headline does not name its film: filmchat cannot tell, so it asks
UNCLEAR = """\
A week of quiet films

Still Water follows a fisherman on a northern lake who stops speaking after his brother
drowns. Agnes Lund directed it with long, patient takes, and the lake changes colour with
every chapter. Still Water is slow, but the last scene, a boat left drifting, is devastating.

The Glass Orchard, which I saw the same week, is about a family of gardeners. The Glass
Orchard is prettier and emptier.
"""


@pytest.fixture
def private(indexed: Settings, tmp_path: Path) -> Settings:
    return indexed.model_copy(update={"history": tmp_path / "history.sqlite"})


def dialog(app: FilmchatApp) -> ArticleMetaScreen | None:
    screen = app.screen
    return screen if isinstance(screen, ArticleMetaScreen) else None


async def test_add_of_an_unclear_review_asks_then_edit_and_remove_follow_in_the_answers(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    review = tmp_path / "quiet-films.txt"
    review.write_text(UNCLEAR, encoding="utf-8")
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)

        # /add: the film is unclear, so a dialog shows the best candidate to confirm or fix
        await submit(pilot, f"/add {review}")
        await wait_until(pilot, lambda: dialog(app) is not None, what="the add dialog")
        screen = dialog(app)
        assert screen is not None
        assert screen.query_one("#meta-film", Input).value == "Still Water"
        screen.query_one("#meta-year", Input).value = "2021"
        await pilot.click("#save")
        await wait_until(pilot, lambda: notified(app, "Article added"))
        added = [p for p in private.corpus.iterdir() if p.name.startswith("still-water")]
        assert len(added) == 1
        post = frontmatter.load(added[0])
        assert (post["film"], post["year"]) == ("Still Water", 2021)
        await submit(pilot, "/reindex")
        await wait_until(pilot, lambda: notified(app, "Index updated") and idle(app))
        answer = (await ask(pilot, "Who directed Still Water?")).answer
        assert answer is not None and answer.answered and "Agnes Lund" in answer.text

        # /edit: correct the film; the index follows at once, no text re-embedded
        await submit(pilot, f"/edit {added[0].name}")
        await wait_until(pilot, lambda: dialog(app) is not None, what="the edit dialog")
        screen = dialog(app)
        assert screen is not None
        screen.query_one("#meta-film", Input).value = "Still Waters"
        await pilot.click("#save")
        await wait_until(pilot, lambda: notified(app, "Article edited"))
        await wait_until(pilot, lambda: notified(app, "1 updated") and idle(app))
        assert frontmatter.load(added[0])["film"] == "Still Waters"
        answer = (await ask(pilot, "Who directed Still Waters?")).answer
        assert answer is not None and answer.answered
        assert [c.film for c in answer.citations] == ["Still Waters"]

        # /remove: gone from the corpus and from the answers
        await submit(pilot, "/remove A week of quiet films")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asking")
        await press_button(pilot, "#remove")
        await wait_until(pilot, lambda: notified(app, "Article removed"))
        await wait_until(pilot, lambda: notified(app, "1 removed") and idle(app))
        assert not added[0].exists()
        answer = (await ask(pilot, "Who directed Still Waters?")).answer
        assert answer is not None
        assert all(c.film != "Still Waters" for c in answer.citations)
        assert "Agnes Lund" not in answer.text


async def test_add_dialog_cancelled_adds_nothing(
    private: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    review = tmp_path / "quiet-films.txt"
    review.write_text(UNCLEAR, encoding="utf-8")
    before = sorted(p.name for p in private.corpus.iterdir())
    app = FilmchatApp(private, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, f"/add {review}")
        await wait_until(pilot, lambda: dialog(app) is not None, what="the add dialog")
        await pilot.press("escape")
        await wait_until(pilot, lambda: notified(app, "was not added"))
    assert sorted(p.name for p in private.corpus.iterdir()) == before
