"""Conversation: follow-ups resolved against earlier turns, film scoping, then an answer.

`Engine` holds what is expensive to load (the index and the model) and is shared; a
`Conversation` holds one chat's state: the film in scope and what was last talked about.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from filmchat import collection
from filmchat.answer import (
    Credit,
    Evidence,
    Intent,
    classify,
    collection_answer,
    compose,
    credits_answer,
    gather,
    refusal,
    relation_asked,
    reply,
    title_words,
)
from filmchat.answer.evidence import item_films
from filmchat.answer.features import (
    Candidate,
    Context,
    declares_evidence,
    feature_matrix,
    states_asked,
)
from filmchat.answer.ranked import choose, cited_answer
from filmchat.answer.scorer import Scorer, default_scorer
from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError
from filmchat.facts_sheet import settle_credits
from filmchat.films import (
    Film,
    build_catalog,
    films_named,
    find_film,
    mentioned_titles,
    titles_pattern,
)
from filmchat.llm import AnswerStream, ChatClient, LLMCancelled, LLMError, condense_question
from filmchat.meaning import WordSpace
from filmchat.models import Answer, ArticleRecord, Passage, Sentence
from filmchat.retrieval import Retriever
from filmchat.settings import Settings
from filmchat.store import IndexStore
from filmchat.terms import GENERIC, STOPWORDS, content_terms, fold, stem, words

# Questions answered from their topic words, where a paraphrase must find its answer.
OPEN_KINDS = frozenset({"general", "plot", "reason", "verdict"})

_PRONOUN_FILM = re.compile(
    r"\b(it|this film|that film|this movie|that movie|the film|the movie)\b", re.I
)
_PERSON_PRONOUN = re.compile(r"\b(his|her|he|him|she|their|they|them)\b", re.I)
_ELLIPSIS = re.compile(r"^\s*(and|what about|how about|what of|and what about)\b\s*", re.I)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)*)")
_NAME = re.compile(
    r"\b[A-Z][a-zà-ÿ'’\-]+(?:\s+(?:van|von|de|der|del|da|di|le|la)?\s*[A-Z][a-zà-ÿ'’\-]+)+"
)
_CREDITED = re.compile(
    rf"(?:played|portrayed|voiced|performed|directed|composed|written)\s+by\s+({_NAME.pattern})"
    rf"|\(({_NAME.pattern})\)|({_NAME.pattern})\s+(?:as|plays|stars)\b"
)


def source_names(article: ArticleRecord) -> list[str]:
    """How a question names an article's source: its site ('the guardian', 'guardian',
    'mashable' for mashable.com) or its author ('zach saul')."""
    names = []
    for value in (article.meta.site, article.meta.author):
        if not value:
            continue
        name = fold(value).strip()
        name = re.sub(r"^www\.|\.(com|org|net|co\.uk|io|blog)$", "", name)
        names.append(name)
        if name.startswith("the "):
            names.append(name[4:])
    return [n for n in names if len(n) >= 3 and n not in STOPWORDS]


class Engine:
    """The live index, the embedding model and the film catalogue, shared by conversations."""

    def __init__(self, settings: Settings, embedder: Embedder, store: IndexStore | None = None):
        self.settings = settings
        self.embedder = embedder
        self.store = store or IndexStore.open(settings.index)
        self._load()

    def _load(self) -> None:
        if self.store.manifest.model != self.settings.model:
            raise FilmchatError(
                f"The index was built with {self.store.manifest.model}, not {self.settings.model}; "
                "run `filmchat index --full`."
            )
        self.retriever = Retriever(self.store, self.embedder)
        articles = list(self.retriever.articles.values())
        mentions = mentioned_titles(self.store.sentences_naming_years())
        self.catalog: list[Film] = build_catalog(articles, mentions)
        self.catalog_titles = {film.title.lower() for film in self.catalog}
        self.folded_titles = {fold(film.title) for film in self.catalog}
        self.titles_pattern = titles_pattern(self.catalog)
        self.source_index: dict[str, list[ArticleRecord]] = {}
        for article in articles:
            for name in source_names(article):
                self.source_index.setdefault(" ".join(words(name)), []).append(article)
        self._word_space: WordSpace | None = None
        self._scorer: Scorer | None = getattr(self, "_scorer", None)

    @property
    def word_space(self) -> WordSpace:
        """The collection's word vectors, loaded on the first question that needs them."""
        if self._word_space is None:
            self._word_space = WordSpace(*self.store.word_vectors())
        return self._word_space

    def related_words(self, intent: Intent) -> dict[str, dict[str, float]]:
        """Words of the collection meaning nearly what an open question's words mean."""
        if not intent.terms or intent.kind not in OPEN_KINDS:
            return {}
        related = self.word_space.related(intent.terms, self.embedder.encode)
        # words most passages use ('film', 'cinema' for the cinematography) say nothing
        common = self.store.manifest.chunks / 2
        return {
            asked: {
                word: similarity
                for word, similarity in close.items()
                if word not in GENERIC and self.store.document_frequency(word) <= common
            }
            for asked, close in related.items()
        }

    def reload(self) -> None:
        """Switch to the index's newest generation (after a rebuild) without a restart."""
        fresh = IndexStore.open(self.settings.index)
        old, self.store = self.store, fresh
        self._load()
        old.close()

    @property
    def scorer(self) -> Scorer:
        """The fitted answer scorer (the fitting script swaps in one per fold)."""
        if self._scorer is None:
            self._scorer = default_scorer()
        return self._scorer

    @scorer.setter
    def scorer(self, scorer: Scorer) -> None:
        self._scorer = scorer

    def candidates(
        self, film: Film | None, passages: list[Passage], keep_other_films: bool = False
    ) -> list[Candidate]:
        """Every sentence of the film's own reviews, but for list items about other films
        (unless asked for similar films); without a film, the passages' sentences."""
        if film is not None and film.article_ids:
            article_ids = list(film.article_ids)
            keep = None
        else:
            article_ids = sorted({p.article.article_id for p in passages})
            keep = {(p.article.article_id, s.start) for p in passages for s in p.sentences}
        articles = self.retriever.articles
        by_article: dict[str, list[tuple[Sentence, np.ndarray]]] = {}
        for article_id, sentence, vector in self.store.article_sentences(article_ids):
            by_article.setdefault(article_id, []).append((sentence, vector))
        rank_of: dict[tuple[str, int], int] = {}
        for rank, passage in enumerate(passages):
            for sentence in passage.sentences:
                rank_of.setdefault((passage.article.article_id, sentence.start), rank)
        own_title = film.title.lower() if film else None
        found = []
        for article_id, rows in by_article.items():
            siblings = [sentence for sentence, _ in rows]
            owners = item_films(siblings, self.catalog_titles)
            for index, (sentence, vector) in enumerate(rows):
                key = (article_id, sentence.start)
                owner = owners.get(sentence.block) if sentence.kind == "item" else None
                if own_title and owner not in (None, own_title) and not keep_other_films:
                    continue  # an item about another film inside this film's review
                if keep is None or key in keep:
                    candidate = Candidate(
                        articles[article_id], sentence, vector, index, siblings, rank_of.get(key)
                    )
                    found.append(candidate)
        return found

    def credits(self, film: Film) -> list[Credit]:
        """The fact sheets of the film's reviews: who made it and who plays whom, each credit
        with the article and the sentence that state it."""
        articles = self.retriever.articles
        return settle_credits(
            [
                Credit(articles[article_id], role, person, character, sentence, basis)
                for article_id, role, person, character, sentence, basis in self.store.facts(
                    film.article_ids
                )
            ]
        )

    def sources_named(self, question: str) -> list[ArticleRecord]:
        """Articles whose site or critic the question names ('Did the Guardian like it?',
        'What does the Mashable critic think?'), from their metadata: a lookup of the
        question's runs of up to four words, so thousands of articles cost nothing."""
        tokens = words(question)
        runs = {
            " ".join(tokens[i : i + n]) for n in range(1, 5) for i in range(len(tokens) - n + 1)
        }
        found = {a.article_id: a for run in runs for a in self.source_index.get(run, [])}
        return list(found.values())

    def find(self, name: str) -> Film:
        """A reviewed film by a user's words; FilmchatError names the films there are."""
        film = find_film(name, self.catalog)
        if film is None or film.mentioned_only:
            known = ", ".join(self.films()) or "none yet"
            raise FilmchatError(f"No film called {name!r} in the collection (films: {known}).")
        return film

    def films(self) -> list[str]:
        """Films with reviews in the collection."""
        return sorted(f.label for f in self.catalog if not f.mentioned_only)


