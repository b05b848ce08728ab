"""Films in the collection, and which film a question is about."""

from __future__ import annotations

from filmchat.models import ArticleRecord


def films_in(articles: list[ArticleRecord]) -> dict[str, list[ArticleRecord]]:
    """Articles grouped by film label ('Her (2013)'), films sorted by name."""
    grouped: dict[str, list[ArticleRecord]] = {}
    for article in articles:
        grouped.setdefault(article.meta.film_label(), []).append(article)
    return {label: sorted(items, key=lambda a: a.meta.title) for label, items in sorted(grouped.items())}
