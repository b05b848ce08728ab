"""`filmchat ask` piped or redirected (issue 11, item 12; issue 18, item 9): every word kept,
unpadded, and not hard-wrapped: one line per paragraph, list item and source, whatever the
terminal's width, for the next program in the pipe to wrap as it likes.

The real command in a subprocess, its output captured through a pipe as `| less` would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from filmchat.settings import Settings

QUESTION = "What films are similar to Her?"


def ask(settings: Settings, *args: str, columns: int) -> str:
    env = dict(os.environ, COLUMNS=str(columns))
    env["FILMCHAT_CORPUS"] = str(settings.corpus)
    env["FILMCHAT_INDEX"] = str(settings.index)
    result = subprocess.run(
        [sys.executable, "-m", "filmchat", "ask", *args, QUESTION],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def items(seed_index: Settings) -> list[str]:
    """The list answer's items with their markers, as `--json` gives them."""
    answer = json.loads(ask(seed_index, "--json", columns=80))
    assert answer["answered"]
    lines = answer["answer"].splitlines()
    assert len(lines) > 3 and all(line.startswith("- ") for line in lines)
    return [line.removeprefix("- ") for line in lines]


@pytest.mark.parametrize("columns", [40, 200])
def test_piped_list_answer_is_one_line_per_item_and_unpadded(
    seed_index: Settings, items: list[str], columns: int
) -> None:
    output = ask(seed_index, columns=columns)
    lines = output.splitlines()
    assert not [line for line in lines if line != line.rstrip()], "trailing padding"
    for item in items:  # every item whole on its own line, its marker included
        assert f"- {item}" in lines
    sources = [line for line in lines if line.startswith("  [")]
    assert sources and all(line.rstrip().endswith(".md") for line in sources)
