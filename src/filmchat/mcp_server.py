"""`filmchat mcp`: the collection as a Model Context Protocol server (official SDK, MCPServer).

An assistant asks filmchat and gets answers whose every sentence is quoted from the user's own
reviews and cited. The tools call the library the command line calls (`live.LiveEngine`,
`Conversation`, `add_paths`, the fact sheet); this module only turns their records into typed
tool results. Errors are tool errors carrying the command line's one-line message; logs go to
stderr, stdout being the protocol's.
"""

import functools
import logging
import os
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, ParamSpec, TypeVar
from urllib.parse import quote

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, Resource, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from filmchat.conversation import Conversation, Engine
from filmchat.errors import FilmchatError, bug_line
from filmchat.facts_sheet import build_sheet
from filmchat.films import films_in
from filmchat.live import LiveEngine
from filmchat.llm import ChatClient
from filmchat.models import Answer, ArticleMeta, ArticleRecord, IndexReport
from filmchat.settings import Settings

LOOPBACK = "127.0.0.1"
HTTP_PATH = "/mcp"
ARTICLE_URI = "filmchat://article/{id}"
MAX_CONVERSATIONS = 256  # the least recently used conversation is forgotten beyond this
DEFAULT_K = 8  # as `filmchat ask --k`
MAX_K = 100

INSTRUCTIONS = (
    "filmchat answers questions about films from the user's own collection of review articles. "
    "Every answer sentence is quoted from a review and carries [n] markers naming the cited "
    "article; keep the markers and cite the articles when you pass an answer on. "
    "answered=false means the reviews do not say: tell the user so rather than answering from "
    "elsewhere. Pass conversation_id back to ask follow-ups ('What about the music?'). "
    "Read filmchat://article/{id} for a cited article's text."
)

log = logging.getLogger("filmchat.mcp")
P = ParamSpec("P")
R = TypeVar("R")


# --- what the tools return -----------------------------------------------------------------


class ArticleRef(BaseModel):
    """An article of the collection, as a client shows or opens it."""

    article_id: str
    title: str
    film: str | None = Field(description="The film it reviews (None: not known).")
    year: int | None = Field(description="The film's release year.")
    author: str | None
    site: str | None
    path: str = Field(description="The file, relative to the corpus folder.")
    uri: str = Field(description="Read this resource for the article's text and metadata.")

    @classmethod
    def of(cls, article_id: str, path: str, meta: ArticleMeta) -> "ArticleRef":
        return cls(
            article_id=article_id,
            title=meta.title,
            film=meta.film,
            year=meta.year,
            author=meta.author,
            site=meta.site,
            path=path,
            uri=article_uri(article_id),
        )

    @classmethod
    def of_record(cls, article: ArticleRecord) -> "ArticleRef":
        return cls.of(article.article_id, article.path, article.meta)


class CitedSentence(BaseModel):
    text: str
    markers: list[int] = Field(description="The [n] of the cited articles that state it.")
    grounded: bool = Field(description="False only for a model-written sentence citing nothing.")


class CitedArticle(BaseModel):
    marker: int = Field(description="The n of the [n] markers that cite this article.")
    article: ArticleRef
    quote: str = Field(description="The sentences of this article the answer quotes.")


class AskResult(BaseModel):
    """One answer of a conversation."""

    conversation_id: str = Field(description="Pass it to `ask` again to ask a follow-up.")
    question: str
    film: str | None = Field(description="The film the conversation is scoped to, if any.")
    about: str | None = Field(description="The film (or films) the answer is about.")
    answered: bool = Field(
        description="False when the reviews don't say (or for small talk): see `reason`."
    )
    answer: str = Field(
        description="The answer with [n] citation markers; when not answered, the reply."
    )
    reason: str | None = Field(description="Why there is no answer; None when answered.")
    sentences: list[CitedSentence]
    citations: list[CitedArticle] = Field(description="The articles the markers cite.")
    nearest: list[ArticleRef] = Field(
        description="When not answered: the articles nearest the question, none of which says."
    )
    note: str = Field(description="What the reader should know about the answer's scope.")
    mode: Literal["extractive", "llm"]


class PassageHit(BaseModel):
    text: str
    headings: list[str] = Field(description="The article headings the passage sits under.")
    score: float = Field(description="Rank-fused score of dense and BM25 search; higher first.")
    similarity: float = Field(description="Cosine similarity of the passage to the query.")
    article: ArticleRef


class SearchResult(BaseModel):
    query: str
    film: str | None = Field(description="The film the search was limited to.")
    passages: list[PassageHit]


class CreditEvidence(BaseModel):
    marker: int = Field(description="The source stating it (see `sources`).")
    sentence: str = Field(description="The review's sentence stating the credit.")


