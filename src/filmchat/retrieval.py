"""Retrieval: dense (FAISS) and lexical (BM25) candidates fused by reciprocal rank fusion.

Dense search finds paraphrases; BM25 finds exact names ("Hoyte van Hoytema") that a small
encoder blurs. Fusion by rank (k = 60) needs no score calibration between the two. The fused
list is then spread across articles so one long review cannot fill every slot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from filmchat.embedding import Embedder
from filmchat.models import ArticleRecord, Passage
from filmchat.store import IndexStore, fts_query
from filmchat.terms import STOPWORDS, words

RRF_K = 60


def reciprocal_rank_fusion(*rankings: Sequence[int], k: int = RRF_K) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return scores


def diversify(ranked: list[int], article_of: dict[int, str], k: int, per_article: int) -> list[int]:
    """Best-first, at most `per_article` passages per article until others run out."""
    chosen: list[int] = []
    counts: Counter[str] = Counter()
    for item in ranked:
        if len(chosen) == k:
            break
        if counts[article_of[item]] < per_article:
            chosen.append(item)
            counts[article_of[item]] += 1
    for item in ranked:  # fill remaining slots when few articles match
        if len(chosen) == k:
            break
        if item not in chosen:
            chosen.append(item)
    return chosen


class Retriever:
    """Hybrid search over one index store with one embedding model."""

    def __init__(self, store: IndexStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self.articles: dict[str, ArticleRecord] = {a.article_id: a for a in store.articles()}

    def _skipped_words(self, text: str, film: str | None) -> frozenset[str]:
        """Stopwords, and over the whole collection words in most passages ('film'): BM25
        gives them next to no weight, yet matching them is most of a query's cost."""
        if film is not None:
            return STOPWORDS
        half = self.store.manifest.chunks / 2
        common = {w for w in words(text) if self.store.document_frequency(w) > half}
        return STOPWORDS | common

    def search(
        self,
        query: str,
        *,
        k: int = 8,
        film: str | None = None,
        lexical_query: str | None = None,
        include: Sequence[int] = (),
    ) -> list[Passage]:
        """The k best passages for `query`; only passages about `film` (a title) if given.

        `include` names chunks the caller wants whatever their rank (a review's closing
        paragraph for a verdict); they come after the k best.
        """
        allowed = self.store.chunk_ids_about(film) if film is not None else None
        if allowed is not None and len(allowed) == 0:
            return []
        pool = max(4 * k, 40)
        vector = self.embedder.encode_query(query)
        dense = self.store.search_dense(vector, pool, allowed)
        lexical_text = lexical_query or query
        lexical = self.store.search_lexical(
            fts_query(lexical_text, self._skipped_words(lexical_text, film)), pool, film
        )
        fused = reciprocal_rank_fusion([chunk for chunk, _ in dense], lexical)
        ranked = sorted(fused, key=lambda chunk: fused[chunk], reverse=True)
        article_of = self.store.article_of(ranked[:pool])
        chosen = diversify([c for c in ranked if c in article_of], article_of, k, max(2, k // 3))
        chosen += [chunk for chunk in include if chunk not in chosen]
        rows = self.store.chunks(chosen)
        dense_scores = dict(dense)
        lexical_rank = {chunk: rank for rank, chunk in enumerate(lexical)}
        passages = []
        for chunk in chosen:
            article_id, headings, text, sentences = rows[chunk]
            similarity = dense_scores.get(chunk)
            if similarity is None:
                similarity = float(self.store.vectors.reconstruct(chunk) @ vector)
            passages.append(
                Passage(
                    chunk_id=chunk,
                    article=self.articles[article_id],
                    text=text,
                    headings=headings,
                    sentences=sentences,
                    score=fused.get(chunk, 0.0),
                    dense_score=similarity,
                    lexical_rank=lexical_rank.get(chunk),
                )
            )
        return passages
