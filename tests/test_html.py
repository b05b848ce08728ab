"""Saved web pages: trafilatura finds the review, cleaning and the page title do the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmchat.cleaning import Block, clean_article
from filmchat.corpus import load_article
from filmchat.models import Article

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGE = FIXTURES / "moon-2009-review.html"


@pytest.fixture(scope="module")
def article() -> Article:
    return load_article(PAGE, FIXTURES)


@pytest.fixture(scope="module")
def blocks(article: Article) -> list[Block]:
    return clean_article(article.body, title=article.meta.title, author=article.meta.author)


def test_metadata_comes_from_the_page(article):
    meta = article.meta
    assert meta.title == "Moon (2009) review: Sam Rockwell alone on the far side"
    assert (meta.film, meta.year) == ("Moon", 2009)
    assert meta.author == "Dana Whitfield"
    assert meta.site == "Reel Notes"
    assert meta.published == "2023-03-14"
    assert article.article_id == "moon-2009-review"


def test_review_text_is_extracted_whole(blocks):
    paragraphs = [b.text for b in blocks if b.kind == "paragraph"]
    assert paragraphs[0].startswith("Duncan Jones made his feature debut with a film that feels")
    assert paragraphs[0].endswith("a video link to Earth that never seems to work live.")
    assert (
        "Kevin Spacey voices GERTY with a calm that keeps the audience guessing. The robot's face "
        "is a small screen of emoticons, which should be a joke and somehow becomes touching by "
        "the end." in paragraphs
    )
    assert paragraphs[-1].endswith("and it does not pretend the answer is comfortable.")


def test_page_structure_survives_as_headings_and_items(blocks):
    assert [b.text for b in blocks if b.kind == "heading"] == [
        "A performance built for one",
        "Practical effects and a small budget",
        "Verdict",
    ]
    assert [b.text for b in blocks if b.kind == "item"] == [
        "Director: Duncan Jones",
        "Starring: Sam Rockwell, Kevin Spacey (voice), Dominique McElligott",
        "Running time: 97 minutes",
    ]


@pytest.mark.parametrize(
    "furniture",
    [
        "We use cookies",  # cookie banner
        "Accept all",
        "Manage preferences",
        "Top Lists",  # navigation
        "Podcast",
        "Search reviews",
        "Home ›",  # breadcrumb
        "Share on Facebook",  # share widgets
        "Share this article",
        "Sam Rockwell in a spacesuit",  # image alt text
        "Photo: Sony Pictures Classics",  # caption credit
        "6 min read",  # byline line
        "You might also like",  # related links
        "Source Code review",
        "best space films",
        "Comments",  # comments section
        "cried again",
        "newsletter",  # sidebar widgets
        "Trending now",
        "Dune: Part Two",
        "Privacy Policy",  # footer
        "All rights reserved",
        "Tags:",
    ],
)
def test_page_furniture_is_gone(article, blocks, furniture):
    text = "\n".join(b.text for b in blocks)
    assert furniture.lower() not in text.lower()


def test_headline_is_metadata_not_a_section_heading(blocks):
    assert all("Sam Rockwell alone on the far side" not in b.text for b in blocks)
