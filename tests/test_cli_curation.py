"""A corpus the user can correct, through the real `filmchat` command: `edit` a wrongly
inferred film (the index follows without re-embedding), `remove` an article, find articles by
path, file name or title, and ask a question after each change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frontmatter
import pytest

from test_cli_index import FIXTURES, SEEDS, assert_one_line_error, filmchat, folder_state

SHAPES = FIXTURES / "shapes"


@pytest.fixture
def library(tmp_path: Path) -> list[str]:
    """The seed corpus plus one review added under a wrong film, indexed: the options."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    options = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    review = SHAPES / "pelican-body-names-film.md"
    added = filmchat("add", review, "--film", "High Water", "--year", "1999", *options)
    assert added.returncode == 0, added.stderr
    return options


def ask(options: list[str], question: str) -> dict[str, object]:
    result = filmchat("ask", "--json", question, *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_edit_corrects_the_film_and_the_index_follows_without_re_embedding(library):
    edited = filmchat(
        "edit",
        "Notes on a quiet western",
        "--film",
        "Hell or High Water",
        "--year",
        "2016",
        "--no-index",
        *library,
    )
    assert edited.returncode == 0, edited.stderr
    assert "Hell or High Water (2016)" in edited.stdout
    corpus = Path(library[1])
    post = frontmatter.load(corpus / "high-water-1999-notes-on-a-quiet-western.md")
    assert (post["film"], post["year"]) == ("Hell or High Water", 2016)
    assert post.content.startswith("Hell or High Water (2016) is a bank-robbery film")

    report = json.loads(filmchat("index", "--json", *library).stdout)
    assert (report["updated"], report["chunks_embedded"]) == (1, 0)

    answer = ask(library, "Who plays the ranger in Hell or High Water?")
    assert answer["answered"], answer
    assert "Jeff Bridges" in answer["answer"]
    assert {c["film"] for c in answer["citations"]} == {"Hell or High Water"}
    sources = filmchat("sources", *library)
    assert (
        "Hell or High Water (2016)" in sources.stdout and "High Water (1999)" not in sources.stdout
    )


def test_remove_takes_the_article_and_its_passages_out(library):
    removed = filmchat("remove", "high-water-1999-notes-on-a-quiet-western", *library)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith("Removed high-water-1999-notes-on-a-quiet-western.md")
    assert "1 removed" in removed.stdout
    assert not any(p.name.startswith("high-water") for p in Path(library[1]).iterdir())

    answer = ask(library, "Who plays the ranger in High Water?")
    assert not answer["answered"] or "Jeff Bridges" not in answer["answer"]
    assert all("high-water" not in c["path"] for c in answer["citations"])
    sources = filmchat("sources", *library)
    assert "High Water" not in sources.stdout and "Her (2013)" in sources.stdout


def test_articles_are_found_by_path_file_name_or_title(tmp_path):
    shutil.copytree(SEEDS, tmp_path / "corpus")
    corpus = tmp_path / "corpus"
    options = ["--no-index", "--corpus", str(corpus)]
    by_path = filmchat("edit", corpus / "her-2013-review.md", "--author", "A. Critic", *options)
    assert by_path.returncode == 0, by_path.stderr
    by_name = filmchat("edit", "her-synopsis-awards-cast-and-rating", "--year", "2014", *options)
    assert by_name.returncode == 0, by_name.stderr
    by_title = filmchat("edit", "her: a poignant exploration", "--title", "Her, again", *options)
    assert by_title.returncode == 0, by_title.stderr
    assert frontmatter.load(corpus / "her-2013-review.md")["author"] == "A. Critic"
    assert frontmatter.load(corpus / "her-synopsis-awards-cast-and-rating.md")["year"] == 2014
    retitled = frontmatter.load(corpus / "her-a-poignant-exploration-of-love-and-technology.md")
    assert retitled["title"] == "Her, again"
    assert retitled["film"] == "Her"  # what was not edited stays


def test_an_added_article_is_found_by_its_original_file_name_or_its_film(library):
    """`add` renamed pelican-body-names-film.md after its title; the user knows the old name."""
    corpus = Path(library[1])
    edited = filmchat("edit", "pelican-body-names-film.md", "--author", "B. Critic", *library)
    assert edited.returncode == 0, edited.stderr
    (added,) = [p for p in corpus.iterdir() if p.name.startswith("high-water")]
    assert frontmatter.load(added)["author"] == "B. Critic"
    assert frontmatter.load(added)["source"] == "pelican-body-names-film.md"  # kept as it was
    removed = filmchat("remove", "high water", "--no-index", *library)  # its film, any case
    assert removed.returncode == 0, removed.stderr
    assert not added.exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["edit", "her", "--year", "2013"], ["matches 5 articles", "file name"]),
        (["remove", "no such review"], ["No article", "sources"]),
        (["edit", "her-2013-review.md"], ["edit what?"]),
    ],
)
def test_a_wrong_reference_is_one_line_and_changes_nothing(tmp_path, args, needles):
    shutil.copytree(SEEDS, tmp_path / "corpus")
    before = folder_state(tmp_path / "corpus")
    result = filmchat(*args, "--no-index", "--corpus", tmp_path / "corpus")
    assert_one_line_error(result, *needles)
    assert folder_state(tmp_path / "corpus") == before
