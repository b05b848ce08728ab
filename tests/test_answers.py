"""Answers: hybrid retrieval, film scoping, grounded extractive answers, refusal, follow-ups.

Everything runs on the real bundled model and real indexes: the seed corpus alone, and the seed
corpus plus two more films (Moon, Arrival) whose short reviews live in tests/fixtures/films.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from filmchat.conversation import Conversation, Engine
from filmchat.embedding import Embedder
from filmchat.errors import FilmchatError
from filmchat.evaluation import default_gold_path, evaluate, load_gold
from filmchat.films import title_used_in
from filmchat.indexer import build_index
from filmchat.models import Answer
from filmchat.retrieval import reciprocal_rank_fusion
from filmchat.settings import Settings

FILMS = Path(__file__).parent / "fixtures" / "films"
SEEDS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def seed_engine(seed_index: Settings, embedder: Embedder) -> Engine:
    return Engine(seed_index, embedder)


@pytest.fixture(scope="module")
def multi_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    """Her plus Moon and Arrival, the extra films added the way a user adds articles."""
    root = tmp_path_factory.mktemp("multi")
    shutil.copytree(SEEDS, root / "corpus")
    for review in FILMS.glob("*.md"):
        shutil.copy(review, root / "corpus" / review.name)
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build_index(settings, embedder=embedder)
    return Engine(settings, embedder)


def ask(engine: Engine, *questions: str) -> Answer:
    conversation = Conversation(engine)
    answers = [conversation.ask(q) for q in questions]
    return answers[-1]


def assert_grounded(answer: Answer) -> None:
    """Each answer sentence is a sentence of a retrieved passage of the article it cites."""
    assert answer.answered
    by_marker = {c.marker: c for c in answer.citations}
    for sentence in answer.sentences:
        assert sentence.markers, sentence.text
        for marker in sentence.markers:
            article_id = by_marker[marker].article_id
            sources = [
                s.text
                for p in answer.passages
                if p.article.article_id == article_id
                for s in p.sentences
            ]
            assert sentence.text in sources, sentence.text
        headings = {h for p in answer.passages for h in p.headings}
        assert sentence.text not in headings


# --- retrieval ---------------------------------------------------------------------------------


def test_fusion_ranks_items_found_by_both_retrievers_first() -> None:
    fused = reciprocal_rank_fusion([1, 2, 3], [3, 4, 1])
    ranked = sorted(fused, key=fused.__getitem__, reverse=True)
    assert ranked[:2] == [1, 3]
    assert set(ranked) == {1, 2, 3, 4}


@pytest.mark.parametrize("name", ["Hoyte van Hoytema", "Arcade Fire", "Rooney Mara"])
def test_exact_names_are_found(seed_engine: Engine, name: str) -> None:
    passages = seed_engine.retriever.search(name, k=5)
    assert name in passages[0].text


def test_passages_spread_across_reviews(seed_engine: Engine) -> None:
    passages = seed_engine.retriever.search("loneliness and isolation", k=8)
    assert len({p.article.article_id for p in passages}) >= 4
    assert all(p.score > 0 for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


# --- film scoping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What does Her say about loneliness?", True),
        ("what does her performance add?", False),
        ("Her performance was praised, wasn't it?", False),
        ("Tell me about the film Her", True),
        ("Is “Her” worth watching?", True),
        ("Who directed Her (2013)?", True),
        ("Her", True),
    ],
)
def test_ordinary_word_titles_only_count_when_used_as_titles(question: str, named: bool) -> None:
    assert title_used_in(question, "Her", 2013) is named


def test_rating_comes_from_the_film_asked_about(multi_engine: Engine) -> None:
    her = ask(multi_engine, "What is the IMDb rating of Her?")
    assert "8.0" in her.text
    assert {c.film for c in her.citations} == {"Her"}
    moon = ask(multi_engine, "What rating did the review give Moon?")
    assert "4 out of 5" in moon.text
    assert "8.0" not in moon.text
    assert {c.film for c in moon.citations} == {"Moon"}


def test_question_about_one_film_never_quotes_another_films_review(multi_engine: Engine) -> None:
    answer = ask(multi_engine, "Who does Amy Adams play in Arrival?")
    assert "Louise Banks" in answer.text
    assert "Theodore" not in answer.text
    assert all(p.article.meta.film == "Arrival" for p in answer.passages)


def test_conversation_keeps_its_film(multi_engine: Engine) -> None:
    conversation = Conversation(multi_engine)
    conversation.ask("Tell me about Moon")
    answer = conversation.ask("Who composed the score?")
    assert conversation.film == "Moon (2009)"
    assert "Clint Mansell" in answer.text
    assert "Arcade Fire" not in answer.text


def test_forced_film_and_unknown_film(multi_engine: Engine) -> None:
    conversation = Conversation(multi_engine, forced_film="arrival")
    assert conversation.film == "Arrival (2016)"
    assert "Villeneuve" in conversation.ask("Who directed it?").text
    with pytest.raises(FilmchatError, match="No film called"):
        conversation.set_film("Casablanca")


def test_film_known_only_from_a_similar_films_list(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "Who directed Ex Machina?")
    assert answer.film == "Ex Machina (2014)"
    assert "Alex Garland" in answer.text
    assert_grounded(answer)
    rating = ask(seed_engine, "What is the IMDb rating of Ex Machina?")
    assert not rating.answered
    assert "8.0" not in rating.text


def test_single_film_corpus_answers_without_a_title(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "who composed the music?")
    assert answer.film == "Her (2013)"
    assert "Arcade Fire" in answer.text


# --- composition -----------------------------------------------------------------------------


def test_theme_answer_quotes_several_reviews(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "what does Her say about loneliness")
    assert_grounded(answer)
    assert 2 <= len(answer.sentences) <= 4
    assert len(answer.citations) >= 2
    assert all("lonel" in s.text.lower() or "isolat" in s.text.lower() for s in answer.sentences)
    for citation in answer.citations:
        assert citation.path.endswith(".md") and citation.title and citation.quote


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What is the cinematography like?", r"cinematograph|camera|photograph"),
        ("What do the reviews say about the music?", r"music|score|soundtrack|song"),
    ],
)
def test_a_craft_named_in_an_open_question_is_its_topic(
    seed_engine: Engine, question: str, words: str
) -> None:
    """'cinematography' is what is asked about here, not a request for a cinematographer; a
    sentence about the score answers a question about the music."""
    answer = ask(seed_engine, question)
    assert_grounded(answer)
    assert all(re.search(words, s.text, re.I) for s in answer.sentences), answer.text


def test_a_question_about_the_message_gets_themes_not_the_article_talking_about_itself(
    seed_engine: Engine,
) -> None:
    answer = ask(seed_engine, "What's the movie's message?")
    assert_grounded(answer)
    assert all(re.search(r"theme|message", s.text, re.I) for s in answer.sentences)
    assert not re.search(r"in this article|we delve", answer.text, re.I)


def test_summary_and_comparison_questions_are_answered(seed_engine: Engine) -> None:
    summary = ask(seed_engine, "Summarize the reviews of Her")
    assert_grounded(summary)
    assert len(summary.citations) >= 2
    comparison = ask(seed_engine, "How does Her compare to Ex Machina?")
    assert_grounded(comparison)
    assert "Ex Machina" in comparison.text


def test_british_spelling_finds_american_spelling(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "What colours does the film use?")
    assert_grounded(answer)
    assert "color" in answer.sentences[0].text.lower()
    # the others may say it in words of close meaning ('hues'), never about something else
    assert all(re.search(r"colou?r|hue|palette", s.text, re.I) for s in answer.sentences)


def test_a_close_passage_without_the_asked_word_is_not_an_answer(seed_engine: Engine) -> None:
    """No review calls Her scary, nor anything that means it ('haunting' music is not scary):
    quoting the nearest passage's first sentences would be a guess."""
    answer = ask(seed_engine, "Is Her a scary film?")
    assert not answer.answered
    assert answer.sentences == []