class FilmCredit(BaseModel):
    role: str = Field(description="director, writer, cast, composer, cinematographer, …")
    person: str
    parts: list[str] = Field(description="For cast: the parts they play.")
    evidence: list[CreditEvidence]


class NumberedArticle(BaseModel):
    marker: int
    article: ArticleRef


class FilmFacts(BaseModel):
    """A film's fact sheet: its credits as the reviews state them, each with its sources."""

    film: str
    credits: list[FilmCredit] = Field(description="Empty when the reviews state no credits.")
    sources: list[NumberedArticle]


class IndexedArticle(ArticleRef):
    chunks: int = Field(description="Passages it was cut into.")


class FilmEntry(BaseModel):
    film: str = Field(description="'Title (Year)', or 'unknown film'.")
    articles: list[IndexedArticle]


class FilmList(BaseModel):
    films: list[FilmEntry]


class IndexSummary(BaseModel):
    """What a rebuild did (the fields of `filmchat index --json`)."""

    summary: str = Field(description="The line `filmchat index` prints.")
    added: int
    updated: int
    removed: int
    unchanged: int
    chunks_embedded: int
    chunks_total: int
    seconds: float
    full: bool
    reason: str | None = Field(description="Why it was a full rebuild, when it had to be.")
    skipped: list[str] = Field(description="Corpus files that could not be read.")

    @classmethod
    def of(cls, report: IndexReport) -> "IndexSummary":
        return cls(
            summary=report.summary(),
            **report.to_json(),
            full=report.full,
            reason=report.reason,
            skipped=report.skipped,
        )


class AddResult(BaseModel):
    added: str = Field(description="The line `filmchat add` prints: what was inferred, whence.")
    article: ArticleRef
    index: IndexSummary


# --- from library records ------------------------------------------------------------------


def article_uri(article_id: str) -> str:
    """The resource of an article (its id escaped: ids of articles in subfolders have '/')."""
    return ARTICLE_URI.format(id=quote(article_id, safe=""))


def ask_result(
    conversation_id: str, film: str | None, answer: Answer, articles: dict[str, ArticleRecord]
) -> AskResult:
    """An answer as the tool returns it; `articles` holds every article it cites."""
    refs = [ArticleRef.of_record(articles[c.article_id]) for c in answer.citations]
    cited = [
        CitedArticle(marker=c.marker, article=ref, quote=c.quote)
        for c, ref in zip(answer.citations, refs, strict=True)
    ]
    return AskResult(
        conversation_id=conversation_id,
        question=answer.question,
        film=film,
        about=answer.about,
        answered=answer.answered,
        answer=answer.text,
        reason=None if answer.answered else answer.message,
        sentences=[
            CitedSentence(text=s.text, markers=s.markers, grounded=s.grounded)
            for s in answer.sentences
        ],
        citations=cited if answer.answered else [],
        nearest=[] if answer.answered else refs,
        note=answer.note,
        mode=answer.mode,
    )


def film_facts_of(engine: Engine, title: str) -> FilmFacts:
    """The fact sheet of `filmchat film`, with the sentence behind each credit."""
    film = engine.find(title)
    credits = engine.credits(film)
    sheet = build_sheet(credits)
    marker_of = {article.article_id: n for n, article in sheet.sources}
    evidence: dict[tuple[str, str], list[CreditEvidence]] = {}
    for credit in credits:
        said = CreditEvidence(marker=marker_of[credit.article.article_id], sentence=credit.sentence)
        stated = evidence.setdefault((credit.role, credit.person), [])
        if said not in stated:
            stated.append(said)
    return FilmFacts(
        film=film.label,
        credits=[
            FilmCredit(
                role=entry.role,
                person=entry.person,
                parts=entry.parts,
                evidence=evidence[(entry.role, entry.person)],
            )
            for entry in sheet.entries
        ],
        sources=[
            NumberedArticle(marker=n, article=ArticleRef.of_record(article))
            for n, article in sheet.sources
        ],
    )


# --- errors --------------------------------------------------------------------------------


