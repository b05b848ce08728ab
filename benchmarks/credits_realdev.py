"""Credit questions on the real development reviews, and the fact sheet against the table.

Adds every article of ../shared/realdev and ../shared/realdev2 (their films given, so this scores
credits alone, not film inference) to a temporary corpus, indexes it, and then:

- compares each film's directors on its fact sheet with `tests/fixtures/directors.json`, the
  table written from the articles before the code (stated, implied or absent);
- asks every credit question of the folders' questions.json ("who directed / wrote / composed /
  shot / edited", "who plays C") and scores it as `filmchat eval` does.

The patterns were written while reading these articles, so these figures are in-sample.

    .venv/bin/python benchmarks/credits_realdev.py [--shared DIR] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CREDIT_QUESTION = re.compile(
    r"\bwho\b[^?]*\b(?:directed|co-directed|director|wrote|composed|cinematographer|plays|"
    r"edited|shot)\b",
    re.IGNORECASE,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from filmchat.conversation import Conversation, Engine
    from filmchat.embedding import Embedder
    from filmchat.evaluation import load_questions, load_truth, score_question
    from filmchat.indexer import add_articles, build_index
    from filmchat.settings import Settings

    table = json.loads((ROOT / "tests" / "fixtures" / "directors.json").read_text())
    with tempfile.TemporaryDirectory(prefix="filmchat-credits-") as workdir:
        settings = Settings(corpus=Path(workdir) / "corpus", index=Path(workdir) / "index")
        settings.corpus.mkdir()
        article_of: dict[str, str] = {}
        questions = []
        started = time.perf_counter()
        for folder in ("realdev", "realdev2"):
            path = args.shared / folder
            for name, film in load_truth(path).items():
                (added,) = add_articles(
                    settings, [path / name], film=str(film["film"]), year=int(film["year"])
                )
                article_of[name] = (
                    added.path.relative_to(settings.corpus).with_suffix("").as_posix()
                )
            questions += [
                q
                for q in load_questions(path / "questions.json")
                if CREDIT_QUESTION.search(" ".join(q.turns))
            ]
        embedder = Embedder(settings)
        build_index(settings, embedder=embedder)
        print(f"indexed {len(article_of)} articles in {time.perf_counter() - started:.1f} s")
        engine = Engine(settings, embedder)

        agree = 0
        rows = {k: v for k, v in table.items() if not k.startswith("_")}
        for name, row in rows.items():
            credits = engine.credits(engine.find(row["film"]))
            directors = {c.person: c for c in credits if c.role == "director"}
            want = set(row["directors"])
            basis = {getattr(c, "basis", "stated") for c in directors.values()}
            ok = set(directors) == want and (not want or basis == {row["basis"]})
            agree += ok
            if not ok or args.verbose:
                print(
                    f"  {'✓' if ok else '✗'} {name}: table {sorted(want)} {row['basis']}; "
                    f"sheet {sorted(directors)} {sorted(basis)}"
                )
        print(f"directors agree with the table: {agree} of {len(rows)}")

        results = []
        for question in questions:
            conversation = Conversation(engine)
            answer = [conversation.ask(turn) for turn in question.turns][-1]
            gold = {article_of[g] for g in question.gold if g in article_of}
            results.append(score_question(question, answer, gold))
        answerable = [r for r in results if r.type != "unanswerable"]
        unanswerable = [r for r in results if r.type == "unanswerable"]
        for result in results:
            if args.verbose or result.outcome not in ("right", "refused"):
                print(
                    f"  {result.outcome:>16} {result.id}: {result.question} → {result.answer[:160]}"
                )
        right = sum(r.outcome == "right" for r in answerable)
        refused = sum(r.outcome == "refused" for r in unanswerable)
        print(
            f"credit questions: {right} of {len(answerable)} answerable right, "
            f"{refused} of {len(unanswerable)} unanswerable refused (in-sample)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