@dataclass
class Scoring:
    """What the scorer weighs for one question: its candidates and their feature rows."""

    candidates: list[Candidate]
    matrix: np.ndarray
    intent: Intent

    @property
    def stated(self) -> bool:
        """Each candidate states what the kind declares an answer must state."""
        return declares_evidence(self.intent)


@dataclass
class Turn:
    question: str
    resolved: str
    intent: Intent
    answer: Answer
    film: Film | None


@dataclass
class Conversation:
    """One chat: questions in order, each resolved against the turns before it."""

    engine: Engine
    forced_film: str | None = None
    k: int = 8
    llm: ChatClient | None = None
    history: list[Turn] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._film: Film | None = None
        self._found: Film | None = None  # the film the last answer across films came from
        if self.forced_film:
            self.set_film(self.forced_film)

    @property
    def film(self) -> str | None:
        return self._film.label if self._film else None

    @property
    def turns(self) -> list[Answer]:
        return [turn.answer for turn in self.history]

    def set_film(self, name: str | None) -> str | None:
        """Scope the conversation to a film; FilmchatError names the films there are."""
        if name is None:
            self._film = self._found = None
            return None
        film = find_film(name, self.engine.catalog)
        if film is None:
            known = ", ".join(self.engine.films()) or "none yet"
            raise FilmchatError(f"No film called {name!r} in the collection (films: {known}).")
        self._film = film
        return film.label

    def fork(self) -> Conversation:
        """A copy to answer on tentatively (a cancelled answer must leave no turn behind)."""
        twin = copy.copy(self)
        twin.history = list(self.history)
        return twin

    def clear(self) -> None:
        self.history.clear()
        self._found = None
        if not self.forced_film:
            self._film = None

    # --- resolution ---------------------------------------------------------------------------

    def _scope(self, named: list[Film]) -> Film | None:
        """The film asked about: the forced one (--film), one the question names, the
        conversation's, or the only one."""
        if self.forced_film and self._film is not None:
            return find_film(self._film.title, self.engine.catalog) or self._film
        if named:
            with_articles = [f for f in named if not f.mentioned_only]
            return (with_articles or named)[0]
        for film in (self._film, self._found):
            if film is not None:
                # the catalogue is rebuilt when the index is reloaded: its current entry
                return find_film(film.title, self.engine.catalog) or film
        reviewed = [f for f in self.engine.catalog if not f.mentioned_only]
        return reviewed[0] if len(reviewed) == 1 else None

    def _last_person(self) -> str | None:
        """The person the last turns were about: credited names first ('played by X')."""
        for turn in reversed(self.history):
            texts = [turn.question, *(s.text for s in turn.answer.sentences)]
            for text in texts:
                credited = _CREDITED.search(text)
                if credited:
                    return next(group for group in credited.groups() if group)
            for text in texts:
                names = [
                    n for n in _NAME.findall(text) if fold(n) not in self.engine.catalog_titles
                ]
                if names:
                    return names[0]
        return None

    def resolve(self, question: str) -> str:
        """The question as retrieval should see it, with pronouns and ellipsis filled in."""
        resolved = question.strip()
        previous = self.history[-1] if self.history else None
        if previous is None:
            return resolved
        ellipsis = _ELLIPSIS.match(resolved)
        if ellipsis:
            rest = resolved[ellipsis.end() :].strip(" ?")
            frame = previous.resolved.rstrip(" ?")
            catalog, pattern = self.engine.catalog, self.engine.titles_pattern
            if films_named(rest, catalog, pattern):
                # 'How long is Parasite?' + 'What about Inception?': the same question, other film
                asked_about = films_named(frame, catalog, pattern)
                for film in asked_about:
                    # the title as a title ('Her'), not the same letters elsewhere ('her job')
                    title = re.compile(rf"(?<![\w-]){re.escape(film.title)}(?![\w-])")
                    frame = title.sub(lambda _: rest, frame)
                resolved = f"{frame}?" if asked_about else f"{frame} — {rest}?"
            elif previous.intent.kind == "person" and previous.intent.role:
                resolved = f"who is responsible for {rest}?"
            elif previous.intent.focus:
                resolved = f"{frame} — {rest}?"
            else:
                resolved = f"{rest}?"
        person = self._last_person()
        if (
            person
            and _PERSON_PRONOUN.search(resolved)
            and not films_named(resolved, self.engine.catalog, self.engine.titles_pattern)
        ):
            resolved = _PERSON_PRONOUN.sub(person, resolved, count=1)
        return resolved

    # --- answering ----------------------------------------------------------------------------

    def _unknown_names(self, question: str, film: Film | None) -> list[str]:
        """Capitalised names in the question that no review in the collection mentions (nor
        names as its site or critic)."""
        titles = self.engine.folded_titles
        sources = {n for a in self.engine.sources_named(question) for n in source_names(a)}
        unknown = []
        for match in _CAPITALISED.finditer(question):
            phrase = match.group(1)
            folded = fold(phrase)
            if folded in STOPWORDS or any(n in folded for n in sources):
                continue
            if any(folded in title for title in titles):
                continue  # 'Clockwork Orange' is part of the title 'A Clockwork Orange'
            phrase_words = content_terms(phrase).values()
            store = self.engine.store
            if phrase_words and any(store.document_frequency(w) == 0 for w in phrase_words):
                unknown.append(phrase)
        return unknown

    def _generate(
        self,
        llm: ChatClient,
        question: str,
        extractive: Answer,
        on_stream: Callable[[AnswerStream], None] | None,
        warn: Callable[[str], None] | None,
    ) -> Answer | None:
        """The model's answer from the extractive answer's passages; None when it failed."""
        stream = AnswerStream(
            llm,
            question,
            extractive.passages,
            film=extractive.film,
            history=self.turns,
            uncited=self.engine.settings.llm_uncited,
        )
        try:
            if on_stream is not None:
                on_stream(stream)  # the UI shows the pieces and may cancel
            return stream.answer()
        except LLMCancelled:
            raise
        except LLMError as exc:
            if warn:
                warn(f"{exc} Showing the extractive answer.")
            return None

    def _from_credits(
        self, question: str, intent: Intent, film: Film | None, passages: list[Passage]
    ) -> Answer | None:
        """A credit question is answered from the fact sheet when it states the credit; a
        part the sheet knows nobody in is not guessed from passages ('Lena's husband')."""
        if film is None or not film.article_ids or intent.kind != "person":
            return None
        found = credits_answer(question, intent, film.label, self.engine.credits(film))
        if found is None and intent.role == "cast" and relation_asked(question):
            return refusal(question, film.label, passages)
        return found.model_copy(update={"passages": passages}) if found else None

    def retrieve(
        self,
        query: str,
        film: Film | None,
        k: int,
        intent: Intent | None = None,
        related: dict[str, dict[str, float]] | None = None,
    ) -> list[Passage]:
        """Passages from the film's own reviews and from others' passages that name it.

        The lexical half also looks for the words the question's words mean, and a verdict
        question also gets each review's closing passage, where verdicts sit.
        """
        synonyms = " ".join(word for close in (related or {}).values() for word in close)
        lexical = f"{query} {intent.evidence_words if intent else ''} {synonyms}".strip()
        if film is None:
            return self.engine.retriever.search(query, k=k, lexical_query=lexical)
        closing: list[int] = []
        if intent is not None and intent.kind == "verdict" and film.article_ids:
            closing = self.engine.store.closing_chunk_ids(film.article_ids)
        return self.engine.retriever.search(
            f"{film.title}: {query}" if film.mentioned_only else query,
            k=k,
            film=film.title,
            lexical_query=lexical,
            include=closing,
        )

    def ask(
        self,
        question: str,
        *,
        use_llm: bool = True,
        on_stream: Callable[[AnswerStream], None] | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question of the conversation with citations.

        Extractive by default: resolve the follow-up, plan (film and intent), answer from the
        evidence. With an LLM client the model may condense the follow-up (kept only when it
        still asks what the user asked) and rewrites the answer from the same passages, checked
        for citations; a refusal decided by the evidence stays a refusal (no model call), and
        any model failure falls back to the extractive answer to the user's own question.
        """
        question = question.strip()
        if not question:
            raise FilmchatError("Ask a question about a film (the question was empty).")
        llm = self.llm if use_llm else None
        own = self.resolve(question)
        resolved = self._condense(llm, question, own, warn) if llm and self.history else own
        film, intent = self._plan(resolved)
        answer = self._answer(question, resolved, film, intent)
        others = [f.label for f in self._named(resolved) if film and f.title != film.title]
        if self.forced_film and others and film:
            note = (
                f"Answering about {film.label} only, the film in scope (--film, /film); "
                f"the question names {others[0]}."
            )
            answer = answer.model_copy(update={"note": note})
        if llm is not None and answer.answered:
            generated = self._generate(llm, question, answer, on_stream, warn)
            if generated is None and resolved != own:
                film, intent = self._plan(own)  # the model's rewording failed it too
                resolved, answer = own, self._answer(question, own, film, intent)
            elif generated is not None:
                answer = generated
        if film is None and answer.answered and not intent.across_films:
            # 'Who plays Furiosa?' found its film: a follow-up is about it, while the scope the
            # user sees stays all films
            film = self._found = self._film_answered(answer)
        elif film is not None:
            self._film = film
        answer = answer.model_copy(update={"passages": self._returned(answer)})
        self.history.append(Turn(question, resolved, intent, answer, film))
        return answer

    def _film_answered(self, answer: Answer) -> Film | None:
        """The one film whose reviews an answer across the collection came from: follow-ups
        ('how long is it?') are about it."""
        films = {c.film for c in answer.citations}
        if len(films) != 1 or None in films:
            return None
        film = find_film(films.pop() or "", self.engine.catalog)
        return film if film is not None and not film.mentioned_only else None

    def _returned(self, answer: Answer) -> list[Passage]:
        """k passages come back, whatever more composing a list or a verdict looked at, plus
        any beyond them that an answer sentence was taken from."""
        quoted = {s.text for s in answer.sentences}
        extra = [p for p in answer.passages[self.k :] if quoted & {s.text for s in p.sentences}]
        return answer.passages[: self.k] + extra

    def _condense(
        self, llm: ChatClient, question: str, own: str, warn: Callable[[str], None] | None
    ) -> str:
        """The model's standalone form of a follow-up, when it asks what the user asked: the
        same kind of question, with every word the user typed. Else filmchat's own."""
        try:
            condensed = condense_question(llm, question, self.turns)
        except LLMError as exc:
            if warn:
                warn(f"{exc} Using the built-in follow-up resolution.")
            return own
        asked, kept = classify(own), classify(condensed)
        same_kind = (asked.kind, asked.role) == (kept.kind, kept.role)
        if same_kind and set(classify(question).terms) <= set(kept.terms) | set(asked.terms):
            return condensed
        return own

    def _named(self, text: str) -> list[Film]:
        return films_named(text, self.engine.catalog, self.engine.titles_pattern)

    def _plan(self, resolved: str) -> tuple[Film | None, Intent]:
        """The film asked about and what is asked of it."""
        named = self._named(resolved)
        sources = self.engine.sources_named(resolved)
        if not named and sources:
            named = [
                f
                for f in self.engine.catalog
                if set(f.article_ids) & {a.article_id for a in sources}
            ]
        film = self._scope(named)
        # only the words of the films this question is about name a film; elsewhere 'lost' or
        # 'mind' are what is asked about, even when some film in the catalogue has them; the
        # site or critic a question names says whose review, not what about
        names = [f.title for f in [*named, film] if f] + [
            n for a in sources for n in source_names(a)
        ]
        intent = classify(resolved, title_words(names))
        if intent.across_films and not named and not self.forced_film:
            film = None  # 'which film ...?' looks in every review, not the conversation's film
            intent = classify(resolved)
        return film, intent

    def _evidence(
        self, film: Film | None, intent: Intent, related: dict[str, dict[str, float]]
    ) -> Evidence:
        """What composing needs besides the passages: word weights, words of close meaning,
        and the film's characters for a plot question."""
        return Evidence(
            film=film,
            catalog_titles=self.engine.catalog_titles,
            document_frequency={
                stem: self.engine.store.document_frequency(word)
                for stem, word in intent.terms.items()
            },
            total_chunks=max(self.engine.store.manifest.chunks, 1),
            related={
                asked: {stem(word): similarity for word, similarity in close.items()}
                for asked, close in related.items()
            },
            characters=frozenset(
                stem(word)
                for credit in (self.engine.credits(film) if film and intent.plot else [])
                for word in words(credit.character or "")
            ),
        )

    def _across_collection(self, question: str, resolved: str, intent: Intent) -> Answer:
        """One line per film: its best sentence on the topic, or its verdict when the question
        ranks the reviews ('Which reviews are the most positive?'). One search over the whole
        collection finds the films that have something to say; each is then read on its own."""
        per_film = dataclasses.replace(intent, kind="verdict" if not intent.terms else "general")
        related = self.engine.related_words(per_film)
        retriever = self.engine.retriever
        lexical = f"{resolved} {per_film.evidence_words}"
        passages = retriever.search(resolved, k=4 * self.k, lexical_query=lexical)
        if per_film.kind == "verdict":  # and the closing words of each of those reviews
            closing = self.engine.store.closing_chunk_ids({p.article.article_id for p in passages})
            passages = retriever.search(
                resolved, k=4 * self.k, lexical_query=lexical, include=closing
            )
        by_film: dict[str, list[Passage]] = {}
        for passage in passages:
            if passage.article.meta.film:
                by_film.setdefault(passage.article.meta.film, []).append(passage)
        found = []
        for title, among in by_film.items():
            film = find_film(title, self.engine.catalog)
            if film is not None:
                evidence = self._evidence(film, per_film, related)
                found.append((film.label, gather(question, among, per_film, evidence)))
        return collection_answer(question, per_film, found)

    def _answer(self, question: str, resolved: str, film: Film | None, intent: Intent) -> Answer:
        """The extractive answer: a reply to small talk, a credit from the fact sheet, cited
        sentences of the passages that state what is asked, or a refusal."""
        if intent.kind == "smalltalk":
            return reply(question, self.engine.films())
        if intent.kind in collection.KINDS:  # the collection as a whole (issue 17)
            named = self._named(resolved)
            asked = collection.read_question(resolved, intent.kind, named, self.engine)
            if asked is not None:
                vector = self.engine.embedder.encode_query(resolved)
                return collection.answer(self.engine, question, asked, vector)
        if intent.kind == "collection":
            return self._across_collection(question, resolved, intent)
        passages, related = self._passages(resolved, film, intent)
        unknown = self._unknown_names(resolved, film)
        if unknown:
            return refusal(
                question,
                film.label if film else None,
                passages,
                f"The reviews in this collection don't mention {', '.join(unknown)}.",
            )
        credited = self._from_credits(question, intent, film, passages)
        if credited:
            return credited
        if self.engine.settings.answering == "rules":
            return compose(question, passages, intent, self._evidence(film, intent, related))
        scoring = self.scoring(resolved, film, intent, passages, related)
        scorer = self.engine.scorer
        label = film.label if film else None
        chosen = choose(scoring.candidates, *scorer.decide(scoring.matrix, scoring.stated), intent)
        fallback = intent.spec.fallback if intent.spec else None
        if not chosen and fallback:
            # 'What score did the reviewer give it?' with no number: the verdict in words
            intent = dataclasses.replace(intent, kind=fallback)
            scoring = self.scoring(resolved, film, intent, passages, related)
            chosen = choose(
                scoring.candidates, *scorer.decide(scoring.matrix, scoring.stated), intent
            )
        if not chosen:
            return refusal(question, label, passages)
        return cited_answer(question, label, chosen, passages, intent.listing)

    def _passages(
        self, resolved: str, film: Film | None, intent: Intent
    ) -> tuple[list[Passage], dict[str, dict[str, float]]]:
        """The passages found for the question, and the words its words mean."""
        k = self.k * 2 if intent.listing else self.k
        related = self.engine.related_words(intent)
        passages = self.retrieve(resolved, film, k, intent, related)
        sources = {a.article_id for a in self.engine.sources_named(resolved)}
        if sources:  # 'Did the Guardian like it?' is answered from the Guardian's review
            passages = [p for p in passages if p.article.article_id in sources]
        return passages, related

    def scoring_for(self, question: str) -> Scoring | None:
        """The scorer's view of a question as `ask` would weigh it (for fitting); None for
        what is answered without it (small talk, questions across the collection)."""
        resolved = self.resolve(question.strip())
        film, intent = self._plan(resolved)
        if intent.kind in ("smalltalk", "collection"):
            return None
        passages, related = self._passages(resolved, film, intent)
        return self.scoring(resolved, film, intent, passages, related)

    def scoring(
        self,
        resolved: str,
        film: Film | None,
        intent: Intent,
        passages: list[Passage],
        related: dict[str, dict[str, float]],
    ) -> Scoring:
        """The sentences in scope and their features: every sentence of the film's reviews,
        or, across the collection, the sentences of the passages found."""
        evidence = self._evidence(film, intent, related)
        idf = {
            stem_: math.log(1 + (evidence.total_chunks - df + 0.5) / (df + 0.5))
            for stem_, df in evidence.document_frequency.items()
        }
        context = Context(
            question=resolved,
            intent=intent,
            film_title=film.title if film else None,
            idf=idf,
            related=evidence.related,
            characters=evidence.characters,
            fact_sentences=frozenset(
                c.sentence for c in (self.engine.credits(film) if film else [])
            ),
        )
        # 'Did the Guardian like it?' is answered from the Guardian's review alone
        named = {a.article_id for a in self.engine.sources_named(resolved)}
        candidates = [
            c
            for c in self.engine.candidates(film, passages, intent.kind == "similar")
            if states_asked(c, context) and (not named or c.article.article_id in named)
        ]
        vector = self.engine.embedder.encode_query(resolved)
        return Scoring(candidates, feature_matrix(context, vector, candidates), intent)
