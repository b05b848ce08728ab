"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for the LLM tests.

It speaks the wire format of OpenAI and llama.cpp's server: `POST /v1/chat/completions` with
`"stream": true` answers `text/event-stream` over chunked HTTP/1.1, one `data: {json}` event per
delta (`choices[0].delta.content`), a last chunk with `finish_reason`, then `data: [DONE]`. What
it answers is scripted per request, including the ways real servers fail: HTTP errors, malformed
events, stalls, and connections dropped mid-stream.

In a thread: `with ScriptedServer([Reply(text="...")]) as server: server.url`.
As a process (so a test can SIGKILL it mid-stream): `python tests/llm_server.py SCRIPT.json`
prints the base URL on its first line; SCRIPT.json is a list of Reply fields.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ENDPOINT = "/v1/chat/completions"


@dataclass
class Reply:
    """What the server does with one request."""

    text: str = ""  # streamed as word-sized deltas, as a model would
    status: int = 200
    body: str = ""  # the body of an HTTP error
    events: list[str] | None = None  # raw `data:` payloads sent instead of `text`
    finish: bool = True  # end with finish_reason "stop" and [DONE]
    wait: float = 0.0  # seconds before answering at all
    hang: float = 0.0  # seconds to stall after the deltas, before finishing
    drop: bool = False  # close the connection without ending the chunked body
    delay: float = 0.0  # seconds between deltas
    stream: bool = True  # False: one application/json completion


@dataclass
class Received:
    """A request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, object]

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.body.get("messages", []))  # type: ignore[arg-type]

    @property
    def prompt(self) -> str:
        """Every message's content, for checking what the model was told."""
        return "\n".join(m["content"] for m in self.messages)


@dataclass
class ScriptedServer:
    """A real HTTP server in a background thread, answering from a queue of replies."""

    replies: list[Reply] = field(default_factory=list)
    model: str = "scripted-model"
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers stalled in `wait`/`hang`
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            if self.replies:
                return self.replies.pop(0)
        return Reply(status=500, body='{"error": {"message": "no scripted reply left"}}')


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive handlers must not hold up shutdown
    owner: ScriptedServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-reply is what several tests do on purpose; say nothing."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def deltas(text: str) -> list[str]:
    """Word-sized pieces, the way models stream tokens."""
    return re.findall(r"\s*\S+", text) or ([text] if text else [])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        if self.path != ENDPOINT:
            self._plain(404, '{"error": {"message": "not found"}}')
            return
        body = json.loads(raw or b"{}")
        reply = owner._next(Received(self.path, dict(self.headers.items()), body))
        if owner._stopping.wait(reply.wait):
            return
        if reply.status >= 400:
            self._plain(reply.status, reply.body)
        elif not reply.stream:
            self._plain(200, json.dumps(self._completion(reply.text)), "application/json")
        else:
            self._stream(reply)

    def _plain(self, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _event(self, payload: str) -> None:
        self._chunk(f"data: {payload}\n\n".encode())

    def _stream(self, reply: Reply) -> None:
        owner = self.server.owner
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._chunk(b": keep-alive\n\n")
        if reply.events is not None:
            for payload in reply.events:
                self._event(payload)
        else:
            self._event(json.dumps(self._chunk_object({"role": "assistant", "content": ""})))
            for piece in deltas(reply.text):
                if owner._stopping.wait(reply.delay):
                    return
                self._event(json.dumps(self._chunk_object({"content": piece})))
        if owner._stopping.wait(reply.hang):
            return
        if reply.drop:
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if reply.finish:
            self._event(json.dumps(self._chunk_object({}, finish_reason="stop")))
            self._event("[DONE]")
        self._chunk(b"")

    def _chunk_object(self, delta: dict[str, str], finish_reason: str | None = None) -> dict:
        return {
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.server.owner.model,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }

    def _completion(self, text: str) -> dict:
        return {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.server.owner.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }


def script_file(path: Path, replies: list[Reply]) -> Path:
    """Write replies for the process form of the server."""
    path.write_text(json.dumps([asdict(reply) for reply in replies]), encoding="utf-8")
    return path


@contextmanager
def server_process(
    tmp_path: Path, replies: list[Reply]
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The scripted server in a process of its own, so a test can SIGKILL it mid-answer."""
    script = script_file(tmp_path / "script.json", replies)
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__)), str(script)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    script = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    server = ScriptedServer([Reply(**fields) for fields in script]).start()
    print(server.url, flush=True)
    threading.Event().wait()
