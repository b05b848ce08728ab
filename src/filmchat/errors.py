"""Errors a user can act on: each carries one line saying what happened and what to do."""


class FilmchatError(Exception):
    """Base for every error the interfaces show as one line instead of a traceback."""


class ArticleError(FilmchatError):
    """An article file that cannot be used (unreadable, binary, empty, unsupported)."""


class IndexMissingError(FilmchatError):
    """There is no index yet."""


class IndexCorruptError(FilmchatError):
    """The index on disk is damaged or was built with other settings."""
