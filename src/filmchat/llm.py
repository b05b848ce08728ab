"""Optional generative answers from any OpenAI-compatible server, grounded and citation-checked.

The model only ever sees the retrieved passages, numbered [1]..[k], and must cite them. What it
writes is checked rather than trusted (small local models cite unreliably): citations to passages
that do not exist are removed, the rest are renumbered per cited article like the extractive
answers, a sentence citing nothing is flagged or dropped, and the fixed sentinel becomes a proper
"not covered" answer. Every failure of the server or of the stream becomes one `LLMError`, so the
caller can fall back to the extractive answer instead of crashing or losing the question.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from filmchat.answer import refusal
from filmchat.chunking import split_sentences
from filmchat.errors import FilmchatError
from filmchat.models import Answer, AnswerSentence, Citation, Passage
from filmchat.settings import Settings
from filmchat.terms import content_stems

if TYPE_CHECKING:  # imported by the first client: answering with no model costs no httpx
    import httpx

SENTINEL = "NOT_IN_REVIEWS"
HISTORY_TURNS = 3  # earlier turns beyond these rarely matter and cost a small model its context
ANSWER_TOKENS = 512
CONDENSE_TOKENS = 96

Message = dict[str, str]
Uncited = Literal["flag", "drop"]

_SENTINEL_RE = re.compile(r"NOT[\s_-]*IN[\s_-]*(?:THE[\s_-]*)?REVIEWS", re.IGNORECASE)
_MARKERS_RE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_LEADING_MARKERS_RE = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?])")
_CONDENSE_PREFIX_RE = re.compile(r"^(?:standalone\s+)?(?:question|rewritten question)\s*:\s*", re.I)

ANSWER_INSTRUCTIONS = f"""You answer questions about films using only the numbered review \
passages the user gives you.
Rules:
- Use only facts stated in the passages, never your own knowledge.
- After every sentence, cite the passage it comes from as [n], e.g. "It is set in Los Angeles [2]."
- Keep the answer short: one to four sentences.
- If the passages do not contain the answer, reply with exactly {SENTINEL} and nothing else."""

CONDENSE_INSTRUCTIONS = """Rewrite the user's follow-up question as one standalone question \
that can be understood without the conversation: replace pronouns such as "it", "he" or "the \
film" with the names they refer to. Reply with the rewritten question only."""


class LLMError(FilmchatError):
    """The model server failed or sent something unusable; fall back to the extractive answer."""


class LLMCancelled(LLMError):
    """The user stopped the answer before the model finished it."""


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def completions_url(base_url: str) -> str:
    """Accept a server root, an OpenAI-style `/v1` base URL, or the full endpoint."""
    url = base_url.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if re.search(r"/v\d+$", url):
        return f"{url}/chat/completions"
    return f"{url}/v1/chat/completions"


