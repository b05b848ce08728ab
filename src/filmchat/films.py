"""Films in the collection, and which film a question is about.

A film is known either from its own articles (front matter) or only from mentions inside
other articles, written the way reviews write titles: "Moon (2009)". Titles that are ordinary
words ("Her", "Up") count only where they are used as titles: capitalised mid-sentence, quoted,
"the film Her", "Her (2013)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from filmchat.models import ArticleRecord
from filmchat.terms import STOPWORDS, fold

_MENTION = re.compile(
    r"(?:^|[\s“\"'(])(?P<title>[A-Z0-9][\w.:'’&\-]*(?:\s+(?:[A-Z0-9][\w.:'’&\-]*|of|the|in|a|an|and|to|on|at|for|with))*?)"
    r"[”\"']?\s*\((?P<year>(?:18|19|20)\d{2})\)"
)
_TITLE_CUE = r"(?:film|movie|picture|flick|documentary)\s+"


@dataclass
class Film:
    """A film the collection can talk about."""

    title: str
    year: int | None = None
    article_ids: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def mentioned_only(self) -> bool:
        """Known only from other films' articles (a 'similar films' list, say)."""
        return not self.article_ids


def films_in(articles: list[ArticleRecord]) -> dict[str, list[ArticleRecord]]:
    """Articles grouped by film label ('Her (2013)'), films sorted by name."""
    grouped: dict[str, list[ArticleRecord]] = {}
    for article in articles:
        grouped.setdefault(article.meta.film_label(), []).append(article)
    return {
        label: sorted(items, key=lambda a: a.meta.title) for label, items in sorted(grouped.items())
    }


def mentioned_titles(sentences: list[str]) -> dict[str, int]:
    """'Title (Year)' mentions in article text: the films reviews point readers to."""
    found: dict[str, int] = {}
    for sentence in sentences:
        for match in _MENTION.finditer(sentence):
            title = match.group("title").strip(" :-–—'’\"“”")
            words = title.split()
            while (
                words
                and fold(words[0]) in {"the", "and", "directed", "like", "in", "see"}
                and len(words) > 1
                and not title.startswith("The ")
            ):
                words = words[1:]
            title = " ".join(words)
            if title and len(title) <= 60:
                found.setdefault(title, int(match.group("year")))
    return found


def build_catalog(articles: list[ArticleRecord], mentions: dict[str, int]) -> list[Film]:
    """Films with articles first, then films only mentioned; one entry per title."""
    films: dict[str, Film] = {}
    for article in articles:
        if not article.meta.film:
            continue
        key = fold(article.meta.film)
        film = films.setdefault(key, Film(article.meta.film, article.meta.year))
        film.year = film.year or article.meta.year
        film.article_ids.append(article.article_id)
    for title, year in mentions.items():
        films.setdefault(fold(title), Film(title, year))
    return list(films.values())


def is_ordinary_word(title: str) -> bool:
    """'Her', 'Up', 'It': titles that are also everyday words."""
    return " " not in title.strip() and fold(title) in STOPWORDS


def title_used_in(question: str, title: str, year: int | None = None) -> bool:
    """Whether `question` names the film `title`, with stricter rules for ordinary words."""
    escaped = re.escape(title)
    if year and re.search(rf"{escaped}\s*\(?{year}\)?", question, re.IGNORECASE):
        return True
    if re.search(rf"[“\"'‘]{escaped}[”\"'’]", question, re.IGNORECASE):
        return True
    if re.search(rf"\b{_TITLE_CUE}{escaped}\b", question, re.IGNORECASE):
        return True
    if is_ordinary_word(title):
        # capitalised where the word would otherwise be lower case: not the first word
        for match in re.finditer(rf"\b{escaped}\b", question):
            before = question[: match.start()].rstrip()
            if before and before[-1] not in '.!?:;"“' and match.group(0)[0].isupper():
                return True
        return question.strip(" ?!.").lower() == title.lower()
    flags = re.IGNORECASE if " " in title or len(title) > 3 else 0
    return re.search(rf"(?<![\w-]){escaped}(?![\w-])", question, flags) is not None


def titles_pattern(catalog: list[Film]) -> re.Pattern[str]:
    """One regex finding every catalogue title a text might name, compiled once per catalogue.

    With hundreds of films, a pattern per title per question overflows `re`'s cache and costs
    hundreds of milliseconds; this finds the few candidates the strict rules then check.
    """
    titles = sorted({f.title for f in catalog}, key=len, reverse=True)
    if not titles:
        return re.compile(r"(?!)")
    alternatives = "|".join(re.escape(t) for t in titles)
    return re.compile(rf"(?<![\w-])(?=({alternatives})(?![\w-]))", re.IGNORECASE)


def films_named(
    question: str, catalog: list[Film], pattern: re.Pattern[str] | None = None
) -> list[Film]:
    """Films the question names, longest first ('Blade Runner 2049' beats 'Blade Runner')."""
    pattern = pattern or titles_pattern(catalog)
    found = {fold(match.group(1)) for match in pattern.finditer(question)}
    if not found:
        return []
    named: list[Film] = []
    candidates = [film for film in catalog if fold(film.title) in found]
    for film in sorted(candidates, key=lambda f: len(f.title), reverse=True):
        if any(film.title.lower() in other.title.lower() for other in named):
            continue
        if title_used_in(question, film.title, film.year):
            named.append(film)
    return named


def find_film(name: str, catalog: list[Film]) -> Film | None:
    """A film from a user's words ('moon', 'Her (2013)'), for /film and --film."""
    wanted = fold(name).strip()
    for film in catalog:
        if wanted in {fold(film.title), fold(film.label)}:
            return film
    matches = [film for film in catalog if wanted and wanted in fold(film.label)]
    return matches[0] if len(matches) == 1 else None
