"""Counts in messages read right: '1 chunk embedded', '2 chunks embedded'."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """'1 film', '3 films', '0 passages': every noun filmchat counts takes a plain -s."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
