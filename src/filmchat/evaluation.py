"""Evaluation: retrieval and answer quality on a gold set, so quality cannot silently regress.

A gold item is one conversation (`turns`); its expectations apply to the last turn:
`answerable`, the `articles` that hold the answer, and `phrases` of which one must appear in it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from filmchat.errors import FilmchatError
from filmchat.models import Answer


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
