"""Fit the weights that decide which film an article reviews (filmchat/data/film_inference.json).

    .venv/bin/python benchmarks/fit_film_inference.py            # print the figures
    .venv/bin/python benchmarks/fit_film_inference.py --write    # ... and ship the new weights

Reads the real reviews of ../shared/realdev and ../shared/realdev2 (their films.json, and the
Sources table of each README, which says who wrote each file), extracts every title candidate's
features once (`metadata.weigh_candidates`, exactly what `add` computes), and fits a conditional
logit (logistic regression on pairs: the article's film against each of its other candidates):
how likely each of an article's candidates is its film. The level at which the best candidate
is taken without asking is fitted too: just above the probability of every wrong best candidate
among the training articles, each decided by weights fitted without its own source (never below
one half), so that no article the level was fitted on would get a wrong film.

It prints the figures in-sample and cross-validated by source: each source (an author or a
site; two articles by one author, or from one site's repository, are one source) is held out
in turn, the weights, the regularisation (chosen by an inner leave-one-source-out) and the
acceptance level are fitted on the others, and its articles are decided by them.
Needs scikit-learn (a test/dev dependency); applying the weights needs only numpy.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from filmchat.corpus import read_source
from filmchat.evaluation import fold_title
from filmchat.metadata import (
    FEATURES,
    MODEL_FILE,
    Candidate,
    Evidence,
    FilmModel,
    Weighed,
    choose,
    film_year,
    named_outright,
    weigh_candidates,
)

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT.parent / "shared" / "realdev", ROOT.parent / "shared" / "realdev2")
TARGET = ROOT / "src" / "filmchat" / "data" / MODEL_FILE
C_GRID = (0.01, 0.1, 1.0, 10.0)


@dataclass
class Article:
    file: str
    source: str
    film: str
    year: int | None
    evidence: Evidence
    candidates: list[Candidate]
    matrix: np.ndarray  # one row of FEATURES per candidate
    labels: np.ndarray  # 1 where the candidate is the film


def sources_table(readme: Path) -> dict[str, str]:
    """file → source, from the README's Sources table: a blog's repository (its author or
    site), or for a saved page the site named first in the 'author, posted' column."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    file_at, repo_at = header.index("file"), header.index("repo")
    author_at = next(i for i, name in enumerate(header) if name.startswith("author"))
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        name = cells[file_at]
        page = name.endswith((".html", ".htm"))
        table[name] = cells[author_at].split(",")[0].strip() if page else cells[repo_at]
    return table


def load(folders: tuple[Path, ...]) -> list[Article]:
    articles = []
    for folder in folders:
        truth = json.loads((folder / "films.json").read_text(encoding="utf-8"))
        sources = sources_table(folder / "README.md")
        for name, want in sorted(truth.items()):
            evidence = read_source(folder / name).evidence()
            weighed = weigh_candidates(evidence)
            matrix = np.array(
                [[row[f] for f in FEATURES] for row in weighed.features], dtype=float
            ).reshape(-1, len(FEATURES))
            labels = np.array(
                [fold_title(c.name) == fold_title(want["film"]) for c in weighed.candidates],
                dtype=int,
            )
            articles.append(
                Article(
                    name, f"{folder.name}:{sources[name]}", want["film"], want.get("year"),
                    evidence, weighed.candidates, matrix, labels,
                )
            )  # fmt: skip
    return articles


def _stack(articles: list[Article]) -> tuple[np.ndarray, np.ndarray]:
    return np.vstack([a.matrix for a in articles]), np.concatenate([a.labels for a in articles])


def _fit_weights(articles: list[Article], c: float) -> FilmModel:
    """A conditional logit fitted as logistic regression on pairs: the article's film against
    each other candidate of the article (their feature differences, both ways round)."""
    x = np.vstack([a.matrix for a in articles])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    differences, outcomes = [], []
    for article in articles:
        if article.labels.sum() != 1:
            continue  # the film is not among the candidates: nothing to rank
        scaled = (article.matrix - mean) / scale
        film = scaled[article.labels == 1][0]
        for other in scaled[article.labels == 0]:
            differences.extend([film - other, other - film])
            outcomes.extend([1, 0])
    regression = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    regression.fit(np.array(differences), np.array(outcomes))
    return FilmModel(
        features=list(FEATURES),
        mean=mean.tolist(),
        scale=scale.tolist(),
        weights=regression.coef_[0].tolist(),
        accept=0.5,
    )


def _log_loss(model: FilmModel, articles: list[Article]) -> float:
    """How surprised the model is by each article's film (articles whose film is a candidate)."""
    loss = 0.0
    for article in articles:
        if article.labels.sum() != 1:
            continue
        rows = [dict(zip(FEATURES, row, strict=True)) for row in article.matrix]
        p = model.probabilities(rows)[int(np.argmax(article.labels))]
        loss -= math.log(max(p, 1e-12))
    return loss


