"""`filmchat ask` and `filmchat eval` as a user runs them: each once as the real command in a
subprocess, the other cases through the same entry point in this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from filmchat.settings import Settings
from in_process import filmchat

ANSWER_KEYS = {
    "question",
    "film",
    "answered",
    "smalltalk",
    "note",
    "answer",
    "mode",
    "citations",
    "passages",
}


def folders(settings: Settings | None, extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(extra or {})
    if settings is not None:
        folders = {"FILMCHAT_CORPUS": str(settings.corpus), "FILMCHAT_INDEX": str(settings.index)}
        env = {**folders, **env}
    return env


def run(settings: Settings | None, *args: str, env_extra: dict[str, str] | None = None):
    """The command in this process (see in_process.py)."""
    return filmchat(*args, env=folders(settings, env_extra))


def run_process(settings: Settings | None, *args: str, env_extra: dict[str, str] | None = None):
    """The installed entry point in a subprocess, as a user's shell starts it."""
    env = dict(os.environ)
    env.update(folders(settings, env_extra))
    return subprocess.run(
        [sys.executable, "-m", "filmchat", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_ask_json_one_object_per_turn(seed_index: Settings) -> None:
    result = run_process(seed_index, "ask", "--json", "Who directed Her?", "What about the music?")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    for answer in (first, second):
        assert set(answer) == ANSWER_KEYS
        assert answer["answered"] is True
        assert answer["mode"] == "extractive"
        assert answer["film"] == "Her (2013)"
        for citation in answer["citations"]:
            assert set(citation) == {"marker", "article_id", "title", "film", "path"}
            assert (seed_index.corpus / citation["path"]).is_file()
            assert f"[{citation['marker']}]" in answer["answer"]
        for passage in answer["passages"]:
            assert set(passage) == {"article_id", "title", "film", "path", "text", "score"}
            assert (seed_index.corpus / passage["path"]).is_file()
        scores = [p["score"] for p in answer["passages"]]
        assert scores == sorted(scores, reverse=True)
    assert "Jonze" in first["answer"]
    assert "Arcade Fire" in second["answer"]


def test_ask_batch_film_and_k(seed_index: Settings, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"turns": ["Who directed it?"]})
        + "\n"
        + json.dumps({"turns": ["What is it about?", "What is its IMDb rating?"]})
        + "\n",
        encoding="utf-8",
    )
    result = run(seed_index, "ask", "--json", "--batch", str(batch), "--film", "Moon", "--k", "3")
    assert result.returncode == 0, result.stderr
    conversations = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [len(c["turns"]) for c in conversations] == [1, 2]
    director = conversations[0]["turns"][0]
    assert director["film"] == "Moon (2009)"
    assert "Duncan Jones" in director["answer"]
    assert len(director["passages"]) <= 3
    rating = conversations[1]["turns"][1]
    assert rating["answered"] is False  # the reviews give Her's rating, not Moon's
    assert "8.0" not in rating["answer"]


def test_ask_prints_answer_and_numbered_sources(seed_index: Settings) -> None:
    result = run(seed_index, "ask", "what does Her say about loneliness")
    assert result.returncode == 0, result.stderr
    assert "Sources" in result.stdout
    assert "[1]" in result.stdout and "[2]" in result.stdout
    assert ".md" in result.stdout


def test_eval_prints_the_metrics(seed_index: Settings) -> None:
    result = run_process(seed_index, "eval", "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    for key in ("recall_at_5", "mrr", "answer_hit_rate", "refusal_accuracy"):
        assert 0.0 <= scores[key] <= 1.0
    assert scores["questions"] >= 40


def test_ask_without_an_index_says_how_to_build_it(tmp_path: Path) -> None:
    result = run(
        None,
        "ask",
        "who directed Her?",
        env_extra={"FILMCHAT_INDEX": str(tmp_path / "none"), "FILMCHAT_CORPUS": str(tmp_path)},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "filmchat index" in lines[0]


def test_ask_usage_errors_are_one_line(seed_index: Settings, tmp_path: Path) -> None:
    for args in (["ask"], ["ask", "--batch", str(tmp_path / "x.jsonl")], ["ask", "--k", "0", "q"]):
        result = run(seed_index, *args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
