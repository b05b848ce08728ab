"""Fit the answer scorer on real reviews, cross-validated by source.

    .venv/bin/python fitting/fit_answers.py                 # figures only
    .venv/bin/python fitting/fit_answers.py --write         # and ship the weights
    .venv/bin/python fitting/fit_answers.py --dev ~/more-reviews   # with more real reviews

The dev folders (default: ../shared/realdev and ../shared/realdev2) hold real reviews in the
realdev format (films.json, questions.json, a README whose Sources table names each file's
repository and author). They are added with their true films to a copy of the bundled corpus
and indexed once. Each question's candidate sentences and features come from the engine's own
path (`Conversation.scoring_for`), computed once; a sentence is a positive when it is in the
gold article and holds an expected phrase.

Cross-validation is by source (an author or a site): for each source, the logistic regression
and its refusal threshold are fitted on the other sources' questions, and the engine answers the
left-out source's questions with those weights (`ask`, exactly as a user's question). The figure
beside it is in-sample: fitted and scored on everything. Their gap is what is fitted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from filmchat.answer.features import ANSWER_FEATURES, FEATURE_NAMES, answer_features
from filmchat.answer.ranked import answer_length
from filmchat.answer.scorer import SCORER_FILE, Logistic, Scorer
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError
from filmchat.evaluation import (
    RealQuestion,
    default_gold_path,
    fold_title,
    load_gold,
    load_questions,
    load_truth,
    score_question,
)
from filmchat.indexer import add_articles, build_index
from filmchat.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # the naive baseline is a benchmark script of its own
from benchmarks.naive_baseline import naive_hits  # noqa: E402

SHARED = PROJECT.parent / "shared"
DEFAULT_DEV = (SHARED / "realdev", SHARED / "realdev2")
_DOMAIN = re.compile(r"\b([\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk|io|edu))\b")


def workdir_default() -> Path:
    """Where the dev collection is indexed once, beside filmchat's other caches."""
    return Settings().cache / "fit-dev"


def sources(folder: Path) -> dict[str, str]:
    """File → source, from the README's Sources table: the site a page came from when the
    row names one (fixture repositories hold pages of many sites), else the repository."""
    found: dict[str, str] = {}
    readme = folder / "README.md"
    header: list[str] = []
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| file"):
            header = [c.lower() for c in cells]
            continue
        if not header or not line.startswith("|") or set(line) <= set("|- "):
            continue
        row = dict(zip(header, cells, strict=False))
        author = next((v for k, v in row.items() if k.startswith("author")), "")
        domain = _DOMAIN.search(author)
        found[row["file"]] = domain.group(1) if domain else row.get("repo", row["file"])
    return found


@dataclass
class DevQuestion:
    question: RealQuestion
    folder: str
    source: str
    gold: set[str]


def build_dev(folders: list[Path], workdir: Path, embedder: Embedder) -> tuple[Engine, list]:
    """The dev collection: the bundled corpus plus every dev article with its true film."""
    settings = Settings(corpus=workdir / "corpus", index=workdir / "index", answering="fitted")
    stamp = hashlib.sha256(
        "\n".join(f"{p}:{p.stat().st_size}" for f in folders for p in sorted(f.iterdir())).encode()
    ).hexdigest()
    marker = workdir / "articles.json"
    if not (marker.is_file() and json.loads(marker.read_text())["stamp"] == stamp):
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.copytree(PROJECT / "corpus", settings.corpus)
        article_of: dict[str, str] = {}
        for folder in folders:
            for name, truth in load_truth(folder).items():
                film, year = truth.get("film"), truth.get("year")
                (added,) = add_articles(settings, [folder / name], film=film, year=year)
                key = added.path.relative_to(settings.corpus).with_suffix("").as_posix()
                article_of[f"{folder.name}/{name}"] = key
        marker.write_text(json.dumps({"stamp": stamp, "articles": article_of}))
    article_of = json.loads(marker.read_text())["articles"]
    build_index(settings, embedder=embedder)
    questions = []
    for folder in folders:
        owner = sources(folder)
        for question in load_questions(folder / "questions.json"):
            gold = {article_of[f"{folder.name}/{g}"] for g in question.gold}
            file = question.gold[0] if question.gold else ""
            source = owner.get(file) or f"{folder.name}:{question.film}"
            questions.append(DevQuestion(question, folder.name, source, gold))
    for item in load_gold(default_gold_path()):  # the bundled corpus's own gold set
        question = RealQuestion(
            id=item.id,
            turns=item.turns,
            expect=item.phrases,
            gold=item.articles,
            unanswerable=not item.answerable,
            type=item.category if item.answerable else "unanswerable",
        )
        questions.append(DevQuestion(question, "gold", "the bundled corpus", set(item.articles)))
    return Engine(settings, embedder), questions