class Cancel(threading.Event):
    """An Event whose `set()` also runs callbacks, such as shutting a socket a read blocks on."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def on_set(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)
            already = self.is_set()
        if already:
            callback()

    def set(self) -> None:
        super().set()
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()


def _shut(response: httpx.Response) -> None:
    """Wake a read blocked on a silent server: closing the client does not, a shutdown does."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class ChatClient:
    """A streaming client for `POST /v1/chat/completions` (OpenAI, llama.cpp, Ollama, vLLM...)."""

    def __init__(
        self,
        base_url: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.url = completions_url(base_url)
        self.model = model
        self.timeout = timeout
        headers = {"Accept": "text/event-stream"}
        if api_key:
            if not api_key.isascii():
                raise LLMError(
                    "FILMCHAT_LLM_API_KEY has characters an HTTP header cannot carry; "
                    "check the key."
                )
            headers["Authorization"] = f"Bearer {api_key}"
        import httpx

        self._http = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout))

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient | None:
        """The configured client, or None when no LLM is configured (extractive answers)."""
        if not settings.llm_url:
            return None
        return cls(
            settings.llm_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int = ANSWER_TOKENS,
        cancel: Cancel | None = None,
    ) -> Iterator[str]:
        """Text deltas as the server sends them; stops quietly once `cancel` is set.

        Cancelling also shuts the connection's socket, so a server that has gone silent cannot
        hold the caller until the timeout.

        Raises LLMError for a refused connection, a timeout (no byte for `timeout` seconds), an
        HTTP error, a malformed event, or a stream that ends before the model finished.
        """
        body: dict[str, object] = {
            "messages": list(messages),
            "stream": True,
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        if self.model:
            body["model"] = self.model
        with self._wire_errors(cancel), self._http.stream("POST", self.url, json=body) as response:
            if cancel is not None:
                cancel.on_set(lambda: _shut(response))
            if response.status_code >= 400:
                response.read()
                raise LLMError(self._http_error(response))
            if response.headers.get("content-type", "").startswith("application/json"):
                # A server that ignores `stream` sends the whole completion at once.
                response.read()
                yield _message_content(_json(response.text))
                return
            finished = False
            for line in response.iter_lines():
                if cancel is not None and cancel.is_set():
                    return
                if not line.startswith("data:"):
                    continue  # blank separators, ": keep-alive" comments, event:/id: fields
                data = line[5:].strip()
                if data == "[DONE]":
                    finished = True
                    break
                delta, done = _delta(_json(data))
                finished = finished or done
                if delta:
                    yield delta
            if not finished and not (cancel is not None and cancel.is_set()):
                raise LLMError(
                    f"The LLM server at {self.url} ended the stream before the answer was "
                    "complete; check the server's log."
                )

    def complete(self, messages: Sequence[Message], *, max_tokens: int = ANSWER_TOKENS) -> str:
        """The whole reply at once (streamed underneath, so the same checks apply)."""
        return "".join(self.stream(messages, max_tokens=max_tokens))

    @contextmanager
    def _wire_errors(self, cancel: Cancel | None = None) -> Iterator[None]:
        """Every transport failure as one LLMError line saying what to check."""
        import httpx  # already loaded: a client exists

        try:
            yield
        except httpx.HTTPError as exc:
            if cancel is not None and cancel.is_set():
                return  # cancel() shut the socket: a quiet stop, not a failure
            raise self._wire_error(exc) from None

    def _wire_error(self, exc: httpx.HTTPError) -> LLMError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return LLMError(
                f"The LLM server at {self.url} did not answer within {self.timeout:g} s; "
                "check the server or raise FILMCHAT_LLM_TIMEOUT."
            )
        if isinstance(exc, httpx.ConnectError):
            return LLMError(
                f"Cannot reach the LLM server at {self.url} ({_one_line(str(exc), 80)}); start it "
                "or fix FILMCHAT_LLM_URL."
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return LLMError(
                f"The LLM server at {self.url} closed the connection in the middle of the answer."
            )
        return LLMError(
            f"The LLM server at {self.url} failed: {_one_line(str(exc) or type(exc).__name__)}."
        )

    def _http_error(self, response: httpx.Response) -> str:
        detail = ""
        try:
            error = response.json().get("error")
            detail = error.get("message", "") if isinstance(error, dict) else str(error or "")
        except (ValueError, AttributeError):
            detail = response.text
        hint = {
            401: "check FILMCHAT_LLM_API_KEY",
            403: "check FILMCHAT_LLM_API_KEY",
            404: "check FILMCHAT_LLM_URL and FILMCHAT_LLM_MODEL",
        }.get(response.status_code, "check the server's log")
        detail = f": {_one_line(detail, 120)}" if detail.strip() else ""
        return f"The LLM server at {self.url} answered HTTP {response.status_code}{detail}; {hint}."


def _json(data: str) -> object:
    try:
        return json.loads(data)
    except ValueError:
        raise LLMError(
            f"The LLM server sent a malformed stream (not JSON: {_one_line(data, 60)!r})."
        ) from None


def _choice(event: object) -> dict[str, object]:
    if isinstance(event, dict) and event.get("error"):
        error = event["error"]
        detail = error.get("message", error) if isinstance(error, dict) else error
        raise LLMError(f"The LLM server reported an error: {_one_line(str(detail), 120)}.")
    choices = event.get("choices") if isinstance(event, dict) else None
    if not isinstance(choices, list):
        raise LLMError("The LLM server sent a malformed stream (an event without choices).")
    if not choices:
        return {}  # e.g. a trailing usage-only chunk
    if not isinstance(choices[0], dict):
        raise LLMError("The LLM server sent a malformed stream (a choice that is not an object).")
    return choices[0]


def _delta(event: object) -> tuple[str, bool]:
    """The text of one stream chunk, and whether the model says it has finished."""
    choice = _choice(event)
    delta = choice.get("delta") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is not None and not isinstance(content, str):
        raise LLMError("The LLM server sent a malformed stream (content that is not text).")
    return content or "", bool(choice.get("finish_reason"))


def _message_content(event: object) -> str:
    message = _choice(event).get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise LLMError("The LLM server sent a reply without text.")
    return content


# --- prompts -------------------------------------------------------------------------------


def _strip_markers(text: str) -> str:
    return _SPACE_BEFORE_PUNCT_RE.sub(r"\1", _MARKERS_RE.sub("", text)).strip()


def _history_messages(history: Sequence[Answer]) -> list[Message]:
    """Earlier turns as chat messages, without their [n]: those meant other passages."""
    messages: list[Message] = []
    for turn in history[-HISTORY_TURNS:]:
        messages.append({"role": "user", "content": turn.question})
        messages.append({"role": "assistant", "content": _strip_markers(turn.text)})
    return messages


def format_passages(passages: Sequence[Passage]) -> str:
    """The passages numbered [1]..[k] with the review and film each comes from."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        meta = passage.article.meta
        source = f'review "{meta.title}"' + (f" of {meta.film_label()}" if meta.film else "")
        blocks.append(f"[{number}] ({source})\n{passage.text.strip()}")
    return "\n\n".join(blocks)


def grounded_messages(
    question: str, passages: Sequence[Passage], history: Sequence[Answer] = ()
) -> list[Message]:
    """Instructions, the conversation so far, then the numbered passages and the question."""
    prompt = (
        f"Review passages:\n\n{format_passages(passages)}\n\n"
        f"Question: {question.strip()}\n\n"
        f"Answer from the passages only, with [n] after every sentence. "
        f"If they do not contain the answer, reply {SENTINEL}."
    )
    return [
        {"role": "system", "content": ANSWER_INSTRUCTIONS},
        *_history_messages(history),
        {"role": "user", "content": prompt},
    ]


def condense_messages(question: str, history: Sequence[Answer]) -> list[Message]:
    """The condense-question prompt: the conversation as a transcript, then the follow-up."""
    transcript = "\n".join(
        f"{'User' if m['role'] == 'user' else 'Assistant'}: {m['content']}"
        for m in _history_messages(history)
    )
    return [
        {"role": "system", "content": CONDENSE_INSTRUCTIONS},
        {
            "role": "user",
            "content": f"Conversation:\n{transcript}\n\nFollow-up question: {question.strip()}\n\n"
            "Standalone question:",
        },
    ]


def condense_question(client: ChatClient, question: str, history: Sequence[Answer]) -> str:
    """The follow-up rewritten as a standalone question for retrieval.

    Raises LLMError when the model fails or says something unusable, so the caller falls back
    to its own (no-LLM) resolution of pronouns and ellipsis.
    """
    if not history:
        return question
    reply = client.complete(condense_messages(question, history), max_tokens=CONDENSE_TOKENS)
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    first = _CONDENSE_PREFIX_RE.sub("", lines[0]) if lines else ""
    standalone = first.strip().strip("\"'“”").strip()
    if (
        not standalone
        or _SENTINEL_RE.search(standalone)
        or len(standalone) > 3 * len(question) + 200
    ):
        raise LLMError("The model did not rewrite the follow-up question usefully.")
    return standalone


# --- checking the answer -------------------------------------------------------------------


def _numbers(marker_text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", marker_text)]


def parse_cited_sentences(text: str) -> list[tuple[str, list[int]]]:
    """The answer's sentences with the passage numbers each cites, markers taken out of the text.

    A marker placed after the full stop ("... Fire. [2] The film ...") belongs to the sentence
    before it, not to the one it happens to start.
    """
    sentences: list[tuple[str, list[int]]] = []
    for start, end in split_sentences(text):
        piece = text[start:end]
        leading = _LEADING_MARKERS_RE.match(piece)
        if leading:
            numbers = _numbers(leading.group(0))
            if sentences:
                sentences[-1][1].extend(numbers)
                numbers = []
            piece = piece[leading.end() :]
        else:
            numbers = []
        numbers += [n for match in _MARKERS_RE.finditer(piece) for n in _numbers(match.group(1))]
        body = _BULLET_RE.sub("", _strip_markers(piece))
        if any(ch.isalnum() for ch in body):
            sentences.append((body, numbers))
        elif numbers and sentences:
            sentences[-1][1].extend(numbers)
    return sentences


def _best_quote(sentence: str, passage: Passage) -> str:
    """The passage sentence sharing most words with the answer sentence: the quote to show."""
    wanted = set(content_stems(sentence))
    candidates = [s.text for s in passage.sentences] or [passage.text]
    return max(candidates, key=lambda text: len(wanted & set(content_stems(text))))


def not_covered(question: str, film: str | None, passages: Sequence[Passage]) -> Answer:
    """The model found no answer in the passages: the extractive refusal, marked as generated."""
    return refusal(question, film, list(passages)).model_copy(update={"mode": "llm"})


def check_answer(
    raw: str,
    *,
    question: str,
    film: str | None,
    passages: Sequence[Passage],
    uncited: Uncited = "flag",
) -> Answer:
    """The model's text as a checked Answer: citations validated and renumbered per article.

    Raises LLMError when nothing in the reply cites a real passage: such an answer comes from
    the model's memory, and the caller should show the extractive answer instead.
    """
    if _SENTINEL_RE.search(raw):
        return not_covered(question, film, passages)
    markers: dict[str, int] = {}  # article_id -> its marker, in order of first citation
    quotes: dict[str, list[str]] = {}
    first_passage: dict[str, Passage] = {}
    sentences: list[AnswerSentence] = []
    for text, numbers in parse_cited_sentences(raw):
        cited = [passages[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(passages)]
        sentence_markers: list[int] = []
        for passage in cited:
            article_id = passage.article.article_id
            marker = markers.setdefault(article_id, len(markers) + 1)
            first_passage.setdefault(article_id, passage)
            quote = _best_quote(text, passage)
            if quote not in quotes.setdefault(article_id, []):
                quotes[article_id].append(quote)
            if marker not in sentence_markers:
                sentence_markers.append(marker)
        if sentence_markers:
            sentences.append(AnswerSentence(text=text, markers=sentence_markers))
        elif uncited == "flag":
            sentences.append(AnswerSentence(text=text, markers=[], grounded=False))
    if not markers:
        reason = "an empty reply" if not raw.strip() else "an answer citing none of the passages"
        raise LLMError(f"The model gave {reason}.")
    citations = [
        Citation.of(marker, first_passage[article_id].article, " ".join(quotes[article_id]))
        for article_id, marker in markers.items()
    ]
    return Answer(
        question=question,
        film=film,
        answered=True,
        sentences=sentences,
        citations=citations,
        passages=list(passages),
        mode="llm",
    )


# --- answering -----------------------------------------------------------------------------


class AnswerStream:
    """One generated answer: iterate for text deltas (for the UI), then `answer()` checks it.

    `cancel()` may be called from any thread (the UI's Esc while a worker iterates): iteration
    stops at the next chunk from the server and `answer()` raises LLMCancelled.
    """

    def __init__(
        self,
        client: ChatClient,
        question: str,
        passages: Sequence[Passage],
        *,
        film: str | None,
        history: Sequence[Answer] = (),
        uncited: Uncited = "flag",
    ) -> None:
        self.client = client
        self.question = question
        self.passages = list(passages)
        self.film = film
        self.uncited = uncited
        self.messages = grounded_messages(question, self.passages, history)
        self._cancel = Cancel()
        self._parts: list[str] = []
        self._started = False
        self._complete = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("an AnswerStream can be iterated only once")
        self._started = True
        for delta in self.client.stream(self.messages, cancel=self._cancel):
            self._parts.append(delta)
            yield delta
        self._complete = not self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def text(self) -> str:
        """What the model has written so far, unchecked."""
        return "".join(self._parts)

    def answer(self) -> Answer:
        """The checked answer, reading the rest of the stream first if nobody did."""
        if not self._started:
            for _ in self:
                pass
        if not self._complete:
            raise LLMCancelled("Stopped the model's answer.")
        return check_answer(
            self.text,
            question=self.question,
            film=self.film,
            passages=self.passages,
            uncited=self.uncited,
        )
