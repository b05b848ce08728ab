"""Film, year, title and author inferred from articles in every shape users save, and what
reaches the index from them: prose, without markup, template tags, entities or page clutter.

The articles in fixtures/shapes were written for these tests, two or more per shape: YAML,
TOML and `Key: value` front matter, Markdown carrying HTML, Liquid/Hugo tags and entities,
saved pages with JSON-LD, OpenGraph or only a <title>, pasted pages whose first lines are
navigation, dates, captions and bylines, and pages whose film cannot be told."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from filmchat.cleaning import is_clutter
from filmchat.embedding import Embedder
from filmchat.indexer import add_paths, inspect_article, load_corpus, prepare
from filmchat.markup import render_markdown
from filmchat.settings import Settings

SHAPES = Path(__file__).resolve().parent / "fixtures" / "shapes"
EXPECTED: dict[str, dict[str, object]] = json.loads((SHAPES / "expected.json").read_text())
DECIDABLE = sorted(name for name, want in EXPECTED.items() if "refused" not in want)
UNDECIDABLE = sorted(name for name, want in EXPECTED.items() if "refused" in want)

MARKUP = re.compile(
    r"<[a-zA-Z/!][^>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);|\{%|%\}|\{\{|\}\}|\]\(|!\[|https?://"
    r"|^\[\d+\]:",
    re.IGNORECASE | re.MULTILINE,
)
# Lines planted in the fixtures that are page clutter, never review prose
CLUTTER = [
    "L-R:",
    "Photograph:",
    "Top Stories",
    "More Stories",
    "newsletter",
    "Back to The Evening Ledger",
    "Back to Film Reviews",
    "Back to Movies",
    "Browse/Purchase",
    "Buy now",
    "★",
    "Updated 4:15",
    "10.30 GMT",
    "Skip to",
    "About Archives",
    "Home |",
    "Hidetoshi Nishijima, Toko Miura",
    "/ Searchlight",
    "/ A24",
    "Film review by",
    "youtube",
]


@pytest.mark.parametrize("name", DECIDABLE)
def test_film_year_title_and_author_are_inferred(name: str) -> None:
    inference, _ = inspect_article(SHAPES / name)
    want = EXPECTED[name]
    assert inference.confident, inference.refusal()
    meta = inference.meta
    got = {"film": meta.film, "year": meta.year, "title": meta.title, "author": meta.author}
    assert got == want
    assert inference.film_source  # it says where the film came from


@pytest.mark.parametrize("name", UNDECIDABLE)
def test_a_page_whose_film_cannot_be_told_is_refused_with_its_candidates(name: str) -> None:
    inference, _ = inspect_article(SHAPES / name)
    assert not inference.confident
    refusal = inference.refusal()
    for candidate in EXPECTED[name]["refused"]:  # type: ignore[union-attr]
        assert f"“{candidate}”" in refusal
    assert "--film" in refusal


def test_a_film_field_that_is_a_number_is_never_the_film() -> None:
    inference, _ = inspect_article(SHAPES / "yaml-numeric-film-id.md")
    assert inference.meta.film == "The Grand Budapest Hotel"
    assert inference.film_source == "the title"


def test_a_subtitle_after_a_colon_belongs_to_the_title_only_when_the_body_uses_it(
    tmp_path: Path,
) -> None:
    body = (
        "I rewatched the original Blue Harbour first. {use} is louder, longer and sadder, "
        "and Blue Harbour now looks like a sketch for it. The storm sequence in {use} is the "
        "best thing the series has done, and the last scene lands.\n"
    )
    kept = tmp_path / "kept.md"
    kept.write_text(
        '---\ntitle: "Blue Harbour: The Return"\n---\n'
        + body.format(use="Blue Harbour: The Return")
    )
    dropped = tmp_path / "dropped.md"
    dropped.write_text(
        '---\ntitle: "Blue Harbour: a storm at sea"\n---\n' + body.format(use="Blue Harbour")
    )
    assert inspect_article(kept)[0].meta.film == "Blue Harbour: The Return"
    assert inspect_article(dropped)[0].meta.film == "Blue Harbour"


@pytest.mark.parametrize(
    ("opening", "year"),
    [
        ("Still Water (2021) follows a fisherman who stops talking.", 2021),
        ("Like 2019's Still Water, this one is about silence. Still Water was better.", 2019),
        ("Still Water, released in 2021, follows a fisherman who stops talking.", 2021),
    ],
)
def test_the_year_comes_from_how_the_body_dates_the_film(
    tmp_path: Path, opening: str, year: int
) -> None:
    path = tmp_path / "review.md"
    path.write_text(
        f"---\ntitle: Still Water review\n---\n{opening} The lake scenes are beautiful and "
        "the ending is quiet and right.\n"
    )
    inference, _ = inspect_article(path)
    assert (inference.meta.film, inference.meta.year) == ("Still Water", year)


def test_markdown_renders_to_prose_keeping_link_text_and_headings() -> None:
    rendered = render_markdown(
        "## The <em>verdict</em>\n\n"
        "See [the trailer](https://example.org/t) and [the interview][1].\n"
        '<p style="color:red">Caf&eacute; scenes &amp; more.</p>\n\n'
        "{% youtube abc %}\n\n![still](/img/a.jpg)\n\n[1]: https://example.org/i\n"
    )
    assert rendered.text.split("\n\n") == [
        "## The verdict",
        "See the trailer and the interview.",
        "Café scenes & more.\n",
    ]


@pytest.fixture(scope="module")
def shapes_corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Every decidable shape added with `add` (no --film), as a user would."""
    root = tmp_path_factory.mktemp("shapes")
    source = root / "incoming"
    shutil.copytree(SHAPES, source)
    settings = Settings(corpus=root / "corpus", index=root / "index")
    outcomes = add_paths(settings, [source])
    refused = {outcome.source.name for outcome in outcomes if outcome.error}
    assert refused == set(UNDECIDABLE)
    return settings


def test_no_markup_entity_template_tag_or_clutter_reaches_a_chunk(
    shapes_corpus: Settings, embedder: Embedder
) -> None:
    articles, shared = load_corpus(shapes_corpus, warn=pytest.fail)
    assert len(articles) == len(DECIDABLE)
    for article in articles:
        chunks = prepare(article, shared, shapes_corpus, embedder).chunks
        for chunk in chunks:
            assert not MARKUP.search(chunk.text), (article.path, chunk.text)
            for clutter in CLUTTER:
                assert clutter.lower() not in chunk.text.lower(), (article.path, clutter)
            for heading in chunk.headings:
                assert not is_clutter(heading), (article.path, heading)
                assert not MARKUP.search(heading)