def _uniform(names: tuple[str, ...], weights: dict[str, float]) -> Logistic:
    n = len(names)
    coef = [weights.get(name, 0.0) for name in names]
    return Logistic(features=list(names), mean=[0.0] * n, scale=[1.0] * n, coef=coef, intercept=0)


def bootstrap() -> Scorer:
    """Before any fit: sentences ranked by cosine alone (only earlier turns use it)."""
    return Scorer(
        sentences=_uniform(FEATURE_NAMES, {"cosine": 1.0}),
        answers=_uniform(ANSWER_FEATURES, {}),
        threshold=0.5,
    )


@dataclass
class Rows:
    matrix: np.ndarray
    labels: np.ndarray
    question: int
    length: int  # how many sentences the answer may give
    stated: bool  # every candidate states what the kind declares an answer states


def feature_rows(engine: Engine, questions: list[DevQuestion]) -> list[Rows]:
    rows = []
    for n, item in enumerate(questions):
        conversation = Conversation(engine)
        for turn in item.question.turns[:-1]:
            conversation.ask(turn)
        scoring = conversation.scoring_for(item.question.turns[-1])
        if scoring is None or not scoring.candidates:
            continue
        expect = [fold_title(p) for p in item.question.expect]
        labels = np.array(
            [
                not item.question.unanswerable
                and c.article.article_id in item.gold
                and any(p in fold_title(c.sentence.text) for p in expect)
                for c in scoring.candidates
            ],
            dtype=bool,
        )
        length = answer_length(scoring.intent)
        rows.append(Rows(scoring.matrix, labels, n, length, scoring.stated))
    return rows


def _logistic(matrix: np.ndarray, labels: np.ndarray, names: tuple[str, ...]) -> Logistic:
    scaler = StandardScaler().fit(matrix)
    model = LogisticRegression(solver="newton-cholesky").fit(scaler.transform(matrix), labels)
    return Logistic(
        features=list(names),
        mean=scaler.mean_.tolist(),
        scale=np.where(scaler.scale_ > 0, scaler.scale_, 1.0).tolist(),
        coef=model.coef_[0].tolist(),
        intercept=float(model.intercept_[0]),
    )


def _sentence_model(rows: list[Rows]) -> Logistic:
    matrix = np.concatenate([r.matrix for r in rows])
    return _logistic(matrix, np.concatenate([r.labels for r in rows]), FEATURE_NAMES)


