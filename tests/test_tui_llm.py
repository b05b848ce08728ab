"""The chat with generated answers: the real app, model and seed index, and a real HTTP server.

The server (tests/llm_server.py) speaks the OpenAI streaming wire format on 127.0.0.1; only the
model's words are scripted, built from the passages the chat really retrieves for the question,
so what is checked is what the chat does with a reply: the draft streaming in, the checked answer
replacing it, bad citations gone, uncited sentences flagged, Esc, and a server that dies.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Markdown, OptionList

from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.models import Answer, Passage
from filmchat.settings import Settings
from filmchat.tui.app import FilmchatApp
from filmchat.tui.render import UNCITED, answer_markdown
from filmchat.tui.screens.history import HistoryScreen
from filmchat.tui.widgets.answer import AnswerMessage
from filmchat.tui.widgets.question import QuestionMessage
from helpers_tui import (
    ask,
    cards,
    markdown_text,
    notified,
    run_from_palette,
    start,
    submit,
    wait_until,
)
from llm_server import Reply, ScriptedServer, server_process
from test_llm import PATIENT, STALL, cite, claim

WIDE = (120, 40)
QUESTION = "Who composed the score of Her and what do reviewers say about it?"
INVENTED = "The film won four Academy Awards and earned a billion dollars."


def retrieved(settings: Settings, embedder: Embedder, question: str) -> list[Passage]:
    """What filmchat gives the model for a first question: the extractive answer's passages."""
    engine = Engine(settings, embedder)
    try:
        answer = Conversation(engine).ask(question)
    finally:
        engine.store.close()
    assert answer.answered and len(answer.passages) >= 4
    return answer.passages


@pytest.fixture(scope="module")
def passages(seed_index: Settings, embedder: Embedder) -> list[Passage]:
    return retrieved(seed_index, embedder, QUESTION)


def other_article(passages: list[Passage], than: int) -> int:
    """The index of the first passage from another article than passages[than]."""
    article = passages[than].article.article_id
    return next(n for n, p in enumerate(passages) if p.article.article_id != article)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def with_llm(seed_index: Settings, tmp_path: Path, url: str) -> Settings:
    return seed_index.model_copy(
        update={
            "history": tmp_path / "history.sqlite",
            "llm_url": url,
            "llm_model": "scripted-model",
            "llm_timeout": 20.0,
        }
    )


@pytest.fixture
def settings(seed_index: Settings, tmp_path: Path, server: ScriptedServer) -> Settings:
    return with_llm(seed_index, tmp_path, server.url)


def draft(widget: AnswerMessage) -> str:
    """What the answer shows, without Markdown escapes."""
    return markdown_text(widget).replace("\\", "")


async def test_streamed_draft_then_checked_answer_with_cards(
    settings: Settings, server: ScriptedServer, embedder: Embedder, passages: list[Passage]
) -> None:
    # cite a later passage first: its raw marker [n] must become [1] in the checked answer
    first = 3
    second = other_article(passages, first)
    raw = f"{cite(claim(passages[first]), f'[{first + 1}]')} "
    raw += cite(claim(passages[second]), f"[{second + 1}]")
    server.queue(Reply(text=raw, delay=0.06, hang=3))
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.chat.header.mode == "LLM scripted-model"
        await submit(pilot, QUESTION)
        assert app.chat.request is not None
        widget = app.chat.request.answer_widget

        # token by token: the start of the reply is shown before its end has arrived
        opening = " ".join(claim(passages[first]).split()[:3])
        await wait_until(pilot, lambda: opening in draft(widget), what="the first words")
        assert claim(passages[second])[:-1] not in draft(widget)
        assert widget.has_class("-draft") and widget.answer is None

        # the whole draft, raw markers and all, while the server has not finished
        await wait_until(pilot, lambda: draft(widget).strip() == raw, what="the whole draft")
        assert app.chat.answers == [] and not cards(app)

        await wait_until(pilot, lambda: app.chat.answers, what="the checked answer")
        answer = widget.answer
        assert answer is not None and answer.mode == "llm" and answer.answered
        assert [(s.text, s.markers) for s in answer.sentences] == [
            (claim(passages[first]), [1]),
            (claim(passages[second]), [2]),
        ]
        assert markdown_text(widget) == answer_markdown(answer)
        assert not widget.has_class("-draft") and "[4]" not in draft(widget)
        await wait_until(pilot, lambda: len(cards(app)) == 2, what="two source cards")
        for card, passage in zip(cards(app), (passages[first], passages[second]), strict=True):
            text = str(card.render())
            assert passage.article.meta.title in text and passage.article.path in text
            assert claim(passage) in text  # the card quotes what the sentence says
        assert [a.question for a in app.chat.conversation.turns] == [QUESTION]  # type: ignore[union-attr]

    (request,) = server.requests
    assert QUESTION in request.prompt and passages[first].text.strip() in request.prompt


