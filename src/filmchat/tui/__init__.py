"""The Textual chat: a conversation about films with the cited reviews beside it."""
