"""The records that cross module boundaries: articles, chunks, passages and answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from filmchat.wording import counted


class ArticleMeta(BaseModel):
    """What the front matter (or the page) says about an article."""

    title: str
    film: str | None = None
    year: int | None = None
    author: str | None = None
    site: str | None = None
    published: str | None = None
    url: str | None = None
    # The front matter's credit fields as (field, text): 'director: Ari Aster'. Read into the
    # fact sheet; not written back or stored as metadata, since the file keeps them.
    credit_fields: list[tuple[str, str]] = Field(default_factory=list, exclude=True)

    def film_label(self) -> str:
        """'Her (2013)', or just the title when the year is unknown."""
        if not self.film:
            return "unknown film"
        return f"{self.film} ({self.year})" if self.year else self.film


class Article(BaseModel):
    """One review as loaded from the corpus: metadata, raw body and its content hash."""

    article_id: str = Field(description="Path relative to the corpus folder, without suffix.")
    path: str = Field(description="Path relative to the corpus folder.")
    meta: ArticleMeta
    body: str = Field(description="Body text as stored, before cleaning.")
    content_hash: str


class Sentence(BaseModel):
    """A sentence (or a list item) of a chunk, with offsets into the article's clean text."""

    text: str
    start: int
    end: int
    kind: Literal["sentence", "item"] = "sentence"
    heading: str | None = None
    block: int = Field(default=0, description="Paragraph or list item it belongs to.")


class Chunk(BaseModel):
    """A passage of roughly 80-200 words: what gets embedded and retrieved."""

    article_id: str
    position: int
    start: int
    end: int
    headings: list[str] = Field(default_factory=list)
    text: str
    sentences: list[Sentence]

    def embedding_text(self, film: str | None) -> str:
        """Film and headings give the encoder the context the bare sentences lack."""
        context = " / ".join(part for part in [film, *self.headings] if part)
        return f"{context}\n{self.text}" if context else self.text


class ArticleRecord(BaseModel):
    """An indexed article as the store holds it."""

    article_id: str
    path: str
    meta: ArticleMeta
    content_hash: str
    chunk_count: int = 0
    text_length: int = Field(default=0, description="Characters of clean text: where is the end.")


class Passage(BaseModel):
    """A retrieved chunk with its article and how well it matched."""

    chunk_id: int
    article: ArticleRecord
    text: str
    headings: list[str]
    sentences: list[Sentence]
    score: float
    dense_score: float = 0.0
    lexical_rank: int | None = None


class Citation(BaseModel):
    """A numbered reference to a cited article."""

    marker: int
    article_id: str
    title: str
    film: str | None
    path: str
    author: str | None = None
    site: str | None = None
    quote: str = Field(default="", description="The cited sentences, for the sources panel.")

    @classmethod
    def of(cls, marker: int, article: ArticleRecord, quote: str = "") -> Citation:
        """The citation of an indexed article under a marker."""
        return cls(
            marker=marker,
            article_id=article.article_id,
            title=article.meta.title,
            film=article.meta.film,
            path=article.path,
            author=article.meta.author,
            site=article.meta.site,
            quote=quote,
        )


class AnswerSentence(BaseModel):
    """One sentence of an answer and the citation markers that back it."""

    text: str
    markers: list[int]
    grounded: bool = True


class Answer(BaseModel):
    """What the answering layer returns; every interface renders only this."""

    question: str
    film: str | None
    answered: bool
    sentences: list[AnswerSentence] = Field(default_factory=list)
    message: str = ""
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    mode: Literal["extractive", "llm"] = "extractive"
    listing: bool = Field(default=False, description="Items of a list (cast, similar films).")
    smalltalk: bool = Field(
        default=False, description="A reply to a greeting or 'what can you do?', not a refusal."
    )
    note: str = Field(default="", description="What the reader should know about the scope.")

    @property
    def about(self) -> str | None:
        """The film an answer is about: its scope, else the film its cited articles review.

        An answer asked across the collection may quietly come from one film's reviews; naming
        that film keeps the reader from taking it for the other films' answer.
        """
        if self.film:
            return self.film
        films = list(dict.fromkeys(c.film for c in self.citations if c.film))
        if len(films) > 1:
            return f"{len(films)} films: {', '.join(films)}"
        return films[0] if films else None

    @property
    def text(self) -> str:
        """Answer text with [n] after each sentence; the refusal message when not answered."""
        if not self.answered:
            return self.message
        parts = []
        for sentence in self.sentences:
            marks = "".join(f"[{m}]" for m in sentence.markers)
            parts.append(f"{sentence.text} {marks}".strip())
        if self.listing:
            return "\n".join(f"- {part}" for part in parts)
        return " ".join(parts)

    def to_json(self) -> dict[str, object]:
        """The `filmchat ask --json` schema."""
        return {
            "question": self.question,
            "film": self.film,
            "answered": self.answered,
            "smalltalk": self.smalltalk,
            "note": self.note,
            "answer": self.text,
            "mode": self.mode,
            "citations": [
                {
                    "marker": c.marker,
                    "article_id": c.article_id,
                    "title": c.title,
                    "film": c.film,
                    "path": c.path,
                }
                for c in self.citations
            ],
            "passages": [
                {
                    "article_id": p.article.article_id,
                    "title": p.article.meta.title,
                    "film": p.article.meta.film,
                    "path": p.article.path,
                    "text": p.text,
                    "score": round(p.score, 6),
                }
                for p in self.passages
            ],
        }


class IndexReport(BaseModel):
    """What a rebuild did, for the summary line and `--json`."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    full: bool = False
    reason: str | None = None
    skipped: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line a person reads after a rebuild."""
        kind = "full rebuild" if self.full else "incremental"
        return (
            f"Indexed ({kind}): {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged; "
            f"{counted(self.chunks_embedded, 'chunk')} embedded, {self.chunks_total} in the index "
            f"({self.seconds:.1f}s)."
        )

    def to_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "chunks_embedded": self.chunks_embedded,
            "chunks_total": self.chunks_total,
            "seconds": round(self.seconds, 3),
        }