def _best_threshold(answer: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> float:
    """The threshold on the answer probability that gets most questions right: an answerable
    one answered with a right sentence among those given, an unanswerable one refused."""
    options = np.unique(np.concatenate([answer, [0.0, 1.0]]))
    scores = [np.sum((answer >= t) & right) + np.sum((answer < t) & ~answerable) for t in options]
    return float(options[int(np.argmax(scores))])


def fit(rows: list[Rows], questions: list[DevQuestion]) -> Scorer:
    """The sentence model on all of `rows`; the answer model and its threshold on the
    sentence model's out-of-fold scores of the same questions (grouped by source), so neither
    is fitted to scores the sentence weights were fitted to."""
    sentences = _sentence_model(rows)
    groups = np.array([questions[r.question].source for r in rows])
    folds = min(3, len(set(groups)))
    splits = (
        GroupKFold(n_splits=folds).split(rows, groups=groups)
        if folds >= 2
        else [(np.arange(len(rows)), np.arange(len(rows)))]  # one source: in-sample
    )
    summary = np.zeros((len(rows), len(ANSWER_FEATURES)))
    right = np.zeros(len(rows), dtype=bool)
    for train, test in splits:
        inner = _sentence_model([rows[i] for i in train])
        for i in test:
            p = inner.probabilities(rows[i].matrix)
            summary[i] = answer_features(p, rows[i].matrix, rows[i].stated)
            given = np.argsort(-p, kind="stable")[: rows[i].length]
            right[i] = bool(rows[i].labels[given].any())
    answerable = np.array([not questions[r.question].question.unanswerable for r in rows])
    answers = _logistic(summary, answerable, ANSWER_FEATURES)
    threshold = _best_threshold(answers.probabilities(summary), right, answerable)
    return Scorer(sentences=sentences, answers=answers, threshold=threshold)


def evaluate(engine: Engine, scorer: Scorer, questions: list[DevQuestion]) -> list:
    engine.scorer = scorer
    results = []
    for item in questions:
        conversation = Conversation(engine)
        answer = [conversation.ask(turn) for turn in item.question.turns][-1]
        results.append(score_question(item.question, answer, item.gold))
    return results


def table(results: list, label: str) -> dict[str, object]:
    by_type: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        by_type[r.type][r.outcome] += 1
    answerable = [r for r in results if r.type != "unanswerable"]
    unanswerable = [r for r in results if r.type == "unanswerable"]
    right = sum(r.outcome == "right" for r in answerable)
    refused_wrongly = sum(r.outcome == "wrongly refused" for r in answerable)
    refused = sum(r.outcome == "refused" for r in unanswerable)

    def share(count: int, total: int) -> str:
        return f"{count}/{total} ({100 * count / max(total, 1):.0f} %)"

    summary = {
        "figure": label,
        "right": share(right, len(answerable)),
        "wrongly_refused": share(refused_wrongly, len(answerable)),
        "unanswerable_refused": share(refused, len(unanswerable)),
        "by_type": {
            t: f"{c['right']}/{sum(c.values())}"
            for t, c in sorted(by_type.items())
            if t != "unanswerable"
        },
    }
    print(json.dumps(summary))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, action="append", help="another dev folder")
    parser.add_argument("--only", type=Path, action="append", help="these dev folders alone")
    parser.add_argument("--workdir", type=Path, default=workdir_default())
    parser.add_argument("--write", action="store_true", help="ship the fit (data/)")
    parser.add_argument("--out", type=Path, help="write the fit here instead")
    parser.add_argument("--failures", type=Path, help="write the cross-validated misses here")
    args = parser.parse_args(argv)
    folders = args.only or [*DEFAULT_DEV, *(args.dev or [])]
    started = time.perf_counter()
    embedder = Embedder(Settings())
    engine, questions = build_dev(folders, args.workdir, embedder)
    engine.scorer = bootstrap()
    rows = feature_rows(engine, questions)
    print(
        f"{len(questions)} questions, {len(rows)} with candidates, "
        f"{sum(len(r.labels) for r in rows)} sentences, "
        f"{len({q.source for q in questions})} sources; features in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    full = fit(rows, questions)
    dev = [q for q in questions if q.folder != "gold"]  # the figures are on real reviews
    in_sample = table(evaluate(engine, full, dev), "in-sample")
    result_of: dict[int, object] = {}
    for source in sorted({q.source for q in questions}):
        held = [n for n, q in enumerate(questions) if q.source == source]
        train = [r for r in rows if questions[r.question].source != source] or rows
        fold = fit(train, questions)
        for n, result in zip(
            held, evaluate(engine, fold, [questions[n] for n in held]), strict=True
        ):
            result_of[n] = result
    crossed_in_order = [result_of[n] for n in range(len(questions))]
    crossed = crossed_in_order
    cross = table(
        [r for r, q in zip(crossed, questions, strict=True) if q.folder != "gold"],
        "cross-validated by source",
    )
    if args.failures:
        args.failures.write_text(
            "\n".join(r.model_dump_json() for r in crossed if r.outcome not in ("right", "refused"))
        )
    naive = naive_hits(engine, dev)
    for key, counts in sorted(naive.items()):
        print(
            f"naive {key}: top-1 {counts['top1']}/{counts['questions']}, "
            f"top-3 {counts['top3']}/{counts['questions']}"
        )
    for folder in [*folders, Path("gold")]:
        mine = [
            r for r, q in zip(crossed_in_order, questions, strict=True) if q.folder == folder.name
        ]
        table(mine, f"cross-validated by source, {folder.name}")
    # the hand-weighted rules (answering = "rules") on the same questions: nothing is fitted
    # to score, but they were written while looking at realdev, so their figure is in-sample
    engine.settings.answering = "rules"
    rules = evaluate(engine, full, dev)
    engine.settings.answering = "fitted"
    table(rules, "hand-weighted rules")
    for folder in folders:
        table(
            [r for r, q in zip(rules, dev, strict=True) if q.folder == folder.name],
            f"hand-weighted rules, {folder.name}",
        )
    target = args.out or (
        PROJECT / "src" / "filmchat" / "data" / SCORER_FILE if args.write else None
    )
    if target is not None:
        full.fitted_on = (
            f"{len(questions)} questions of {', '.join(f.name for f in folders)}; "
            f"right in-sample {in_sample['right']}, cross-validated {cross['right']}"
        )
        target.write_text(full.model_dump_json(indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target}", file=sys.stderr)
    print(f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FilmchatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