def test_words_of_a_title_the_question_does_not_name_still_count(seed_engine: Engine) -> None:
    """'Blade Runner' is not 'Blade Runner 2049' (a film in a similar-films list): the question
    must not lose those words and get the plot of Her instead. No review in the collection is
    about Blade Runner, so the answer is a refusal, not the sequel's blurb nor Her's plot."""
    answer = ask(seed_engine, "What is Blade Runner about?")
    assert not answer.answered, answer.text
    assert answer.sentences == []  # (so none of them is about another film)
    assert "Theodore" not in answer.text


def test_cast_list_is_kept_together(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "Who is in the cast of Her?")
    assert_grounded(answer)
    assert answer.listing
    for actor in ("Joaquin Phoenix", "Scarlett Johansson", "Amy Adams", "Rooney Mara"):
        assert actor in answer.text
    assert len(answer.citations) == 1  # one list, from one review
    characters = ask(seed_engine, "Who are the main characters?")
    assert characters.listing
    assert "Joaquin Phoenix as Theodore" in characters.text


def test_similar_films_list(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "What films are similar to Her?")
    assert_grounded(answer)
    for title in ("Ex Machina", "Moon", "Lost in Translation", "Ghost in the Shell"):
        assert title in answer.text


def test_noise_and_headings_never_reach_an_answer(multi_engine: Engine) -> None:
    questions = [
        "What is Moon about?",
        "What do the reviews say about Arrival's music?",
        "What is Her about?",
        "How is Sam Rockwell's performance?",
    ]
    for question in questions:
        answer = ask(multi_engine, question)
        assert_grounded(answer)
        assert not re.search(
            r"share this|comments are closed|read more|min read", answer.text, re.I
        )


