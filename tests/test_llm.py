"""Generative answers against a real local HTTP server speaking the OpenAI streaming format.

The passages are real: retrieved from the real seed index with the real model. Only the model's
words are scripted, and they are built from those passages, so every check below is about what
filmchat does with a reply: citations validated and renumbered, uncited sentences flagged or
dropped, the sentinel turned into a refusal, and every server failure turned into one LLMError.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from filmchat.embedding import Embedder
from filmchat.llm import (
    SENTINEL,
    AnswerStream,
    ChatClient,
    LLMCancelled,
    LLMError,
    check_answer,
    condense_question,
)
from filmchat.models import Passage
from filmchat.retrieval import Retriever
from filmchat.settings import Settings
from filmchat.store import IndexStore
from llm_server import Reply, ScriptedServer, server_process

STALL = 3600.0  # a server that never answers within a test (stopping it ends the stall)
PATIENT = 120.0  # a client timeout no answer of a working server reaches, even on a loaded machine
QUESTION = "Who composed the score of Her and what do reviewers say about it?"
FILM = "Her (2013)"


@pytest.fixture(scope="module")
def passages(seed_index: Settings, embedder: Embedder) -> list[Passage]:
    """Real retrieval results; at least two of them share an article (checked below)."""
    store = IndexStore.open(seed_index.index)
    try:
        found = Retriever(store, embedder).search(QUESTION, k=6)
    finally:
        store.close()
    assert len(found) == 6
    return found


def claim(passage: Passage) -> str:
    """A sentence of the passage, as a model quoting it would write it."""
    for sentence in passage.sentences:
        text = sentence.text.strip()
        if sentence.kind == "sentence" and text.endswith(".") and len(text.split()) >= 6:
            return text
    raise AssertionError(f"passage {passage.chunk_id} has no plain sentence")


def cite(sentence: str, marker: str) -> str:
    """'Claim.' -> 'Claim [n].'"""
    return f"{sentence[:-1]} {marker}."


def same_article_pair(passages: list[Passage]) -> tuple[int, int]:
    for i, first in enumerate(passages):
        for j in range(i + 1, len(passages)):
            if passages[j].article.article_id == first.article.article_id:
                return i, j
    raise AssertionError("retrieval returned no two passages of one article")


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[ChatClient]:
    with ChatClient(server.url, model="scripted-model", api_key="sekret", timeout=5) as made:
        yield made


def test_grounded_answer_streams_and_cites_each_article_once(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    i, j = same_article_pair(passages)
    shared = passages[i].article.article_id
    other = next(n for n, p in enumerate(passages) if p.article.article_id != shared)
    picked = [j, other, i]  # the later passage of the shared article is cited first
    text = " ".join(cite(claim(passages[n]), f"[{n + 1}]") for n in picked)
    server.queue(Reply(text=text))

    stream = AnswerStream(client, QUESTION, passages, film=FILM)
    received = list(stream)
    answer = stream.answer()

    assert len(received) > 3 and "".join(received) == text  # streamed piece by piece
    assert answer.mode == "llm" and answer.answered and answer.film == FILM
    assert [s.text for s in answer.sentences] == [claim(passages[n]) for n in picked]
    assert all(s.grounded for s in answer.sentences)
    # per-article markers, in order of first citation: passages i and j share marker 1
    assert [s.markers for s in answer.sentences] == [[1], [2], [1]]
    assert [c.marker for c in answer.citations] == [1, 2]
    assert [c.article_id for c in answer.citations] == [
        passages[j].article.article_id,
        passages[other].article.article_id,
    ]
    assert answer.citations[0].path == passages[j].article.path
    assert claim(passages[j]) in answer.citations[0].quote
    assert claim(passages[i]) in answer.citations[0].quote
    assert answer.passages == passages
    assert answer.to_json()["mode"] == "llm"
    assert answer.text.endswith(f"{claim(passages[i])[:-1]}. [1]")

    (request,) = server.requests
    assert request.body["stream"] is True and request.body["model"] == "scripted-model"
    assert request.headers["Authorization"] == "Bearer sekret"
    for number, passage in enumerate(passages, start=1):
        assert f"[{number}] " in request.prompt and passage.text.strip() in request.prompt
    assert SENTINEL in request.prompt and QUESTION in request.prompt


def test_citation_to_a_missing_passage_is_removed(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    first, second = claim(passages[2]), claim(passages[0])
    # [9] does not exist (6 passages); [0] neither. Markers after the full stop, too.
    server.queue(Reply(text=f"{first} [3][9] {cite(second, '[0]')}"))

    answer = AnswerStream(client, QUESTION, passages, film=FILM).answer()

    assert answer.answered
    assert [(s.text, s.markers, s.grounded) for s in answer.sentences] == [
        (first, [1], True),  # [3] renumbered to the first cited article
        (second, [], False),  # its only citation was invalid: flagged, not trusted
    ]
    assert [c.article_id for c in answer.citations] == [passages[2].article.article_id]
    assert "[9]" not in answer.text and "[3]" not in answer.text


@pytest.mark.parametrize("uncited", ["flag", "drop"])
def test_uncited_sentence_is_flagged_or_dropped(
    uncited: str, server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    grounded = claim(passages[1])
    invented = "The film won four Academy Awards and earned a billion dollars."
    server.queue(Reply(text=f"{cite(grounded, '[2]')} {invented}"))

    answer = AnswerStream(client, QUESTION, passages, film=FILM, uncited=uncited).answer()  # type: ignore[arg-type]

    texts = [(s.text, s.grounded) for s in answer.sentences]
    if uncited == "flag":
        assert texts == [(grounded, True), (invented, False)]
    else:
        assert texts == [(grounded, True)]
        assert "billion" not in answer.text


def test_answer_citing_nothing_is_an_error(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    server.queue(Reply(text="Her was scored by John Williams. It is a masterpiece [7]."))

    with pytest.raises(LLMError, match="citing none of the passages"):
        AnswerStream(client, QUESTION, passages, film=FILM).answer()


def test_sentinel_becomes_a_not_covered_answer(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    server.queue(Reply(text=SENTINEL))

    answer = AnswerStream(client, "What was the box office of Her?", passages, film=FILM).answer()

    assert not answer.answered and answer.mode == "llm"
    assert answer.sentences == []
    assert "cover" in answer.message and answer.text == answer.message
    retrieved = [p.article.article_id for p in passages]
    assert answer.citations and answer.citations[0].article_id == retrieved[0]
    assert {c.article_id for c in answer.citations} <= set(retrieved)
    assert answer.to_json()["answered"] is False


def test_history_goes_to_the_model_without_stale_markers(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    server.queue(
        Reply(text=cite(claim(passages[0]), "[1]")), Reply(text=cite(claim(passages[3]), "[4]"))
    )
    first = AnswerStream(client, QUESTION, passages, film=FILM).answer()
    AnswerStream(client, "And the cinematography?", passages, film=FILM, history=[first]).answer()

    messages = server.requests[1].messages
    assert messages[1] == {"role": "user", "content": QUESTION}
    assert messages[2] == {"role": "assistant", "content": claim(passages[0])}
    assert "And the cinematography?" in messages[-1]["content"]


def test_a_server_that_does_not_stream_still_works(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    server.queue(Reply(text=cite(claim(passages[0]), "[1]"), stream=False))

    answer = AnswerStream(client, QUESTION, passages, film=FILM).answer()

    assert answer.answered and answer.sentences[0].text == claim(passages[0])


@pytest.mark.parametrize("base", ["{url}", "{url}/", "{url}/v1", "{url}/v1/chat/completions"])
def test_base_url_forms_reach_the_endpoint(base: str, server: ScriptedServer) -> None:
    server.queue(Reply(text="pong"))
    with ChatClient(base.format(url=server.url), timeout=5) as made:
        assert made.complete([{"role": "user", "content": "ping"}], max_tokens=7) == "pong"
    body = server.requests[0].body
    assert "model" not in body  # none configured: the server uses its own
    assert body["max_tokens"] == 7 and body["stream"] is True


def test_from_settings_is_none_without_a_url(server: ScriptedServer) -> None:
    assert ChatClient.from_settings(Settings(llm_url=None)) is None
    made = ChatClient.from_settings(Settings(llm_url=server.url, llm_model="m", llm_timeout=3))
    assert made is not None and made.model == "m" and made.timeout == 3
    made.close()


FAILURES = {
    "http 500": (
        Reply(status=500, body='{"error": {"message": "model\\ncrashed"}}'),
        "HTTP 500: model crashed",
    ),
    "http 401": (Reply(status=401, body='{"error": "bad key"}'), "FILMCHAT_LLM_API_KEY"),
    "malformed json": (
        Reply(events=['{"choices": [{"delta": {"content": "Her"}}]}', "{oops"]),
        "malformed stream",
    ),
    "no choices": (Reply(events=['{"object": "chat.completion.chunk"}']), "without choices"),
    "error event": (
        Reply(events=['{"error": {"message": "context length exceeded"}}']),
        "context length exceeded",
    ),
    "dropped mid-stream": (Reply(text="The score was", drop=True), "closed the connection"),
    "ended early": (Reply(text="The score was", finish=False), "ended the stream"),
    # the server stalls until the test ends (stopping it wakes the handler), so the client's
    # timeout is the only way out, however slow the machine
    "stalled": (Reply(text="The score was", hang=STALL), "did not answer within 0.5 s"),
    "no answer at all": (Reply(wait=STALL), "did not answer within 0.5 s"),
}
STALLS = {"stalled", "no answer at all"}


@pytest.mark.parametrize("case", list(FAILURES))
def test_server_failures_raise_one_clear_line(
    case: str, server: ScriptedServer, passages: list[Passage]
) -> None:
    reply, expected = FAILURES[case]
    server.queue(reply)
    # only a stall may meet the timeout: the other failures get one no loaded machine reaches
    timeout = 0.5 if case in STALLS else PATIENT
    with ChatClient(server.url, timeout=timeout) as made, pytest.raises(LLMError) as caught:
        AnswerStream(made, QUESTION, passages, film=FILM).answer()
    message = str(caught.value)
    assert expected in message and "\n" not in message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused_is_one_clear_line(passages: list[Passage]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with ChatClient(url, timeout=2) as made, pytest.raises(LLMError) as caught:
        AnswerStream(made, QUESTION, passages, film=FILM).answer()
    assert str(caught.value).startswith(f"Cannot reach the LLM server at {url}/v1/chat/completions")
    assert "FILMCHAT_LLM_URL" in str(caught.value) and "\n" not in str(caught.value)


def test_server_process_killed_mid_stream(tmp_path: Path, passages: list[Passage]) -> None:
    reply = Reply(text=cite(claim(passages[0]), "[1]"), hang=60)
    with server_process(tmp_path, [reply]) as (process, url), ChatClient(url, timeout=30) as made:
        stream = AnswerStream(made, QUESTION, passages, film=FILM)
        received: list[str] = []
        with pytest.raises(LLMError, match="closed the connection") as caught:
            for delta in stream:
                received.append(delta)
                if "".join(received).strip().endswith("."):  # the whole sentence arrived
                    os.kill(process.pid, signal.SIGKILL)
    assert "".join(received) == cite(claim(passages[0]), "[1]")
    assert "\n" not in str(caught.value)


def test_cancel_stops_the_stream_from_another_thread(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    long_text = " ".join(cite(claim(p), f"[{n}]") for n, p in enumerate(passages, start=1))
    server.queue(Reply(text=long_text, delay=0.05))
    stream = AnswerStream(client, QUESTION, passages, film=FILM)
    received: list[str] = []
    for delta in stream:
        received.append(delta)
        if len(received) == 3:
            threading.Thread(target=stream.cancel).start()  # as the UI's Esc would

    assert stream.cancelled and 3 <= len(received) < len(long_text.split())
    with pytest.raises(LLMCancelled):
        stream.answer()


def test_cancel_wakes_a_stream_stuck_on_a_silent_server(
    server: ScriptedServer, passages: list[Passage]
) -> None:
    server.queue(Reply(text="The score was", hang=30))  # says a little, then nothing
    outcome: list[str] = []
    with ChatClient(server.url, timeout=60) as slow:
        stream = AnswerStream(slow, QUESTION, passages, film=FILM)

        def read() -> None:
            try:
                stream.answer()
            except LLMCancelled:
                outcome.append("cancelled")

        reader = threading.Thread(target=read)
        reader.start()
        while not stream.text:
            reader.join(0.05)
        stream.cancel()
        reader.join(10)  # far below the 60 s timeout and the 30 s hang
    assert not reader.is_alive()
    assert outcome == ["cancelled"]


def test_an_api_key_no_header_can_carry_is_one_clear_line() -> None:
    with pytest.raises(LLMError, match="FILMCHAT_LLM_API_KEY") as caught:
        ChatClient("http://127.0.0.1:9", api_key="clé-secrète")
    assert "\n" not in str(caught.value)


def test_condense_question_rewrites_a_follow_up(
    server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    earlier = check_answer(
        cite(claim(passages[0]), "[1]"), question=QUESTION, film=FILM, passages=passages
    )
    server.queue(Reply(text='Standalone question: "Who directed Her (2013)?"\nExtra chatter.'))

    assert condense_question(client, "who directed it?", []) == "who directed it?"
    assert server.requests == []  # no conversation yet: no call
    assert condense_question(client, "who directed it?", [earlier]) == "Who directed Her (2013)?"
    prompt = server.requests[0].prompt
    assert QUESTION in prompt and claim(passages[0]) in prompt and "who directed it?" in prompt
    assert "[1]" not in prompt


@pytest.mark.parametrize(
    "reply", [Reply(text=""), Reply(text=SENTINEL), Reply(status=503, body="overloaded")]
)
def test_condense_question_failure_raises_for_the_fallback(
    reply: Reply, server: ScriptedServer, client: ChatClient, passages: list[Passage]
) -> None:
    earlier = check_answer(
        cite(claim(passages[0]), "[1]"), question=QUESTION, film=FILM, passages=passages
    )
    server.queue(reply)
    with pytest.raises(LLMError):
        condense_question(client, "who directed it?", [earlier])


def test_a_condensed_follow_up_that_asks_something_else_is_not_used(
    server: ScriptedServer, client: ChatClient, seed_index: Settings, embedder: Embedder
) -> None:
    """A small model condensed 'and who directed it?' into the previous question; filmchat's
    own resolution is kept, and when the model's answer is unusable the extractive answer to
    the user's own question stands, with one warning that says so once."""
    from filmchat.conversation import Conversation, Engine

    conversation = Conversation(Engine(seed_index, embedder), llm=client)
    conversation.ask("Who plays Samantha in Her?", use_llm=False)
    server.queue(Reply(text="Who plays Samantha in Her?"), Reply(text=""))
    warnings: list[str] = []
    answer = conversation.ask("and who directed it?", warn=warnings.append)
    assert answer.answered and "Spike Jonze" in answer.text, answer.text
    assert answer.mode == "extractive"
    assert len(warnings) == 1 and warnings[0].lower().count("extractive answer") == 1