async def test_bad_citation_removed_uncited_flagged_and_reopened_without_the_model(
    settings: Settings, server: ScriptedServer, embedder: Embedder, passages: list[Passage]
) -> None:
    grounded = claim(passages[1])
    server.queue(Reply(text=f"{grounded} [2][42] {INVENTED}"))
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        widget = await ask(pilot, QUESTION)
        answer = widget.answer
        assert answer is not None and answer.mode == "llm"
        assert [(s.text, s.markers, s.grounded) for s in answer.sentences] == [
            (grounded, [1], True),
            (INVENTED, [], False),
        ]
        assert [c.article_id for c in answer.citations] == [passages[1].article.article_id]
        shown = markdown_text(widget)
        assert "42" not in shown and "cite:1" in shown and "cite:2" not in shown
        rendered = " ".join(str(block.render()) for block in widget.query("MarkdownBlock"))
        assert f"{INVENTED} {UNCITED}" in rendered  # marked in words, not only by its style
        await wait_until(pilot, lambda: len(cards(app)) == 1)
    assert len(server.requests) == 1

    # reopened after a restart: the flag is still there, and the model is not asked again
    again = FilmchatApp(settings, embedder=embedder)
    async with again.run_test(size=WIDE) as pilot:
        await start(pilot)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(again.screen, HistoryScreen))
        await wait_until(pilot, lambda: again.screen.query(OptionList))
        await pilot.press("enter")
        await wait_until(pilot, lambda: again.chat.query(AnswerMessage))
        reopened = again.chat.query_one(AnswerMessage)
        assert reopened.answer is not None and reopened.answer.sentences == answer.sentences
        assert f"{UNCITED}~~" in markdown_text(reopened)
        assert again.chat.restoring is not None
        await wait_until(pilot, lambda: again.chat.restoring.is_finished, what="context restored")
        assert again.chat.conversation is not None
        assert [a.question for a in again.chat.conversation.turns] == [QUESTION]
    assert len(server.requests) == 1


async def test_esc_mid_stream_cancels_and_restores_the_question(
    settings: Settings, server: ScriptedServer, embedder: Embedder, passages: list[Passage]
) -> None:
    long = " ".join(cite(claim(p), f"[{n}]") for n, p in enumerate(passages, start=1))
    short = cite(claim(passages[0]), "[1]")
    # unstopped, the first reply would hold the answering thread for over a minute
    server.queue(Reply(text=long, delay=0.2, hang=60), Reply(text=short))
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, QUESTION)
        assert app.chat.request is not None
        widget = app.chat.request.answer_widget
        await wait_until(pilot, lambda: len(draft(widget).split()) >= 3, what="some words")

        await pilot.press("escape")
        assert app.chat.prompt.value == QUESTION
        # removed once the answering thread returns: at the next words, not after the reply
        await wait_until(pilot, lambda: not app.chat.query(AnswerMessage), 10, "answer removed")
        assert not app.chat.query(QuestionMessage)
        assert app.chat.answers == []
        assert app.chat.conversation is not None and app.chat.conversation.turns == []

        # the question is back in the prompt: enter asks it again, and the model answers
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chat.answers and app.chat.request is None)
        answer = app.chat.answers[0]
        assert answer.mode == "llm" and answer.sentences[0].text == claim(passages[0])
        assert [a.question for a in app.chat.conversation.turns] == [QUESTION]
        assert not notified(app, "Model answer")  # a cancel is not a failure
    assert len(server.requests) == 2


async def test_server_killed_mid_stream_gives_the_extractive_answer(
    seed_index: Settings, tmp_path: Path, embedder: Embedder, passages: list[Passage]
) -> None:
    raw = cite(claim(passages[2]), "[3]")
    with server_process(tmp_path, [Reply(text=raw, hang=60)]) as (process, url):
        app = FilmchatApp(with_llm(seed_index, tmp_path, url), embedder=embedder)
        async with app.run_test(size=WIDE) as pilot:
            await start(pilot)
            await submit(pilot, QUESTION)
            assert app.chat.request is not None
            widget = app.chat.request.answer_widget
            await wait_until(pilot, lambda: draft(widget).strip() == raw, what="the draft")

            os.kill(process.pid, signal.SIGKILL)
            await wait_until(pilot, lambda: app.chat.answers, what="the fallback answer")
            assert notified(app, "closed the connection")
            assert notified(app, "Showing the extractive answer")
            answer = app.chat.answers[0]
            assert answer.mode == "extractive" and answer.answered
            assert markdown_text(widget) == answer_markdown(answer)  # the draft is gone
            await wait_until(pilot, lambda: len(cards(app)) == len(answer.citations))
            assert [a.question for a in app.chat.conversation.turns] == [QUESTION]  # type: ignore[union-attr]