def _by_source(articles: list[Article]) -> dict[str, list[Article]]:
    groups: dict[str, list[Article]] = {}
    for article in articles:
        groups.setdefault(article.source, []).append(article)
    return groups


def decide(model: FilmModel, article: Article) -> tuple[Candidate | None, Candidate | None]:
    """(the film taken, or None when refused; the best candidate)."""
    weighed_rows = [dict(zip(FEATURES, row, strict=True)) for row in article.matrix]
    fresh = [c.model_copy() for c in article.candidates]
    ranked, best = choose(Weighed(fresh, weighed_rows, None, None, None), model)
    return best, (ranked[0] if ranked else None)


def fit(articles: list[Article]) -> FilmModel:
    """Weights, regularisation and acceptance level from `articles` alone.

    Each source is held out in turn (inner leave-one-source-out): the regularisation is the one
    whose held-out articles' films are the least surprising, and the acceptance level lies just
    above every wrong best candidate among those held-out articles, so the level is set by
    articles the weights were not fitted on, as a new article will be."""
    groups = _by_source(articles)
    held_out: dict[float, list[tuple[Article, FilmModel]]] = {}
    for c in C_GRID:
        held_out[c] = []
        for held, group in groups.items():
            model = _fit_weights([a for a in articles if a.source != held], c)
            held_out[c].extend((article, model) for article in group)
    losses = {c: sum(_log_loss(m, [a]) for a, m in pairs) for c, pairs in held_out.items()}
    best_c = min(losses, key=lambda c: losses[c])
    wrong = [0.0]  # the probability of each held-out article's best candidate when it is wrong
    for article, model in held_out[best_c]:
        _, top = decide(model, article)
        if (
            top is not None
            and named_outright(top)
            and fold_title(top.name) != fold_title(article.film)
        ):
            wrong.append(top.score)
    model = _fit_weights(articles, best_c)
    model.accept = max(0.5, float(np.nextafter(max(wrong), 1.0)))
    model.figures = {"C": best_c}
    return model


@dataclass
class Outcome:
    article: Article
    film: str | None
    year: int | None
    best: str | None
    probability: float

    @property
    def verdict(self) -> str:
        if self.film is None:
            return "refused"
        return "right" if fold_title(self.film) == fold_title(self.article.film) else "WRONG"


def outcome(model: FilmModel, article: Article) -> Outcome:
    best, top = decide(model, article)
    year = film_year(best, article.evidence)[0] if best else None
    return Outcome(
        article, best.name if best else None, year, top.name if top else None,
        top.score if top else 0.0,
    )  # fmt: skip


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    return {
        "articles": len(outcomes),
        "right": sum(o.verdict == "right" for o in outcomes),
        "refused": sum(o.verdict == "refused" for o in outcomes),
        "wrong": sum(o.verdict == "WRONG" for o in outcomes),
        "year_right": sum(o.verdict == "right" and o.year == o.article.year for o in outcomes),
    }


def report(title: str, outcomes: list[Outcome]) -> None:
    print(f"\n{title}")
    for o in outcomes:
        said = f"{o.film} ({o.year})" if o.film else f"refused, best “{o.best}”"
        print(
            f"  {o.verdict:8} {o.article.file:44} {said:44} p={o.probability:.2f}"
            f"  [{o.article.source}]"
        )
    figures = summary(outcomes)
    print(
        f"  film right {figures['right']}/{figures['articles']}, refused {figures['refused']},"
        f" wrong {figures['wrong']}; year right {figures['year_right']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {TARGET.name}")
    args = parser.parse_args()
    articles = load(FOLDERS)
    groups = _by_source(articles)
    print(
        f"{len(articles)} articles from {len(groups)} sources, "
        f"{sum(len(a.candidates) for a in articles)} candidates, {len(FEATURES)} features"
    )
    model = fit(articles)
    in_sample = [outcome(model, a) for a in articles]
    cross = []
    for held, group in groups.items():
        held_out = fit([a for a in articles if a.source != held])
        cross.extend(outcome(held_out, a) for a in group)
    cross.sort(key=lambda o: articles.index(o.article))
    report("In-sample (fitted on all 31):", in_sample)
    report("Cross-validated, leave one source out:", cross)
    print(f"\nC = {model.figures['C']}, accept at p >= {model.accept:.3f}; weights:")
    for name, weight in sorted(
        zip(FEATURES, model.weights, strict=True), key=lambda item: -abs(item[1])
    ):
        print(f"  {weight:+.2f}  {name}")
    model.fitted_on = "realdev + realdev2 (" + ", ".join(sorted(groups)) + ")"
    model.figures |= {"in_sample": summary(in_sample), "cross_validated": summary(cross)}
    if args.write:
        TARGET.write_text(model.model_dump_json(indent=1) + "\n", encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
