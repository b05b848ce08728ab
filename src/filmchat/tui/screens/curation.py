"""/add, /edit and /remove in the chat: the corpus corrected without leaving it.

`/add` adds at once when the film is certain; otherwise, and for `/edit`, a small dialog shows
the article's film, year, title and author to confirm or correct. Edits and removals rebuild
the index straight away (no text changes, so nothing is embedded); an added article waits for
ctrl+r or /reindex, as before.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from filmchat.models import ArticleMeta
from filmchat.tui.commands import path_argument
from filmchat.tui.render import one_line
from filmchat.tui.screens.article_meta import ArticleMetaScreen
from filmchat.tui.session import ReindexRequested

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

    from filmchat.tui.session import Session


class CurationCommands:
    """Mixed into the chat screen, which provides `app`, `session` and `post_message`."""

    if TYPE_CHECKING:
        app: App[None]
        session: Session

        def post_message(self, message: Message) -> bool: ...

    def _tell(self, message: str, title: str, error: bool = False) -> None:
        """A notification, from any thread."""
        self.app.call_from_thread(
            self.app.notify,
            message,
            title=title,
            severity="error" if error else "information",
            timeout=10,
        )

    # --- /add --------------------------------------------------------------------------------

    async def command_add(self, argument: str) -> None:
        self.inspect_for_adding(path_argument(argument))

    @work(thread=True, group="add", exit_on_error=False)
    def inspect_for_adding(self, path: Path) -> None:
        from filmchat.indexer import inspect_article

        try:
            inference, _ = inspect_article(path)
        except Exception as exc:  # unreadable or unsuitable file: one line, corpus untouched
            self._tell(f"{one_line(exc)} Nothing was added.", "Cannot add article", error=True)
            return
        if inference.confident:
            self.app.call_from_thread(self.add_file, path, None)
            return
        guesses = inference.best_guesses()
        named = ", ".join(f"“{c.name}”" for c in guesses) or "no candidate"
        dialog = ArticleMetaScreen(
            f"Add {path.name}",
            f"Which film does it review? The article does not say clearly (best candidates: "
            f"{named}). Check the fields, then add it.",
            inference.meta.model_copy(update={"film": guesses[0].name if guesses else None}),
            "Add",
        )
        self.app.call_from_thread(self.app.push_screen, dialog, partial(self.confirmed_add, path))

    def confirmed_add(self, path: Path, meta: ArticleMeta | None) -> None:
        if meta is None:
            self.app.notify(f"{path.name} was not added.")
            return
        self.add_file(path, meta)

    @work(thread=True, group="add", exit_on_error=False)
    def add_file(self, path: Path, meta: ArticleMeta | None) -> None:
        from filmchat.indexer import add_paths

        settings = self.session.settings
        given = {}
        if meta is not None:
            given = {"film": meta.film, "year": meta.year, "title": meta.title}
            given["author"] = meta.author
        try:
            (outcome,) = add_paths(settings, [path], **given)
        except Exception as exc:
            self._tell(f"{one_line(exc)} Nothing was added.", "Cannot add article", error=True)
            return
        if outcome.added is None:
            self._tell(f"{outcome.error} Nothing was added.", "Cannot add article", error=True)
            return
        self._tell(
            f"{outcome.added.describe(settings.corpus)}. "
            "Press ctrl+r or /reindex to make it answerable.",
            "Article added",
        )

    # --- /edit and /remove ---------------------------------------------------------------------

    async def command_edit(self, argument: str) -> None:
        self.open_for_editing(argument)

    @work(thread=True, group="add", exit_on_error=False)
    def open_for_editing(self, reference: str) -> None:
        from filmchat.corpus import load_article
        from filmchat.curation import find_article

        settings = self.session.settings
        try:
            path = find_article(settings, reference)
            meta = load_article(path, settings.corpus).meta
        except Exception as exc:
            self._tell(one_line(exc), "Cannot edit article", error=True)
            return
        dialog = ArticleMetaScreen(
            f"Edit {path.name}",
            "Correct what filmchat recorded for this article; the index follows at once.",
            meta,
            "Save",
        )
        self.app.call_from_thread(self.app.push_screen, dialog, partial(self.confirmed_edit, path))

    def confirmed_edit(self, path: Path, meta: ArticleMeta | None) -> None:
        if meta is not None:
            self.save_edit(path, meta)

    @work(thread=True, group="add", exit_on_error=False)
    def save_edit(self, path: Path, meta: ArticleMeta) -> None:
        from filmchat.curation import edit_article

        try:
            saved = edit_article(
                self.session.settings,
                path,
                film=meta.film,
                year=meta.year,
                title=meta.title,
                author=meta.author,
            )
        except Exception as exc:
            self._tell(one_line(exc), "Cannot edit article", error=True)
            return
        self._tell(f"{path.name}: “{saved.title}” — {saved.film_label()}.", "Article edited")
        self.app.call_from_thread(self.post_message, ReindexRequested())

    async def command_remove(self, argument: str) -> None:
        self.remove_from_corpus(argument)

    @work(thread=True, group="add", exit_on_error=False)
    def remove_from_corpus(self, reference: str) -> None:
        from filmchat.curation import find_article, remove_article

        settings = self.session.settings
        try:
            path = find_article(settings, reference)
            meta = remove_article(settings, path)
        except Exception as exc:
            self._tell(one_line(exc), "Cannot remove article", error=True)
            return
        what = f" (“{meta.title}” — {meta.film_label()})" if meta else ""
        self._tell(f"Removed {path.name}{what}.", "Article removed")
        self.app.call_from_thread(self.post_message, ReindexRequested())