# --- refusal ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "How much did Her make at the box office?",
        "What is the running time of Her?",
        "Who produced Her?",
        "Who directed Inception?",
        "What does Her say about religion?",
        "Is there a sequel to Her?",
        "Who composed the music for Moon?",
    ],
)
def test_questions_the_reviews_do_not_answer_are_refused(
    seed_engine: Engine, question: str
) -> None:
    answer = ask(seed_engine, question)
    assert not answer.answered
    assert "don't" in answer.message
    assert answer.sentences == []
    assert answer.citations, "a refusal points at the nearest articles"
    assert answer.text == answer.message


def test_a_fact_present_for_one_film_is_refused_for_another(multi_engine: Engine) -> None:
    assert "97 minutes" in ask(multi_engine, "How long is Moon?").text
    refused = ask(multi_engine, "What is the running time of Her?")
    assert not refused.answered
    assert "97" not in refused.text


# --- conversation ----------------------------------------------------------------------------


def test_follow_up_resolves_his_to_the_actor(multi_engine: Engine) -> None:
    conversation = Conversation(multi_engine)
    first = conversation.ask("Who plays the lead in Moon?")
    assert "Sam Rockwell" in first.text
    second = conversation.ask("What do the reviews say about his performance?")
    assert "Rockwell" in second.text
    assert "Phoenix" not in second.text


def test_a_follow_up_stays_with_the_film_the_last_answer_found(multi_engine: Engine):
    """'Who plays Sam Bell?' names no film; its answer comes from Moon's review, so 'how long
    is it?' is about Moon, not the collection."""
    conversation = Conversation(multi_engine)
    first = conversation.ask("Who plays Sam Bell?")
    assert first.answered and {c.film for c in first.citations} == {"Moon"}, first.text
    second = conversation.ask("how long is it?")
    assert second.answered and "97 minutes" in second.text, second.text
    assert {c.film for c in second.citations} == {"Moon"}


def test_follow_up_ellipsis_keeps_the_question_frame(seed_engine: Engine) -> None:
    answer = ask(seed_engine, "Who directed Her?", "What about the music?")
    assert "Arcade Fire" in answer.text


def test_follow_up_pronoun_it_is_the_film(multi_engine: Engine) -> None:
    answer = ask(multi_engine, "What is Arrival about?", "Who directed it?")
    assert "Villeneuve" in answer.text


def test_empty_question_is_a_clear_error(seed_engine: Engine) -> None:
    with pytest.raises(FilmchatError, match="empty"):
        Conversation(seed_engine).ask("   ")


# --- evaluation floors -------------------------------------------------------------------------


def _runner(engine: Engine):
    def run(turns: list[str]) -> list[Answer]:
        conversation = Conversation(engine)
        return [conversation.ask(turn) for turn in turns]

    return run


def test_gold_set_quality_floors(seed_engine: Engine) -> None:
    items = load_gold(default_gold_path())
    assert len(items) >= 40
    assert sum(not i.answerable for i in items) >= 8
    assert {"cast", "crew", "plot", "themes", "awards", "similar", "followup"} <= {
        i.category for i in items
    }
    scores = evaluate(items, _runner(seed_engine))
    assert scores.recall_at_5 >= 0.95
    assert scores.mrr >= 0.85
    assert scores.answer_hit_rate >= 0.9
    assert scores.refusal_accuracy >= 0.9


def test_cross_film_gold_set_floors(multi_engine: Engine) -> None:
    scores = evaluate(load_gold(FILMS / "gold_multi.jsonl"), _runner(multi_engine))
    assert scores.answer_hit_rate >= 0.85
    assert scores.refusal_accuracy >= 0.9
    assert scores.recall_at_5 >= 0.85
