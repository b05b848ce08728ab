"""The naive baseline: no rules at all, told the gold article (which the engine is not).

    .venv/bin/python benchmarks/naive_baseline.py

For each answerable dev question, the gold article's cleaned sentences are ranked by MiniLM
cosine to the question; a hit is an expected phrase in the first sentence (top-1) or in the
first three (top-3). It shows how much of the engine's figure any ranking of sentences would
get. `fitting/fit_answers.py` prints these figures beside the engine's.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from filmchat.conversation import Engine
from filmchat.evaluation import fold_title


def naive_hits(engine: Engine, questions: list) -> dict[str, Counter]:
    """Per folder and question type: questions, top-1 hits and top-3 hits."""
    table: dict[str, Counter] = {}
    for item in questions:
        question = item.question
        if question.unanswerable:
            continue
        rows = engine.store.article_sentences(sorted(item.gold))
        vector = engine.embedder.encode_query(question.turns[-1])
        cosine = np.array([v.astype(np.float32) @ vector for _, _, v in rows])
        order = np.argsort(-cosine, kind="stable")
        expect = [fold_title(p) for p in question.expect]
        hits = [any(p in fold_title(rows[i][1].text) for p in expect) for i in order[:3]]
        for key in (f"{item.folder}:{question.type}", f"{item.folder}:all", f"all:{question.type}"):
            counts = table.setdefault(key, Counter())
            counts["questions"] += 1
            counts["top1"] += bool(hits[:1] and hits[0])
            counts["top3"] += any(hits)
    return table


def main() -> int:
    from fitting.fit_answers import DEFAULT_DEV, build_dev, workdir_default

    from filmchat.embedding import Embedder
    from filmchat.settings import Settings

    engine, questions = build_dev(list(DEFAULT_DEV), workdir_default(), Embedder(Settings()))
    for key, counts in sorted(naive_hits(engine, questions).items()):
        print(
            f"{key:28} {counts['top1']:3}/{counts['questions']:<3} top-1   "
            f"{counts['top3']:3}/{counts['questions']:<3} top-3"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
