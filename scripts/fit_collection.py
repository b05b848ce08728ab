"""Fit the collection thresholds on the labelled collection questions, cross-validated by film.

    PYTHONPATH=src .venv/bin/python scripts/fit_collection.py [--index DIR --corpus DIR] [--write]

Without --index it builds the development collection itself (the bundled corpus plus
/work/shared/realdev and realdev2 added with the films of their films.json) in a temporary
folder. It scores each threshold's decisions (similar: how close a film's profile must be;
theme: how strongly a review must state the topic; negative: the verdict score below which a
review is negative), picks each threshold by micro F1 over the films listed, in-sample and with
every film's decisions held out of its own fit (leave-one-film-out), and prints precision and
recall of the films listed per kind, in-sample and cross-validated. --write stores the
in-sample thresholds in src/filmchat/data/collection_thresholds.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from filmchat import collection
from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.indexer import add_articles, build_index
from filmchat.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "fixtures" / "collection" / "questions.json"
THRESHOLDS = ROOT / "src" / "filmchat" / "data" / "collection_thresholds.json"
DEV = [Path("/work/shared/realdev"), Path("/work/shared/realdev2")]
LISTING_KINDS = ("theme", "genre", "person", "ranking", "none-fits", "similar")


def build_dev(workdir: Path) -> Settings:
    import shutil

    settings = Settings()
    corpus = workdir / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    trial = settings.model_copy(update={"corpus": corpus, "index": workdir / "index"})
    for folder in DEV:
        for name, truth in json.loads((folder / "films.json").read_text()).items():
            add_articles(trial, [folder / name], film=truth["film"], year=truth["year"])
    build_index(trial)
    return trial


def listed_films(answer) -> list[str]:  # type: ignore[no-untyped-def]
    """The films an answer lists, in order: the film of the article each line cites."""
    if not answer.answered:
        return []
    film_of = {c.marker: c.film for c in answer.citations}
    films = []
    for sentence in answer.sentences:
        label = re.match(r"^(.+?) \(\d{4}\): |^([^:]+): ", sentence.text)
        title = label and (label.group(1) or label.group(2))
        if not title or title not in {film_of.get(marker) for marker in sentence.markers}:
            continue  # a review's own suggestion ('Moon (2009): …') is not a film listed
        if title not in films:
            films.append(title)
    return films


def decisions(
    engine: Engine, questions: list[dict]
) -> dict[str, list[tuple[int, str, float, bool]]]:
    """(question, film, score, right) of every film a threshold decides on, per threshold."""
    profiles = collection.profiles_of(engine.store)
    found: dict[str, list[tuple[int, str, float, bool]]] = defaultdict(list)
    for n, item in enumerate(questions):
        right = set(item["must"]) | set(item["ok"])
        if item["kind"] in {"theme", "none-fits"} and not _routed_elsewhere(engine, item):
            vector = engine.embedder.encode_query(item["q"])
            for film, score, _ in collection.theme_scores(engine, item["q"], vector):
                found["theme"].append((n, film, score, film in right, film in item["must"]))
        if item["kind"] == "similar" and "missing" not in item:
            at = profiles.of(item["film"])
            assert at is not None, item["film"]
            for similarity, m in collection.nearest(profiles, at[0])[: collection.LIMIT]:
                film = profiles.profiles[m].film
                found["similar"].append((n, film, similarity, film in right, film in item["must"]))
        if item["kind"] == "ranking" and item.get("order") == "worst" and "negative" in item["q"]:
            for profile in profiles.profiles:
                # a film is listed when its score is *below* the threshold: score it negated
                found["negative"].append(
                    (
                        n,
                        profile.film,
                        -profile.verdict,
                        profile.film in right,
                        profile.film in item["must"],
                    )
                )
    return found


def _routed_elsewhere(engine: Engine, item: dict) -> bool:
    """A none-fits question read as a genre or person question is not a theme decision."""
    answer_kind = ask_kind(engine, item["q"])
    return answer_kind not in {"theme"}


def ask_kind(engine: Engine, question: str) -> str | None:
    conversation = Conversation(engine)
    _, intent = conversation._plan(question)
    if intent.kind not in collection.KINDS:
        return None
    asked = collection.read_question(question, intent.kind, conversation._named(question), engine)
    return asked.kind if asked else None


def prf(rows: list[tuple], threshold: float, needed: int) -> tuple[int, int, int]:
    """Films listed at this threshold, how many of them are right, how many expected."""
    listed = [r for r in rows if r[2] >= threshold]
    return len(listed), sum(r[3] for r in listed), sum(r[4] for r in listed)


def fit(rows: list[tuple[int, str, float, bool]], needed: int) -> float:
    """The threshold with the best micro F1 over the films listed (needed: films expected),
    halfway between the lowest score it keeps and the next below: any cut in that gap makes
    the same decisions here, and the middle leaves unseen films the widest margin."""
    candidates = sorted({r[2] for r in rows}) or [0.0]
    best, best_f1 = 0, -1.0
    for place, threshold in enumerate(candidates):
        listed, right, expected = prf(rows, threshold, needed)
        precision = right / listed if listed else 1.0
        recall = expected / needed if needed else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best, best_f1 = place, f1
    if best == 0:
        return float(candidates[0])
    return float((candidates[best] + candidates[best - 1]) / 2)


def cross_validated(
    rows: list[tuple[int, str, float, bool]],
) -> list[tuple[int, str, float, bool, bool]]:
    """Each decision made with the threshold fitted without its film: (…, listed)."""
    out = []
    for film in sorted({r[1] for r in rows}):
        train = [r for r in rows if r[1] != film]
        threshold = fit(train, sum(r[4] for r in train))
        out += [(*r, r[2] >= threshold) for r in rows if r[1] == film]
    return out


def score_answers(engine: Engine, questions: list[dict]) -> dict[str, list[float]]:
    """Micro precision and recall of the films listed, per kind, by the answers as given."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # listed, right, expected
    checks: dict[str, list[bool]] = defaultdict(list)
    for item in questions:
        answer = Conversation(engine).ask(item["q"])
        films = listed_films(answer)
        kind = item["kind"]
        if kind == "compare":
            cited = {c.film for c in answer.citations}
            checks["compare cites both films"].append(set(item["must"]) <= cited)
            for name in item.get("missing", []):
                checks["compare names the missing film"].append(name in answer.note)
            continue
        if kind == "similar":
            if "missing" in item:
                checks["similar: a missing film said"].append(item["missing"][0] in answer.text)
                continue
            checks["similar never lists the film asked"].append(item["film"] not in films)
            checks["similar gives a reason per film"].append(
                all(s.markers for s in answer.sentences)
            )
        if kind == "none-fits":
            checks["none-fits answered none"].append(not films)
        right = set(item["must"]) | set(item["ok"])
        listed = len(films)
        good = len([f for f in films if f in right])
        expected = len(item["must"])
        found_must = len([f for f in films if f in item["must"]])
        total = totals[kind]
        total[0] += listed
        total[1] += good
        total[2] += expected
        totals.setdefault(kind + ":must", [0, 0, 0])
        totals[kind + ":must"][1] += found_must
        if films and [f for f in films if f not in right]:
            print(f"  {kind}: {item['q']!r} wrongly lists {[f for f in films if f not in right]}")
        missed = [f for f in item["must"] if f not in films]
        if missed:
            print(f"  {kind}: {item['q']!r} misses {missed}")
    report = {}
    for kind, (listed, good, expected) in totals.items():
        if kind.endswith(":must"):
            continue
        found = totals[kind + ":must"][1]
        report[kind] = [good / listed if listed else 1.0, found / expected if expected else 1.0]
    for name, values in checks.items():
        report[name] = [float(np.mean(values))]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    questions = json.loads(QUESTIONS.read_text())["questions"]
    with tempfile.TemporaryDirectory() as workdir:
        if args.index:
            settings = Settings().model_copy(update={"corpus": args.corpus, "index": args.index})
        else:
            settings = build_dev(Path(workdir))
        engine = Engine(settings, Embedder(settings))
        rows = decisions(engine, questions)
        fitted = {}
        for name, found in rows.items():
            needed = _needed(name, questions)
            threshold = fit(found, needed)
            fitted[name] = threshold
            listed, right, expected = prf(found, threshold, needed)
            cv = cross_validated(found)
            cv_listed = sum(r[5] for r in cv)
            cv_right = sum(r[5] and r[3] for r in cv)
            cv_expected = sum(r[5] and r[4] for r in cv)
            print(
                f"{name}: threshold {threshold:.3f}; in-sample P {right / max(listed, 1):.2f} "
                f"R {expected / max(needed, 1):.2f}; "
                f"CV by film P {cv_right / max(cv_listed, 1):.2f} "
                f"R {cv_expected / max(needed, 1):.2f} ({len(found)} decisions)"
            )
        if args.write:
            THRESHOLDS.write_text(
                json.dumps(
                    {"thresholds": fitted, "fitted_on": "tests/fixtures/collection/questions.json"},
                    indent=2,
                )
                + "\n"
            )
            collection.thresholds.cache_clear()
        print(
            "Answers as given (films listed, micro over films; "
            "P = right/listed, R = must found/must):"
        )
        for kind, values in score_answers(engine, questions).items():
            print(f"  {kind}: " + " ".join(f"{v:.2f}" for v in values))
    return 0


def _needed(name: str, questions: list[dict]) -> int:
    kinds = {"theme": {"theme"}, "similar": {"similar"}, "negative": {"ranking"}}[name]
    return sum(
        len(q["must"])
        for q in questions
        if q["kind"] in kinds and (name != "negative" or "negative" in q["q"])
    )


if __name__ == "__main__":
    sys.exit(main())
