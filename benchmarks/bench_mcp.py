"""MCP overhead benchmark: an answer through `filmchat mcp` on a warm server against the same
answer in-process (issue 20).

Run:  .venv/bin/python benchmarks/bench_mcp.py [--rounds 5] [--json]

On a copy of the seed corpus, indexed into a temporary folder:
  * 20 questions (the first turn of 20 gold items, spread over every category), each asked in
    a conversation of its own, --rounds times;
  * in-process: `Conversation(engine).ask(q)`, the call `filmchat ask` makes, model loaded;
  * through MCP: `filmchat mcp` started by the SDK's own client over stdio, warmed by one
    round that is not counted, then `call_tool("ask", {"question": q})` timed at the client
    (JSON-RPC over the pipes, argument and output validation on both sides included);
  * the same server in this process behind the SDK's in-memory client: the protocol's own
    handling (validation, serialisation, the worker thread) without the pipes;
  * the three interleaved question by question, so all see the same machine load;
  * p50 and p95 of each, and p50(MCP) - p50(in-process). Goal: at most +20 ms.
  * Also: from spawning the server to `initialize` answered, and to the first answer.
Figures, not a test: the CPU, its features and the load average are printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _machine  # a sibling module, not an installed package
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from filmchat.conversation import Conversation
from filmchat.evaluation import default_gold_path, load_gold
from filmchat.indexer import build_index
from filmchat.live import LiveEngine
from filmchat.mcp_server import build_server
from filmchat.models import Answer
from filmchat.settings import Settings, project_root

QUESTIONS = 20
GOAL_MS = 20.0
FILMCHAT = Path(sys.executable).with_name("filmchat")


def log(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def questions() -> list[str]:
    """The first turn of 20 gold items taken evenly through the file (every category)."""
    items = load_gold(default_gold_path())
    step = max(len(items) // QUESTIONS, 1)
    return [item.turns[0] for item in items[::step][:QUESTIONS]]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def ask_in_process(live: LiveEngine, question: str) -> Answer:
    """What the server's `ask` does, without the protocol."""
    with live.engine() as engine:
        return Conversation(engine).ask(question)


async def measure(settings: Settings, asked: list[str], rounds: int) -> dict[str, Any]:
    live = LiveEngine(settings, warn=log)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMCHAT_")}
    params = StdioServerParameters(
        command=str(FILMCHAT),
        args=["mcp", "--corpus", str(settings.corpus), "--index", str(settings.index)],
        env=env,
    )
    timings: dict[str, list[float]] = {"in_process": [], "in_memory": [], "mcp": []}
    mismatched = 0
    loads = [_machine.load_average()]
    with tempfile.TemporaryFile("w+") as errlog:
        spawned = time.perf_counter()
        async with (
            Client(stdio_client(params, errlog=errlog)) as client,
            Client(build_server(settings, live), mode="legacy") as in_memory,
        ):
            initialized = time.perf_counter() - spawned
            first = await client.call_tool("ask", {"question": asked[0]})
            first_answer = time.perf_counter() - spawned
            assert not first.is_error, first.content
            for question in asked:  # the warm-up round: caches of every side see every word
                ask_in_process(live, question)
                await in_memory.call_tool("ask", {"question": question})
                await client.call_tool("ask", {"question": question})
            for round_number in range(rounds):
                for question in asked:
                    started = time.perf_counter()
                    answer = ask_in_process(live, question)
                    timings["in_process"].append(time.perf_counter() - started)
                    for key, peer in (("in_memory", in_memory), ("mcp", client)):
                        started = time.perf_counter()
                        result = await peer.call_tool("ask", {"question": question})
                        timings[key].append(time.perf_counter() - started)
                        content = result.structured_content or {}
                        mismatched += content.get("answer") != answer.text
                loads.append(_machine.load_average())
                log(f"round {round_number + 1}/{rounds}, load {loads[-1]:.2f}")
    p50 = {key: statistics.median(values) for key, values in timings.items()}
    figures: dict[str, Any] = {"questions": len(asked), "rounds": rounds}
    for key, values in timings.items():
        figures[f"{key}_p50_ms"] = round(p50[key] * 1000, 1)
        figures[f"{key}_p95_ms"] = round(percentile(values, 0.95) * 1000, 1)
    return {
        **figures,
        "overhead_p50_ms": round((p50["mcp"] - p50["in_process"]) * 1000, 1),
        "goal_ms": GOAL_MS,
        "initialize_s": round(initialized, 2),
        "first_answer_s": round(first_answer, 2),
        "answers_differing": mismatched,
        "load_average": [round(value, 2) for value in loads],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of 20 questions")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    machine = _machine.cpu()
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as workdir:
        root = Path(workdir)
        shutil.copytree(project_root() / "corpus", root / "corpus")
        settings = Settings(corpus=root / "corpus", index=root / "index")
        log("indexing the seed corpus")
        build_index(settings)
        figures = asyncio.run(measure(settings, questions(), args.rounds))
    figures["machine"] = machine
    if args.json:
        print(json.dumps(figures))
        return
    print(f"machine: {_machine.describe(machine)}")
    print(f"load average (1 min) through the run: {figures['load_average']}")
    print(f"{figures['questions']} questions × {figures['rounds']} rounds, warm server")
    print(f"{'':24} {'p50':>9} {'p95':>9}")
    rows = (
        ("in-process", "in_process"),
        ("MCP, in-memory client", "in_memory"),
        ("MCP over stdio", "mcp"),
    )
    for name, key in rows:
        p50, p95 = figures[f"{key}_p50_ms"], figures[f"{key}_p95_ms"]
        print(f"{name:24} {p50:>6.1f} ms {p95:>6.1f} ms")
    verdict = "met" if figures["overhead_p50_ms"] <= GOAL_MS else "NOT met"
    overhead = figures["overhead_p50_ms"]
    print(f"MCP p50 - in-process p50: {overhead:+.1f} ms (goal ≤ +{GOAL_MS:.0f} ms: {verdict})")
    print(
        f"spawn → initialize answered: {figures['initialize_s']} s; "
        f"→ first answer: {figures['first_answer_s']} s"
    )
    print(f"answers differing from in-process: {figures['answers_differing']}")


if __name__ == "__main__":
    main()
