"""A film's credits across its reviews: one spelling per person (the one most reviews use, the
other noted), and a stated credit outranking an implied one, for the sheet and the answers
alike (`facts_sheet.settle_credits`, which `Engine.credits` applies)."""

from __future__ import annotations

from filmchat.answer import Credit
from filmchat.facts_sheet import settle_credits, sheet_lines
from filmchat.models import ArticleMeta, ArticleRecord


def _article(name: str) -> ArticleRecord:
    meta = ArticleMeta(title=f"{name} review", film="Stillwater", year=2021)
    return ArticleRecord(article_id=name, path=f"{name}.md", meta=meta, content_hash=name)


ONE, TWO, THREE = _article("one"), _article("two"), _article("three")


def _cast(article: ArticleRecord, person: str, part: str | None = None) -> Credit:
    return Credit(article, "cast", person, part, f"{part} ({person}) waits.")


def test_a_misspelling_gives_way_to_the_spelling_most_reviews_use():
    credits = [
        _cast(ONE, "Toni Colette", "Annie"),
        _cast(TWO, "Toni Collette", "Annie"),
        _cast(THREE, "Toni Collette"),
    ]
    settled = settle_credits(credits)
    assert {c.person for c in settled} == {"Toni Collette"}
    assert [c.spelt for c in settled] == ["Toni Colette", None, None]
    lines = sheet_lines("Stillwater (2021)", settled)
    assert "  Cast: Toni Collette (Annie) [1][2][3] (also spelt Toni Colette)" in lines


def test_different_people_with_close_names_stay_apart():
    credits = [_cast(ONE, "Joel Coen"), _cast(ONE, "Ethan Coen"), _cast(TWO, "Jada Smith")]
    credits.append(_cast(THREE, "Jaden Smith"))
    assert [c.person for c in settle_credits(credits)] == [
        "Joel Coen",
        "Ethan Coen",
        "Jada Smith",
        "Jaden Smith",
    ]


def test_a_spelling_in_another_role_is_left_alone():
    credits = [
        Credit(ONE, "director", "Ilse Marchetti", None, "Directed by Ilse Marchetti."),
        _cast(TWO, "Ilse Marchetty"),
    ]
    assert [c.person for c in settle_credits(credits)] == ["Ilse Marchetti", "Ilse Marchetty"]


def test_an_implied_maker_gives_way_to_a_stated_director_in_another_review():
    implied = Credit(ONE, "director", "Tomas Reyna", None, "The way Reyna frames it.", "implied")
    stated = Credit(TWO, "director", "Ilse Marchetti", None, "Directed by Ilse Marchetti.")
    assert settle_credits([implied, stated]) == [stated]
    assert settle_credits([implied]) == [implied]
