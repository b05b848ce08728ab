"""Cleaning: every kind of web noise goes, and the review sentence next to it stays whole.

The seed reviews show the noise as scraped; the synthetic articles below carry the same *kinds*
of noise in other words, so the rules are shown to be general rather than a list of seed strings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from filmchat.cleaning import Block, clean_article, repeated_lines
from filmchat.corpus import load_article

SEEDS = Path(__file__).resolve().parents[1] / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Two reviews of other films from one magazine site, as a user might paste them: menu, breadcrumb,
# cookie banner, byline, read time, share widgets, a caption with its credit, alt text glued to a
# sentence, "read more" and related links, tags, closed comments, a site tagline, a footer.
SITE = FIXTURES / "site"
ARRIVAL = (SITE / "arrival-2016-review.txt").read_text(encoding="utf-8")
SICARIO = (SITE / "sicario-2015-review.txt").read_text(encoding="utf-8")
# Real prose that uses the words the noise rules look for: it must all survive.
NIGHT = (FIXTURES / "night-of-the-living-dead.txt").read_text(encoding="utf-8")


def texts(blocks: list[Block], kind: str | None = None) -> list[str]:
    return [block.text for block in blocks if kind is None or block.kind == kind]


def joined(blocks: list[Block]) -> str:
    return "\n".join(texts(blocks))


def neighbours(blocks: list[Block], text: str) -> tuple[Block | None, Block | None]:
    """The blocks directly before and after the block that starts with `text`."""
    for index, block in enumerate(blocks):
        if block.text.startswith(text):
            before = blocks[index - 1] if index else None
            after = blocks[index + 1] if index + 1 < len(blocks) else None
            return before, after
    raise AssertionError(f"no block starts with {text!r}")


def clean_corpus(folder: Path) -> dict[str, list[Block]]:
    """Every article in a folder cleaned exactly as the indexer cleans it."""
    articles = [load_article(path, folder) for path in sorted(folder.iterdir())]
    shared = repeated_lines(article.body for article in articles)
    return {
        article.article_id: clean_article(
            article.body, title=article.meta.title, author=article.meta.author, shared_lines=shared
        )
        for article in articles
    }


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[Block]]:
    return clean_corpus(SEEDS)


@pytest.fixture(scope="module")
def site() -> dict[str, list[Block]]:
    """The two synthetic articles from one site, cleaned together as a corpus."""
    return clean_corpus(SITE)


# --- the seed reviews -------------------------------------------------------------------------


def test_line_repeated_within_an_article_goes_and_the_review_opens_intact(seeds):
    blocks = seeds["her-2013-review"]
    assert "Suggested videos" not in joined(blocks)
    assert blocks[0] == Block(
        "paragraph",
        "“Her,” directed by Spike Jonze and released in 2013, is a unique and thought-provoking "
        "film that explores the nature of love, identity, and technology. Set in a near-future "
        "Los Angeles, it tells the story of Theodore Twombly, a sensitive and introspective man "
        "played by Joaquin Phoenix, who forms a romantic relationship with an advanced "
        "artificial intelligence operating system named Samantha, voiced by Scarlett Johansson.",
    )


def test_calls_to_action_go_and_the_sentences_around_them_stay(seeds):
    futuristic = seeds["her-2013-a-futuristic-love-story"]
    assert "Click Here" not in joined(futuristic)
    before, _ = neighbours(futuristic, "Spike Jonze’s Direction and Cinematography")
    assert before == Block(
        "paragraph",
        "As she develops feelings and desires, the film prompts viewers to consider the ethical "
        "implications of creating entities with emotions and consciousness.",
    )
    review = seeds["her-2013-review"]
    assert "Comment Disabled" not in joined(review)
    assert review[-1].text.endswith(
        "making it a must-watch for anyone interested in the intersection of love and technology."
    )


def test_image_credit_goes_and_the_paragraphs_around_it_stay(seeds):
    blocks = seeds["her-a-poignant-exploration-of-love-and-technology"]
    text = joined(blocks)
    for credit_part in ("aphrodite", "Wikimedia", "Flickr", "CC BY", "https://"):
        assert credit_part not in text
    first, second = blocks[0], blocks[1]
    assert first.text.endswith("an operating system named Samantha (voiced by Scarlett Johansson).")
    assert second.text.startswith("What makes “Her” so significant is its exploration")


def test_image_caption_with_its_credit_goes(seeds):
    blocks = seeds["her-2013-a-futuristic-love-story"]
    assert "Photo from" not in joined(blocks)
    assert "Her 2013" not in texts(blocks)
    before, after = neighbours(blocks, "Themes of Love and Loneliness")
    assert before is not None and before.text == (
        "What begins as a utilitarian relationship soon blossoms into a deeply emotional "
        "connection, challenging conventional notions of human intimacy."
    )
    assert after is not None and after.text.startswith("At its core, “Her” is a love story")


def test_alt_text_glued_to_a_sentence_end_is_cut_at_the_sentence_end(seeds):
    blocks = seeds["her-2013-review"]
    assert "Có thể" not in joined(blocks)
    ends = [block.text for block in blocks]
    assert any(t.endswith("limitations of their very different natures.") for t in ends)
    assert any(t.endswith("deepens the audience’s emotional engagement.") for t in ends)
    # inside a list item too, and the item keeps all its sentences
    assert any(
        t.startswith("Identity and Self-Discovery:")
        and t.endswith("philosophical questions about consciousness and the nature of existence.")
        for t in texts(blocks, "item")
    )


def test_byline_read_time_and_dashes_go_before_the_first_sentence(seeds):
    blocks = seeds["her-2013-a-futuristic-love-story"]
    text = joined(blocks)
    assert "Ozaifa Rose" not in text
    assert "min read" not in text
    assert "--" not in text
    assert "Her (2013): A Futuristic Love Story" not in texts(blocks)  # the headline is metadata
    assert blocks[0].text.startswith("In the realm of science fiction, where artificial")


def test_seed_headings_are_structure_not_prose(seeds):
    headings = texts(seeds["her-2013-review"], "heading")
    assert headings == [
        "Plot Summary",
        "Themes and Analysis",
        "Performances",
        "Visuals and Direction",
        "Music and Sound",
        "Reception",
        "Conclusion",
    ]
    assert "Cast & Crew" in texts(seeds["her-synopsis-awards-cast-and-rating"], "heading")
    futuristic = texts(seeds["her-2013-a-futuristic-love-story"], "heading")
    assert "Synopsis" in futuristic and "Themes of Love and Loneliness" in futuristic
    for blocks in seeds.values():
        for heading in texts(blocks, "heading"):
            assert heading not in texts(blocks, "paragraph")


def test_seed_lists_stay_items(seeds):
    items = texts(seeds["her-synopsis-awards-cast-and-rating"], "item")
    assert "Amy Adams as Amy, Theodore’s friend" in items
    assert "Writer & Director: Spike Jonze" in items
    film_items = texts(seeds["her-2013-a-futuristic-love-story"], "item")
    assert len(film_items) == 8
    assert film_items[0].startswith("Ex Machina (2014): Directed by Alex Garland")
    assert film_items[0].endswith("the boundaries between man and machine.")


# --- the same kinds of noise on an article the rules have never seen ----------------------


@pytest.mark.parametrize(
    "noise",
    [
        "Home | Movies",  # navigation menu
        "Home › Reviews",  # breadcrumb
        "cookies",  # consent banner, long line with two sentences
        "Accept all",
        "Priya Raman",  # byline
        "min read",
        "Share this article",
        "Photo: Paramount",  # caption with its credit
        "Image may contain",  # alt text glued to a sentence
        "Read more",
        "Advertisement",
        "Watch Arrival now",  # widget repeated within the article
        "Related:",
        "Tags:",
        "independent film criticism",  # tagline repeated across the site's articles
        "Comments are closed",
        "Follow us",
        "Privacy Policy",  # footer links
        "All rights reserved",
    ],
)
def test_new_articles_noise_is_removed(site, noise):
    assert noise.lower() not in joined(site["arrival-2016-review"]).lower()


def test_new_articles_review_sentences_stay_whole(site):
    blocks = site["arrival-2016-review"]
    assert texts(blocks, "paragraph") == [
        "Denis Villeneuve's Arrival begins with a mother and a daughter, and with a voice telling "
        "us that memory is a strange thing. It is a science fiction film about first contact, but "
        "the contact that matters most happens inside one woman's mind.",
        "Amy Adams plays Louise Banks, a linguist recruited by the army when twelve vast shells "
        "settle over the Earth. Her patience with the visitors is the film's quiet engine.",
        "The heptapods write in circles of ink, each one a whole sentence with no beginning and "
        "no end. Louise learns to read them, and the film suggests that learning a language can "
        "change how a person experiences time.",
        "Jeremy Renner is warm and understated as the physicist Ian Donnelly. Forest Whitaker "
        "gives the colonel a tired decency.",
        "Johann Johannsson's score hums beneath everything, and Bradford Young's grey "
        "photography makes the landing site feel like a dream remembered badly.",
        "Arrival is a rare blockbuster about grief and choice, and it trusts its audience to "
        "follow a structural twist without being led by the hand.",
    ]
    assert texts(blocks, "heading") == ["The Language of the Heptapods", "Verdict"]


def test_line_shared_by_two_articles_goes_from_both(site):
    sicario = site["sicario-2015-review"]
    assert "independent film criticism" not in joined(sicario)
    assert texts(sicario, "paragraph")[0].startswith("Emily Blunt plays Kate Macer")
    # alone, the same article keeps the line: it is only furniture when the site repeats it
    alone = clean_article(SICARIO, title=SICARIO.splitlines()[0])
    assert "independent film criticism" in joined(alone)


def test_prose_that_shares_a_long_passage_is_not_furniture():
    """Two reviews quoting the same long sentence keep it: only short lines are site furniture."""
    quote = (
        "The studio's synopsis describes a lonely writer who develops an unlikely relationship "
        "with an operating system designed to meet his every need, and both reviews quote it."
    )
    first = f"{quote}\nThe first critic loved the film and its score.\n"
    second = f"{quote}\nThe second critic found it cold and airless.\n"
    shared = repeated_lines([first, second])
    assert quote in joined(clean_article(first, shared_lines=shared))


def test_words_the_rules_look_for_inside_real_sentences_are_kept():
    blocks = clean_article(NIGHT, title=NIGHT.splitlines()[0])
    assert texts(blocks, "paragraph") == NIGHT.splitlines()[1:]


def test_cast_list_that_lost_its_bullets_stays_a_list_under_its_heading():
    body = (
        "The Master (2012) review\n"
        "Paul Thomas Anderson's film is a portrait of two men who need each other.\n"
        "Cast\n"
        "Joaquin Phoenix as Freddie Quell\n"
        "Philip Seymour Hoffman as Lancaster Dodd\n"
        "Amy Adams as Peggy Dodd\n"
        "The three leads play against each other like a chamber trio, each in a different key.\n"
    )
    blocks = clean_article(body, title="The Master (2012) review")
    assert [(b.kind, b.text) for b in blocks[1:5]] == [
        ("heading", "Cast"),
        ("item", "Joaquin Phoenix as Freddie Quell"),
        ("item", "Philip Seymour Hoffman as Lancaster Dodd"),
        ("item", "Amy Adams as Peggy Dodd"),
    ]


def test_markdown_structure_from_saved_pages_is_kept():
    body = (
        "# Moon (2009) review\n\n"
        "Sam Rockwell carries the film **almost alone**, and [Jones](/dj) lets him.\n\n"
        "## Verdict\n\n"
        "- Director: Duncan Jones\n"
        "- Running time: 97 minutes\n\n"
        "A patient, humane piece of science fiction.\n"
    )
    blocks = clean_article(body, title="Moon (2009) review")
    assert blocks == [
        Block("paragraph", "Sam Rockwell carries the film almost alone, and Jones lets him."),
        Block("heading", "Verdict"),
        Block("item", "Director: Duncan Jones"),
        Block("item", "Running time: 97 minutes"),
        Block("paragraph", "A patient, humane piece of science fiction."),
    ]


def test_headline_of_a_pasted_page_is_its_first_line_that_is_not_furniture():
    article = load_article(SITE / "arrival-2016-review.txt", SITE)
    assert article.meta.title == "Arrival (2016) review: the language of loss"
    assert (article.meta.film, article.meta.year) == ("Arrival", 2016)


def test_markdown_headings_shared_by_reviews_stay_structure() -> None:
    """'## Verdict' in every review of a site is a heading, not furniture to strip."""
    first = "## Verdict\n\nA patient, moving film about grief.\n\nShare this article"
    second = "## Verdict\n\nToo long by half, but the score is lovely.\n\nShare this article"
    shared = repeated_lines([first, second])
    assert "verdict" not in shared
    assert "share this article" in shared
    blocks = clean_article(second, shared_lines=shared)
    assert blocks[0].kind == "heading" and blocks[0].text == "Verdict"
    assert all("Share" not in b.text for b in blocks)


# A blog page pasted as text: category, author and read time above the review, one-word widgets
# ('Listen', 'Share'), a comment form and other articles' headlines below it.
BLOG = FIXTURES / "blog"


def test_blog_page_header_widgets_comment_form_and_link_titles_go():
    article = load_article(BLOG / "whiplash-2014-review.txt", BLOG)
    blocks = clean_article(article.body, title=article.meta.title, author=article.meta.author)
    text = joined(blocks)
    assert texts(blocks)[0].startswith("Damien Chazelle's Whiplash is a film about ambition")
    assert texts(blocks)[-1].startswith("The final concert, a nine-minute performance")
    assert texts(blocks, "heading") == ["Performances"]
    for noise in ("Listen", "Movies", "min read", "email address", "Required fields", "La La Land"):
        assert noise not in text, noise


@pytest.mark.parametrize(
    ("path", "author"),
    [
        (BLOG / "whiplash-2014-review.txt", "Arjun Mehta"),  # a bare name above '5 min read'
        (FIXTURES / "unseen" / "inception.txt", "Marcus Lee"),  # 'Posted by Marcus Lee | ...'
    ],
)
def test_author_is_read_from_the_page_byline(path, author):
    assert load_article(path, path.parent).meta.author == author


# --- page clutter by shape: each shape twice, in words written for these tests ----------------

PROSE = (
    "The film opens on a frozen harbour and never quite thaws. Its lead plays a ferryman who "
    "has stopped talking to anyone but the gulls, and the camera stays patient with him."
)
PROSE_AFTER = (
    "By the last crossing the ferryman speaks again, and the film earns every word of it. The "
    "final shot, a wake closing behind the boat, is the best image of the year."
)
CLUTTER_SHAPES = {
    "photo caption": [
        "L-R: Ana Ruiz as Marta and Tom Bell as Karl in Ice Harbour.",
        "(Left to right) Ana Ruiz and Tom Bell on set.",
    ],
    "studio credit": [
        "Ana Ruiz on the ferry deck. / North Star Pictures",
        "Tom Bell in a scene from the film. / A24",
    ],
    "photo courtesy": ["Courtesy North Star Pictures", "Photo: Lena Vogt"],
    "run of names": [
        "Ana Ruiz, Tom Bell, Ida Holm, Pavel Novak, Yusuf Demir",
        "Marta Lind; Karl Berg; Ole Dahl; Sven Aas",
    ],
    "newsletter": [
        "Sign up for our film newsletter and get every review in your inbox.",
        "Enter your email to get the week's reviews delivered to your inbox.",
    ],
    "back to site": ["Back to The Harbour Post", "Return to Film Reviews"],
    "top stories": ["Top Stories", "Most Popular"],
    "star residue": ["★★★½", "**"],
    "timestamp": ["Updated 4:15 PM EST, Fri November 4, 2022", "Published 3 hours ago"],
    "shop link": ["DVD $32.98 [Browse/Purchase]", "Blu-ray £14.99 Buy now"],
    "navigation": [
        "About Archives Letters Submissions Contact",
        "News Sports Opinion Arts Film Reviews",
    ],
    "spoiler warning": [
        "Spoiler Alert - stop reading now if you have not seen it",
        "Warning: spoilers ahead for the final act",
    ],
    "garbled alt text": [
        "Screen Shot 2019-03-04 at 10.32.11 AM",
        "ice-harbour-still-3-1024x576.jpg",
    ],
    "image host": [
        "Images for this post were taken from stills.example.com.",
        "Header image via filmgrabs.org",
    ],
}


@pytest.mark.parametrize(
    "clutter",
    [line for lines in CLUTTER_SHAPES.values() for line in lines],
)
def test_a_clutter_line_never_reaches_the_blocks(clutter: str) -> None:
    body = f"# Ice Harbour\n\n{PROSE}\n\n{clutter}\n\n{PROSE_AFTER}\n"
    blocks = clean_article(body)
    assert all(clutter not in block.text for block in blocks), blocks
    assert PROSE in joined(blocks) and PROSE_AFTER in joined(blocks)


@pytest.mark.parametrize(
    ("sign_off", "name"), [("Sincerely,", "Christopher"), ("Happily adrift and salted,", "Cory")]
)
def test_a_letters_sign_off_and_signature_go(sign_off: str, name: str) -> None:
    blocks = clean_article(f"{PROSE}\n\n{PROSE_AFTER}\n\n{sign_off}\n\n{name}\n")
    assert texts(blocks) == [PROSE, PROSE_AFTER]


@pytest.mark.parametrize(
    "lead", ["Again, according to the programme notes,", "As one critic put it,"]
)
def test_a_line_ending_with_a_comma_is_never_a_heading(lead: str) -> None:
    blocks = clean_article(f"{PROSE}\n\n{lead}\n\n{PROSE_AFTER}\n")
    assert lead not in texts(blocks, "heading")


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        (
            "The ending goes off the deep end [1]. It still works.",
            "The ending goes off the deep end. It still works.",
        ),
        (
            "[2] Once you have seen it, read the novel too.",
            "Once you have seen it, read the novel too.",
        ),
    ],
)
def test_footnote_marks_never_look_like_citations(line: str, clean: str) -> None:
    blocks = clean_article(f"{PROSE}\n\n{line}\n\n{PROSE_AFTER}\n")
    assert clean in texts(blocks)
