"""An index whose chunks were embedded on different paths (torch bf16 for a full build, ONNX
for a later update) finds the same passages as one embedded wholly by the fp32 reference."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.evaluation import Scores, default_gold_path, evaluate, load_gold
from filmchat.indexer import build_index
from filmchat.models import Answer
from filmchat.settings import Settings, project_root
from filmchat.store import IndexStore

TOP_K = 5
LATER = ["her-2013-review.md", "her-themes-characters-and-messages.md"]


def top_passages(settings: Settings, embedder: Embedder, questions: list[str]) -> list[set]:
    """Each question's five nearest passages by vector, as (article, text)."""
    store = IndexStore.open(settings.index)
    try:
        found = []
        for vector in embedder.encode(questions):
            ids = [chunk for chunk, _ in store.search_dense(vector, TOP_K)]
            rows = store.chunks(ids)
            found.append({(rows[chunk][0], rows[chunk][2]) for chunk in ids})
        return found
    finally:
        store.close()


def gold_answers(settings: Settings, embedder: Embedder) -> Scores:
    """`filmchat eval` in-process: every gold answer, its citations and retrieval ranks."""
    engine = Engine(settings, embedder)

    def run(turns: list[str]) -> list[Answer]:
        conversation = Conversation(engine)
        return [conversation.ask(turn) for turn in turns]

    try:
        return evaluate(load_gold(default_gold_path()), run)
    finally:
        engine.store.close()


@pytest.fixture(scope="module")
def reference() -> Embedder:
    return Embedder(Settings(runtime="torch", precision="fp32"))


def build_in_two_steps(folder: Path, first: Embedder, then: Embedder) -> Settings:
    """The seed corpus less two articles, fully built with `first`; then the two added and
    embedded by `then` in an incremental update."""
    settings = Settings(corpus=folder / "corpus", index=folder / "index")
    shutil.copytree(project_root() / "corpus", settings.corpus)
    aside = folder / "aside"
    aside.mkdir()
    for name in LATER:
        (settings.corpus / name).rename(aside / name)
    assert build_index(settings, full=True, embedder=first).added == 3
    for name in LATER:
        (aside / name).rename(settings.corpus / name)
    update = build_index(settings, embedder=then)
    assert update.added == 2 and update.chunks_embedded > 0
    return settings


def test_a_mixed_path_index_keeps_the_gold_top_5(
    tmp_path: Path, embedder: Embedder, reference: Embedder
) -> None:
    """A full build in bf16, then two articles added through the light path and every question
    asked through it; against the same builds wholly in fp32 on sentence-transformers."""
    questions = [turn for item in load_gold(default_gold_path()) for turn in item.turns]
    bf16 = Embedder(Settings(runtime="torch", precision="bf16"))
    pure = build_in_two_steps(tmp_path / "pure", reference, reference)
    mixed = build_in_two_steps(tmp_path / "mixed", bf16, embedder)
    assert (bf16.runtime, bf16.precision) == ("torch", "bf16")
    assert (embedder.runtime, embedder.precision) == ("onnx", "fp32")

    want = top_passages(pure, reference, questions)
    have = top_passages(mixed, embedder, questions)
    assert len(want) == len(questions) > 50 and all(len(row) == TOP_K for row in want)
    assert have == want
    # and what a user sees is unchanged: every gold answer, its citations, the retrieval ranks
    assert gold_answers(mixed, embedder) == gold_answers(pure, reference)
