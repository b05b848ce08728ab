"""Chunking: passages of 80-200 words that never cut a sentence, overlap by one sentence, carry
their headings as context and keep list items whole."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path

import pytest

from filmchat.chunking import word_count
from filmchat.cleaning import is_sentence_like, repeated_lines
from filmchat.corpus import load_article
from filmchat.indexer import PreparedArticle, prepare
from filmchat.models import Chunk, Sentence
from filmchat.settings import Settings
from synthetic import paragraph, review

SEEDS = Path(__file__).resolve().parents[1] / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def prepare_folder(folder: Path, settings: Settings | None = None) -> dict[str, PreparedArticle]:
    """Every article of a folder cleaned and chunked exactly as `filmchat index` does."""
    paths = [p for p in sorted(folder.iterdir()) if p.suffix in {".md", ".txt", ".html"}]
    articles = [load_article(path, folder) for path in paths]
    shared = repeated_lines(article.body for article in articles)
    return {a.article_id: prepare(a, shared, settings or Settings()) for a in articles}


def prepare_text(tmp_path: Path, body: str, settings: Settings | None = None) -> PreparedArticle:
    (tmp_path / "article.md").write_text(body, encoding="utf-8")
    return prepare_folder(tmp_path, settings)["article"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PreparedArticle]:
    """Seeds, the saved page, the pasted articles and one long synthetic review."""
    long_review = tmp_path_factory.mktemp("long")
    (long_review / "long-review.md").write_text(
        review("Synthetic Film", 1999, seed=7, sections=7, paragraphs=4), encoding="utf-8"
    )
    found: dict[str, PreparedArticle] = {}
    for folder in (SEEDS, FIXTURES, FIXTURES / "site", long_review):
        found.update(prepare_folder(folder))
    return found


ALL = [
    "her-2013-a-futuristic-love-story",
    "her-2013-review",
    "her-a-poignant-exploration-of-love-and-technology",
    "her-synopsis-awards-cast-and-rating",
    "her-themes-characters-and-messages",
    "moon-2009-review",
    "night-of-the-living-dead",
    "arrival-2016-review",
    "sicario-2015-review",
    "long-review",
]


def test_the_articles_under_test_are_all_there(prepared):
    assert sorted(prepared) == sorted(ALL)


@pytest.mark.parametrize("article_id", ALL)
def test_sentence_offsets_point_into_the_clean_text(prepared, article_id):
    item = prepared[article_id]
    for chunk in item.chunks:
        assert chunk.article_id == article_id
        for sentence in chunk.sentences:
            assert item.clean_text[sentence.start : sentence.end] == sentence.text
        assert chunk.start == chunk.sentences[0].start
        assert chunk.end == chunk.sentences[-1].end
    assert [chunk.position for chunk in item.chunks] == list(range(len(item.chunks)))


@pytest.mark.parametrize("article_id", ALL)
def test_no_sentence_is_cut(prepared, article_id):
    """A sentence ends like a sentence, or where its paragraph or list item ends."""
    text = prepared[article_id].clean_text
    for chunk in prepared[article_id].chunks:
        for sentence in chunk.sentences:
            ends_block = text[sentence.end : sentence.end + 1] in ("", "\n")
            assert is_sentence_like(sentence.text) or ends_block, sentence.text
            starts_block = sentence.start == 0 or text[sentence.start - 1] in "\n "
            assert starts_block, sentence.text


@pytest.mark.parametrize("article_id", ALL)
def test_every_line_of_clean_text_is_in_a_chunk_except_headings(prepared, article_id):
    """Chunking loses nothing: every character of prose and lists is inside some sentence."""
    item = prepared[article_id]
    covered = [False] * len(item.clean_text)
    for chunk in item.chunks:
        for sentence in chunk.sentences:
            covered[sentence.start : sentence.end] = [True] * (sentence.end - sentence.start)
    headings = {heading for chunk in item.chunks for heading in chunk.headings}
    offset = 0
    for line in item.clean_text.split("\n"):
        missing = "".join(
            char for char, seen in zip(line, covered[offset:], strict=False) if not seen
        ).strip()
        assert missing in ("", "-") or line in headings, line
        offset += len(line) + 1


@pytest.mark.parametrize("article_id", ALL)
def test_chunks_hold_80_to_200_words_except_a_short_tail(prepared, article_id):
    chunks = prepared[article_id].chunks
    sizes = [word_count(chunk.text) for chunk in chunks]
    assert all(size <= 200 for size in sizes), sizes
    assert all(size >= 80 for size in sizes[:-1]), sizes
    total = word_count(" ".join(s.text for c in chunks for s in c.sentences))
    if total < 80:
        assert len(chunks) == 1


def test_short_articles_are_one_chunk(prepared):
    sicario = prepared["sicario-2015-review"]
    assert len(sicario.chunks) == 1
    assert word_count(sicario.chunks[0].text) < 80


@pytest.mark.parametrize("article_id", ALL)
def test_consecutive_chunks_overlap_by_one_sentence_within_a_section(prepared, article_id):
    chunks = prepared[article_id].chunks
    for before, after in pairwise(chunks):
        last = before.sentences[-1]
        if after.sentences[0] == last:
            assert after.sentences[1].start > last.end  # one sentence, not more
            continue
        assert after.start > before.end  # no partial overlap
        first = after.sentences[0]
        section_break = first.heading != last.heading
        assert section_break or "item" in (last.kind, first.kind), (before.text, after.text)


def test_long_single_section_article_overlaps_at_every_boundary(tmp_path):
    body = "\n\n".join(paragraph(random.Random(n), 4) for n in range(12))
    item = prepare_text(tmp_path, body)
    assert len(item.chunks) >= 3
    for before, after in pairwise(item.chunks):
        assert after.sentences[0] == before.sentences[-1]


@pytest.mark.parametrize("article_id", ALL)
def test_headings_are_context_never_sentences(prepared, article_id):
    for chunk in prepared[article_id].chunks:
        texts = {sentence.text for sentence in chunk.sentences}
        for heading in chunk.headings:
            assert heading not in texts
            assert heading not in chunk.text.split("\n")
        for sentence in chunk.sentences:
            assert sentence.heading is None or sentence.heading in chunk.headings


def test_chunk_under_a_heading_names_it_for_the_encoder(prepared):
    chunk = chunk_with(prepared["her-2013-review"], "Joaquin Phoenix delivers a deeply empathetic")
    assert "Performances" in chunk.headings
    assert chunk.embedding_text("Her").startswith("Her / Performances")
    assert not chunk.text.startswith("Performances")


def chunk_with(item: PreparedArticle, start: str) -> Chunk:
    found = [c for c in item.chunks if any(s.text.startswith(start) for s in c.sentences)]
    assert found, start
    return found[0]


def item_sentences(chunk: Chunk, start: str) -> list[Sentence]:
    first = next(s for s in chunk.sentences if s.text.startswith(start))
    return [s for s in chunk.sentences if s.block == first.block]


def test_cast_list_stays_whole_with_its_heading(prepared):
    item = prepared["her-synopsis-awards-cast-and-rating"]
    chunk = chunk_with(item, "Amy Adams as Amy")
    cast = [
        "Joaquin Phoenix as Theodore Twombly",
        "Scarlett Johansson as the voice of Samantha",
        "Amy Adams as Amy, Theodore’s friend",
        "Chris Pratt as Paul",
        "Rooney Mara as Catherine, Theodore’s ex-wife",
        "Writer & Director: Spike Jonze",
    ]
    items = [s for s in chunk.sentences if s.kind == "item"]
    assert [s.text for s in items if s.heading == "Cast & Crew"] == cast
    assert "Cast & Crew" in chunk.headings
    for line in cast:
        assert f"- {line}" in chunk.text.split("\n")
    # and in exactly one chunk: list items are never repeated as overlap
    holders = [c for c in item.chunks if any(s.text == cast[2] for s in c.sentences)]
    assert len(holders) == 1


def test_similar_films_list_items_stay_whole(prepared):
    item = prepared["her-2013-a-futuristic-love-story"]
    chunk = chunk_with(item, "Ex Machina (2014):")
    ex_machina = " ".join(s.text for s in item_sentences(chunk, "Ex Machina (2014):"))
    assert ex_machina == (
        "Ex Machina (2014): Directed by Alex Garland, “Ex Machina” revolves around the "
        "interactions between a young programmer and an intelligent humanoid robot. The film "
        "delves into questions of consciousness, ethics, and the boundaries between man and "
        "machine."
    )
    assert "you might find the following movies appealing" in chunk.embedding_text("Her")
    films = [
        "Ex Machina",
        "Eternal Sunshine",
        "Blade Runner 2049",
        "A.I. Artificial",
        "Lost in Translation",
        "Moon (2009)",
        "Transcendence",
        "Ghost in the Shell",
    ]
    for film in films:
        holders = [c for c in item.chunks if any(s.text.startswith(film) for s in c.sentences)]
        assert len(holders) == 1, film
        sentences = item_sentences(holders[0], film)
        block_text = item.clean_text[sentences[0].start : sentences[-1].end]
        line = next(x for x in item.clean_text.split("\n") if x.startswith(f"- {film}"))
        assert line == f"- {block_text}"


def test_short_list_moves_whole_to_the_next_chunk(tmp_path):
    prose = paragraph(random.Random(1), 8)
    cast = [f"Actor Number {n} as Character {n}, a friend of the hero" for n in range(1, 8)]
    after = paragraph(random.Random(2), 4)
    body = "\n".join([prose, "", "## Cast", "", *[f"- {c}" for c in cast], "", after])
    item = prepare_text(tmp_path, body)
    assert word_count(prose) + word_count(" ".join(cast)) > 200  # cannot share one chunk
    holders = {c.position for c in item.chunks for s in c.sentences if s.text in cast}
    assert len(holders) == 1


def test_list_item_longer_than_a_chunk_is_split_at_its_sentences(tmp_path):
    long_item = paragraph(random.Random(3), 14)
    assert word_count(long_item) > 200
    item = prepare_text(tmp_path, f"## Notes\n\n- {long_item}\n- A short second item\n")
    assert all(word_count(c.text) <= 200 for c in item.chunks)
    sentences = [s.text for c in item.chunks for s in c.sentences]
    assert " ".join(dict.fromkeys(sentences)) == long_item + " A short second item"


def test_chunk_settings_are_respected(tmp_path):
    settings = Settings(min_words=30, max_words=60, overlap_sentences=0)
    item = prepare_folder(SEEDS, settings)["her-2013-review"]
    for chunk in item.chunks:
        assert word_count(chunk.text) <= 60 or len(chunk.sentences) == 1
    for before, after in pairwise(item.chunks):
        assert after.start > before.end  # no overlap asked, none given


def test_sentences_respect_abbreviations_and_split_where_scraping_glued_them(tmp_path):
    body = (
        "Dr. Hale shot it in L.A. in 2013, on a budget of $23.5 million. It runs 126 min. "
        "and never drags.The score by Arcade Fire is lovely. Does it work? It does!"
    )
    item = prepare_text(tmp_path, body)
    sentences = [s.text for s in item.chunks[0].sentences]
    assert sentences == [
        "Dr. Hale shot it in L.A. in 2013, on a budget of $23.5 million.",
        "It runs 126 min. and never drags.",
        "The score by Arcade Fire is lovely.",
        "Does it work?",
        "It does!",
    ]
