"""`filmchat ask` with a model server, as a user runs it: the real command in a subprocess.

The server is tests/llm_server.py, a real HTTP server on 127.0.0.1 speaking the OpenAI
streaming format; its reply is built from the passages filmchat really retrieves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from filmchat.embedding import Embedder
from filmchat.models import Passage
from filmchat.settings import Settings
from llm_server import Reply, ScriptedServer
from test_cli_ask import ANSWER_KEYS, run
from test_llm import cite, claim, free_port
from test_tui_llm import QUESTION, other_article, retrieved


@pytest.fixture(scope="module")
def passages(seed_index: Settings, embedder: Embedder) -> list[Passage]:
    return retrieved(seed_index, embedder, QUESTION)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    """A running server; the tester's own FILMCHAT_LLM_* settings are kept out of the way."""
    for name in ("URL", "MODEL", "API_KEY", "TIMEOUT", "UNCITED"):
        monkeypatch.delenv(f"FILMCHAT_LLM_{name}", raising=False)
    with ScriptedServer() as running:
        yield running


def one_answer(stdout: str) -> dict:
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, stdout
    answer = json.loads(lines[0])
    assert set(answer) == ANSWER_KEYS
    return answer


def test_llm_answer_with_valid_citations(
    seed_index: Settings, server: ScriptedServer, passages: list[Passage]
) -> None:
    first, second = 3, other_article(passages, 3)
    server.queue(
        Reply(
            text=f"{cite(claim(passages[first]), f'[{first + 1}]')} "
            f"{cite(claim(passages[second]), f'[{second + 1}]')} That is all [99]."
        )
    )
    result = run(seed_index, "ask", "--json", "--llm-url", server.url, QUESTION)

    assert result.returncode == 0, result.stderr
    answer = one_answer(result.stdout)
    assert answer["mode"] == "llm" and answer["answered"] is True
    assert answer["answer"].startswith(claim(passages[first])[:-1])
    assert claim(passages[second])[:-1] in answer["answer"]
    assert [c["marker"] for c in answer["citations"]] == [1, 2]
    assert [c["article_id"] for c in answer["citations"]] == [
        passages[first].article.article_id,
        passages[second].article.article_id,
    ]
    for citation in answer["citations"]:
        assert f"[{citation['marker']}]" in answer["answer"]
        assert (seed_index.corpus / citation["path"]).is_file()
    assert "[99]" not in answer["answer"] and "[4]" not in answer["answer"]
    (request,) = server.requests
    assert QUESTION in request.prompt


def test_refused_question_never_reaches_the_model(
    seed_index: Settings, server: ScriptedServer
) -> None:
    result = run(
        seed_index, "ask", "--json", "--llm-url", server.url, "What was the box office of Her?"
    )

    assert result.returncode == 0, result.stderr
    answer = one_answer(result.stdout)
    assert answer["answered"] is False and "cover" in answer["answer"]
    assert server.requests == []


def test_server_down_gives_the_extractive_answer_and_one_warning(
    seed_index: Settings, server: ScriptedServer
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run(seed_index, "ask", "--json", "--llm", "--llm-url", url, "Who directed Her?")

    assert result.returncode == 0, result.stderr
    answer = one_answer(result.stdout)
    assert answer["mode"] == "extractive" and answer["answered"] is True
    assert "Spike Jonze" in answer["answer"]
    (warning,) = result.stderr.strip().splitlines()
    assert warning.startswith("warning: Cannot reach the LLM server at")
    assert "FILMCHAT_LLM_URL" in warning and "extractive answer" in warning


def test_llm_without_a_url_is_a_usage_error(seed_index: Settings, server: ScriptedServer) -> None:
    result = run(seed_index, "ask", "--llm", "Who directed Her?")

    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: --llm needs a model server") and "--llm-url" in line


def test_no_llm_overrides_the_environment(seed_index: Settings, server: ScriptedServer) -> None:
    result = run(
        seed_index,
        "ask",
        "--json",
        "--no-llm",
        "Who directed Her?",
        env_extra={"FILMCHAT_LLM_URL": server.url},
    )

    assert result.returncode == 0, result.stderr
    answer = one_answer(result.stdout)
    assert answer["mode"] == "extractive" and "Spike Jonze" in answer["answer"]
    assert server.requests == [] and result.stderr == ""
