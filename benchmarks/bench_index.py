"""Indexing benchmark: `filmchat index --full` against plain fp32 `SentenceTransformer.encode`.

Run:  .venv/bin/python benchmarks/bench_index.py [--articles N] [--json]

One run builds a synthetic corpus (≥ 2,000 chunks of about 500-800 characters) in a temporary
folder and prints:
  * indexing throughput through the real path, twice: the `filmchat index --full --json` command
    (a fresh process: imports, model load, cleaning, chunking, embedding, writing), and
    `build_index(full=True)` in-process with the model already loaded, which is the figure
    comparable to a bare `encode` with a loaded model; both with the automatic precision;
  * plain fp32 `SentenceTransformer.encode` (batch 16) on exactly the same chunk texts, in a
    process of its own with the library defaults (`_plain_encode.py`), run in two halves before
    and after the in-process build so that a change of load on a shared machine weighs on
    both, and the ratios (goal: ≥ 2.5x on a CPU with native bf16, never
    below 0.9x);
  * the time spent embedding inside each build, load + clean + chunk alone, and the indexing
    path forced to fp32, so a shortfall can be traced to its stage;
  * bf16 against fp32 agreement: cosine of the vectors, and top-5 dense neighbours for the
    gold questions over the seed corpus and for synthetic questions over the synthetic one;
  * an incremental rebuild after adding one article, and a rebuild with nothing to do, next to
    the full rebuild (time and chunks embedded).
Figures, not a test: the machine is shared, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _machine  # sibling modules, not installed packages
import _synthetic

from filmchat.embedding import Embedder, choose_precision, cpu_has_native_bf16, resolve_model
from filmchat.errors import FilmchatError
from filmchat.evaluation import default_gold_path, load_gold
from filmchat.indexer import build_index, load_corpus, prepare
from filmchat.settings import BUNDLED_MODEL, Settings, project_root

PLAIN_BATCH = 16
TOP_K = 5
QUERY_REPEATS = 30

Row = tuple[str, str]


def log(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def load_average() -> float:
    return os.getloadavg()[0]


def chunk_texts(settings: Settings) -> list[str]:
    """Exactly the texts the indexer embeds: chunk text with film and headings as context."""
    articles, shared = load_corpus(settings, warn=log)
    texts = []
    for article in articles:
        item = prepare(article, shared, settings)
        texts += [chunk.embedding_text(item.record.meta.film) for chunk in item.chunks]
    return texts


def run_cli(settings: Settings, *args: str) -> tuple[dict[str, Any], float]:
    """`filmchat index ARGS --json` in a fresh process: its report and the wall time."""
    command = Path(sys.executable).with_name("filmchat")
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "filmchat"]
    env = os.environ | {
        "FILMCHAT_CORPUS": str(settings.corpus),
        "FILMCHAT_INDEX": str(settings.index),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [*argv, "index", *args, "--json"], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"filmchat index failed: {done.stderr.strip()}")
    return json.loads(done.stdout), wall


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def plain_fp32_model() -> Any:
    """The baseline model, in-process: only for the agreement checks (vectors, not speed)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_model(BUNDLED_MODEL), device="cpu")


