"""The small dialog `/add` and `/edit` open: an article's film, year, title and author, to
confirm or correct before they are written into its front matter.

It fits whole in an 80×24 terminal (one line per field), and scrolls, the focused field kept
in view, where the note is long or the terminal smaller. When the film is unclear it offers
the best candidates to pick from (an article about two films offers both), the first filled in.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from filmchat.models import ArticleMeta


class ArticleMetaScreen(ModalScreen[ArticleMeta | None]):
    """Dismisses with the confirmed metadata, or None when cancelled."""

    DEFAULT_CSS = """
    ArticleMetaScreen { align: center middle; }
    ArticleMetaScreen #dialog { padding: 0 1; }
    ArticleMetaScreen #fields { height: auto; margin: 1 0 0 0; }
    ArticleMetaScreen .field { height: 1; }
    ArticleMetaScreen .field Label { width: 8; color: $text-muted; }
    ArticleMetaScreen .field Input { width: 1fr; background: $boost; }
    ArticleMetaScreen .field Input:focus { background: $accent 25%; }
    ArticleMetaScreen #candidates-label { margin: 1 0 0 0; color: $text-muted; }
    ArticleMetaScreen #candidates { height: auto; max-height: 3; border: none; padding: 0; }
    ArticleMetaScreen #dialog-buttons Button { min-width: 10; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(
        self,
        heading: str,
        note: str,
        meta: ArticleMeta,
        action: str,
        candidates: list[str] | None = None,
    ) -> None:
        """`candidates`: films to pick from, best first (the first is filled in)."""
        super().__init__()
        self.heading = heading
        self.note = note
        self.meta = meta
        self.action_label = action
        self.candidates = candidates or []

    def compose(self) -> ComposeResult:
        fields = (
            ("film", "Film", self.meta.film or ""),
            ("year", "Year", str(self.meta.year or "")),
            ("title", "Title", self.meta.title),
            ("author", "Author", self.meta.author or ""),
        )
        with VerticalScroll(id="dialog"):
            yield Label(self.heading, id="dialog-title", markup=False)
            yield Static(self.note, markup=False)
            if len(self.candidates) > 1:
                yield Label("Candidates (enter puts one in Film):", id="candidates-label")
                yield OptionList(
                    *(Option(name, id=str(n)) for n, name in enumerate(self.candidates)),
                    id="candidates",
                    markup=False,
                )
            with Vertical(id="fields"):
                for name, label, value in fields:
                    with Horizontal(classes="field"):
                        yield Label(label)
                        yield Input(value, placeholder=label, id=f"meta-{name}", compact=True)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.action_label, variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#meta-film", Input).focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#meta-{name}", Input).value.strip()

    @on(OptionList.OptionSelected, "#candidates")
    def candidate_chosen(self, event: OptionList.OptionSelected) -> None:
        film = self.query_one("#meta-film", Input)
        film.value = self.candidates[event.option_index]
        film.focus()

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        film, year, title = self.value("film"), self.value("year"), self.value("title")
        if not film:
            self.notify("Which film does it review? Type its title.", severity="warning")
            self.query_one("#meta-film", Input).focus()
            return
        if year and not (year.isdigit() and len(year) == 4):
            self.notify("The year is four digits, e.g. 2019, or empty.", severity="warning")
            self.query_one("#meta-year", Input).focus()
            return
        self.dismiss(
            self.meta.model_copy(
                update={
                    "film": film,
                    "year": int(year) if year else None,
                    "title": title or self.meta.title,
                    "author": self.value("author") or None,
                }
            )
        )