FAILURES = {
    "http error": (Reply(status=503, body='{"error": {"message": "overloaded"}}'), "HTTP 503"),
    "malformed stream": (
        Reply(events=['{"choices": [{"delta": {"content": "Her"}}]}', "{oops"]),
        "malformed stream",
    ),
    # stalls until the test ends: the timeout is the only way out, however slow the machine
    "timeout": (Reply(text="The score", hang=STALL), "did not answer within 1 s"),
}


@pytest.mark.parametrize("case", list(FAILURES))
async def test_server_failure_is_a_notification_and_the_extractive_answer(
    case: str, settings: Settings, server: ScriptedServer, embedder: Embedder
) -> None:
    reply, expected = FAILURES[case]
    server.queue(reply)
    # only the stall may meet the timeout; the other failures get one no loaded machine reaches
    timeout = 1.0 if case == "timeout" else PATIENT
    app = FilmchatApp(settings.model_copy(update={"llm_timeout": timeout}), embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        widget = await ask(pilot, QUESTION)
        assert notified(app, expected) and notified(app, "Showing the extractive answer")
        assert widget.answer is not None and widget.answer.mode == "extractive"
        assert widget.answer.answered and markdown_text(widget) == answer_markdown(widget.answer)
        assert [a.question for a in app.chat.conversation.turns] == [QUESTION]  # type: ignore[union-attr]
    assert len(server.requests) == 1


async def test_llm_command_switches_mode(
    settings: Settings, server: ScriptedServer, embedder: Embedder, passages: list[Passage]
) -> None:
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await submit(pilot, "/llm off")
        await wait_until(pilot, lambda: app.chat.header.mode == "extractive")
        widget = await ask(pilot, QUESTION)
        assert widget.answer is not None and widget.answer.mode == "extractive"
        assert widget.answer.answered and server.requests == []

        # back on from the command palette; the follow-up is condensed, then answered
        await run_from_palette(pilot, "/llm on")
        await wait_until(pilot, lambda: app.chat.header.mode == "LLM scripted-model")
        server.queue(Reply(text=QUESTION), Reply(text=cite(claim(passages[0]), "[1]")))
        widget = await ask(pilot, "And what do they say about it?")
        assert widget.answer is not None and widget.answer.mode == "llm"
        assert len(server.requests) == 2


async def test_llm_on_refused_without_a_server(
    seed_index: Settings, tmp_path: Path, embedder: Embedder
) -> None:
    settings = seed_index.model_copy(update={"history": tmp_path / "history.sqlite"})
    app = FilmchatApp(settings, embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        assert app.chat.header.mode == "extractive" and app.session.llm is None
        await submit(pilot, "/llm on")
        await wait_until(pilot, lambda: notified(app, "No model server is configured"))
        assert notified(app, "FILMCHAT_LLM_URL")
        assert app.chat.header.mode == "extractive" and not app.session.use_llm
        widget = await ask(pilot, "Who directed Her?")
        assert isinstance(widget.answer, Answer) and widget.answer.mode == "extractive"
        assert "Spike Jonze" in widget.answer.text
        assert widget.query_one(Markdown).source == answer_markdown(widget.answer)


async def test_unusable_llm_settings_leave_the_chat_extractive(
    settings: Settings, server: ScriptedServer, embedder: Embedder
) -> None:
    """An API key that cannot be sent in a header: one notification, then extractive answers."""
    app = FilmchatApp(settings.model_copy(update={"llm_api_key": "clé"}), embedder=embedder)
    async with app.run_test(size=WIDE) as pilot:
        await start(pilot)
        await wait_until(pilot, lambda: notified(app, "Cannot use the model server"))
        assert notified(app, "FILMCHAT_LLM_API_KEY") and app.chat.header.mode == "extractive"
        await submit(pilot, "/llm on")
        await wait_until(pilot, lambda: notified(app, "Answers stay extractive"))
        widget = await ask(pilot, "Who directed Her?")
        assert widget.answer is not None and widget.answer.mode == "extractive"
        assert "Spike Jonze" in widget.answer.text
    assert server.requests == []
