"""Start-up benchmark: what a person waits for from a cold process (issue 12).

Run:  .venv/bin/python benchmarks/bench_start.py [--runs 5] [--json]

On a copy of the seed corpus, in a fresh process every time, the median of --runs runs after
one warm-up run, with the light path (the default) and with it switched off
(FILMCHAT_RUNTIME=torch, i.e. sentence-transformers everywhere):
  * `filmchat ask "Who directed Her?"`: wall time and peak memory (max RSS) of the process;
  * `filmchat index` after adding one article (a fresh copy of the corpus and index each run);
  * the chat's first cited answer after launch, the question typed as soon as the window is up
    (the real Textual app driven headless by `_first_answer.py`; wall time from launch);
  * importing each stack alone (`python -c "import ..."`), for scale.
Figures, not a test: the CPU, its features and the load average are printed beside them,
and each figure beside its goal (GOALS, issue 19, for the light path on an idle machine; the
trained language model that the people issue adds to indexing is reported apart, ≤ 2.5 s).
`--only ask` (or index, chat) measures one of them; `--light-only` skips the torch path.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _machine  # sibling modules, not installed packages
import _synthetic

from filmchat.settings import project_root

QUESTION = "Who directed Her?"
CHAT_QUESTION = "Who plays Theodore in Her?"
FILMCHAT = Path(sys.executable).with_name("filmchat")
PATHS = {"light": {}, "light path off": {"FILMCHAT_RUNTIME": "torch"}}
MEASURES = ("ask", "index", "chat")
# (figure, goal, unit) for the light path: median of the runs on an idle machine
GOALS = {
    "ask_seconds": (0.5, "s"),
    "ask_mib": (200.0, "MiB"),
    "index_one_seconds": (1.0, "s"),
    "chat_seconds": (1.0, "s"),
}
IMPORTS = {
    "onnxruntime, tokenizers, numpy": "import onnxruntime, tokenizers, numpy",
    "torch": "import torch",
    "sentence_transformers": "import sentence_transformers",
}


def log(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def fresh_process(command: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS (MiB), CPU seconds (user + system) and stdout of one process,
    from its own rusage. On a busy machine the CPU time tells what the wall time would be
    alone (filmchat's start-up runs on one core)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command[:3])} failed: {err.read().strip()[-400:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return wall, usage.ru_maxrss / 1024, cpu, out.read()  # ru_maxrss is in KiB on Linux


def median_of(runs: int, once: Callable[[], tuple[float, ...]]) -> list[float]:
    """Medians, field by field, of `runs` calls after one warm-up call."""
    once()
    samples = [once() for _ in range(runs)]
    return [statistics.median(column) for column in zip(*samples, strict=True)]


def run(runs: int, measures: tuple[str, ...], paths: dict[str, dict[str, str]]) -> dict[str, Any]:
    raw: dict[str, Any] = {"machine": _machine.cpu(), "runs": runs, "load": {}}
    raw["paths"] = list(paths)
    raw["load"]["start"] = _machine.load_average()
    root = Path(tempfile.mkdtemp(prefix="filmchat-start-"))
    try:
        corpus, index = root / "corpus", root / "index"
        shutil.copytree(project_root() / "corpus", corpus)
        base = {**os.environ, "FILMCHAT_CORPUS": str(corpus), "FILMCHAT_INDEX": str(index)}
        base.pop("FILMCHAT_RUNTIME", None)
        log("building the seed index (light path; exports the ONNX encoder if not cached)")
        subprocess.run(
            [str(FILMCHAT), "index", "--json"], env=base, check=True, capture_output=True
        )

        for name, extra in paths.items():
            env = {**base, **extra}
            figures: dict[str, float] = {}
            if "ask" in measures:
                log(f"{name}: filmchat ask")
                figures["ask_seconds"], figures["ask_mib"], figures["ask_cpu"] = median_of(
                    runs, lambda env=env: fresh_process([str(FILMCHAT), "ask", QUESTION], env)[:3]
                )
            if "index" in measures:
                log(f"{name}: filmchat index after adding one article")
                seconds, cpu, chunks = median_of(runs, lambda env=env: index_one_article(root, env))
                figures |= {
                    "index_one_seconds": seconds,
                    "index_one_cpu": cpu,
                    "index_one_chunks": chunks,
                }
            if "chat" in measures:
                log(f"{name}: the chat's first cited answer")
                seconds, cpu = median_of(runs, lambda env=env: chat_first_answer(root, env))
                figures |= {"chat_seconds": seconds, "chat_cpu": cpu}
            raw[name] = figures
            raw["load"][name] = _machine.load_average()
        if measures != MEASURES:
            raw["imports"] = {}
            return raw

        log("imports alone")
        raw["imports"] = {
            label: median_of(
                runs, lambda code=code: fresh_process([sys.executable, "-c", code], base)[:1]
            )[0]
            for label, code in IMPORTS.items()
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    raw["load"]["end"] = _machine.load_average()
    return raw


def index_one_article(root: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """`filmchat index` on fresh copies of the seed corpus and index plus one new article."""
    work = root / "one"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root / "corpus", work / "corpus")
    shutil.copytree(root / "index", work / "index")
    _synthetic.write_article(work / "corpus", 1)
    folders = {"FILMCHAT_CORPUS": str(work / "corpus"), "FILMCHAT_INDEX": str(work / "index")}
    wall, _, cpu, out = fresh_process([str(FILMCHAT), "index", "--json"], {**env, **folders})
    report = json.loads(out)
    assert report["added"] == 1, report
    return wall, cpu, float(report["chunks_embedded"])


def chat_first_answer(root: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launching the chat to its first cited answer being shown."""
    script = Path(__file__).with_name("_first_answer.py")
    history = {"FILMCHAT_HISTORY": str(root / "history.sqlite")}
    launched = time.time()
    _, _, cpu, out = fresh_process([sys.executable, str(script), CHAT_QUESTION], {**env, **history})
    result = json.loads(out.splitlines()[-1])
    assert result["answered"] and result["citations"], result
    return result["shown_at"] - launched, cpu


