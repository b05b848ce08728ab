"""/add, /edit and /remove in the chat: the corpus corrected without leaving it.

`/add` adds at once when the film is certain; otherwise, and for `/edit`, a small dialog shows
the article's film, year, title and author to confirm or correct. `/add FOLDER` adds every
article in it, as `filmchat add` does, and says which were not added and why. `/remove` asks
first. Edits and removals rebuild the index straight away (no text changes, so nothing is
embedded); an added article waits for ctrl+r or /reindex, and a question refused meanwhile
says so. An article is found as `filmchat edit` finds it (file name, original file name, film
or title), and errors point to `/sources`.
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
from filmchat.tui.screens.confirm import ConfirmScreen
from filmchat.tui.session import ReindexRequested

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

    from filmchat.tui.session import Session


LISTING = "`/sources`"
"""How the chat lists the articles, for errors that cannot find one."""


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
        path = path_argument(argument)
        if path.is_dir():
            self.add_folder(path)
        else:
            self.inspect_for_adding(path)

    @work(thread=True, group="add", exit_on_error=False)
    def add_folder(self, folder: Path) -> None:
        """Every article in the folder, as `filmchat add FOLDER`: a bad file stops nothing."""
        from filmchat.indexer import add_paths

        settings = self.session.settings
        try:
            outcomes = add_paths(settings, [folder])
        except Exception as exc:
            self._tell(f"{one_line(exc)} Nothing was added.", "Cannot add articles", error=True)
            return
        added = [o.added for o in outcomes if o.added]
        refused = [o.error for o in outcomes if o.error]
        if not outcomes:
            self._tell(f"{folder} holds no article files.", "Nothing added", error=True)
            return
        lines = [f"{len(added)} of {len(outcomes)} articles in {folder.name} added."]
        lines += [f"Not added: {error}" for error in refused]
        if added:
            lines.append("Press ctrl+r or /reindex to make them answerable.")
        self._tell("\n".join(lines), "Articles added" if added else "Nothing added", not added)

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
        guesses = [c.name for c in inference.best_guesses()]
        named = ", ".join(f"“{name}”" for name in guesses) or "no candidate"
        dialog = ArticleMetaScreen(
            f"Add {path.name}",
            f"Which film does it review? The article does not say clearly (best candidates: "
            f"{named}). Check the fields, then add it.",
            inference.meta.model_copy(update={"film": guesses[0] if guesses else None}),
            "Add",
            candidates=guesses,
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
            path = find_article(settings, reference, listing=LISTING)
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
        self.ask_to_remove(argument)

    @work(thread=True, group="add", exit_on_error=False)
    def ask_to_remove(self, reference: str) -> None:
        """Which article, then a dialog naming it: a file is deleted only when confirmed."""
        from filmchat.corpus import load_article
        from filmchat.curation import find_article

        settings = self.session.settings
        try:
            path = find_article(settings, reference, listing=LISTING)
            meta = load_article(path, settings.corpus).meta
        except Exception as exc:
            self._tell(one_line(exc), "Cannot remove article", error=True)
            return
        dialog = ConfirmScreen(
            f"Remove {path.name}?",
            [
                f"“{meta.title}” — {meta.film_label()}",
                "The file is deleted from the corpus and its passages leave the index.",
            ],
            yes=("Remove", "remove"),
            no=("Keep it", "keep"),
        )
        self.app.call_from_thread(
            self.app.push_screen, dialog, partial(self.confirmed_remove, path)
        )

    def confirmed_remove(self, path: Path, remove: bool | None) -> None:
        if remove:
            self.remove_from_corpus(path)
        else:
            self.app.notify(f"{path.name} was kept.")

    @work(thread=True, group="add", exit_on_error=False)
    def remove_from_corpus(self, path: Path) -> None:
        from filmchat.curation import remove_article

        settings = self.session.settings
        try:
            meta = remove_article(settings, path)
        except Exception as exc:
            self._tell(one_line(exc), "Cannot remove article", error=True)
            return
        what = f" (“{meta.title}” — {meta.film_label()})" if meta else ""
        self._tell(f"Removed {path.name}{what}.", "Article removed")
        self.app.call_from_thread(self.post_message, ReindexRequested())
