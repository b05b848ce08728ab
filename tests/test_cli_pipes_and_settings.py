"""The command line in a pipe and with bad settings (issue 18, chat items 7, 9 and 12): the real
`filmchat` in a subprocess, its output captured through a pipe as `| cat` would."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from filmchat.settings import Settings
from filmchat.store import IndexStore
from test_cli_index import FILMCHAT, FIXTURES, SEEDS, assert_one_line_error, environment, filmchat


def seed_options(settings: Settings) -> list[str]:
    return ["--corpus", str(settings.corpus), "--index", str(settings.index)]


# --- item 7: a bad environment variable is one line naming it ------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "needles"),
    [
        ("FILMCHAT_KEYS", "{bad", ["FILMCHAT_KEYS", "JSON"]),
        ("FILMCHAT_KEYS", '["copy-answer"]', ["FILMCHAT_KEYS", "JSON"]),
        ("FILMCHAT_MIN_WORDS", "abc", ["FILMCHAT_MIN_WORDS", "'abc'"]),
        ("FILMCHAT_MAX_WORDS", "3", ["FILMCHAT_MAX_WORDS", "10"]),
        ("FILMCHAT_PRECISION", "fp8", ["FILMCHAT_PRECISION", "bf16"]),
    ],
)
def test_a_bad_environment_variable_is_one_line_naming_it(
    seed_index: Settings, variable: str, value: str, needles: list[str]
) -> None:
    result = filmchat("sources", *seed_options(seed_index), **{variable: value})
    line = assert_one_line_error(result, *needles)
    assert result.returncode == 1
    assert "internal error" not in line and "please report" not in line


def test_an_unknown_key_binding_id_stops_the_chat_with_the_ids_there_are(
    seed_index: Settings,
) -> None:
    keys = json.dumps({"copy-anwser": "f5", "clear": "f2"})
    result = subprocess.run(  # the chat must not open: no terminal here, and nothing to type
        [str(FILMCHAT), "chat", *seed_options(seed_index)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment(FILMCHAT_KEYS=keys),
        timeout=120,
    )
    line = assert_one_line_error(result, "FILMCHAT_KEYS", "copy-anwser", "copy-answer")
    assert "clear" in line.split("ids are", 1)[1]  # the known ids are listed to choose from


# --- item 9: pipes ----------------------------------------------------------------------------


def test_piped_sources_give_whole_paths_that_edit_accepts(tmp_path: Path) -> None:
    """A narrow terminal's table would cut paths; a pipe gets each one whole."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    options = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    assert filmchat("index", *options).returncode == 0
    result = filmchat("sources", *options, COLUMNS="40")
    assert result.returncode == 0, result.stderr
    store = IndexStore.open(tmp_path / "index")
    articles = store.articles()
    store.close()
    lines = result.stdout.splitlines()
    for article in articles:
        full = str(tmp_path / "corpus" / article.path)
        (line,) = [line for line in lines if full in line.split("\t")]
        assert article.meta.title in line.split("\t")
    pasted = next(line.split("\t")[-1] for line in lines if "\t" in line)
    edited = filmchat("edit", pasted, "--author", "Pasted Path", "--no-index", *options)
    assert edited.returncode == 0, edited.stderr


def test_ask_reads_its_questions_from_standard_input(seed_index: Settings) -> None:
    """`-`: one question a line, as one conversation (the follow-up resolves)."""
    result = subprocess.run(
        [str(FILMCHAT), "ask", "--json", "-", *seed_options(seed_index)],
        input="Who directed Her?\n\nWhat about the music?\n",
        capture_output=True,
        text=True,
        env=environment(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["question"] == "Who directed Her?" and "Jonze" in first["answer"]
    assert second["question"] == "What about the music?" and "Arcade Fire" in second["answer"]


def test_ask_with_nothing_on_standard_input_is_one_line(seed_index: Settings) -> None:
    result = subprocess.run(
        [str(FILMCHAT), "ask", "-", *seed_options(seed_index)],
        input="\n",
        capture_output=True,
        text=True,
        env=environment(),
        timeout=300,
    )
    assert result.returncode == 2
    assert_one_line_error(result, "standard input")


# --- item 12: eval says which corpus, and will not score articles the corpus already holds -----


def test_eval_of_a_folder_the_corpus_already_holds_refuses_to_score(tmp_path: Path) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    shutil.copy(FIXTURES / "films" / "moon-2009-review.md", folder)
    (folder / "questions.json").write_text(
        json.dumps([{"id": "q1", "turns": ["Who directed Moon?"], "expect": ["Duncan Jones"]}]),
        encoding="utf-8",
    )
    shutil.copytree(SEEDS, tmp_path / "corpus")
    shutil.copy(FIXTURES / "films" / "moon-2009-review.md", tmp_path / "corpus" / "moon.md")
    result = filmchat("eval", folder, "--corpus", tmp_path / "corpus", "--index", tmp_path / "ix")
    line = assert_one_line_error(result, "moon-2009-review.md", "moon.md", "--corpus")
    assert result.returncode == 1 and "right" not in result.stdout, line


def test_plain_eval_says_which_corpus_it_scores(seed_index: Settings) -> None:
    result = filmchat("eval", "--json", *seed_options(seed_index))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["questions"] >= 40  # stdout stays one JSON object
    assert str(seed_index.corpus) in result.stderr and "gold" in result.stderr
