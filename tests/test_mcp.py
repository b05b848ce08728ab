"""`filmchat mcp` spoken to as an assistant speaks to it: the MCP SDK's own client starts the
real command as a subprocess over stdio (tools and their schemas, a cited answer, a follow-up,
a refusal, errors with the command line's messages, the article resource, a question during a
held rebuild), and once over streamable HTTP on a loopback port."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult

from filmchat.checkpoints import PAUSE_VARIABLE, PAUSED, RELEASE_VARIABLE
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.settings import Settings
from filmchat.store import IndexStore

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "corpus"
FILMCHAT = PROJECT / ".venv" / "bin" / "filmchat"
ARRIVAL = Path(__file__).resolve().parent / "fixtures" / "site" / "arrival-2016-review.txt"
TOOLS = {"ask", "search_passages", "film_facts", "list_films", "add_article", "reindex"}
SAFETY_SECONDS = 300  # a bound on waits that should end in seconds, never what is tested


def environment(**extra: str) -> dict[str, str]:
    """The user's environment without any FILMCHAT_* setting of ours (the client passes only
    a few variables on by itself, and the server needs PYTHONPATH and the encoder cache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMCHAT_")}
    return {**env, **extra}


def folders(settings: Settings) -> list[str]:
    return ["--corpus", str(settings.corpus), "--index", str(settings.index)]


@pytest.fixture(scope="module")
def engine(seed_index: Settings, embedder: Embedder) -> Engine:
    """The library the server calls, in this process: what its answers must equal."""
    return Engine(seed_index, embedder, IndexStore.open(seed_index.index))


@asynccontextmanager
async def served(settings: Settings, log: Path, **env: str) -> AsyncIterator[Client]:
    """`filmchat mcp` as a client starts it, its stderr written to `log`."""
    params = StdioServerParameters(
        command=str(FILMCHAT), args=["mcp", *folders(settings)], env=environment(**env)
    )
    with log.open("w") as errlog:
        transport = stdio_client(params, errlog=errlog)
        async with Client(transport, read_timeout_seconds=SAFETY_SECONDS) as client:
            yield client


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error and result.structured_content is None
    (content,) = result.content
    assert content.type == "text"
    return content.text


