"""A question typed while `filmchat` starts is asked (issue 18, chat item 8).

The real `filmchat chat` on a pseudo-terminal, held at the named checkpoint `chat-launch`, the
moment before it takes the terminal over: what is typed then waits in the terminal's buffer, as
it does for a user who types within the first half second. Enter typed there arrives as a line
feed (the terminal is not in raw mode yet). The test waits for the question to be answered in
the chat history, never for a delay.
"""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from filmchat.checkpoints import CHAT_LAUNCH, PAUSE_VARIABLE, PAUSED, RELEASE_VARIABLE
from filmchat.settings import Settings
from test_cli_index import FILMCHAT, environment

QUESTION = "Who directed Her?"


class Terminal:
    """A child process on a pseudo-terminal; its output is read as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = b""

    def read(self) -> None:
        """What the child wrote since the last read, without blocking for long."""
        while select.select([self.master], [], [], 0.05)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, done: Callable[[], object], what: str, timeout: float = 300) -> None:
        """Keep reading (a full terminal would block the child) until `done()`."""
        deadline = time.monotonic() + timeout
        while not done():
            assert self.process.poll() is None, f"exited before {what}: {self.output[-2000:]!r}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            self.read()

    def close(self) -> None:
        if self.process.poll() is None:
            os.write(self.master, b"\x11")  # ctrl+q
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.close(self.master)


def asked(history: Path) -> list[str]:
    if not history.exists():
        return []
    db = sqlite3.connect(history)
    try:
        return [row[0] for row in db.execute("SELECT answer FROM turns")]
    except sqlite3.Error:
        return []
    finally:
        db.close()


def test_a_question_typed_during_launch_is_asked(seed_index: Settings, tmp_path: Path) -> None:
    history, release = tmp_path / "history.sqlite", tmp_path / "go-on"
    env = environment(
        FILMCHAT_HISTORY=str(history),
        TERM="xterm-256color",
        **{PAUSE_VARIABLE: CHAT_LAUNCH, RELEASE_VARIABLE: str(release)},
    )
    options = ["--corpus", str(seed_index.corpus), "--index", str(seed_index.index)]
    terminal = Terminal([str(FILMCHAT), "chat", *options], env)
    try:
        terminal.wait_for(lambda: f"{PAUSED} {CHAT_LAUNCH}".encode() in terminal.output, "pause")
        os.write(terminal.master, f"{QUESTION}\r".encode())  # typed, then enter
        release.touch()  # filmchat goes on starting
        terminal.wait_for(lambda: any(QUESTION in turn for turn in asked(history)), "an answer")
    finally:
        terminal.close()
    (turn,) = asked(history)
    assert "Jonze" in turn
