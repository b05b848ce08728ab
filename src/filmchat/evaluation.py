"""Evaluation: retrieval and answer quality on a gold set, so quality cannot silently regress.

A gold item is one conversation (`turns`); its expectations apply to the last turn:
`answerable`, the `articles` that hold the answer, and `phrases` of which one must appear in it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

from filmchat.errors import FilmchatError
from filmchat.models import Answer

if TYPE_CHECKING:
    from filmchat.embedding import Embedder
    from filmchat.settings import Settings


class GoldItem(BaseModel):
    id: str
    category: str = "general"
    turns: list[str] = Field(min_length=1)
    answerable: bool = True
    articles: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)


class ItemResult(BaseModel):
    id: str
    category: str
    answerable: bool
    answered: bool
    rank: int | None = Field(description="1-based rank of the first gold passage, if retrieved.")
    hit: bool
    answer: str


class Scores(BaseModel):
    questions: int
    answerable: int
    unanswerable: int
    recall_at_5: float
    mrr: float
    answer_hit_rate: float
    refusal_accuracy: float
    false_refusals: int
    results: list[ItemResult]

    def table(self) -> list[tuple[str, str]]:
        return [
            (
                "questions",
                f"{self.questions} ({self.answerable} answerable, {self.unanswerable} not)",
            ),
            ("Recall@5", f"{self.recall_at_5:.3f}"),
            ("MRR", f"{self.mrr:.3f}"),
            ("answer hit rate", f"{self.answer_hit_rate:.3f}"),
            ("refusal accuracy", f"{self.refusal_accuracy:.3f}"),
            ("answerable but refused", str(self.false_refusals)),
        ]


def default_gold_path() -> Path:
    return Path(str(resources.files("filmchat") / "data" / "gold.jsonl"))


def load_gold(path: Path) -> list[GoldItem]:
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FilmchatError(f"Cannot read gold set {path}: {exc.strerror}.") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            items.append(GoldItem.model_validate_json(line))
        except ValidationError as exc:
            raise FilmchatError(
                f"{path}:{number}: not a gold item ({exc.errors()[0]['msg']})."
            ) from exc
    if not items:
        raise FilmchatError(f"{path} holds no gold items.")
    return items


def score_item(item: GoldItem, answer: Answer) -> ItemResult:
    gold = set(item.articles)
    rank = next((n for n, p in enumerate(answer.passages, 1) if p.article.article_id in gold), None)
    cited = {c.article_id for c in answer.citations}
    text = answer.text.lower()
    hit = (
        answer.answered
        and (not item.phrases or any(p.lower() in text for p in item.phrases))
        and (not gold or bool(cited & gold))
    )
    return ItemResult(
        id=item.id,
        category=item.category,
        answerable=item.answerable,
        answered=answer.answered,
        rank=rank,
        hit=hit,
        answer=answer.text,
    )


def evaluate(items: Iterable[GoldItem], run: Callable[[list[str]], list[Answer]]) -> Scores:
    """Run each gold conversation through `run` and aggregate the scores."""
    results = [score_item(item, run(item.turns)[-1]) for item in items]
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    return Scores(
        questions=len(results),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        recall_at_5=_mean(r.rank is not None and r.rank <= 5 for r in answerable),
        mrr=_mean(1.0 / r.rank if r.rank else 0.0 for r in answerable),
        answer_hit_rate=_mean(r.hit for r in answerable),
        refusal_accuracy=_mean(not r.answered for r in unanswerable),
        false_refusals=sum(not r.answered for r in answerable),
        results=results,
    )


def _mean(values: Iterable[float | bool]) -> float:
    items = [float(v) for v in values]
    return sum(items) / len(items) if items else 0.0


def dump(scores: Scores) -> str:
    return json.dumps(scores.model_dump(exclude={"results"}))


# --- a folder of real articles, scored as a user meets them ------------------------------------

OUTCOMES = ("right", "wrong", "wrongly refused", "refused", "wrongly answered")


class RealQuestion(BaseModel):
    """A question in the realdev format: written from one article before any answer was seen."""

    id: str
    film: str | None = None
    turns: list[str] = Field(min_length=1)
    expect: list[str] = Field(default_factory=list)
    gold: list[str] = Field(default_factory=list)
    unanswerable: bool = False
    type: str = "general"


class Inferred(BaseModel):
    """What `add` made of one file of the folder, beside the truth when the folder gives it."""

    file: str
    article_id: str | None = None
    film: str | None = None
    year: int | None = None
    true_film: str | None = None
    true_year: int | None = None
    error: str | None = None

    @property
    def film_right(self) -> bool:
        return bool(
            self.film and self.true_film and fold_title(self.film) == fold_title(self.true_film)
        )

    @property
    def year_right(self) -> bool:
        return self.year is not None and self.year == self.true_year


class QuestionResult(BaseModel):
    id: str
    type: str
    outcome: str
    question: str
    answer: str


class FolderScores(BaseModel):
    inferred: list[Inferred]
    results: list[QuestionResult]

    def counts(self) -> dict[str, dict[str, int]]:
        """Outcome counts per question type, plus 'all answerable' and 'unanswerable'."""
        table: dict[str, dict[str, int]] = {}
        for result in self.results:
            for row in (result.type, "all" if result.type != "unanswerable" else None):
                if row is None:
                    continue
                table.setdefault(row, dict.fromkeys(OUTCOMES, 0))[result.outcome] += 1
        return table

    def summary(self) -> dict[str, float | int]:
        answerable = [r for r in self.results if r.type != "unanswerable"]
        unanswerable = [r for r in self.results if r.type == "unanswerable"]
        known = [i for i in self.inferred if i.true_film]
        return {
            "answerable": len(answerable),
            "right": sum(r.outcome == "right" for r in answerable),
            "wrongly_refused": sum(r.outcome == "wrongly refused" for r in answerable),
            "unanswerable": len(unanswerable),
            "refused": sum(r.outcome == "refused" for r in unanswerable),
            "articles": len(self.inferred),
            "film_right": sum(i.film_right for i in known),
            "year_right": sum(i.year_right for i in known),
            "not_added": sum(i.error is not None for i in self.inferred),
        }


def fold_title(title: str) -> str:
    return " ".join(title.lower().replace("’", "'").split())


def load_questions(path: Path) -> list[RealQuestion]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FilmchatError(f"Cannot read questions file {path}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise FilmchatError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}).") from exc
    try:
        return [RealQuestion.model_validate(item) for item in raw]
    except (ValidationError, TypeError) as exc:
        raise FilmchatError(f"{path}: not a list of questions in the realdev format.") from exc


def load_truth(folder: Path) -> dict[str, dict[str, object]]:
    """`films.json` beside the articles: file → {"film", "year"}, when the folder has one."""
    path = folder / "films.json"
    if not path.is_file():
        return {}
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        raise FilmchatError(f"{path}: not a JSON object of file → film and year.") from exc


def score_question(
    question: RealQuestion, answer: Answer, gold_articles: set[str]
) -> QuestionResult:
    """Right means answered, an expected phrase in the answer, and the gold article cited."""
    if question.unanswerable:
        outcome = "wrongly answered" if answer.answered else "refused"
    elif not answer.answered:
        outcome = "wrongly refused"
    else:
        text = fold_title(answer.text)
        cited = {c.article_id for c in answer.citations}
        phrase = not question.expect or any(fold_title(p) in text for p in question.expect)
        outcome = "right" if phrase and (not gold_articles or cited & gold_articles) else "wrong"
    return QuestionResult(
        id=question.id,
        type="unanswerable" if question.unanswerable else question.type,
        outcome=outcome,
        question=" / ".join(question.turns),
        answer=answer.text,
    )


def evaluate_folder(
    settings: Settings,
    folder: Path,
    questions: list[RealQuestion],
    workdir: Path,
    *,
    embedder: Embedder | None = None,
    given_films: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> FolderScores:
    """Add the folder's articles to a copy of the corpus as a user would, index, and ask.

    Each file is added on its own with nothing but the file (no --film), so a file whose film
    cannot be told is reported and left out rather than stopping the run. `given_films` adds
    each with the film and year of the folder's films.json instead, to score answering alone.
    """
    from filmchat.conversation import Conversation, Engine
    from filmchat.corpus import is_article_file
    from filmchat.indexer import add_articles, already_held, build_index

    truth = load_truth(folder)
    # with a films.json, the articles are the files it lists; else every article file but a README
    files = sorted(
        p
        for p in folder.iterdir()
        if is_article_file(p) and (p.name in truth if truth else p.stem.lower() != "readme")
    )
    held = already_held(settings, files)
    if held:  # they would be refused as duplicates and scored as the corpus's copies
        listed = ", ".join(f"{path.name} as {name}" for path, name in list(held.items())[:3])
        raise FilmchatError(
            f"The corpus {settings.corpus} already holds {len(held)} of these articles "
            f"({listed}), so they cannot be added as a user adds them; score against another "
            "corpus with --corpus (an empty folder scores the folder alone)."
        )
    corpus = workdir / "corpus"
    if settings.corpus.is_dir():
        shutil.copytree(settings.corpus, corpus)
    else:
        corpus.mkdir(parents=True)
    trial = settings.model_copy(update={"corpus": corpus, "index": workdir / "index"})
    inferred: list[Inferred] = []
    for path in files:
        true = truth.get(path.name, {})
        item = Inferred(file=path.name, true_film=true.get("film"), true_year=true.get("year"))
        try:
            given = {"film": item.true_film, "year": item.true_year} if given_films else {}
            (added,) = add_articles(trial, [path], **given)
        except FilmchatError as exc:
            item.error = str(exc)
        else:
            item.article_id = added.path.relative_to(corpus).with_suffix("").as_posix()
            item.film, item.year = added.meta.film, added.meta.year
        inferred.append(item)
    progress(f"Added {sum(i.error is None for i in inferred)} of {len(inferred)} articles.")
    if embedder is None:
        from filmchat.embedding import Embedder

        embedder = Embedder(trial)
    build_index(trial, embedder=embedder)
    engine = Engine(trial, embedder)
    article_of = {i.file: i.article_id for i in inferred if i.article_id}
    results = []
    for question in questions:
        conversation = Conversation(engine)
        answer = [conversation.ask(turn) for turn in question.turns][-1]
        gold = {article_of[g] for g in question.gold if g in article_of}
        results.append(score_question(question, answer, gold))
    return FolderScores(inferred=inferred, results=results)