def cli_error(*args: str) -> str:
    """The one line the real command prints for the same mistake, without its label."""
    done = subprocess.run(
        [str(FILMCHAT), *args],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=SAFETY_SECONDS,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    label, _, message = line.partition(": ")
    assert label in ("error", "not added"), line
    return message


def assert_cited(answer: dict[str, Any], corpus: Path) -> None:
    """Every sentence cites an article of the corpus, and every citation is cited."""
    assert answer["answered"] and answer["reason"] is None and answer["sentences"]
    markers = {c["marker"] for c in answer["citations"]}
    for sentence in answer["sentences"]:
        assert sentence["markers"] and set(sentence["markers"]) <= markers
        assert f"[{sentence['markers'][0]}]" in answer["answer"]
    assert markers == {m for s in answer["sentences"] for m in s["markers"]}
    for citation in answer["citations"]:
        assert (corpus / citation["article"]["path"]).is_file()
        assert citation["quote"]


# --- over stdio -----------------------------------------------------------------------------


async def test_the_tools_and_their_schemas(seed_index: Settings, tmp_path: Path) -> None:
    async with served(seed_index, tmp_path / "server.log") as client:
        assert client.server_info is not None and client.server_info.name == "filmchat"
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        templates = (await client.list_resource_templates()).resource_templates
        resources = (await client.list_resources()).resources
        films = structured(await client.call_tool("list_films", {}))
    assert set(tools) == TOOLS  # similar_films waits for the collection issue
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        for name, field in tool.input_schema.get("properties", {}).items():
            assert field.get("description"), (tool.name, name)

    def inputs(name: str) -> tuple[set[str], set[str]]:
        schema = tools[name].input_schema
        return set(schema.get("properties", {})), set(schema.get("required", []))

    assert inputs("ask") == ({"question", "film", "conversation_id"}, {"question"})
    assert inputs("search_passages") == ({"query", "film", "k"}, {"query"})
    assert inputs("film_facts") == ({"title"}, {"title"})
    assert inputs("list_films") == (set(), set())
    assert inputs("add_article") == ({"path", "film", "year"}, {"path"})
    k = tools["search_passages"].input_schema["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 100)
    answer = tools["ask"].output_schema["properties"]
    assert {"answered", "reason", "sentences", "citations", "conversation_id"} <= set(answer)
    assert tools["ask"].annotations and tools["ask"].annotations.read_only_hint
    assert tools["add_article"].annotations and not tools["add_article"].annotations.read_only_hint
    assert [t.uri_template for t in templates] == ["filmchat://article/{id}"]
    # every article is listed too, as list_films names it, for clients that attach resources
    listed = {a["uri"]: a["title"] for film in films["films"] for a in film["articles"]}
    assert {str(r.uri): r.title for r in resources} == listed and len(listed) == 5
    assert "Traceback" not in (tmp_path / "server.log").read_text()


async def test_a_cited_answer_a_follow_up_and_a_refusal(
    seed_index: Settings, engine: Engine, tmp_path: Path
) -> None:
    first, follow_up, unanswerable = (
        "Who directed Her?",
        "What about the music?",
        "How much did Her cost to make?",
    )
    async with served(seed_index, tmp_path / "server.log") as client:
        answer = structured(await client.call_tool("ask", {"question": first}))
        conversation_id = answer["conversation_id"]
        again = {"question": follow_up, "conversation_id": conversation_id}
        followed = structured(await client.call_tool("ask", again))
        alone = structured(await client.call_tool("ask", {"question": follow_up}))
        refused = structured(
            await client.call_tool(
                "ask", {"question": unanswerable, "conversation_id": conversation_id}
            )
        )
        cited = answer["citations"][0]["article"]
        opened = await client.read_resource(cited["uri"])

    assert_cited(answer, seed_index.corpus)
    assert "Spike Jonze" in answer["answer"] and answer["film"] == "Her (2013)"
    # the same library as the command line: the same answers, turn by turn
    conversation = Conversation(engine)
    assert answer["answer"] == conversation.ask(first).text
    assert followed["conversation_id"] == conversation_id
    assert_cited(followed, seed_index.corpus)
    assert followed["answer"] == conversation.ask(follow_up).text
    # without the id the same words start a conversation of their own, answered otherwise
    assert alone["conversation_id"] != conversation_id
    assert alone["answer"] == Conversation(engine).ask(follow_up).text != followed["answer"]
    # the reviews don't say: no answer, the reason, and the nearest articles, none cited
    assert not refused["answered"] and refused["reason"] and not refused["sentences"]
    assert refused["reason"] == conversation.ask(unanswerable).message
    assert refused["citations"] == [] and refused["nearest"]
    # a cited article opens as a resource: its metadata and the text the quote comes from
    (content,) = opened.contents
    article = json.loads(content.text)
    assert (article["article_id"], article["title"]) == (cited["article_id"], cited["title"])
    quoted = answer["citations"][0]["quote"]
    assert " ".join(quoted.split())[:60] in " ".join(article["text"].split())


async def test_errors_are_tool_errors_with_the_command_lines_messages(
    seed_index: Settings, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-review.md"
    before = sorted(p.name for p in seed_index.corpus.iterdir())
    async with served(seed_index, tmp_path / "server.log") as client:
        unknown_film = error_text(await client.call_tool("film_facts", {"title": "Zardoz"}))
        asked_about_it = error_text(
            await client.call_tool("ask", {"question": "Who directed it?", "film": "Zardoz"})
        )
        not_added = error_text(await client.call_tool("add_article", {"path": str(missing)}))
        folder = error_text(await client.call_tool("add_article", {"path": str(tmp_path)}))
        too_many = error_text(
            await client.call_tool("search_passages", {"query": "loneliness", "k": 1000})
        )
        with pytest.raises(MCPError, match="No article 'nothing-here' in the index"):
            await client.read_resource("filmchat://article/nothing-here")
        # the server is still well after all that
        films = structured(await client.call_tool("list_films", {}))
    assert unknown_film == cli_error("film", "Zardoz", *folders(seed_index))
    assert asked_about_it == cli_error("ask", "--film", "Zardoz", "x", *folders(seed_index))
    assert not_added == cli_error("add", str(missing), *folders(seed_index))
    assert "is a folder" in folder and str(tmp_path) in folder
    assert too_many.startswith("Wrong arguments for search_passages: k:") and "1000" in too_many
    for message in (unknown_film, not_added, folder, too_many):
        assert "\n" not in message and "Traceback" not in message
    assert [film["film"] for film in films["films"]] == ["Her (2013)"]
    assert sorted(p.name for p in seed_index.corpus.iterdir()) == before  # nothing written
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and unknown_film in log  # logged, on stderr


async def test_passages_and_the_fact_sheet(
    seed_index: Settings, engine: Engine, tmp_path: Path
) -> None:
    async with served(seed_index, tmp_path / "server.log") as client:
        found = structured(
            await client.call_tool("search_passages", {"query": "loneliness", "k": 3})
        )
        facts = structured(await client.call_tool("film_facts", {"title": "her"}))
    expected = Conversation(engine).retrieve("loneliness", None, 3)
    assert [p["text"] for p in found["passages"]] == [p.text for p in expected]
    scores = [p["score"] for p in found["passages"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    assert facts["film"] == "Her (2013)"
    credits = engine.credits(engine.find("her"))
    assert {(c["role"], c["person"]) for c in facts["credits"]} == {
        (c.role, c.person) for c in credits
    }
    markers = {source["marker"]: source["article"] for source in facts["sources"]}
    for credit in facts["credits"]:
        for said in credit["evidence"]:  # provenance: the sentence, in the numbered review
            assert credit["person"].split()[-1] in said["sentence"]
            assert (seed_index.corpus / markers[said["marker"]]["path"]).is_file()


MOON_NOTES = """---
title: Notes on Moon
film: Moon
year: 2009
author: A. Tester
---
Duncan Jones directed Moon on a small budget, and it never feels small. Sam Rockwell plays Sam
Bell, the only man on a mining base on the far side of the Moon, near the end of his contract.
Clint Mansell's score circles one piano figure until it sounds like the loneliness of the base.
"""


async def test_without_an_index_the_server_starts_and_reindex_builds_it(
    embedder: Embedder, tmp_path: Path
) -> None:
    """No index yet: the server still answers initialize; a question gets the command line's
    line saying how to build one; `reindex` builds it, and the next question is answered."""
    shutil.copytree(SEEDS, tmp_path / "corpus")
    (tmp_path / "corpus" / "more").mkdir()
    (tmp_path / "corpus" / "more" / "moon-notes.md").write_text(MOON_NOTES)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    told = cli_error("ask", "Who directed Moon?", *folders(settings))
    async with served(settings, tmp_path / "server.log") as client:
        assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS
        no_index = error_text(await client.call_tool("ask", {"question": "Who directed Moon?"}))
        report = structured(await client.call_tool("reindex", {}))
        answer = structured(await client.call_tool("ask", {"question": "Who directed Moon?"}))
        (citation,) = answer["citations"]
        opened = await client.read_resource(citation["article"]["uri"])
    assert no_index == told
    assert "filmchat index" in no_index
    assert (report["added"], report["full"], report["chunks_total"] > 0) == (6, True, True)
    assert report["summary"].startswith("Indexed (full rebuild): 6 added")
    assert_cited(answer, settings.corpus)
    assert "Duncan Jones" in answer["answer"]
    # an article in a subfolder: its id has a '/', escaped in its resource URI
    assert citation["article"]["article_id"] == "more/moon-notes"
    assert citation["article"]["uri"] == "filmchat://article/more%2Fmoon-notes"
    article = json.loads(opened.contents[0].text)
    assert article["article_id"] == "more/moon-notes" and "Duncan Jones" in article["text"]


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll a condition the test does not time; the bound only stops a hang."""
    with anyio.fail_after(SAFETY_SECONDS):
        while not condition():
            await anyio.sleep(0.05)


async def test_a_question_during_a_held_rebuild_is_answered_from_the_last_good_index(
    seed_index: Settings, tmp_path: Path
) -> None:
    """add_article's rebuild is held with everything written but not yet live; meanwhile the
    old index answers. Released, the new article answers."""
    shutil.copytree(seed_index.corpus, tmp_path / "corpus")
    shutil.copytree(seed_index.index, tmp_path / "index")
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index")
    log, release = tmp_path / "server.log", tmp_path / "release"
    held = {PAUSE_VARIABLE: "manifest-written", RELEASE_VARIABLE: str(release)}
    added: list[CallToolResult] = []
    source = ARRIVAL.read_bytes()
    async with served(settings, log, **held) as client, anyio.create_task_group() as tasks:

        async def add() -> None:
            added.append(await client.call_tool("add_article", {"path": str(ARRIVAL)}))

        tasks.start_soon(add)
        await wait_until(lambda: f"{PAUSED} manifest-written" in log.read_text() or added)
        assert not added, added  # the rebuild is held, not finished
        old = structured(await client.call_tool("ask", {"question": "Who directed Her?"}))
        not_yet = structured(await client.call_tool("ask", {"question": "Who directed Arrival?"}))
        films = structured(await client.call_tool("list_films", {}))
        assert any("arrival" in p.name for p in (tmp_path / "corpus").iterdir())  # copied
        release.touch()
        await wait_until(lambda: bool(added))
        report = structured(added[0])
        now = structured(await client.call_tool("ask", {"question": "Who directed Arrival?"}))
    assert_cited(old, settings.corpus)
    assert "Spike Jonze" in old["answer"]
    assert not not_yet["answered"] and "Arrival" in not_yet["reason"]
    assert [film["film"] for film in films["films"]] == ["Her (2013)"]
    assert report["article"]["film"] == "Arrival" and report["index"]["added"] == 1
    assert_cited(now, settings.corpus)
    assert "Denis Villeneuve" in now["answer"]
    assert {c["article"]["article_id"] for c in now["citations"]} == {
        report["article"]["article_id"]
    }
    # the article was copied, not moved or changed; nothing was written beside the folders
    assert ARRIVAL.read_bytes() == source
    assert {p.name for p in tmp_path.iterdir()} == {"corpus", "index", "server.log", "release"}


# --- the light path and HTTP ---------------------------------------------------------------

RUN_ASK = """
import json, sys
from filmchat.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    loaded = sorted({name.split(".")[0] for name in sys.modules} & {"mcp", "uvicorn", "starlette"})
    print("LOADED " + json.dumps(loaded), file=sys.stderr)
"""


def test_asking_on_the_command_line_imports_nothing_of_mcp(seed_index: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_ASK, "ask", *folders(seed_index), "Who directed Her?"],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=SAFETY_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    assert "Spike Jonze" in done.stdout
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    assert json.loads(line.removeprefix("LOADED ")) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepting(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


async def test_streamable_http_on_a_loopback_port(seed_index: Settings, tmp_path: Path) -> None:
    port = free_port()
    with (tmp_path / "server.log").open("w") as errlog:
        server = subprocess.Popen(
            [str(FILMCHAT), "mcp", "--http", str(port), *folders(seed_index)],
            stdout=subprocess.PIPE,
            stderr=errlog,
            env=environment(),
        )
    try:
        await wait_until(lambda: accepting(port) or server.poll() is not None)
        assert server.poll() is None, (tmp_path / "server.log").read_text()
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            answer = structured(await client.call_tool("ask", {"question": "Who directed Her?"}))
    finally:
        server.send_signal(signal.SIGINT)
        stdout, _ = server.communicate(timeout=SAFETY_SECONDS)
    assert tools == TOOLS
    assert_cited(answer, seed_index.corpus)
    assert "Spike Jonze" in answer["answer"]
    assert stdout == b""  # logs, the access log included, go to stderr
    log = (tmp_path / "server.log").read_text()
    assert "POST /mcp" in log and "Traceback" not in log
