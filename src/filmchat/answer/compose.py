"""Answer composition without a language model: pick the review sentences that answer.

Every answer sentence is a sentence of a retrieved passage, cited to its article. Whether the
reviews answer at all is decided from the evidence, not from a similarity threshold: the
sentence must belong to the film asked about, and what is asked (a rating, a running time, a
person in some role) must actually be stated in it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from filmchat.answer.evidence import (
    ABOUT_THE_ARTICLE,
    SYNOPSIS,
    TITLE_LIST_ITEM,
    covers,
    credits_role,
    has_role_cue,
    makers_title,
    sentence_films,
    states_what_is_asked,
)
from filmchat.answer.features import REASON
from filmchat.answer.judgement import is_verdict, polarity, verdict_weight
from filmchat.answer.kinds import KIND_BY_NAME, Intent
from filmchat.films import Film, title_used_in
from filmchat.meaning import STANDS_FOR
from filmchat.models import Answer, AnswerSentence, ArticleRecord, Citation, Passage, Sentence
from filmchat.terms import content_stems, words

# --- composition --------------------------------------------------------------------------------


@dataclass
class Candidate:
    sentence: Sentence
    passage: Passage
    score: float
    stems: list[str]


def _idf(document_frequency: dict[str, int], total: int, stem: str) -> float:
    frequency = document_frequency.get(stem, 0)
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _too_similar(stems: list[str], chosen: list[Candidate]) -> bool:
    mine = set(stems)
    for other in chosen:
        theirs = set(other.stems)
        if mine and theirs and len(mine & theirs) / len(mine | theirs) > 0.6:
            return True
    return False


@dataclass
class Evidence:
    """Everything composition needs besides the passages."""

    film: Film | None
    catalog_titles: set[str]
    document_frequency: dict[str, int]
    total_chunks: int
    # asked stem → stems of the collection's words that mean nearly the same, with similarity
    related: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)
    # the film's characters, from its fact sheets: a plot is what they do
    characters: frozenset[str] = frozenset()

    def coverage(self, stems: list[str], asked: str) -> float:
        """1 when the sentence has the asked word (or its family), else the similarity of
        its closest word in meaning, else 0."""
        if covers(stems, asked):
            return 1.0
        close = self.related.get(asked)
        if not close:
            return 0.0
        return max((close[s] for s in stems if s in close), default=0.0)


def gather(
    question: str, passages: list[Passage], intent: Intent, evidence: Evidence
) -> list[Candidate]:
    """Scored sentences of the passages that belong to the film and state what is asked."""
    film_title = evidence.film.title.lower() if evidence.film else None
    whose = makers_title(evidence.film.title) if evidence.film else None
    # 'which film has a talking dog?', 'which movie is set in Seoul?': the last word names what
    # sets the film apart, so a sentence sharing only 'talk' or 'set' does not answer
    head = intent.focus[-1] if intent.focus and intent.across_films else None
    asks_director = intent.kind == "person" and intent.role == "director"
    spec = KIND_BY_NAME.get(intent.kind)
    open_question = intent.kind == "general" or bool(spec and spec.open)
    verdict = intent.kind == "verdict"
    weights = {s: _idf(evidence.document_frequency, evidence.total_chunks, s) for s in intent.focus}
    passage_stems = {
        p.chunk_id: content_stems(" ".join(p.headings) + " " + p.text) for p in passages
    }
    total_weight = sum(weights.values()) or 1.0
    rarest = max(weights, key=lambda s: weights[s]) if weights else ""
    candidates: list[Candidate] = []
    for passage in passages:
        owners = sentence_films(passage, evidence.catalog_titles)
        for sentence in passage.sentences:
            owner = owners.get(sentence.block) if sentence.kind == "item" else None
            if evidence.film is not None:
                if (
                    evidence.film.article_ids
                    and passage.article.article_id in evidence.film.article_ids
                ):
                    if owner not in (None, film_title) and intent.kind != "similar":
                        continue  # an item about another film inside this film's review
                elif owner != film_title and not title_used_in(sentence.text, evidence.film.title):
                    continue  # another film's review: only what it says about this film
            text = sentence.text
            if len(words(text)) < 4 and sentence.kind != "item" and ":" not in text:
                continue  # fragments, but not 'Rating: 9/10'
            if ABOUT_THE_ARTICLE.search(text):
                continue  # 'In this article, we delve into ...' says nothing about the film

            names_maker = bool(asks_director and whose and whose.search(text))
            position = sentence.start / (passage.article.text_length or 1)
            names_film = bool(evidence.film and title_used_in(text, evidence.film.title))
            if verdict:
                if not is_verdict(text, sentence.heading, position, names_film):
                    continue
            elif not names_maker and not states_what_is_asked(text, intent):
                continue
            stems = content_stems(text)
            heading_stems = content_stems(sentence.heading or "")
            matched = sum(w * evidence.coverage(stems, s) for s, w in weights.items())
            in_heading = sum(w * evidence.coverage(heading_stems, s) for s, w in weights.items())
            lexical = matched / total_weight
            if verdict:
                pass  # the verdict is on the film; the question's other words only rank
            elif not open_question:
                # a factual question's remaining words must be about this passage ('Samantha')
                if not all(
                    covers(passage_stems[passage.chunk_id] + stems, s) for s in intent.focus
                ):
                    continue
            elif intent.focus and matched == 0 and in_heading == 0:
                # no word of the question in the sentence or its heading: a passage that merely
                # sits close to the question is not evidence ('is it scary?' is not answered by
                # the first sentences of the nearest passage)
                continue
            elif (
                intent.focus
                and not any(covers(stems + heading_stems, s) for s in weights)
                and evidence.coverage(stems + heading_stems, rarest) < STANDS_FOR
            ):
                # answered only in other words: then the question's most telling word must be
                # there in a word that means the same ('car chases' is not answered by
                # 'runner', nor 'is it violent?' by 'dramatic')
                continue
            if head is not None and not (covers(stems, head) or covers(heading_stems, head)):
                continue  # 'the Kims talk their way in' says nothing of a talking dog
            score = 0.55 * lexical + 0.15 * (in_heading / total_weight) + 0.45 * passage.dense_score
            if intent.plot and re.search(
                r"plot|synopsis|story|premise|overview|summary", sentence.heading or "", re.I
            ):
                score += 0.2 if not intent.focus else 0.1  # 'what is it about' lives there
            if intent.plot and not intent.focus and SYNOPSIS.search(text):
                score += 0.15
            if intent.plot and evidence.characters and evidence.characters & set(stems):
                score += 0.2  # 'Lena (Natalie Portman) has been missing her husband for a year'

            if verdict:
                score += verdict_weight(text, sentence.heading, position, names_film)
            if intent.kind == "reason" and REASON.search(text):
                score += 0.15
            if intent.kind == "similar" and TITLE_LIST_ITEM.match(text):
                score += 0.3  # a recommendation list names the films outright
            if intent.kind == "person" and (names_maker or credits_role(text, intent.role)):
                score += 0.3
            if intent.role and has_role_cue(sentence.heading or "", intent.role):
                score += 0.2
            candidates.append(Candidate(sentence, passage, score, stems))
    candidates.sort(key=lambda c: c.score, reverse=True)
    seen: set[tuple[str, int]] = set()
    unique = []
    for candidate in candidates:  # chunks overlap by a sentence: each sentence once
        key = (candidate.passage.article.article_id, candidate.sentence.start)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def _what_follows(claim: Candidate, count: int = 2) -> list[Candidate]:
    """The sentences after a claim in its section: reviewers state a judgement, then say why
    ('The close is the worst part.' … 'It's incredibly mundane, failing to explain anything.')."""
    following = [
        s
        for s in claim.passage.sentences
        if s.heading == claim.sentence.heading and s.start > claim.sentence.start
    ]
    return [
        Candidate(s, claim.passage, claim.score, content_stems(s.text)) for s in following[:count]
    ]


def choose(candidates: list[Candidate], intent: Intent) -> list[Candidate]:
    """1-4 sentences: the best, near-duplicates dropped, several reviews for opinion questions."""
    if not candidates:
        return []
    best = candidates[0]
    if intent.listing and best.sentence.kind == "item":
        same_list = [  # the whole list, even where it spans chunks
            c
            for c in candidates
            if c.passage.article.article_id == best.passage.article.article_id
            and c.sentence.kind == "item"
            and c.sentence.heading == best.sentence.heading
        ]
        firsts: dict[int, Candidate] = {}
        for c in sorted(same_list, key=lambda c: c.sentence.start):
            firsts.setdefault(c.sentence.block, c)
        return list(firsts.values())[:8]
    if intent.kind == "reason":
        return [best, *_what_follows(best)]
    spec = KIND_BY_NAME.get(intent.kind)
    limit = spec.sentences if spec else 3
    if intent.kind == "general" and not (intent.opinion or intent.plot):
        limit = 3
    floor = best.score * (0.6 if limit == 3 else 0.8)
    chosen: list[Candidate] = [best]
    articles = {best.passage.article.article_id}
    for prefer_new_article in (True, False):
        for candidate in candidates[1:]:
            if len(chosen) >= limit or candidate.score < floor:
                break
            if candidate in chosen or _too_similar(candidate.stems, chosen):
                continue
            article = candidate.passage.article.article_id
            if prefer_new_article and article in articles:
                continue
            chosen.append(candidate)
            articles.add(article)
    return chosen


def cite(quoted: list[tuple[ArticleRecord, str]]) -> tuple[list[AnswerSentence], list[Citation]]:
    """Each sentence cited to its article, one marker per article, in order of first use."""
    markers: dict[str, int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for article, text in quoted:
        if article.article_id not in markers:
            markers[article.article_id] = len(markers) + 1
            citations.append(Citation.of(markers[article.article_id], article))
        marker = markers[article.article_id]
        citation = citations[marker - 1]
        citation.quote = f"{citation.quote} {text}".strip()
        sentences.append(AnswerSentence(text=text, markers=[marker]))
    return sentences, citations


def _citations(chosen: list[Candidate]) -> tuple[list[AnswerSentence], list[Citation]]:
    return cite([(c.passage.article, c.sentence.text) for c in chosen])


def nearest_articles(passages: list[Passage], limit: int = 3) -> list[Citation]:
    """For a refusal: where the closest material is, without quoting it as an answer."""
    seen: list[Citation] = []
    for passage in passages:
        article = passage.article
        if any(c.article_id == article.article_id for c in seen):
            continue
        seen.append(Citation.of(len(seen) + 1, article))
        if len(seen) == limit:
            break
    return seen


def refusal(
    question: str, film: str | None, passages: list[Passage], reason: str | None = None
) -> Answer:
    scope = f" about {film}" if film else ""
    message = reason or f"The reviews in this collection{scope} don't cover that."
    return Answer(
        question=question,
        film=film,
        answered=False,
        message=message,
        citations=nearest_articles(passages),
        passages=passages,
    )


def compose(question: str, passages: list[Passage], intent: Intent, evidence: Evidence) -> Answer:
    """An extractive, cited answer, or a refusal when the evidence does not answer."""
    film_label = evidence.film.label if evidence.film else None
    candidates = gather(question, passages, intent, evidence)
    spec = KIND_BY_NAME.get(intent.kind)
    if not candidates and spec and spec.fallback:
        # 'What score did the reviewer give it?' with no number: the verdict in words
        intent = dataclasses.replace(intent, kind=spec.fallback)
        candidates = gather(question, passages, intent, evidence)
    chosen = choose(candidates, intent)
    if not chosen:
        return refusal(question, film_label, passages)
    sentences, citations = _citations(chosen)
    return Answer(
        question=question,
        film=film_label,
        answered=True,
        sentences=sentences,
        citations=citations,
        passages=passages,
        listing=intent.listing and all(c.sentence.kind == "item" for c in chosen),
    )


_THANKS = re.compile(r"\b(thanks|thank you|thx|cheers)\b", re.I)  # 'ok thanks, bye' too
_GREETING = re.compile(r"^\W*(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening))\b", re.I)


def reply(question: str, films: list[str]) -> Answer:
    """A chatbot's manners: greetings, thanks and 'what can you do?' get a short reply that
    says what the collection holds and how to ask, never a refusal."""
    if _THANKS.search(question):
        opening = "You're welcome."
    elif _GREETING.match(question):
        opening = "Hello!"
    else:
        opening = "I answer questions about films from the reviews in this collection, citing them."
    if films:
        shown = ", ".join(films[:8]) + (f" and {len(films) - 8} more" if len(films) > 8 else "")
        first = films[0].rsplit(" (", 1)[0]
        known = (
            f" The collection has reviews of {shown}. Try “Who directed {first}?”, "
            f"“What do the reviews say about its themes?” or “Is {first} worth watching?”"
        )
    else:
        known = " The collection has no reviews yet: add some with `filmchat add`."
    return Answer(
        question=question, film=None, answered=False, message=opening + known, smalltalk=True
    )


# ---- credits from the fact sheet ----------------------------------------------------------------

# 'Who plays Lady Bird's mother?': the part is named by its relation to another character
_RELATION = re.compile(r"[’']s\s+(?:\w+\s+)??(?P<relation>[a-z][\w-]*)")


@dataclass(frozen=True)
class Credit:
    """One row of an article's fact sheet (see `filmchat.facts`)."""

    article: ArticleRecord
    role: str
    person: str
    character: str | None
    sentence: str
    basis: str = "stated"  # or "implied", "front matter" (see `filmchat.facts.Basis`)
    spelt: str | None = None  # the article's own spelling, when most articles spell it `person`

    def wording(self) -> str:
        """The answer sentence: the stating sentence as written; an inferred credit never
        reads as a stated one, and a front-matter field says where it comes from."""
        if self.basis == "implied":
            return (
                f"The review doesn't say outright; it credits {self.person} with the film: "
                f"“{self.sentence}”"
            )
        if self.basis == "front matter":
            return f"From the article's front matter: {self.sentence}"
        return self.sentence


def _plays_asked_part(credit: Credit, question: str, focus: list[str]) -> bool:
    """Whether a cast credit is for the part the question names."""
    if not credit.character:
        return False
    if all(covers(content_stems(credit.person), asked) for asked in focus):
        return True  # 'Who does Amy Adams play?'
    relation = _RELATION.search(question)
    named = content_stems(credit.character)
    if relation:
        # 'her mother Marion (Laurie Metcalf)': the relation stands just before the name
        word = re.escape(relation.group("relation"))
        name = re.escape(credit.character.split()[0])
        shape = rf"\b{word}\w*[,:]?\s+(?:\w+\s+){{0,2}}?{name}"
        if re.search(shape, credit.sentence, re.I):
            return True
        # the one whose relation is asked is not the answer ('Lena' for 'Lena's husband')
        owner = content_stems(question[: relation.start()].split()[-1])
        focus = [asked for asked in focus if not covers(owner, asked)]
    if not any(covers(named, asked) for asked in focus):
        return False
    # the question's other words ('young Chiron') are in the sentence that credits it
    return all(covers(named + content_stems(credit.sentence), asked) for asked in focus)


def relation_asked(question: str) -> str | None:
    """'Lady Bird's mother' → 'mother': a part named by its relation to another."""
    found = _RELATION.search(question)
    return found.group("relation") if found else None


def credits_answer(
    question: str, intent: Intent, film_label: str | None, credits: list[Credit]
) -> Answer | None:
    """A 'who …?' answer from the fact sheet: the sentences that credit the asked role (the
    asked part, for the cast), each cited. None when the sheet has nothing to say, so the
    caller decides between the passages and a refusal."""
    if intent.kind != "person" or intent.role is None:
        return None
    matching = [c for c in credits if c.role == intent.role]
    if intent.role == "cast":
        if not intent.focus:
            return None  # 'who is in it?' is a cast list: the passages keep lists whole
        matching = [c for c in matching if _plays_asked_part(c, question, intent.focus)]
    seen_people: dict[str, Credit] = {}
    for credit in matching:
        seen_people.setdefault(credit.person, credit)  # the first sentence crediting each
    chosen = list(seen_people.values())[:3]
    if not chosen:
        return None
    markers: dict[str, int] = {}
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    for credit in chosen:
        article = credit.article
        if article.article_id not in markers:
            markers[article.article_id] = len(markers) + 1
            citations.append(Citation.of(markers[article.article_id], article, credit.sentence))
        sentences.append(
            AnswerSentence(text=credit.wording(), markers=[markers[article.article_id]])
        )
    return Answer(
        question=question, film=film_label, answered=True, sentences=sentences, citations=citations
    )


# ---- the whole collection, one line per film ----------------------------------------------

_RANKS_REVIEWS = re.compile(
    r"\b(most|least) (positive|negative|favou?rable|critical|enthusiastic)\b", re.I
)


def collection_answer(
    question: str, intent: Intent, per_film: list[tuple[str, list[Candidate]]]
) -> Answer:
    """'Which films in the collection are about grief?': the best sentence of each film that
    has one, a line per film, each cited; 'Which reviews are the most positive?' ranks the
    films by their verdicts. Refused when no film's reviews say it."""
    best = [(label, found[0]) for label, found in per_film if found]
    ranking = _RANKS_REVIEWS.search(question)
    if ranking:
        praise = ranking.group(1).lower() == "most" and ranking.group(2).lower() != "negative"
        best.sort(key=lambda pair: polarity(pair[1].sentence.text), reverse=praise)
        best = best[:5]
    if not best:
        return refusal(question, None, [c.passage for _, found in per_film for c in found])
    sentences, citations = _citations([candidate for _, candidate in best])
    for (label, _), sentence in zip(best, sentences, strict=True):
        sentence.text = f"{label}: {sentence.text}"
    return Answer(
        question=question,
        film=None,
        answered=True,
        sentences=sentences,
        citations=citations,
        passages=[candidate.passage for _, candidate in best],
        listing=True,
    )
