"""The small dialog `/add` and `/edit` open: an article's film, year, title and author, to
confirm or correct before they are written into its front matter."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from filmchat.models import ArticleMeta


class ArticleMetaScreen(ModalScreen[ArticleMeta | None]):
    """Dismisses with the confirmed metadata, or None when cancelled."""

    DEFAULT_CSS = """
    ArticleMetaScreen { align: center middle; }
    ArticleMetaScreen Input { margin: 0 0; }
    ArticleMetaScreen .field-label { margin: 1 0 0 0; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, heading: str, note: str, meta: ArticleMeta, action: str) -> None:
        super().__init__()
        self.heading = heading
        self.note = note
        self.meta = meta
        self.action_label = action

    def compose(self) -> ComposeResult:
        fields = (
            ("film", "Film", self.meta.film or ""),
            ("year", "Year", str(self.meta.year or "")),
            ("title", "Title", self.meta.title),
            ("author", "Author", self.meta.author or ""),
        )
        with Vertical(id="dialog"):
            yield Label(self.heading, id="dialog-title", markup=False)
            yield Static(self.note, markup=False)
            for name, label, value in fields:
                yield Label(label, classes="field-label")
                yield Input(value, placeholder=label, id=f"meta-{name}")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.action_label, variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#meta-film", Input).focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#meta-{name}", Input).value.strip()

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