def _error(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def one_line_errors(tool: Callable[P, R]) -> Callable[P, R]:
    """A tool whose failures reach the client as a tool error with the CLI's one line (the
    SDK would prefix 'Error executing tool …' and hide a bug's message)."""

    @functools.wraps(tool)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return tool(*args, **kwargs)
        except FilmchatError as exc:
            log.info("%s: %s", tool.__name__, exc)
            return _error(str(exc))  # type: ignore[return-value]
        except Exception as exc:  # a bug, not bad input: still one line
            if os.environ.get("FILMCHAT_DEBUG"):
                log.exception("%s failed", tool.__name__)
            line = bug_line(exc)
            log.error("%s: %s", tool.__name__, line)
            return _error(line)  # type: ignore[return-value]

    return run


# --- the server ----------------------------------------------------------------------------


class FilmchatServer(MCPServer):
    """MCPServer whose argument errors are one line too ('k: Input should be less than or
    equal to 100 (got 1000)') instead of pydantic's multi-line report with a link, and whose
    resource list names every article (clients offer listed resources to attach)."""

    def __init__(self, live: LiveEngine) -> None:
        super().__init__("filmchat", instructions=INSTRUCTIONS, version=_version())
        self.live = live

    async def list_resources(self) -> list[Resource]:
        articles = await anyio.to_thread.run_sync(self._articles)
        return [*await super().list_resources(), *articles]

    def _articles(self) -> list[Resource]:
        try:
            with self.live.engine() as engine:
                records = engine.store.articles()
        except FilmchatError:
            return []  # no index yet: no articles to list (a question says how to build one)
        return [
            Resource(
                uri=article_uri(a.article_id),
                name=a.article_id,
                title=a.meta.title,
                description=" — ".join(
                    x for x in (a.meta.film_label(), a.meta.author or a.meta.site) if x
                ),
                mime_type="application/json",
            )
            for a in records
        ]

    async def call_tool(self, name, arguments, context=None):  # type: ignore[no-untyped-def]
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):
                raise
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}"
                + ("" if e["type"] == "missing" else f" (got {e['input']!r})")
                for e in cause.errors()
            )
            raise ToolError(f"Wrong arguments for {name}: {problems}.") from cause


class Conversations:
    """The open conversations by id; used under the engine's turn, so one thread at a time."""

    def __init__(self, llm: ChatClient | None) -> None:
        self.llm = llm
        self._open: OrderedDict[str, Conversation] = OrderedDict()

    def get(self, engine: Engine, conversation_id: str | None) -> tuple[str, Conversation]:
        """The conversation under this id, or a new one (under this id, or a fresh one)."""
        conversation_id = conversation_id or uuid.uuid4().hex[:12]
        conversation = self._open.get(conversation_id)
        if conversation is None:
            conversation = Conversation(engine, llm=self.llm)
        return conversation_id, conversation

    def keep(self, conversation_id: str, conversation: Conversation) -> None:
        self._open[conversation_id] = conversation
        self._open.move_to_end(conversation_id)
        while len(self._open) > MAX_CONVERSATIONS:
            self._open.popitem(last=False)


