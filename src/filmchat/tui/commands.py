"""The slash commands: one table feeds the prompt, /help, suggestions and the command palette."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SlashCommand:
    name: str
    usage: str
    help: str
    needs_argument: bool = False


COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand(
        "film", "/film [TITLE|all]", "Scope the conversation to a film; alone, list the films."
    ),
    SlashCommand("films", "/films", "List the films in the collection."),
    SlashCommand(
        "about",
        "/about [TITLE]",
        "A film's fact sheet: the credits its reviews state, each cited; alone, this film's.",
    ),
    SlashCommand(
        "similar",
        "/similar TITLE",
        "Films in the collection like TITLE, each with a cited reason from its own review.",
        needs_argument=True,
    ),
    SlashCommand("sources", "/sources", "List the articles in the collection."),
    SlashCommand("add", "/add PATH", "Add an article file to the corpus.", needs_argument=True),
    SlashCommand(
        "edit",
        "/edit ARTICLE",
        "Correct an article's film, year, title or author (file name or title).",
        needs_argument=True,
    ),
    SlashCommand(
        "remove", "/remove ARTICLE", "Remove an article from the corpus.", needs_argument=True
    ),
    SlashCommand("reindex", "/reindex", "Embed new or changed articles; answers use them at once."),
    SlashCommand("clear", "/clear", "Start a new conversation (the old one stays in history)."),
    SlashCommand("history", "/history", "Reopen a past conversation."),
    SlashCommand(
        "llm",
        "/llm [on|off]",
        "Answer with the model at FILMCHAT_LLM_URL, or extractively; alone, show which.",
    ),
    SlashCommand(
        "export",
        "/export FILE.md",
        "Save this conversation with its references.",
        needs_argument=True,
    ),
    SlashCommand("help", "/help", "Show commands and keys."),
)

BY_NAME = {command.name: command for command in COMMANDS}


def parse(text: str) -> tuple[str, str] | None:
    """'/film Her' → ('film', 'Her'); None when the text is a question, not a command."""
    if not text.startswith("/"):
        return None
    name, _, argument = text[1:].partition(" ")
    return name.lower(), argument.strip()


def path_argument(argument: str) -> Path:
    """A path as typed or pasted: quoted the way file managers paste it, or with `~`.

    '/tmp/x/arrival review.md' (quoted), /tmp/x/arrival\\ review.md (escaped) and an unquoted
    path with spaces all name the same file.
    """
    try:
        words = shlex.split(argument)
    except ValueError:  # an unbalanced quote: take the text as it is
        words = []
    text = words[0] if len(words) == 1 else argument.strip()
    return Path(text).expanduser()
