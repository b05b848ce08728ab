"""A question the user asked, as shown in the conversation."""

from __future__ import annotations

from textual.widgets import Static


class QuestionMessage(Static):
    """The user's words, verbatim (no markup: a question may contain brackets)."""

    def __init__(self, question: str) -> None:
        super().__init__(question, markup=False)
        self.question = question
