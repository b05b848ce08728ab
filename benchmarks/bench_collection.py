"""Collection answers at 1,000 films: similar films, genre, theme, person, ranking, comparison.

Run:  .venv/bin/python benchmarks/bench_collection.py [--films 1000] [--rounds 5]

The synthetic collection is bench_answer's (its reviews, consistent facts per film, and vectors
made the way it makes them: a few hundred embedded by the real model, the rest mixed from those
and the film title's), cut to one review per film, ~6 chunks each; the profiles are then made
by the library (`collection.refresh_profiles`), as `filmchat index` makes them. Each question
is asked through a Conversation as a user asks it; the figure is the whole answer, question
encoding included. A collection answer is one matrix product over the profiles, not a search
per film, so it should not grow with the number of films beyond that product.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import _machine  # siblings, not installed packages
import bench_answer

from filmchat import collection
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.store import IndexStore, IndexWriter


def with_profiles(settings: Settings) -> None:
    """Make every film's profile in the synthetic index, as indexing does."""
    base = IndexStore.open(settings.index, verify=False)
    writer = IndexWriter(settings.index, base.manifest.model_copy(deep=True), base)
    writer.touched_films = {a.meta.film for a in base.articles() if a.meta.film}
    collection.refresh_profiles(writer)
    writer.commit()
    base.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=1000)  # the generator has 729 titles
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--real-chunks", type=int, default=300)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "filmchat-bench"
    )
    args = parser.parse_args()
    embedder = Embedder(Settings())
    chunks = args.films * 6
    synthetic = bench_answer.build_synthetic_index(args.cache, chunks, args.real_chunks, embedder)
    started = time.perf_counter()
    with_profiles(synthetic.settings)
    print(
        f"profiles of {synthetic.info['films']} films made in {time.perf_counter() - started:.1f} s"
    )
    engine = Engine(synthetic.settings, embedder)
    films = [f.title for f in engine.catalog if not f.mentioned_only]
    facts = bench_answer.film_facts(0)
    questions = {
        "similar": f"Which films in my collection are like {films[0]}?",
        "genre": "Any horror movies in here?",
        "theme": f"Which films are about {facts['theme'].split()[-1]}?",
        "person": f"Which films did {facts['director']} direct?",
        "ranking": "Which film did the reviewers like most?",
        "compare": f"Compare {films[0]} and {films[1]}",
    }
    machine = _machine.describe(_machine.cpu())
    print(f"{len(films)} films, {engine.store.manifest.chunks} chunks; {machine}")
    for name, question in questions.items():
        Conversation(engine).ask(question)  # warm
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            answer = Conversation(engine).ask(question)
            times.append(time.perf_counter() - started)
        print(
            f"{name:8} p50 {1000 * statistics.median(times):6.1f} ms"
            f"  max {1000 * max(times):6.1f} ms"
            f"  ({'answered' if answer.answered else 'refused'}, {len(answer.sentences)} lines)"
            f"  load {_machine.load_average():.1f}"
        )


if __name__ == "__main__":
    main()