def build_server(settings: Settings, live: LiveEngine | None = None) -> MCPServer:
    """The MCP server over one collection; every tool calls the library the CLI calls."""
    live = live or LiveEngine(settings, warn=log.warning)
    conversations = Conversations(ChatClient.from_settings(settings))
    server = FilmchatServer(live)
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

    @server.tool(annotations=reads)
    @one_line_errors
    def ask(
        question: Annotated[
            str, Field(description="A question about a film, as a person asks it.")
        ],
        film: Annotated[
            str | None,
            Field(description="Answer about this film only, from now on in this conversation."),
        ] = None,
        conversation_id: Annotated[
            str | None,
            Field(description="The id an earlier answer returned, to ask a follow-up."),
        ] = None,
    ) -> AskResult:
        """Ask the user's film reviews a question. Every answer sentence is quoted from a review
        and cited with [n] markers naming the article; answered=false, with a reason, when the
        reviews don't say. Follow-ups ('What about the music?', 'Who plays him?') go in the
        same conversation: pass the conversation_id the previous answer returned."""
        with live.engine() as engine:
            key, conversation = conversations.get(engine, conversation_id)
            if film is not None:
                conversation.set_film(film)  # an unknown film fails here, naming those there are
                conversation.forced_film = film
            answer = conversation.ask(question, warn=log.warning)
            conversations.keep(key, conversation)
            return ask_result(key, conversation.film, answer, engine.retriever.articles)

    @server.tool(annotations=reads)
    @one_line_errors
    def search_passages(
        query: Annotated[str, Field(description="What to look for, in words.")],
        film: Annotated[str | None, Field(description="Only passages about this film.")] = None,
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many passages.")] = DEFAULT_K,
    ) -> SearchResult:
        """Search the reviews' passages (dense and BM25 search, fused) without composing an
        answer: the k best passages with their scores and articles."""
        if not query.strip():
            raise FilmchatError("Give words to search for (the query was empty).")
        with live.engine() as engine:
            scope = engine.find(film) if film is not None else None
            passages = Conversation(engine, k=k).retrieve(query, scope, k)
        return SearchResult(
            query=query,
            film=scope.label if scope else None,
            passages=[
                PassageHit(
                    text=p.text,
                    headings=p.headings,
                    score=p.score,
                    similarity=p.dense_score,
                    article=ArticleRef.of_record(p.article),
                )
                for p in passages
            ],
        )

    @server.tool(annotations=reads)
    @one_line_errors
    def film_facts(
        title: Annotated[str, Field(description="The film, as the user names it ('her', 'Moon').")],
    ) -> FilmFacts:
        """A film's fact sheet: director, writers, cast with their parts, composer,
        cinematographer… as its reviews state them, each credit with the sentences and the
        numbered articles that state it."""
        with live.engine() as engine:
            return film_facts_of(engine, title)

    @server.tool(annotations=reads)
    @one_line_errors
    def list_films() -> FilmList:
        """The films in the collection, each with its review articles (title, author or site,
        passages, resource URI)."""
        with live.engine() as engine:
            grouped = films_in(engine.store.articles())
        return FilmList(
            films=[
                FilmEntry(
                    film=label,
                    articles=[
                        IndexedArticle(**ArticleRef.of_record(a).model_dump(), chunks=a.chunk_count)
                        for a in articles
                    ],
                )
                for label, articles in grouped.items()
            ]
        )

    @server.tool(annotations=writes)
    @one_line_errors
    def add_article(
        path: Annotated[str, Field(description="An article file: .txt, .md, .rst, .html, …")],
        film: Annotated[
            str | None, Field(description="The film it reviews (else inferred from it).")
        ] = None,
        year: Annotated[int | None, Field(description="The film's release year.")] = None,
    ) -> AddResult:
        """Copy a review article into the collection with front matter, as `filmchat add` does
        (film, year, title and author inferred, never guessed: an unclear film is refused with
        the likeliest candidates; a duplicate is refused), then update the index. Nothing is
        written outside the corpus and index folders."""
        from filmchat.indexer import add_paths

        source = Path(path).expanduser().resolve()
        if source.is_dir():
            raise FilmchatError(
                f"{source} is a folder; add_article takes one article file "
                "(`filmchat add FOLDER` adds a folder)."
            )
        if source.is_file() and not os.access(source, os.R_OK):
            raise FilmchatError(f"{source}: not readable (check its permissions).")
        (outcome,) = add_paths(settings, [source], film=film, year=year)
        if outcome.error or outcome.added is None:
            raise FilmchatError(outcome.error or f"{source}: not added.")
        added = outcome.added
        relative = added.path.relative_to(settings.corpus)
        report = live.rebuild()
        return AddResult(
            added=added.describe(settings.corpus),
            article=ArticleRef.of(
                relative.with_suffix("").as_posix(), relative.as_posix(), added.meta
            ),
            index=IndexSummary.of(report),
        )

    @server.tool(annotations=writes)
    @one_line_errors
    def reindex(
        full: Annotated[bool, Field(description="Re-embed every article.")] = False,
    ) -> IndexSummary:
        """Bring the index in line with the corpus folder, as `filmchat index` does (only new
        or changed articles are embedded). Questions asked meanwhile are answered from the last
        good index; answers use the new one as soon as it is ready."""
        return IndexSummary.of(live.rebuild(full=full))

    @server.resource(
        ARTICLE_URI,
        name="article",
        title="A review article",
        description="An article's metadata and its clean text, as indexed.",
        mime_type="application/json",
    )
    def article(id: str) -> str:
        with live.engine() as engine:
            record = engine.retriever.articles.get(id)
            text = engine.store.article_text(id) if record else None
        if record is None or text is None:
            raise ResourceNotFoundError(f"No article {id!r} in the index; list_films lists them.")
        body = ArticleBody(**ArticleRef.of_record(record).model_dump(), meta=record.meta, text=text)
        return body.model_dump_json()

    return server


class ArticleBody(ArticleRef):
    """The `filmchat://article/{id}` resource."""

    meta: ArticleMeta = Field(description="Everything the front matter says.")
    text: str = Field(description="The article's clean text: what its passages were cut from.")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("filmchat")
    except PackageNotFoundError:
        return "0"


def serve(settings: Settings, *, http_port: int | None = None) -> None:
    """Serve over stdio (or streamable HTTP on the loopback port); the model starts loading
    at once, beside the protocol, so `initialize` is answered without waiting for it."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="filmchat mcp: %(levelname)s %(message)s"
    )
    live = LiveEngine(settings, warn=log.warning)
    server = build_server(settings, live)
    threading.Thread(target=live.warm, name="filmchat-warm-up", daemon=True).start()
    if http_port is None:
        log.info("serving %s over stdio", settings.corpus)
        server.run("stdio")
        return
    import uvicorn

    app = server.streamable_http_app(streamable_http_path=HTTP_PATH, host=LOOPBACK)
    # no logging config of uvicorn's own: its access log would go to stdout
    config = uvicorn.Config(app, host=LOOPBACK, port=http_port, log_config=None)
    log.info("serving %s on http://%s:%d%s", settings.corpus, LOOPBACK, http_port, HTTP_PATH)
    anyio.run(uvicorn.Server(config).serve)
