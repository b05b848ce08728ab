"""Chat history: every conversation and its answers (with citations) in one SQLite file.

The file lives in the user data folder (platformdirs) unless `settings.history` names one.
Each conversation belongs to the corpus it was held about, and the chat lists and recalls only
its own corpus's (conversations saved before corpora were recorded show in every corpus).
A conversation is titled by its first answered question, not by a greeting.
Answers are stored as the answering layer's own `Answer` JSON, minus the retrieved passages,
so a reopened chat renders exactly what was shown, sources panel included. The schema is
versioned with `PRAGMA user_version`, as oterm does, so later versions can upgrade in place.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ValidationError

from filmchat.errors import FilmchatError
from filmchat.models import Answer
from filmchat.settings import Settings

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    film TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    corpus TEXT,
    titled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    answer TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
);
"""
_UPGRADES = {  # from version n to n + 1
    1: "ALTER TABLE conversations ADD COLUMN corpus TEXT; "
    "ALTER TABLE conversations ADD COLUMN titled INTEGER NOT NULL DEFAULT 0;",
}
RECALLED = 200
"""Questions ↑ recalls from earlier launches, newest last."""


def history_path(settings: Settings) -> Path:
    """`settings.history`, else history.sqlite in the user data folder."""
    if settings.history is not None:
        return settings.history
    return platformdirs.user_data_path("filmchat", appauthor=False) / "history.sqlite"


class SavedConversation(BaseModel):
    """One row of the history list."""

    id: int
    title: str
    film: str | None
    updated: str
    turns: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class History:
    """The history database; opened once per app, used from the UI thread only."""

    def __init__(self, path: Path, corpus: Path) -> None:
        """`corpus`: the collection this chat is about; other corpora's chats stay hidden."""
        self.path = path
        self.corpus = str(corpus.expanduser().resolve())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA foreign_keys = ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise FilmchatError(
                    f"Chat history {path} is from a newer filmchat; "
                    "upgrade filmchat or set FILMCHAT_HISTORY to another file."
                )
            for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
                self.db.executescript(_UPGRADES[step])
            self.db.executescript(_SCHEMA)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.commit()
        except sqlite3.Error as exc:
            raise FilmchatError(
                f"Chat history {path} is unreadable ({exc}); "
                "move it aside or set FILMCHAT_HISTORY to another file."
            ) from exc

    def start(self, title: str, film: str | None) -> int:
        """A new conversation, titled by its first question until one is answered."""
        now = _now()
        cursor = self.db.execute(
            "INSERT INTO conversations (title, film, created, updated, corpus) "
            "VALUES (?, ?, ?, ?, ?)",
            (title[:200], film, now, now, self.corpus),
        )
        self.db.commit()
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_turn(self, conversation_id: int, answer: Answer) -> None:
        """Append one answer; the retrieved passages are left out, the citations kept."""
        position = self.db.execute(
            "SELECT count(*) FROM turns WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]
        self.db.execute(
            "INSERT INTO turns VALUES (?, ?, ?)",
            (conversation_id, position, answer.model_dump_json(exclude={"passages"})),
        )
        self.db.execute(
            "UPDATE conversations SET updated = ?, film = ? WHERE id = ?",
            (_now(), answer.film, conversation_id),
        )
        if answer.answered:  # 'hi' or a refused question says little about the conversation
            self.db.execute(
                "UPDATE conversations SET title = ?, titled = 1 WHERE id = ? AND titled = 0",
                (answer.question[:200], conversation_id),
            )
        self.db.commit()

    def conversations(self) -> list[SavedConversation]:
        """Past conversations, most recent first."""
        rows = self.db.execute(
            "SELECT c.id, c.title, c.film, c.updated, count(t.position) FROM conversations c "
            "LEFT JOIN turns t ON t.conversation_id = c.id "
            "WHERE c.corpus IS NULL OR c.corpus = ? "
            "GROUP BY c.id ORDER BY c.updated DESC, c.id DESC",
            (self.corpus,),
        )
        return [
            SavedConversation(id=id_, title=title, film=film, updated=updated, turns=turns)
            for id_, title, film, updated, turns in rows
        ]

    def questions(self, limit: int = RECALLED) -> list[str]:
        """This corpus's questions, oldest first: ↑ recalls them after a restart."""
        rows = self.db.execute(
            "SELECT json_extract(t.answer, '$.question') FROM turns t "
            "JOIN conversations c ON c.id = t.conversation_id "
            "WHERE c.corpus IS NULL OR c.corpus = ? "
            "ORDER BY c.updated DESC, c.id DESC, t.position DESC LIMIT ?",
            (self.corpus, limit),
        )
        return [question for (question,) in reversed(rows.fetchall()) if question]

    def answers(self, conversation_id: int) -> list[Answer]:
        """The answers of one conversation, in order; unreadable rows are skipped."""
        answers = []
        for (raw,) in self.db.execute(
            "SELECT answer FROM turns WHERE conversation_id = ? ORDER BY position",
            (conversation_id,),
        ):
            try:
                answers.append(Answer.model_validate_json(raw))
            except ValidationError:
                continue
        return answers

    def delete(self, conversation_id: int) -> None:
        self.db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
