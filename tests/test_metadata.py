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
from filmchat.corpus import load_article, split_front_matter
from filmchat.embedding import Embedder
from filmchat.indexer import add_paths, inspect_article, load_corpus, prepare
from filmchat.markup import render_markdown
from filmchat.metadata import FEATURES, film_model
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


# --- never a wrong film in silence; front matter kept; pages by content ----------------------

ORCHARD_BODY = (
    "The Quiet Orchard follows Ana, a beekeeper who stops speaking after a storm takes her "
    "hives. The Quiet Orchard is patient and strange, and Lucia Mendez directs it with a "
    "steady hand. By the end The Quiet Orchard earns every one of its long silences.\n"
)


def test_a_label_in_front_of_the_title_is_not_part_of_the_film(tmp_path: Path) -> None:
    path = tmp_path / "movie-the-quiet-orchard.md"
    path.write_text('---\ntitle: "Movie: The Quiet Orchard"\n---\n' + ORCHARD_BODY)
    inference, _ = inspect_article(path)
    assert inference.confident, inference.refusal()
    assert inference.meta.film == "The Quiet Orchard"


def test_markup_and_a_video_id_are_never_the_film(tmp_path: Path) -> None:
    """HTML indented under a template tag, and the tag's video id, come before the review:
    neither is a film, and the markup never reaches the text."""
    path = tmp_path / "orchard.md"
    path.write_text(
        "---\ntags: [films]\n---\n\n{% youtube Xq9Zt3kP0aB %}\n\n"
        "{% card 'https://cards.example/x',\n    film: \"The Quiet Orchard\",\n"
        '    year: "2021" %}\n    <p>\n      ' + ORCHARD_BODY + "    </p>\n"
    )
    inference, source = inspect_article(path)
    names = [c.name for c in inference.candidates]
    assert not any("<" in name or "Xq9Zt3kP0aB" in name for name in names), names
    assert "<p>" not in source.rendered().text
    assert (inference.meta.film, inference.meta.year) == ("The Quiet Orchard", 2021)


def test_an_undecidable_article_is_refused_with_at_most_three_candidates_best_first(
    tmp_path: Path,
) -> None:
    path = tmp_path / "diary.md"
    path.write_text(
        "---\ntitle: My weekend at the festival\n---\n"
        "On Friday I saw *Paper Lanterns*, which was lovely. Saturday was *Iron Tide*, loud and "
        "long. Sunday brought *The Salt Road* and *Northern Glass*. Paper Lanterns stayed with "
        "me, though Iron Tide had the better score and The Salt Road the better ending.\n"
    )
    inference, _ = inspect_article(path)
    assert not inference.confident
    guesses = inference.best_guesses()
    assert 1 <= len(guesses) <= 3
    assert [g.score for g in guesses] == sorted((g.score for g in guesses), reverse=True)
    refusal = inference.refusal()
    assert refusal.count("“") == len(guesses)
    assert all(f"“{g.name}”" in refusal for g in guesses)


def test_add_keeps_the_front_matter_it_does_not_know_and_reads_a_summary_as_text(
    tmp_path: Path,
) -> None:
    incoming = tmp_path / "the-quiet-orchard.md"
    incoming.write_text(
        "---\ntitle: The Quiet Orchard\ndirector: Lucia Mendez\ncast:\n- Ana Ruiz\n- Tom Bell\n"
        "rating: 4\nsummary: A beekeeper loses her voice and finds a new hive.\n"
        "quick_look: Slow, tender and worth the patience.\n---\n" + ORCHARD_BODY
    )
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    (outcome,) = add_paths(settings, [incoming])
    assert outcome.added is not None, outcome.error
    written = outcome.added.path
    fields = split_front_matter(written.read_text(), written)[0]
    assert fields["director"] == "Lucia Mendez"
    assert fields["cast"] == ["Ana Ruiz", "Tom Bell"]
    assert fields["rating"] == 4
    assert fields["film"] == "The Quiet Orchard"
    article = load_article(written, settings.corpus)
    assert "A beekeeper loses her voice and finds a new hive." in article.body
    assert "Slow, tender and worth the patience." in article.body
    assert ORCHARD_BODY.split(".")[0] in article.body


PAGE = """<!DOCTYPE html>
<html><head><title>The Quiet Orchard review | The Evening Ledger</title>
<meta property="og:site_name" content="The Evening Ledger">
<meta property="og:title" content="The Quiet Orchard review: a beekeeper's silence">
</head><body><nav>Home | Film | Books</nav><article><h1>The Quiet Orchard review: a
beekeeper's silence</h1><p>By Mara Lind</p><p>{body}</p><p>{body}</p></article></body></html>
"""


@pytest.mark.parametrize("name", ["orchard.php", "orchard", "orchard.txt", "orchard.shtml"])
def test_a_saved_page_is_read_as_a_page_whatever_its_name_ends_with(
    tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / name).write_text(PAGE.format(body=ORCHARD_BODY.strip()))
    (folder / "notes.csv").write_text("film,seen\nThe Quiet Orchard,yes\n")
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    (outcome,) = add_paths(settings, [folder])  # the folder's page, not its .csv
    assert outcome.added is not None, outcome.error
    assert outcome.added.meta.film == "The Quiet Orchard"
    stored = load_article(outcome.added.path, settings.corpus)
    assert "<" not in stored.body and "Home | Film" not in stored.body


def test_a_file_that_is_neither_text_nor_a_page_gets_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("film,seen\nThe Quiet Orchard,yes\n")
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    (outcome,) = add_paths(settings, [path])
    assert outcome.error is not None and "\n" not in outcome.error
    assert "unsupported file type .csv" in outcome.error


def test_the_shipped_film_weights_are_for_these_features() -> None:
    model = film_model()
    assert model.features == list(FEATURES)
    assert len(model.weights) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert 0.5 <= model.accept < 1.0
    assert {"in_sample", "cross_validated"} <= set(model.figures)
