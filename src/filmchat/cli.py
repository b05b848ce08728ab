"""The `filmchat` command: index, add, sources, ask, eval, mcp, and the chat (the default)."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from filmchat.errors import FilmchatError, bug_line
from filmchat.models import Answer, IndexReport
from filmchat.settings import Settings, load_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
PATH = click.Path(path_type=Path)


def folder_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--corpus and --index on every command, as on the top level."""
    command = click.option("--index", type=PATH, help="Index folder (env FILMCHAT_INDEX).")(command)
    return click.option("--corpus", type=PATH, help="Corpus folder (env FILMCHAT_CORPUS).")(command)


def settings_from(ctx: click.Context, corpus: Path | None, index: Path | None) -> Settings:
    """Options given after the command win over those before it, which win over the env."""
    parent = ctx.find_root().params
    return load_settings(corpus=corpus or parent.get("corpus"), index=index or parent.get("index"))


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False)


def run_index(settings: Settings, *, full: bool, quiet: bool) -> IndexReport:
    """Rebuild with a rich progress bar on stderr (stdout stays clean for --json)."""
    from filmchat.indexer import build_index

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task("Embedding chunks", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return build_index(settings, full=full, progress=progress, warn=warn)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@folder_options
@click.pass_context
def cli(ctx: click.Context, corpus: Path | None, index: Path | None) -> None:
    """Chat about films with the reviews you collected. Without a command, opens the chat."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(chat_command)


@cli.command("index")
@click.option("--full", is_flag=True, help="Re-embed every article.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@folder_options
@click.pass_context
def index_command(
    ctx: click.Context, full: bool, as_json: bool, corpus: Path | None, index: Path | None
) -> None:
    """Bring the index in line with the corpus (only new or changed articles are embedded)."""
    settings = settings_from(ctx, corpus, index)
    report = run_index(settings, full=full, quiet=as_json)
    if as_json:
        print(json.dumps(report.to_json()))
        return
    if report.reason:
        console.print(f"[yellow]{escape(report.reason)}[/]", highlight=False)
    console.print(report.summary(), highlight=False, markup=False)


@cli.command("add")
@click.argument("paths", nargs=-1, required=True, type=PATH)
@click.option("--film", help="Film the articles review (else inferred from the article).")
@click.option("--year", type=int, help="The film's release year.")
@click.option("--title", help="The article's title (else its headline).")
@click.option("--no-index", is_flag=True, help="Copy only; do not update the index.")
@folder_options
@click.pass_context
def add_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    film: str | None,
    year: int | None,
    title: str | None,
    no_index: bool,
    corpus: Path | None,
    index: Path | None,
) -> None:
    """Copy articles (files or folders) into the corpus with front matter, then index them.

    Each file gets one line: what was inferred and from where, or why it was not added.
    """
    from filmchat.indexer import add_paths

    settings = settings_from(ctx, corpus, index)
    outcomes = add_paths(settings, list(paths), film=film, year=year, title=title)
    for outcome in outcomes:
        if outcome.added:
            line = outcome.added.describe(settings.corpus)
            console.print(line, highlight=False, markup=False)
        else:
            err_console.print(f"[red]not added:[/] {escape(outcome.error or '')}", highlight=False)
    if any(outcome.added for outcome in outcomes):
        _index_after(settings, no_index)
    if any(outcome.error for outcome in outcomes):
        sys.exit(1)


def _index_after(settings: Settings, no_index: bool) -> None:
    if not no_index:
        console.print(run_index(settings, full=False, quiet=False).summary(), markup=False)


@cli.command("edit")
@click.argument("article")
@click.option("--film", help="The film it reviews.")
@click.option("--year", type=int, help="The film's release year.")
@click.option("--title", help="The article's title.")
@click.option("--author", help="Who wrote it.")
@click.option("--no-index", is_flag=True, help="Change the file only; do not update the index.")
@folder_options
@click.pass_context
def edit_command(
    ctx: click.Context,
    article: str,
    film: str | None,
    year: int | None,
    title: str | None,
    author: str | None,
    no_index: bool,
    corpus: Path | None,
    index: Path | None,
) -> None:
    """Correct an article's film, year, title or author (ARTICLE: path, file name or title).

    Only the front matter changes, so the index is updated without re-embedding.
    """
    from filmchat.curation import edit_article, find_article

    if not any((film, year, title, author)):
        raise click.UsageError("edit what? give --film, --year, --title or --author")
    settings = settings_from(ctx, corpus, index)
    path = find_article(settings, article)
    meta = edit_article(settings, path, film=film, year=year, title=title, author=author)
    by = f", by {meta.author}" if meta.author else ""
    console.print(f"Edited {path.name}: “{meta.title}” — {meta.film_label()}{by}", markup=False)
    _index_after(settings, no_index)


@cli.command("remove")
@click.argument("article")
@click.option("--no-index", is_flag=True, help="Delete the file only; do not update the index.")
@folder_options
@click.pass_context
def remove_command(
    ctx: click.Context, article: str, no_index: bool, corpus: Path | None, index: Path | None
) -> None:
    """Remove an article from the corpus and its passages from the index (ARTICLE: path,
    file name or title)."""
    from filmchat.curation import find_article, remove_article

    settings = settings_from(ctx, corpus, index)
    path = find_article(settings, article)
    meta = remove_article(settings, path)
    what = f" (“{meta.title}” — {meta.film_label()})" if meta else ""
    console.print(f"Removed {path.name}{what}", markup=False)
    _index_after(settings, no_index)


@cli.command("sources")
@folder_options
@click.pass_context
def sources_command(ctx: click.Context, corpus: Path | None, index: Path | None) -> None:
    """List the films and their articles in the index."""
    from filmchat.films import films_in
    from filmchat.store import IndexStore

    store = IndexStore.open(settings_from(ctx, corpus, index).index, verify=False)
    try:
        for film, articles in films_in(store.articles()).items():
            table = Table(title=film, title_justify="left", show_edge=False)
            table.add_column("Title")
            table.add_column("Author / site")
            table.add_column("Chunks", justify="right")
            table.add_column("Path")
            for article in articles:
                by = article.meta.author or article.meta.site or "—"
                table.add_row(article.meta.title, by, str(article.chunk_count), article.path)
            console.print(table)
    finally:
        store.close()


def open_engine(settings: Settings):  # type: ignore[no-untyped-def]
    """The library's engine, with a spinner on stderr while the model loads."""
    from filmchat import live
    from filmchat.embedding import Embedder

    def load_embedder() -> Embedder:
        with err_console.status("Loading the embedding model…"):
            return Embedder(settings, warn=warn)

    return live.open_engine(settings, load_embedder)


def print_answer(answer: Answer) -> None:
    """Answer text, then its numbered sources, as a person reads them.

    In a terminal with Rich, wrapped at its width; piped or redirected, as plain text wrapped
    at the width with no padding: never a cropped line.
    """
    from rich.markdown import Markdown
    from rich.text import Text

    for style, text in answer_lines(answer):
        if not console.is_terminal:
            print(wrapped(text, console.width))
        elif style == "markdown":
            console.print(Markdown(text), soft_wrap=False)
        else:
            console.print(Text(text, style=style), soft_wrap=False)


def answer_lines(answer: Answer) -> list[tuple[str, str]]:
    """(Rich style, text) of each paragraph `print_answer` writes; 'markdown' for the answer."""
    scope = f" · {answer.about}" if answer.about and answer.answered else ""
    scope = f" · {answer.film}" if answer.film else scope
    lines = [("bold", f"Q: {answer.question}{scope}")]
    if answer.note:
        lines.append(("dim", answer.note))
    lines.append(("markdown", answer.text) if answer.answered else ("yellow", answer.message))
    if answer.citations:
        lines.append(("bold", "Sources" if answer.answered else "Nearest articles"))
        for citation in answer.citations:
            by = ", ".join(x for x in (citation.author, citation.site) if x)
            film = f" — {citation.film}" if citation.film else ""
            who = f" ({by})" if by else ""
            lines.append(("", f"  [{citation.marker}] {citation.title}{film}{who} {citation.path}"))
    lines.append(("", ""))
    return lines


def wrapped(text: str, width: int) -> str:
    """Every word kept, lines wrapped at `width`, no padding; a too-long word stays whole.

    List items ('- ...') and sources ('  [n] ...') continue indented under their text.
    """
    lines = []
    for line in text.splitlines() or [""]:
        stripped = line.lstrip()
        hanging = "  " if stripped.startswith(("- ", "[")) else ""
        indent = line[: len(line) - len(stripped)] + hanging
        lines.append(
            textwrap.fill(
                line,
                width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


@cli.command("ask")
@click.argument("questions", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per answer, one per line.")
@click.option(
    "--batch",
    type=click.Path(path_type=Path, dir_okay=False),
    help='JSON Lines file of {"turns": [...]} conversations (with --json).',
)
@click.option("--film", help="Answer about this film only.")
@click.option(
    "--k",
    "k",
    type=click.IntRange(1, 100),
    default=8,
    show_default=True,
    help="Passages to retrieve.",
)
@click.option(
    "--llm/--no-llm",
    "use_llm",
    default=None,
    help="Answer with the model at FILMCHAT_LLM_URL (default: when it is set).",
)
@click.option("--llm-url", help="OpenAI-compatible base URL (env FILMCHAT_LLM_URL).")
@click.option("--llm-model", help="Model name for the server (env FILMCHAT_LLM_MODEL).")
@folder_options
@click.pass_context
def ask_command(
    ctx: click.Context,
    questions: tuple[str, ...],
    as_json: bool,
    batch: Path | None,
    film: str | None,
    k: int,
    use_llm: bool | None,
    llm_url: str | None,
    llm_model: str | None,
    corpus: Path | None,
    index: Path | None,
) -> None:
    """Ask questions (follow-ups in order, as one conversation) and print cited answers."""
    from filmchat.conversation import Conversation
    from filmchat.llm import ChatClient

    if batch and not as_json:
        raise click.UsageError("--batch writes JSON Lines: add --json")
    if batch and questions:
        raise click.UsageError("give questions or --batch, not both")
    if not batch and not questions:
        raise click.UsageError('ask what? e.g. filmchat ask "what does Her say about loneliness"')
    settings = settings_from(ctx, corpus, index)
    overrides = {"llm_url": llm_url, "llm_model": llm_model}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v})
    if use_llm and not settings.llm_url:
        raise click.UsageError("--llm needs a model server: set FILMCHAT_LLM_URL or --llm-url")
    client = ChatClient.from_settings(settings) if use_llm is not False else None
    conversations = _read_batch(batch) if batch else [list(questions)]
    engine = open_engine(settings)
    for turns in conversations:
        conversation = Conversation(engine, forced_film=film, k=k, llm=client)
        answers = [conversation.ask(question, warn=warn) for question in turns]
        if batch:
            print(json.dumps({"turns": [a.to_json() for a in answers]}, ensure_ascii=False))
        elif as_json:
            for answer in answers:
                print(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            for answer in answers:
                print_answer(answer)


def _read_batch(path: Path) -> list[list[str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FilmchatError(f"Cannot read {path}: {exc.strerror}.") from exc
    conversations = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            turns = json.loads(line)["turns"]
            if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
                raise TypeError
        except (ValueError, KeyError, TypeError) as exc:
            raise FilmchatError(
                f'{path}:{number}: expected a JSON object like {{"turns": ["question", ...]}}.'
            ) from exc
        conversations.append(turns)
    return conversations


@cli.command("eval")
@click.argument("gold", required=False, type=PATH)
@click.argument("questions", required=False, type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option("--verbose", "-v", is_flag=True, help="List every question and its answer.")
@click.option(
    "--given-films",
    is_flag=True,
    help="With a FOLDER: add each article with the film of its films.json (answers alone).",
)
@folder_options
@click.pass_context
def eval_command(
    ctx: click.Context,
    gold: Path | None,
    questions: Path | None,
    as_json: bool,
    verbose: bool,
    given_films: bool,
    corpus: Path | None,
    index: Path | None,
) -> None:
    """Score answers on a gold set (default: the bundled one for the seed corpus), or on a
    FOLDER of articles with its QUESTIONS (default FOLDER/questions.json) added as a user would."""
    settings = settings_from(ctx, corpus, index)
    if gold is not None and gold.is_dir():
        questions = questions or gold / "questions.json"
        eval_folder(settings, gold, questions, as_json, verbose, given_films)
        return
    from filmchat.conversation import Conversation
    from filmchat.evaluation import default_gold_path, dump, evaluate, load_gold

    items = load_gold(gold or default_gold_path())
    engine = open_engine(settings)

    def run(turns: list[str]) -> list[Answer]:
        conversation = Conversation(engine)
        return [conversation.ask(turn) for turn in turns]

    scores = evaluate(items, run)
    if as_json:
        print(dump(scores))
        return
    if verbose:
        for result in scores.results:
            mark = "✓" if (result.hit if result.answerable else not result.answered) else "✗"
            print_result_line(mark, result.category, result.id, result.answer)
    table = Table(title="filmchat eval", show_edge=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in scores.table():
        table.add_row(name, value)
    console.print(table)


def print_result_line(mark: str, category: str, item_id: str, answer: str) -> None:
    answer = " ".join(answer.split())
    console.print(f"{mark} [{category}] {item_id}: {answer[:160]}", highlight=False, markup=False)


def eval_folder(
    settings: Settings,
    folder: Path,
    questions_path: Path,
    as_json: bool,
    verbose: bool,
    given_films: bool,
) -> None:
    """Add a folder's articles to a temporary copy of the corpus, index, ask, and count."""
    import tempfile

    from filmchat.evaluation import OUTCOMES, evaluate_folder, load_questions

    questions = load_questions(questions_path)
    with (
        tempfile.TemporaryDirectory(prefix="filmchat-eval-") as workdir,
        err_console.status("Adding the articles, indexing and asking…"),
    ):
        scores = evaluate_folder(
            settings, folder, questions, Path(workdir), given_films=given_films
        )
    if as_json:
        print(json.dumps({"summary": scores.summary(), "counts": scores.counts()}))
        return
    for item in scores.inferred:
        if item.error:
            line = f"✗ {item.file}: not added — {item.error}"
        else:
            truth = ""
            if item.true_film:
                ok = "✓" if item.film_right and item.year_right else "✗"
                truth = f" {ok} (expected {item.true_film} ({item.true_year}))"
            line = f"  {item.file}: {item.film} ({item.year}){truth}"
        console.print(line, highlight=False, markup=False)
    if verbose:
        for result in scores.results:
            mark = "✓" if result.outcome in ("right", "refused") else "✗"
            print_result_line(mark, result.outcome, result.id, result.answer)
    table = Table(title=f"filmchat eval {folder}", show_edge=False)
    table.add_column("type")
    for outcome in OUTCOMES:
        table.add_column(outcome, justify="right")
    for kind, counts in sorted(scores.counts().items()):
        table.add_row(kind, *(str(counts[o]) for o in OUTCOMES))
    console.print(table)


@cli.command("film")
@click.argument("title")
@folder_options
@click.pass_context
def film_command(ctx: click.Context, title: str, corpus: Path | None, index: Path | None) -> None:
    """The fact sheet of a film: its credits as the reviews state them, each cited."""
    from filmchat.facts_sheet import sheet_lines

    engine = open_engine(settings_from(ctx, corpus, index))
    film = engine.find(title)
    for line in sheet_lines(film.label, engine.credits(film)):
        console.print(line, highlight=False, markup=False)


@cli.command("mcp")
@click.option(
    "--http",
    "port",
    type=click.IntRange(1, 65535),
    help="Serve streamable HTTP on 127.0.0.1:PORT (path /mcp) instead of stdio.",
)
@folder_options
@click.pass_context
def mcp_command(
    ctx: click.Context, port: int | None, corpus: Path | None, index: Path | None
) -> None:
    """Serve the collection to MCP clients (assistants, editors) over stdio; logs on stderr."""
    from filmchat.mcp_server import serve

    serve(settings_from(ctx, corpus, index), http_port=port)


@cli.command("chat")
@click.option("--film", help="Start scoped to this film.")
@folder_options
@click.pass_context
def chat_command(
    ctx: click.Context,
    film: str | None = None,
    corpus: Path | None = None,
    index: Path | None = None,
) -> None:
    """Open the terminal chat."""
    from filmchat.tui.app import FilmchatApp

    FilmchatApp(settings_from(ctx, corpus, index), film=film).run()


def main() -> None:
    """Entry point: user errors become one line on stderr, never a traceback."""
    try:
        cli.main(standalone_mode=False, prog_name="filmchat")
    except FilmchatError as exc:
        err_console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "filmchat"
        err_console.print(
            f"[red]error:[/] {escape(exc.format_message())} (see `{command} --help`)",
            highlight=False,
        )
        sys.exit(2)
    except click.ClickException as exc:
        err_console.print(f"[red]error:[/] {escape(exc.format_message())}", highlight=False)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        err_console.print("[red]interrupted[/]: the last good index is unchanged.")
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: still one line, traceback on request
        if os.environ.get("FILMCHAT_DEBUG"):
            raise
        err_console.print(bug_line(exc), highlight=False, markup=False)
        sys.exit(70)
