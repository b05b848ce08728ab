"""The real `filmchat` command for indexing: `index`, `add`, `sources`, folder settings, and
what a user sees when something is wrong (one line, no traceback) or a rebuild is killed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import pytest

import in_process
from filmchat.checkpoints import PAUSE_VARIABLE, PAUSED, PHASES
from filmchat.embedding import Embedder
from filmchat.indexer import build_index
from filmchat.settings import Settings
from filmchat.store import (
    CURRENT,
    DATABASE,
    MANIFEST,
    VECTORS,
    IndexStore,
    fts_query,
    live_generation,
)
from synthetic import write_corpus
from test_indexing import garble

PROJECT = Path(__file__).resolve().parents[1]
FILMCHAT = PROJECT / ".venv" / "bin" / "filmchat"
SEEDS = PROJECT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
JSON_KEYS = {
    "added",
    "updated",
    "removed",
    "unchanged",
    "chunks_embedded",
    "chunks_total",
    "seconds",
}


def environment(**extra: str) -> dict[str, str]:
    """The user's environment without any FILMCHAT_* setting or terminal width of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMCHAT_")}
    env.pop("COLUMNS", None)
    env.update(extra)
    return env


def filmchat(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    """The command in this process, with only `env`'s FILMCHAT_* settings (in_process.py)."""
    return in_process.filmchat(*args, env=env)


def filmchat_process(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `filmchat` script in a subprocess: one test per command goes through it."""
    return subprocess.run(
        [str(FILMCHAT), *map(str, args)],
        capture_output=True,
        text=True,
        env=environment(**env),
        timeout=900,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def folder_state(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


@dataclass
class Built:
    corpus: Path
    index: Path
    first: subprocess.CompletedProcess[str]

    def options(self) -> list[str]:
        return ["--corpus", str(self.corpus), "--index", str(self.index)]

    def copy(self, tmp_path: Path) -> Built:
        """A private copy to modify or damage."""
        shutil.copytree(self.corpus, tmp_path / "corpus")
        shutil.copytree(self.index, tmp_path / "index")
        return Built(tmp_path / "corpus", tmp_path / "index", self.first)


BAD_FILES = {
    "poster.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "latin1-review.txt": "Café Society is a charm.".encode("cp1252"),
    "empty.md": b"",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The seed corpus plus three bad files, indexed once by `filmchat index --json`."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(SEEDS, root / "corpus")
    for name, data in BAD_FILES.items():
        (root / "corpus" / name).write_bytes(data)
    result = filmchat_process(
        "index", "--json", "--corpus", root / "corpus", "--index", root / "index"
    )
    return Built(root / "corpus", root / "index", result)


# --- filmchat index ---------------------------------------------------------------------------


def test_index_json_prints_exactly_one_object(built):
    result = built.first
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert set(report) == JSON_KEYS
    counts = [report[key] for key in ("added", "updated", "removed", "unchanged")]
    assert counts == [5, 0, 0, 0]
    assert report["chunks_embedded"] == report["chunks_total"] > 0
    assert isinstance(report["seconds"], float) and report["seconds"] > 0


def test_bad_corpus_files_are_skipped_with_one_warning_each(built):
    stderr = built.first.stderr
    assert "Traceback" not in stderr
    warnings = [line for line in stderr.splitlines() if "warning" in line]
    assert len(warnings) == len(BAD_FILES)
    for name in BAD_FILES:
        assert sum(name in line for line in warnings) == 1, (name, warnings)
    store = IndexStore.open(built.index)
    assert len(store.articles()) == 5
    store.close()


def test_second_run_embeds_nothing(built, tmp_path):
    copy = built.copy(tmp_path)
    result = filmchat("index", "--json", *copy.options())
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["updated"], report["removed"]) == (0, 0, 0)
    assert report["unchanged"] == 5 and report["chunks_embedded"] == 0
    assert report["chunks_total"] == json.loads(built.first.stdout)["chunks_total"]


def test_summary_is_one_line_even_when_piped(built, tmp_path):
    copy = built.copy(tmp_path)
    result = filmchat("index", *copy.options())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        line for line in result.stdout.strip().splitlines() if line.startswith("Indexed")
    ]


def test_folders_come_from_environment_or_options(built, tmp_path):
    env = {"FILMCHAT_CORPUS": str(built.corpus), "FILMCHAT_INDEX": str(built.index)}
    by_env = filmchat("index", "--json", **env)
    assert by_env.returncode == 0, by_env.stderr
    assert json.loads(by_env.stdout)["unchanged"] == 5  # found the index built earlier
    listed = filmchat("sources", COLUMNS="200", **env)
    assert listed.returncode == 0 and "Her (2013)" in listed.stdout
    # an option wins over the environment, before or after the command name
    elsewhere = tmp_path / "no-index-here"
    assert_one_line_error(filmchat("sources", "--index", elsewhere, **env), "filmchat index")
    assert_one_line_error(filmchat("--index", elsewhere, "sources", **env), "filmchat index")
    top_level = filmchat("--corpus", built.corpus, "--index", built.index, "sources", COLUMNS="200")
    assert top_level.returncode == 0 and top_level.stdout == listed.stdout


def test_sources_lists_films_articles_authors_and_chunk_counts(built):
    result = filmchat_process("sources", "--index", built.index, COLUMNS="200")
    assert result.returncode == 0, result.stderr
    assert "Her (2013)" in result.stdout
    rows = result.stdout.splitlines()
    store = IndexStore.open(built.index)
    for article in store.articles():
        row = next(line for line in rows if article.path in line)
        assert article.meta.title in row
        assert re.search(rf"\b{article.chunk_count}\b", row)
        if article.meta.author:
            assert article.meta.author in row
    store.close()


@pytest.mark.parametrize(
    "args",
    [["index", "--bogus"], ["add"], ["sources", "--index"], ["no-such-command"], ["--nope"]],
)
def test_wrong_usage_is_one_line(args):
    result = filmchat(*args)
    assert result.returncode == 2
    assert_one_line_error(result)


# --- a damaged or missing index ---------------------------------------------------------------


DAMAGE = {
    "vectors deleted": lambda i: (live_generation(i) / VECTORS).unlink(),
    "vectors truncated": lambda i: (live_generation(i) / VECTORS).write_bytes(b"IxMp\x00\x01"),
    "manifest garbled": lambda i: (live_generation(i) / MANIFEST).write_text("{not json"),
    "manifest deleted": lambda i: (live_generation(i) / MANIFEST).unlink(),
    "database garbled": lambda i: garble(live_generation(i) / DATABASE),
    "database deleted": lambda i: (live_generation(i) / DATABASE).unlink(),
    "pointer garbled": lambda i: (i / CURRENT).write_text("???"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_one_line_saying_how_to_rebuild(built, tmp_path, damage):
    copy = built.copy(tmp_path)
    DAMAGE[damage](copy.index)
    assert_one_line_error(filmchat("sources", "--index", copy.index), "filmchat index --full")


def test_index_check_hashes_what_a_question_does_not(built, tmp_path):
    copy = built.copy(tmp_path)
    good = filmchat("index", "--check", *copy.options())
    assert good.returncode == 0, good.stderr
    assert "intact" in good.stdout and "5 articles" in good.stdout
    report = json.loads(filmchat("index", "--check", "--json", *copy.options()).stdout)
    assert report["intact"] is True and report["articles"] == 5
    before = folder_state(copy.index)

    garble(live_generation(copy.index) / VECTORS)  # zeroed vectors: same size, same structure
    damaged = folder_state(copy.index)
    asked = filmchat("sources", *copy.options(), COLUMNS="200")
    assert asked.returncode == 0, asked.stderr  # a question's open checks sizes, not hashes
    assert_one_line_error(filmchat("index", "--check", *copy.options()), "filmchat index --full")
    assert folder_state(copy.index) == damaged != before  # --check changes nothing


def test_missing_index_is_one_line_saying_how_to_build(built, tmp_path):
    copy = built.copy(tmp_path)
    (copy.index / CURRENT).unlink()
    line = assert_one_line_error(filmchat("sources", "--index", copy.index), "filmchat index")
    assert "--full" not in line


# --- filmchat add ---------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "corpus")
    return tmp_path / "corpus"


def added_file(corpus: Path, before: dict[str, bytes]) -> frontmatter.Post:
    new = sorted(set(folder_state(corpus)) - set(before))
    assert len(new) == 1, new
    return frontmatter.load(corpus / new[0])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def refusal_cases(tmp_path: Path, corpus: Path) -> dict[str, tuple[Path, str]]:
    """Each file `add` must refuse, with a word its one-line refusal must contain."""
    noise = "Share this article\nComments are closed.\nFollow us on Instagram\n© 2024 Reel Notes\n"
    seed = corpus / "her-2013-review.md"
    return {
        "missing": (tmp_path / "nowhere.txt", "no such file"),
        "unsupported": (write(tmp_path / "review.pdf", "%PDF-1.4 a review"), "unsupported"),
        "empty after cleaning": (write(tmp_path / "widgets.txt", noise), "empty after cleaning"),
        "duplicate": (  # the refusal names the article it duplicates
            write(tmp_path / "her-again.txt", frontmatter.load(seed).content),
            "already has this article, as her-2013-review.md",
        ),
    }


@pytest.mark.parametrize("case", ["missing", "unsupported", "empty after cleaning", "duplicate"])
def test_add_refusals_are_one_line_and_leave_the_corpus_alone(tmp_path, corpus, case):
    path, reason = refusal_cases(tmp_path, corpus)[case]
    before = folder_state(corpus)
    result = filmchat("add", path, "--no-index", "--corpus", corpus)
    assert_one_line_error(result, path.name, reason)
    assert folder_state(corpus) == before


def test_messages_keep_file_names_with_brackets(tmp_path, corpus):
    path = write(tmp_path / "notes [draft].txt", "Share this article\nComments are closed.\n")
    assert_one_line_error(filmchat("add", path, "--no-index", "--corpus", corpus), path.name)


def test_add_reports_each_file_and_one_bad_file_does_not_stop_the_rest(tmp_path, corpus):
    before = folder_state(corpus)
    good = FIXTURES / "site" / "arrival-2016-review.txt"
    result = filmchat("add", tmp_path / "missing.txt", good, "--no-index", "--corpus", corpus)
    assert_one_line_error(result, "missing.txt", "no such file")
    assert result.returncode == 1
    (added,) = result.stdout.strip().splitlines()
    assert added.startswith("Added ") and "Arrival (2016)" in added
    post = added_file(corpus, before)
    assert (post["film"], post["year"]) == ("Arrival", 2016)


def test_add_html_takes_title_film_and_year_from_the_page(corpus):
    before = folder_state(corpus)
    result = filmchat("add", FIXTURES / "moon-2009-review.html", "--no-index", "--corpus", corpus)
    assert result.returncode == 0, result.stderr
    post = added_file(corpus, before)
    assert post["title"] == "Moon (2009) review: Sam Rockwell alone on the far side"
    assert (post["film"], post["year"]) == ("Moon", 2009)
    assert post["author"] == "Dana Whitfield"
    assert "Duncan Jones made his feature debut" in post.content
    assert "We use cookies" not in post.content
    assert "Moon (2009)" in result.stdout


def test_add_text_takes_film_and_year_from_its_headline(corpus):
    before = folder_state(corpus)
    result = filmchat(
        "add", FIXTURES / "site" / "arrival-2016-review.txt", "--no-index", "--corpus", corpus
    )
    assert result.returncode == 0, result.stderr
    post = added_file(corpus, before)
    assert post["title"] == "Arrival (2016) review: the language of loss"
    assert (post["film"], post["year"]) == ("Arrival", 2016)
    # the body is kept as the user saved it: cleaning is the index's job
    assert (
        post.content.strip()
        == (FIXTURES / "site" / "arrival-2016-review.txt").read_text(encoding="utf-8").strip()
    )


def test_add_film_and_year_options_win(tmp_path, corpus):
    before = folder_state(corpus)
    text = (FIXTURES / "site" / "sicario-2015-review.txt").read_text(encoding="utf-8")
    path = write(tmp_path / "border.txt", text.replace("Sicario (2015) review: ", "", 1))
    result = filmchat(
        "add", path, "--film", "Sicario", "--year", "2015", "--no-index", "--corpus", corpus
    )
    assert result.returncode == 0, result.stderr
    post = added_file(corpus, before)
    assert post["title"] == "a descent into the drug war"
    assert (post["film"], post["year"]) == ("Sicario", 2015)
    before = folder_state(corpus)
    override = filmchat(
        "add",
        FIXTURES / "night-of-the-living-dead.txt",
        "--year",
        "1990",
        "--no-index",
        "--corpus",
        corpus,
    )
    assert override.returncode == 0, override.stderr
    post = added_file(corpus, before)
    assert (post["film"], post["year"]) == ("Night of the Living Dead", 1990)


@pytest.mark.parametrize(
    ("headline", "opening", "film", "year"),
    [
        (
            "Get Out: Jordan Peele's horror comedy about the liberal smile",
            "Jordan Peele's directorial debut Get Out (2017) follows a young photographer.",
            "Get Out",
            2017,
        ),
        (
            "Movie review - Dune: Part Two",
            "Dune: Part Two (2024) finishes what the first film began, and grandly so.",
            "Dune: Part Two",
            2024,
        ),
        (
            "Arrival review – twelve ships and a linguist",
            "Denis Villeneuve's first-contact film cares more about grammar than battles.",
            "Arrival",
            None,
        ),
    ],
)
def test_add_finds_the_film_when_the_headline_has_no_year(
    tmp_path, corpus, headline, opening, film, year
):
    before = folder_state(corpus)
    body = f"{headline}\n\n{opening} The performances are strong and the ending lingers.\n"
    result = filmchat("add", write(tmp_path / "review.txt", body), "--no-index", "--corpus", corpus)
    assert result.returncode == 0, result.stderr
    post = added_file(corpus, before)
    assert post["film"] == film
    assert post.get("year") == year


def test_add_names_the_new_file_after_the_title_without_repeating_the_film(corpus):
    before = folder_state(corpus)
    result = filmchat("add", FIXTURES / "moon-2009-review.html", "--no-index", "--corpus", corpus)
    assert result.returncode == 0, result.stderr
    (name,) = set(folder_state(corpus)) - set(before)
    assert name == "moon-2009-review-sam-rockwell-alone-on-the-far-side.md"


def test_add_never_overwrites_an_existing_file(tmp_path, corpus):
    first = filmchat("add", FIXTURES / "moon-2009-review.html", "--no-index", "--corpus", corpus)
    assert first.returncode == 0, first.stderr
    after_first = folder_state(corpus)
    same_title = write(
        tmp_path / "moon-again.txt",
        "Moon (2009) review: Sam Rockwell alone on the far side\n\n"
        "A second critic finds the film colder than its admirers say, though Rockwell is superb.\n",
    )
    second = filmchat("add", same_title, "--no-index", "--corpus", corpus)
    assert second.returncode == 0, second.stderr
    after_second = folder_state(corpus)
    assert len(after_second) == len(after_first) + 1
    for name, data in after_first.items():
        assert after_second[name] == data


def test_add_then_index_embeds_the_new_article(built, tmp_path):
    copy = built.copy(tmp_path)
    result = filmchat_process("add", FIXTURES / "site" / "arrival-2016-review.txt", *copy.options())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Added ") and "Arrival (2016)" in lines[0]
    assert "1 added" in result.stdout and "5 unchanged" in result.stdout
    store = IndexStore.open(copy.index)
    films = {a.meta.film_label() for a in store.articles()}
    store.close()
    assert films == {"Her (2013)", "Arrival (2016)"}


# --- a rebuild killed at any moment leaves the previous index working -------------------------
#
# The rebuild is held at a named phase (FILMCHAT_TEST_PAUSE_AT, see checkpoints.py) and the
# signal sent only once it says it is there: no timing guess, so no race to lose.

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Rebuild:
    """`filmchat index` as a child process, optionally held at a phase of the rebuild."""

    def __init__(self, *args: object, pause_at: str | None = None) -> None:
        extra = {PAUSE_VARIABLE: pause_at} if pause_at else {}
        self.phase = pause_at
        self.process = subprocess.Popen(
            [str(FILMCHAT), "index", *map(str, args)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # small batches, so embedding has a first batch with more to come
            env=environment(FILMCHAT_BATCH_SIZE="8", **extra),
            # Ctrl-C as in a terminal, even when the test run itself was started in the
            # background, where the shell hands children SIGINT ignored
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.output = ""
        self._paused = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for chunk in iter(lambda: os.read(self.process.stderr.fileno(), 4096), b""):
            self.output += chunk.decode("utf-8", "replace")
            if f"{PAUSED} {self.phase}" in self.output:
                self._paused.set()
        self._paused.set()  # the end of output: the rebuild exited without pausing

    def wait_for_pause(self) -> None:
        """Return once the rebuild is held at its phase; fail if it ended instead."""
        assert self._paused.wait(timeout=900), "timed out"
        assert f"{PAUSED} {self.phase}" in self.output, f"never reached:\n{self.output}"

    def kill(self, sig: int = signal.SIGKILL) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=120)
        self._reader.join(timeout=10)
        return code


def kill_at(phase: str, *options: object, sig: int = signal.SIGKILL) -> Rebuild:
    rebuild = Rebuild(*options, pause_at=phase)
    rebuild.wait_for_pause()
    code = rebuild.kill(sig)
    assert code == (130 if sig == signal.SIGINT else -sig), (phase, rebuild.output)
    return rebuild


@dataclass
class Previous:
    settings: Settings
    generation: str
    chunk_ids: set[int]


def assert_previous_index_works(previous: Previous, embedder: Embedder) -> None:
    """Still the same generation, consistent, and both kinds of search answer from it."""
    store = IndexStore.open(previous.settings.index)
    try:
        assert store.folder.name == previous.generation
        assert {a.meta.film_label() for a in store.articles()} == {"Her (2013)"}
        hits = store.search_dense(embedder.encode_query("Who voices Samantha?"), 3)
        assert {chunk_id for chunk_id, _ in hits} <= previous.chunk_ids and hits
        words = store.search_lexical(fts_query("Scarlett Johansson Samantha"), 3)
        assert set(words) <= previous.chunk_ids and words
    finally:
        store.close()


@pytest.fixture
def previous(make_settings, embedder: Embedder) -> Iterator[Previous]:
    """An index of the seeds, then 100 short synthetic reviews added to the corpus: 100-odd
    chunks, so embedding them takes more than one batch."""
    settings = make_settings()
    build_index(settings, embedder=embedder)
    store = IndexStore.open(settings.index)
    chunk_ids = store.chunk_ids_for(a.article_id for a in store.articles())
    state = Previous(settings, store.folder.name, set(chunk_ids.tolist()))
    store.close()
    write_corpus(settings.corpus / "synthetic", 100, sections=1, paragraphs=2)
    yield state


def index_to_the_end(previous: Previous) -> dict[str, int]:
    """A plain `filmchat index` ends with every article indexed and no leftovers."""
    result = filmchat(
        "index", "--json", "--corpus", previous.settings.corpus, "--index", previous.settings.index
    )
    assert result.returncode == 0, result.stderr
    index = previous.settings.index
    assert not list(index.glob(".building-*")) and not list(index.glob(f".{CURRENT}.*"))
    store = IndexStore.open(index)
    assert len(store.articles()) == 105
    store.close()
    return json.loads(result.stdout)


def test_rebuild_killed_mid_embedding_and_mid_write_leaves_the_old_index(previous, embedder):
    options = ["--full", "--corpus", previous.settings.corpus, "--index", previous.settings.index]
    kill_at("embedding", *options)
    assert_previous_index_works(previous, embedder)

    kill_at("writing", *options)
    assert list(previous.settings.index.glob(".building-*"))  # a half-written generation
    assert_previous_index_works(previous, embedder)

    report = index_to_the_end(previous)  # the next plain run finishes the job
    assert (report["added"], report["unchanged"]) == (100, 5)


def test_ctrl_c_mid_embedding_is_one_line_and_keeps_the_old_index(previous, embedder):
    options = ["--corpus", previous.settings.corpus, "--index", previous.settings.index]
    rebuild = kill_at("embedding", *options, sig=signal.SIGINT)
    output = ANSI.sub("", rebuild.output).replace(f"{PAUSED} embedding", "")
    lines = [line for line in re.split(r"[\r\n]", output) if line.strip()]
    assert "Traceback" not in rebuild.output
    assert len(lines) == 1 and lines[0].startswith("interrupted"), lines
    assert_previous_index_works(previous, embedder)
    assert not list(previous.settings.index.glob(".building-*"))  # Ctrl-C cleans up after itself


@pytest.mark.slow
def test_rebuild_killed_at_every_phase_leaves_the_old_index(previous, embedder):
    """SIGKILL at once, and held at every phase of a rebuild: corpus loaded, embedding,
    writing, vectors written, manifest written (the moment before the switch)."""
    index = previous.settings.index
    options = ["--full", "--corpus", previous.settings.corpus, "--index", index]
    at_once = Rebuild(*options)
    assert at_once.kill() == -signal.SIGKILL
    assert_previous_index_works(previous, embedder)
    for phase in PHASES:
        kill_at(phase, *options)
        assert_previous_index_works(previous, embedder)
    index_to_the_end(previous)
