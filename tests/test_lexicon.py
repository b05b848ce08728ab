"""What can be a film's title: prose, never markup, a URL, emphasis marks, a label, an id."""

from __future__ import annotations

import pytest

from filmchat.lexicon import is_id_like, is_title_candidate, strip_label


@pytest.mark.parametrize(
    "text",
    [
        "The Quiet Orchard",
        "Blue Harbour: The Return",
        "2001: A Space Odyssey",
        "Blade Runner 2049",
        "Se7en",
        "Kill Bill: Vol. 2",
        "Mr. Smith Goes to Washington",
        "L.A. Confidential",
        "Tora! Tora! Tora!",
        "no country for old men",
    ],
)
def test_titles_as_people_write_them_are_candidates(text: str) -> None:
    assert is_title_candidate(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("<p>", "markup"),
        ("</div>", "markup"),
        ("{% youtube Xq9Zt3kP0aB %}", "a template tag"),
        ("youtube Xq9Zt3kP0aB", "an id-like token"),
        ("tt0123456", "an id-like token"),
        ("https://example.org/the-quiet-orchard", "a URL"),
        ("www.quietorchard.example", "a URL"),
        ("_The Quiet Orchard_", "emphasis marks"),
        ("**The Quiet Orchard**", "emphasis marks"),
        ("Movie: The Quiet Orchard", "a label in front"),
        ("Film Review | The Quiet Orchard", "a label in front"),
        ("Director: Ana Ruiz, Tom Bell", "a credits line"),
        ("4 Stars", "a rating"),
        ("112 minutes", "a running time"),
        ("I went in expecting little. The first scene", "two sentences"),
        ("a line\nand another", "two lines"),
        ("1984", "no letter"),
    ],
)
def test_markup_urls_labels_ids_and_measures_are_not(text: str, why: str) -> None:
    assert not is_title_candidate(text), why


def test_a_label_in_front_is_taken_off_and_a_title_with_a_colon_is_kept() -> None:
    assert strip_label("Movie: The Quiet Orchard") == "The Quiet Orchard"
    assert strip_label("Film review - The Quiet Orchard") == "The Quiet Orchard"
    assert strip_label("Blue Harbour: The Return") == "Blue Harbour: The Return"


@pytest.mark.parametrize(
    ("token", "id_like"),
    [("Xq9Zt3kP0aB", True), ("a3f9c2e1d4", True), ("tt0123456", True), ("Se7en", False),
     ("2049", False), ("THX", False), ("R2", False)],
)  # fmt: skip
def test_id_like_tokens(token: str, id_like: bool) -> None:
    assert is_id_like(token) is id_like