def plain_encode(model: Any, texts: list[str]) -> np.ndarray:
    vectors = model.encode(
        texts, batch_size=PLAIN_BATCH, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def timed_plain_encode(texts: list[str], workdir: Path) -> tuple[np.ndarray, float]:
    """The baseline's speed: plain fp32 `encode` in a fresh process with the library defaults
    (this process has filmchat's OMP_WAIT_POLICY, which a plain run would not)."""
    texts_path, vectors_path = workdir / "plain-texts.json", workdir / "plain-vectors.npy"
    texts_path.write_text(json.dumps(texts))
    env = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
    script = Path(__file__).with_name("_plain_encode.py")
    done = subprocess.run(
        [sys.executable, str(script), str(texts_path), str(vectors_path), str(PLAIN_BATCH)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"plain encode failed: {done.stderr.strip()[-500:]}")
    return np.load(vectors_path), json.loads(done.stdout)["seconds"]


def top_k(queries: np.ndarray, passages: np.ndarray) -> np.ndarray:
    """Exact top-k by inner product, as the flat FAISS index ranks them."""
    scores = queries @ passages.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :TOP_K]


def neighbour_agreement(
    fp32: tuple[np.ndarray, np.ndarray], bf16: tuple[np.ndarray, np.ndarray]
) -> dict[str, float]:
    """Share of the fp32 top-5 that bf16 also returns, and how often the top-1 is the same."""
    a, b = top_k(*fp32), top_k(*bf16)
    overlaps = [len(set(x) & set(y)) / TOP_K for x, y in zip(a, b, strict=True)]
    return {
        "queries": len(overlaps),
        "overlap_mean": float(np.mean(overlaps)),
        "overlap_min": float(np.min(overlaps)),
        "top1_same": float(np.mean(a[:, 0] == b[:, 0])),
    }


def cosines(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    values = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"min": float(values.min()), "mean": float(values.mean())}


def gold_questions() -> list[str]:
    """Every turn of the answering issue's gold set: the evaluation set retrieval must keep."""
    try:
        items = load_gold(default_gold_path())
    except FilmchatError as exc:
        raise SystemExit(f"gold set unavailable: {exc}") from exc
    return [turn for item in items for turn in item.turns]


def synthetic_questions(count: int) -> list[str]:
    """Questions about the synthetic films, as a user would ask them."""
    questions = []
    for index in range(count):
        meta = _synthetic.make_article(index).meta
        film = meta["film"]
        questions += [
            f"What do reviewers say about the performances in {film}?",
            f"Is {film} ({meta['year']}) worth watching?",
        ]
    return questions


def query_latency_ms(embedder: Embedder) -> float:
    """p50 of one short question's embedding: what every answer pays once."""
    embedder.encode_query("Who composed the music?")
    samples = []
    for _ in range(QUERY_REPEATS):
        _, seconds = timed(lambda: embedder.encode_query("What does Her say about loneliness?"))
        samples.append(seconds * 1000)
    return statistics.median(samples)


def machine() -> dict[str, Any]:
    import onnxruntime
    import torch

    return {
        **_machine.cpu(),
        "torch_threads": torch.get_num_threads(),
        "onnxruntime": onnxruntime.__version__,
        "torch": torch.__version__,
        "native_bf16": cpu_has_native_bf16(),
        "auto_precision": choose_precision("auto", "cpu"),
    }


@dataclass
class EncodeRecorder:
    """Wraps an embedder's encode during build_index: each call's texts, vectors and time.

    A rebuild encodes more than its chunks (the vocabulary's word vectors, and whatever else
    the index comes to hold), so the chunks' call is found by its texts, the rest summed apart.
    """

    embedder: Embedder
    calls: list[tuple[list[str], np.ndarray, float]] = field(default_factory=list)

    def __enter__(self) -> EncodeRecorder:
        original = self.embedder.encode

        def encode(texts: Sequence[str], progress: Any = None) -> np.ndarray:
            vectors, seconds = timed(lambda: original(texts, progress))
            self.calls.append((list(texts), vectors, seconds))
            return vectors

        self.embedder.encode = encode  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        del self.embedder.encode  # the class's own method again

    def chunks(self, texts: list[str]) -> tuple[np.ndarray, float, float]:
        """The vectors and seconds of the call that embedded exactly `texts`, and the seconds
        of every other call."""
        found = [n for n, (embedded, _, _) in enumerate(self.calls) if embedded == texts]
        assert found, "build_index embedded other texts than the indexer prepares"
        _, vectors, seconds = self.calls[found[0]]
        other = sum(call[2] for n, call in enumerate(self.calls) if n != found[0])
        return vectors, seconds, other


def run(articles: int, skip_fp32_index: bool) -> dict[str, Any]:
    """Every measurement, as raw figures (seconds, counts); `summarize` turns them into rates."""
    raw: dict[str, Any] = {"machine": machine(), "load": {"start": load_average()}}
    root = Path(tempfile.mkdtemp(prefix="filmchat-bench-"))
    try:
        corpus = root / "corpus"
        _synthetic.write_corpus(corpus, articles)
        cli_settings = Settings(corpus=corpus, index=root / "index-cli")
        warm_settings = Settings(corpus=corpus, index=root / "index-warm")
        fp32_settings = Settings(corpus=corpus, index=root / "index-fp32", precision="fp32")
        texts, raw["prepare_seconds"] = timed(lambda: chunk_texts(cli_settings))
        lengths = [len(text) for text in texts]
        raw["corpus"] = {
            "articles": articles,
            "chunks": len(texts),
            "chars_mean": statistics.mean(lengths),
            "chars_p10": float(np.percentile(lengths, 10)),
            "chars_p90": float(np.percentile(lengths, 90)),
        }
        log(f"corpus: {articles} articles, {len(texts)} chunks")

        log("`filmchat index --full --json` in a fresh process (automatic precision)")
        raw["cli_full"], raw["cli_full_wall"] = run_cli(cli_settings, "--full")
        raw["load"]["cli_full"] = load_average()

        # The baseline runs in two halves, before and after the indexing run it is compared
        # with, so a change of load on this shared machine weighs on both sides alike.
        log(f"plain fp32 SentenceTransformer.encode, batch {PLAIN_BATCH}: first half")
        half = len(texts) // 2
        first, first_seconds = timed_plain_encode(texts[:half], root)

        log("build_index(full=True) in-process with the model loaded (automatic precision)")
        embedder, raw["model_load_seconds"] = timed(lambda: Embedder(warm_settings))
        embedder.encode(texts[:600])  # enough tokens to load the full-rebuild path
        raw["precision"] = embedder.precision
        with EncodeRecorder(embedder) as auto:
            raw["warm_full"] = build_index(warm_settings, full=True, embedder=embedder).to_json()
        auto_vectors, raw["warm_full_encode_seconds"], raw["warm_full_other_encode_seconds"] = (
            auto.chunks(texts)
        )
        raw["load"]["warm_full"] = load_average()

        log(f"plain fp32 SentenceTransformer.encode, batch {PLAIN_BATCH}: second half")
        second, second_seconds = timed_plain_encode(texts[half:], root)
        fp32_vectors = np.concatenate([first, second])
        raw["plain_fp32_seconds"] = first_seconds + second_seconds
        raw["load"]["plain_fp32"] = load_average()

        fp32_embedder = Embedder(fp32_settings)
        fp32_embedder.encode(texts[:600])
        if not skip_fp32_index:
            log("build_index(full=True) forced to fp32: the pipeline's own overhead")
            with EncodeRecorder(fp32_embedder) as forced:
                raw["fp32_full"] = build_index(
                    fp32_settings, full=True, embedder=fp32_embedder
                ).to_json()
            _, raw["fp32_full_encode_seconds"], _ = forced.chunks(texts)
            raw["load"]["fp32_full"] = load_average()

        log(f"agreement of {embedder.precision} and fp32 vectors and neighbours")
        plain = plain_fp32_model()
        questions = synthetic_questions(50)
        raw["cosine_synthetic"] = cosines(auto_vectors, fp32_vectors)
        raw["neighbours_synthetic"] = neighbour_agreement(
            (plain_encode(plain, questions), fp32_vectors),
            (embedder.encode(questions), auto_vectors),
        )
        seed_texts = chunk_texts(Settings(corpus=project_root() / "corpus", index=root / "unused"))
        gold = gold_questions()
        seed_fp32, seed_auto = plain_encode(plain, seed_texts), embedder.encode(seed_texts)
        raw["seed_chunks"] = len(seed_texts)
        raw["cosine_seed"] = cosines(seed_auto, seed_fp32)
        raw["neighbours_seed"] = neighbour_agreement(
            (plain_encode(plain, gold), seed_fp32), (embedder.encode(gold), seed_auto)
        )

        log("each embedding path alone, on every fourth chunk")
        raw["paths"] = per_path(texts[::4], root)
        raw["load"]["paths"] = load_average()

        log("one query's embedding")
        raw["query_ms"] = {
            "ONNX (the light path)": query_latency_ms(embedder),
            "torch bf16": query_latency_ms(Embedder(Settings(runtime="torch", precision="bf16"))),
            "torch fp32": query_latency_ms(Embedder(Settings(runtime="torch", precision="fp32"))),
        }

        log("rebuilds after adding one article, then with nothing changed")
        _synthetic.write_article(corpus, articles)
        raw["cli_added"], raw["cli_added_wall"] = run_cli(cli_settings)
        raw["cli_nothing"], raw["cli_nothing_wall"] = run_cli(cli_settings)
        raw["warm_added"] = build_index(warm_settings, embedder=embedder).to_json()
        raw["warm_nothing"] = build_index(warm_settings, embedder=embedder).to_json()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    raw["load"]["end"] = load_average()
    return raw


# every path a full rebuild can take: (runtime, precision) → its settings
PATHS = {
    "ONNX Runtime fp32": {"runtime": "onnx"},
    "torch fp32": {"runtime": "torch", "precision": "fp32"},
    "torch bf16 (autocast)": {"runtime": "torch", "precision": "bf16"},
}


def per_path(texts: list[str], workdir: Path) -> dict[str, Any]:
    """Each path's encode rate on the same texts, model loaded and warmed up, against plain
    fp32 `encode` on those texts, and the cosine of its vectors to plain fp32's."""
    plain, plain_seconds = timed_plain_encode(texts, workdir)
    found: dict[str, Any] = {"chunks": len(texts), "plain_fp32_seconds": plain_seconds}
    for name, overrides in PATHS.items():
        settings = Settings(bulk_tokens=1, **overrides)  # type: ignore[arg-type]
        embedder = Embedder(settings)
        embedder.encode(texts[:64])
        vectors, seconds = timed(lambda embedder=embedder: embedder.encode(texts))
        found[name] = {
            "seconds": seconds,
            "batch_size": embedder.batch_size,
            "cosine_min": float(np.min(np.sum(vectors * plain, axis=1))),
        }
        del embedder
    return found


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    """Throughputs in chunks/s and their ratios to the plain fp32 encode."""
    chunks = raw["corpus"]["chunks"]
    rates = {
        "plain_fp32_encode": chunks / raw["plain_fp32_seconds"],
        "index_full_model_loaded": chunks / raw["warm_full"]["seconds"],
        "index_full_cli": chunks / raw["cli_full_wall"],
        "encode_inside_index": chunks / raw["warm_full_encode_seconds"],
        "load_clean_chunk": chunks / raw["prepare_seconds"],
    }
    if "fp32_full" in raw:
        rates["index_full_fp32"] = chunks / raw["fp32_full"]["seconds"]
        rates["encode_inside_index_fp32"] = chunks / raw["fp32_full_encode_seconds"]
    plain = rates["plain_fp32_encode"]
    return {
        "chunks_per_second": rates,
        "ratio_to_plain_fp32": {name: rate / plain for name, rate in rates.items()},
    }


def rows(raw: dict[str, Any], summary: dict[str, Any]) -> list[Row]:
    """The figures as (what, value) rows, each ratio next to what it compares."""
    rate, ratio = summary["chunks_per_second"], summary["ratio_to_plain_fp32"]
    precision, corpus, cpu = raw["precision"], raw["corpus"], raw["machine"]

    def speed(name: str) -> str:
        return f"{rate[name]:.1f} chunks/s = {ratio[name]:.2f}x plain fp32"

    def rebuild(report: dict[str, Any], seconds: float) -> str:
        return f"{seconds:.2f} s, {report['chunks_embedded']} chunks embedded"

    def agreement(found: dict[str, float]) -> str:
        return (
            f"mean {found['overlap_mean']:.3f}, min {found['overlap_min']:.2f}, "
            f"same top-1 {found['top1_same']:.0%}"
        )

    loads = ", ".join(f"{value:.1f}" for value in raw["load"].values())
    table: list[Row] = [
        ("CPU", _machine.describe(cpu)),
        ("threads", f"torch {cpu['torch_threads']}, onnxruntime {cpu['onnxruntime']}"),
        ("native bf16 → full rebuilds run in", f"{cpu['native_bf16']} → {precision}"),
        ("load average (1 min) through the run", loads),
        (
            "synthetic corpus",
            f"{corpus['articles']} articles, {corpus['chunks']} chunks of "
            f"{corpus['chars_mean']:.0f} chars (p10 {corpus['chars_p10']:.0f}, "
            f"p90 {corpus['chars_p90']:.0f})",
        ),
        (f"plain fp32 SentenceTransformer.encode, batch {PLAIN_BATCH}", speed("plain_fp32_encode")),
        (f"index --full, model loaded ({precision})", speed("index_full_model_loaded")),
        (f"  of which embedding ({precision})", speed("encode_inside_index")),
        (
            "  of which other encodes (word vectors, …)",
            f"{raw['warm_full_other_encode_seconds']:.2f} s",
        ),
        ("`filmchat index --full`, fresh process", speed("index_full_cli")),
        ("load + clean + chunk alone (no embedding)", speed("load_clean_chunk")),
    ]
    if "index_full_fp32" in rate:
        table += [
            ("index --full, forced fp32 (ONNX: a CPU without bf16)", speed("index_full_fp32")),
            ("  of which embedding (fp32)", speed("encode_inside_index_fp32")),
        ]
    paths = raw["paths"]
    plain_rate = paths["chunks"] / paths["plain_fp32_seconds"]
    table.append(
        (
            f"per path, {paths['chunks']} chunks: plain fp32 encode, batch {PLAIN_BATCH}",
            f"{plain_rate:.1f} chunks/s = 1.00x",
        )
    )
    for name in PATHS:
        path = paths[name]
        path_rate = paths["chunks"] / path["seconds"]
        table.append(
            (
                f"  {name}, batch {path['batch_size']}",
                f"{path_rate:.1f} chunks/s = {path_rate / plain_rate:.2f}x, "
                f"cosine to plain fp32 min {path['cosine_min']:.5f}",
            )
        )
    synthetic, seed = raw["neighbours_synthetic"], raw["neighbours_seed"]
    table += [
        (
            f"cosine {precision} vs fp32: synthetic / seed chunks",
            f"min {raw['cosine_synthetic']['min']:.5f} / {raw['cosine_seed']['min']:.5f}, "
            f"mean {raw['cosine_synthetic']['mean']:.5f} / {raw['cosine_seed']['mean']:.5f}",
        ),
        (
            f"top-{TOP_K} overlap: {seed['queries']} gold questions, "
            f"{raw['seed_chunks']} seed chunks",
            agreement(seed),
        ),
        (
            f"top-{TOP_K} overlap: {synthetic['queries']} questions, {corpus['chunks']} chunks",
            agreement(synthetic),
        ),
        (
            "one query embedding, p50",
            ", ".join(f"{k} {v:.1f} ms" for k, v in raw["query_ms"].items()),
        ),
        ("full rebuild, model loaded", rebuild(raw["warm_full"], raw["warm_full"]["seconds"])),
        ("+1 article, model loaded", rebuild(raw["warm_added"], raw["warm_added"]["seconds"])),
        (
            "nothing changed, model loaded",
            rebuild(raw["warm_nothing"], raw["warm_nothing"]["seconds"]),
        ),
        ("`filmchat index --full`, wall", rebuild(raw["cli_full"], raw["cli_full_wall"])),
        ("`filmchat index` +1 article, wall", rebuild(raw["cli_added"], raw["cli_added_wall"])),
        (
            "`filmchat index` nothing changed, wall",
            rebuild(raw["cli_nothing"], raw["cli_nothing_wall"]),
        ),
        ("model load (Embedder, in-process)", f"{raw['model_load_seconds']:.1f} s"),
    ]
    return table


def print_table(table: list[Row]) -> None:
    from rich.console import Console
    from rich.table import Table

    view = Table(title="filmchat indexing benchmark", title_justify="left")
    view.add_column("measure")
    view.add_column("figure")
    for what, value in table:
        view.add_row(what, value)
    Console(width=120).print(view)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=int, default=400, help="synthetic articles (about 5.6 chunks each)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument(
        "--skip-fp32-index", action="store_true", help="skip the fp32 indexing run (saves ~40 s)"
    )
    args = parser.parse_args()
    raw = run(args.articles, args.skip_fp32_index)
    if raw["corpus"]["chunks"] < 2000:
        log(f"note: only {raw['corpus']['chunks']} chunks; the issue asks for at least 2,000")
    summary = summarize(raw)
    if args.json:
        print(json.dumps(raw | summary, indent=2))
    else:
        print_table(rows(raw, summary))


if __name__ == "__main__":
    main()
