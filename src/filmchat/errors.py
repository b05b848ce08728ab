"""Errors a user can act on: each carries one line saying what happened and what to do."""


class FilmchatError(Exception):
    """Base for every error the interfaces show as one line instead of a traceback."""


class ArticleError(FilmchatError):
    """An article file that cannot be used (unreadable, binary, empty, unsupported)."""


class IndexMissingError(FilmchatError):
    """There is no index yet."""


class IndexCorruptError(FilmchatError):
    """The index on disk is damaged or was built with other settings."""


def bug_line(exc: BaseException) -> str:
    """What every interface says of a bug (not bad input): one line, the traceback on request."""
    return (
        f"internal error: {exc.__class__.__name__}: {exc} "
        "(run with FILMCHAT_DEBUG=1 for details and please report it)"
    )