def rows(raw: dict[str, Any]) -> list[tuple[str, str]]:
    loads = ", ".join(f"{value:.1f}" for value in raw["load"].values())
    table = [
        ("CPU", _machine.describe(raw["machine"])),
        ("load average (1 min) through the run", loads),
        ("runs", f"median of {raw['runs']} after a warm-up, a fresh process each"),
    ]
    for name in raw["paths"]:
        f = raw[name]

        def goal(*figures: str, f: dict[str, float] = f, name: str = name) -> str:
            if name != "light":
                return ""
            said = [
                f"{'met' if f[key] <= GOALS[key][0] else 'missed'}: ≤ {GOALS[key][0]:g} "
                f"{GOALS[key][1]}"
                for key in figures
            ]
            return f" (goal {'; '.join(said)})"

        if "ask_seconds" in f:
            table.append(
                (
                    f"{name}: `filmchat ask`",
                    f"{f['ask_seconds']:.2f} s (CPU {f['ask_cpu']:.2f} s), "
                    f"peak {f['ask_mib']:.0f} MiB{goal('ask_seconds', 'ask_mib')}",
                )
            )
        if "index_one_seconds" in f:
            table.append(
                (
                    f"{name}: `filmchat index`, one article added",
                    f"{f['index_one_seconds']:.2f} s (CPU {f['index_one_cpu']:.2f} s), "
                    f"{f['index_one_chunks']:.0f} chunks embedded{goal('index_one_seconds')}",
                )
            )
        if "chat_seconds" in f:
            table.append(
                (
                    f"{name}: the chat's first cited answer",
                    f"{f['chat_seconds']:.2f} s (CPU {f['chat_cpu']:.2f} s for the whole run)"
                    f"{goal('chat_seconds')}",
                )
            )
    table += [(f"`import {label}` alone", f"{s:.2f} s") for label, s in raw["imports"].items()]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs after a warm-up")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--only", choices=MEASURES, help="measure only this")
    parser.add_argument("--light-only", action="store_true", help="skip the torch path")
    args = parser.parse_args()
    measures = (args.only,) if args.only else MEASURES
    paths = {"light": PATHS["light"]} if args.light_only else PATHS
    raw = run(max(args.runs, 1), measures, paths)
    if args.json:
        print(json.dumps(raw, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    view = Table(title="filmchat start-up benchmark", title_justify="left")
    view.add_column("measure")
    view.add_column("figure")
    for what, value in rows(raw):
        view.add_row(what, value)
    Console(width=120).print(view)


if __name__ == "__main__":
    main()
