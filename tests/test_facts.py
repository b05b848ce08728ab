"""The fact sheet's credits: every shape in facts.SHAPES and every credits label, each with
sentences written for these tests, plus the shapes that must NOT yield a credit."""

from __future__ import annotations

import pytest

from filmchat.facts import CREDIT_LABELS, SHAPES, Fact, extract_facts, is_person_name

# (shape label, sentence, film, expected credits as (role, person, character))
SHAPE_ROWS: list[tuple[str, str, str | None, list[tuple[str, str, str | None]]]] = [
    # director
    (
        "directed by X",
        "The Salt Road, directed by Maria Lindqvist, crosses three borders in one night.",
        "The Salt Road",
        [("director", "Maria Lindqvist", None)],
    ),
    (
        "directed by X",
        "It was co-directed by Daniel Reyes and Laura Chen over two freezing winters.",
        None,
        [("director", "Daniel Reyes", None), ("director", "Laura Chen", None)],
    ),
    (
        "directed by X",
        "A western directed by Joel and Ethan Coen never wastes a single frame.",
        None,
        [("director", "Joel Coen", None), ("director", "Ethan Coen", None)],
    ),
    (
        "a film by X",
        "Salt Road is a Brazilian film by Ana Moreira, co-directed by Katia Souza.",
        "Salt Road",
        [("director", "Ana Moreira", None), ("director", "Katia Souza", None)],
    ),
    (
        "a film by X",
        "This is a quiet, generous movie by Tomas Reyna about two sisters.",
        None,
        [("director", "Tomas Reyna", None)],
    ),
    (
        "director X",
        "The Crowd (1928) is a silent masterpiece from director King Vidor, who cast his wife.",
        "The Crowd",
        [("director", "King Vidor", None)],
    ),
    (
        "screenplay by X",
        "With a story by Christopher Lane, screenplay by Lane and David Goyer, it flies.",
        None,
        [("writer", "Christopher Lane", None), ("writer", "David Goyer", None)],
    ),
    (
        "written and directed by X",
        "Written and directed by Thomas Berg, the film trusts its silences.",
        None,
        [("director", "Thomas Berg", None), ("writer", "Thomas Berg", None)],
    ),
    (
        "written and directed by X",
        "Directed and co-written by Helen Ward, the story moves at a walking pace.",
        None,
        [("director", "Helen Ward", None), ("writer", "Helen Ward", None)],
    ),
    (
        "writer-director X",
        "Writer-director Paul Dumont keeps the camera low and the voices lower.",
        None,
        [("director", "Paul Dumont", None), ("writer", "Paul Dumont", None)],
    ),
    (
        "writer-director X",
        "This is the third collaboration between the studio and writer/director Nina Kowalski.",
        None,
        [("director", "Nina Kowalski", None), ("writer", "Nina Kowalski", None)],
    ),
    (
        "director X",
        "The director, Samuel Okafor, has said the ending came to him in a dream.",
        None,
        [("director", "Samuel Okafor", None)],
    ),
    (
        "director X",
        "This is a confident return from director Rachel Moreau after years in television.",
        None,
        [("director", "Rachel Moreau", None)],
    ),
    (
        "director X",
        "Nobody expected a musical from director Tessa Vogel's team, let alone this one.",
        None,
        [("director", "Tessa Vogel", None)],
    ),
    (
        "director X",
        "It often recalls director Hugo Lind's previous film The Quiet Year.",
        "Snowfall",
        [("director", "Hugo Lind", None)],
    ),
    (
        "director X",
        "Filmmaker Jonas Ek lets every scene run a beat longer than you expect.",
        None,
        [("director", "Jonas Ek", None)],
    ),
    (
        "X directed <Title>",
        "Mira Olsen directed Salt Road in the winter of her fortieth year.",
        "Salt Road",
        [("director", "Mira Olsen", None)],
    ),
    (
        "X directed <Title>",
        "Years before that, Paul Anker directed Night Ferry for almost nothing.",
        "Harbour Lights",
        [],
    ),
    (
        "X composed the score",
        "Lena Hart composed the score, a single cello line that never resolves.",
        None,
        [("composer", "Lena Hart", None)],
    ),
    (
        "X composed the score",
        "Tomas Berg wrote the mournful music that opens and closes the film.",
        None,
        [("composer", "Tomas Berg", None)],
    ),
    (
        "X directs",
        "Karen Holt directs with a patience that borders on cruelty.",
        None,
        [("director", "Karen Holt", None)],
    ),
    (
        "X directs",
        "Simon Vance helms the picture as if it were a chamber piece.",
        None,
        [("director", "Simon Vance", None)],
    ),
    (
        "X's <Title>",
        "Anna Petrov's Winter Harbour is a film about waiting.",
        "Winter Harbour",
        [("director", "Anna Petrov", None)],
    ),
    (
        "X's <Title>",
        "Nobody expected George Palmer's latest Night Ferry to be this tender.",
        "Night Ferry",
        [("director", "George Palmer", None)],
    ),
    (
        "X's new film",
        "Peter Lang's new thriller opens with a phone ringing in an empty house.",
        "Dial Tone",
        [("director", "Peter Lang", None)],
    ),
    (
        "X's new film",
        "Claire Dubois's haunting, patient film The Lighthouse Keeper rewards attention.",
        "The Lighthouse Keeper",
        [("director", "Claire Dubois", None)],
    ),
    (
        "X's new film",
        "The Dardenne brothers' latest film is their angriest.",
        None,
        [("director", "Dardenne brothers", None)],
    ),
    (
        "<Title> is X's film",
        "The Long Field is, for me, the finest Dardenne brothers film.",
        "The Long Field",
        [("director", "Dardenne brothers", None)],
    ),
    (
        "<Title> is X's film",
        "Glass Garden was Ruth Adler's second feature, and it shows.",
        "Glass Garden",
        [("director", "Ruth Adler", None)],
    ),
    (
        "X's new film",
        "Marcus Hale's sequel doubles the budget and halves the jokes.",
        None,
        [("director", "Marcus Hale", None)],
    ),
    (
        "X's new film",
        "Oliver Grant's directorial debut has the nerve of a veteran.",
        None,
        [("director", "Oliver Grant", None)],
    ),
    # writer
    (
        "written by X",
        "The script, written by Julia Marsh, gives every minor character a secret.",
        None,
        [("writer", "Julia Marsh", None)],
    ),
    (
        "written by X",
        "It was co-written by Mark Ellis and Sarah Quinn during the strike.",
        None,
        [("writer", "Mark Ellis", None), ("writer", "Sarah Quinn", None)],
    ),
    (
        "screenplay by X",
        "The screenplay by Daniel Frost is the weakest link.",
        None,
        [("writer", "Daniel Frost", None)],
    ),
    (
        "screenplay by X",
        "With a script by Emma Lowe, the jokes land every time.",
        None,
        [("writer", "Emma Lowe", None)],
    ),
    (
        "screenwriter X",
        "Screenwriter Victor Hale adapts the stage play with surprising freedom.",
        None,
        [("writer", "Victor Hale", None)],
    ),
    (
        "screenwriter X",
        "Her co-writer, Lucy Brennan, deserves equal credit for the dialogue.",
        None,
        [("writer", "Lucy Brennan", None)],
    ),
    # composer
    (
        "composer X",
        "The strings of composer Anton Weiss swell at exactly the wrong moments.",
        None,
        [("composer", "Anton Weiss", None)],
    ),
    (
        "composer X",
        "Everything rests on the music by the composer, Greta Lind, whose drones never let up.",
        None,
        [("composer", "Greta Lind", None)],
    ),
    (
        "score by X",
        "A brooding score by Michael Stone underlines every silence.",
        None,
        [("composer", "Michael Stone", None)],
    ),
    (
        "score by X",
        "The soundtrack, largely composed by Nora Feld, leans on a single cello.",
        None,
        [("composer", "Nora Feld", None)],
    ),
    (
        "X's score",
        "Hannah Frey's minimal, insistent score is the film's heartbeat.",
        None,
        [("composer", "Hannah Frey", None)],
    ),
    (
        "X's score",
        "I left humming Jacob Nilsen's music for days.",
        None,
        [("composer", "Jacob Nilsen", None)],
    ),
    # cinematographer
    (
        "cinematographer X",
        "Cinematographer Lars Holm frames the city as a maze of reflections.",
        None,
        [("cinematographer", "Lars Holm", None)],
    ),
    (
        "cinematographer X",
        "The director of photography, Irene Castillo, shoots everything in available light.",
        None,
        [("cinematographer", "Irene Castillo", None)],
    ),
    (
        "shot by X",
        "The film was beautifully shot by Robert Lane on expired stock.",
        None,
        [("cinematographer", "Robert Lane", None)],
    ),
    (
        "shot by X",
        "Every frame is gorgeously photographed by Elena Rossi.",
        None,
        [("cinematographer", "Elena Rossi", None)],
    ),
    (
        "cinematography by X",
        "The cinematography by Martin Kessler makes the desert look like the moon.",
        None,
        [("cinematographer", "Martin Kessler", None)],
    ),
    (
        "cinematography by X",
        "Its camerawork by Alice Moreno is restless and hand-held throughout.",
        None,
        [("cinematographer", "Alice Moreno", None)],
    ),
    (
        "X's cinematography",
        "Frank Ostrowski's luminous cinematography is reason enough to see it.",
        None,
        [("cinematographer", "Frank Ostrowski", None)],
    ),
    (
        "X's cinematography",
        "Linda Berger's camera never blinks.",
        None,
        [("cinematographer", "Linda Berger", None)],
    ),
    # editor
    (
        "edited by X",
        "Tightly edited by Kevin Marsh, it never outstays its welcome.",
        None,
        [("editor", "Kevin Marsh", None)],
    ),
    (
        "edited by X",
        "The montage, edited by Paula Grant, is the best sequence of the year.",
        None,
        [("editor", "Paula Grant", None)],
    ),
    (
        "X's editing",
        "Steven Park's brisk editing keeps the heist moving.",
        None,
        [("editor", "Steven Park", None)],
    ),
    (
        "X's editing",
        "Even Mary Lund's editing cannot save the final act.",
        None,
        [("editor", "Mary Lund", None)],
    ),
    # producer
    (
        "produced by X",
        "It was produced by Walter Hughes, who fought for the final cut.",
        None,
        [("producer", "Walter Hughes", None)],
    ),
    (
        "produced by X",
        "Produced by Diane Foster and Brian Cole, it cost less than a car.",
        None,
        [("producer", "Diane Foster", None), ("producer", "Brian Cole", None)],
    ),
    (
        "producer X",
        "Producer Richard Lowe found the money in three countries.",
        None,
        [("producer", "Richard Lowe", None)],
    ),
    (
        "producer X",
        "According to executive producer Susan Hart, the shoot lasted ninety days.",
        None,
        [("producer", "Susan Hart", None)],
    ),
    # cast
    (
        "Character (Actor)",
        "Mara (Julia Stone) keeps a diary that nobody is allowed to read.",
        None,
        [("cast", "Julia Stone", "Mara")],
    ),
    (
        "Character (Actor)",
        "Her older brother Tobias (Daniel Frey, who barely speaks) runs the farm.",
        None,
        [("cast", "Daniel Frey", "Tobias")],
    ),
    (
        "Character (Actor)",
        "The widower's daughter Agnes (Ruth Keller) finds the letters first.",
        None,
        [("cast", "Ruth Keller", "Agnes")],
    ),
    (
        "Character (Actor)",
        "Suddenly Otto (Frank Weber) is at the door.",
        None,
        [("cast", "Frank Weber", "Otto")],
    ),
    (
        "Character (Actor)",
        'The school knows her as Margaret "Peggy" Olsen (Laura Dean), the new teacher.',
        None,
        [("cast", "Laura Dean", 'Margaret "Peggy" Olsen')],
    ),
    (
        "a description (Actor)",
        "We follow a nameless courier (Daniel Frey) through one endless night.",
        None,
        [("cast", "Daniel Frey", None)],
    ),
    (
        "a description (Actor)",
        "The story turns on her estranged father (Paul Becker, in his last role) and a boat.",
        None,
        [("cast", "Paul Becker", None)],
    ),
    (
        "Character (a brilliant Actor)",
        "Then there is Uncle Ray (a wonderfully sleazy Michael Burke) and his dog.",
        None,
        [("cast", "Michael Burke", "Uncle Ray")],
    ),
    (
        "Character (a brilliant Actor)",
        "A lonely night porter (an unrecognisable Peter Walsh) watches it all happen.",
        None,
        [("cast", "Peter Walsh", None)],
    ),
    (
        "Actor as Character",
        "Emma Hart as Nell is the reason to see it.",
        None,
        [("cast", "Emma Hart", "Nell")],
    ),
    (
        "Actor as Character",
        "Carla Mendes stars as Ines, a translator who lies for a living.",
        None,
        [("cast", "Carla Mendes", "Ines")],
    ),
    (
        "Actor as Character",
        "Later, George Simmons returns as Captain Drake for one last voyage.",
        None,
        [("cast", "George Simmons", "Captain Drake")],
    ),
    (
        "Actor is great as Character",
        "Sophie Clarke is superb as the grieving Ada.",
        None,
        [("cast", "Sophie Clarke", "Ada")],
    ),
    (
        "Actor is great as Character",
        "Henry Cole is also terrific as the hero's rival, Victor.",
        None,
        [("cast", "Henry Cole", "Victor")],
    ),
    (
        "Actor is great as Character",
        "Hannah Weiss is fierce as his sister Greta.",
        None,
        [("cast", "Hannah Weiss", "Greta")],
    ),
    (
        "Actor plays Character",
        "Rebecca Stone plays Iris with a steel that never cracks.",
        None,
        [("cast", "Rebecca Stone", "Iris")],
    ),
    (
        "Actor plays Character",
        "Laura Kemp (barely recognisable under the make-up) plays Orla.",
        None,
        [("cast", "Laura Kemp", "Orla")],
    ),
    (
        "Actor plays Character",
        "Michael Reed plays a widowed fisherman who stops talking.",
        None,
        [("cast", "Michael Reed", None)],
    ),
    (
        "Character, played by Actor",
        "Jonah, played by Samuel Grant, is the moral centre of the film.",
        None,
        [("cast", "Samuel Grant", "Jonah")],
    ),
    (
        "Character, played by Actor",
        "Her only friend is a talking radio called Bertie (voiced by Simon Hale).",
        None,
        [("cast", "Simon Hale", "Bertie")],
    ),
    (
        "Character, played by Actor",
        "The sisters are played wonderfully by Alice Ward and Clara Ward.",
        None,
        [("cast", "Alice Ward", None), ("cast", "Clara Ward", None)],
    ),
    (
        "starring A, B and C",
        "Starring Laura Bell, James Monroe and Kate Wilson, it is a chamber piece.",
        None,
        [
            ("cast", "Laura Bell", None),
            ("cast", "James Monroe", None),
            ("cast", "Kate Wilson", None),
        ],
    ),
    (
        "starring A, B and C",
        "A caper starring Peter Quill (fresh from his stage run) and, more importantly, "
        "Diana Lowe.",
        None,
        [("cast", "Peter Quill", None), ("cast", "Diana Lowe", None)],
    ),
    (
        "the film stars A and B",
        "The film stars Oliver Stone and Megan Fox as estranged twins.",
        None,
        [("cast", "Oliver Stone", None), ("cast", "Megan Fox", None)],
    ),
    (
        "the film stars A and B",
        "It also stars Robert Hay, who is the best thing in it.",
        None,
        [("cast", "Robert Hay", None)],
    ),
    (
        "Actor's character, Character",
        "The standout is Andrew Blake's character, Silas Crane, a preacher with a gun.",
        None,
        [("cast", "Andrew Blake", "Silas Crane")],
    ),
    (
        "Actor's character, Character",
        "Maria Lopez's quietly furious character of Dolores steals the film.",
        None,
        [("cast", "Maria Lopez", "Dolores")],
    ),
]


def _triples(facts: list[Fact]) -> list[tuple[str, str, str | None]]:
    return [(f.role, f.person, f.character) for f in facts]


@pytest.mark.parametrize(("label", "sentence", "film", "expected"), SHAPE_ROWS)
def test_shape_extracts_its_credits(label: str, sentence: str, film: str | None, expected):
    assert _triples(extract_facts([sentence], film)) == expected, label


def test_every_shape_has_at_least_two_test_rows():
    tested = [row[0] for row in SHAPE_ROWS]
    assert {
        shape.label: tested.count(shape.label) for shape in SHAPES if tested.count(shape.label) < 2
    } == {}


# Credits lines and blocks: (sentences, expected credits as (role, person, character, sentence))
LABEL_ROWS: list[tuple[list[str], list[tuple[str, str, str | None, int]]]] = [
    (
        ["Director: Maria Lindqvist"],
        [("director", "Maria Lindqvist", None, 0)],
    ),
    (
        ["Directed by: Tom Becker", "Writers: Tom Becker, Ann Fischer (novel)"],
        [
            ("director", "Tom Becker", None, 0),
            ("writer", "Tom Becker", None, 1),
            ("writer", "Ann Fischer", None, 1),
        ],
    ),
    (
        ["Cast: Paul Novak, Maria Vidal and Ian Ross"],
        [
            ("cast", "Paul Novak", None, 0),
            ("cast", "Maria Vidal", None, 0),
            ("cast", "Ian Ross", None, 0),
        ],
    ),
    (
        ["Dir: Julia Marsh. Script: Ben Harper. Starring: Lena Sommer; Ross Grant. 96 minutes"],
        [
            ("director", "Julia Marsh", None, 0),
            ("writer", "Ben Harper", None, 0),
            ("cast", "Lena Sommer", None, 0),
            ("cast", "Ross Grant", None, 0),
        ],
    ),
    (
        ["Director: Anne Holm Writers: Anne Holm, Carl Berg Starring: Eva Lund Runtime: 99"],
        [
            ("director", "Anne Holm", None, 0),
            ("writer", "Anne Holm", None, 0),
            ("writer", "Carl Berg", None, 0),
            ("cast", "Eva Lund", None, 0),
        ],
    ),
    (
        ["Music: Karl Jensen", "Cinematography: Lisa Brandt", "Editor: Tom Wells"],
        [
            ("composer", "Karl Jensen", None, 0),
            ("cinematographer", "Lisa Brandt", None, 1),
            ("editor", "Tom Wells", None, 2),
        ],
    ),
    (
        ["Director of Photography: Hans Berger", "written-by: Lisa Moor"],
        [("cinematographer", "Hans Berger", None, 0), ("writer", "Lisa Moor", None, 1)],
    ),
    (
        ["Screenplay: Nora Quill", "Producers: Sam Fisher & Dana Roth"],
        [
            ("writer", "Nora Quill", None, 0),
            ("producer", "Sam Fisher", None, 1),
            ("producer", "Dana Roth", None, 1),
        ],
    ),
    (
        # A label alone starts a block; its list items follow until a sentence that is not one.
        ["Cast:", "Peter Morgan", "Julia Price as Rose", "The film is long."],
        [("cast", "Peter Morgan", None, 1), ("cast", "Julia Price", "Rose", 2)],
    ),
    (
        # Credits with a cast member whose first name the dictionary lacks: the label vouches.
        ["Starring: Mahershala Ali, Naomie Harris"],
        [("cast", "Mahershala Ali", None, 0), ("cast", "Naomie Harris", None, 0)],
    ),
]


@pytest.mark.parametrize(("sentences", "expected"), LABEL_ROWS)
def test_credits_lines_and_blocks(sentences: list[str], expected):
    facts = extract_facts(sentences)
    assert [(f.role, f.person, f.character, f.sentence) for f in facts] == expected


def test_every_credit_label_role_is_tested():
    tested_roles = {credit[0] for _, expected in LABEL_ROWS for credit in expected}
    assert {role for _, roles in CREDIT_LABELS for role in roles} <= tested_roles


def test_list_items_under_a_cast_heading_are_cast():
    sentences = ["Paul Novak – Viktor", "Maria Vidal", "A slow, sad film."]
    facts = extract_facts(sentences, headings=["Cast", "Cast", "Verdict"])
    assert _triples(facts) == [("cast", "Paul Novak", "Viktor"), ("cast", "Maria Vidal", None)]


def test_names_under_other_headings_are_not_cast():
    assert extract_facts(["Paul Novak", "Maria Vidal"], headings=["Verdict", None]) == []


# Sentences that name people near credit words without stating a credit.
NOT_A_CREDIT: list[tuple[str, str | None]] = [
    # photo captions
    ("L-R: Anna Petrov and George Palmer at the premiere.", None),
    ("Photo: Maria Lindqvist directed by the pool", None),
    ("The cast, photographed by Ellen Cross for the magazine.", None),
    # studios, honours, places, the film's own title
    ("It was directed by Studio Pictures, or so the poster implies.", None),
    ("The film was produced by Warner Bros. and nobody else.", None),
    ("It won the award for Best Original Score at the festival.", None),
    ("The premiere at the Venice Film Festival was directed by chaos.", None),
    ("Director Lady Bird is not a person but the film.", "Lady Bird"),
    # the cue and the name far apart in the sentence (see also the two tests below)
    ("The music swells while, far across the valley, Kate Wilson rides home.", None),
    # another film of the same person
    ("Ridley Scott's sci-fi opus Blade Runner is the template.", "Blade Runner 2049"),
    ("Peter Lang's previous film was a comedy.", "Dial Tone"),
    ("It is nothing like director Alfred Hitchcock's Rope.", "Dial Tone"),
    ("He often works with director Danny Boyle on bigger projects.", None),
    ("As director Martin Keel once said, every film is a ghost story.", None),
    ("It was written by Tom Stone's nephew, which explains a lot.", None),
    ("Composer Jack Wilde's Harbour theme is quoted in the finale.", "Snowfall"),
    ("Her best scene was cut by Harvey Lang before release.", None),
    ("The film's director (Anna Petrov) appears in a cameo.", None),
    ("It was shot in the town where the writer (Paul Dumont) grew up.", None),
    ("Much like Stanley Kubrick's horror masterpiece, it takes its time.", None),
    ("It is, to my mind, the best Dardenne brothers film in a decade.", None),
    # a book's writer, a song's producer, a casting director
    ("It adapts the novel written by Cormac Doyle in 2005.", None),
    ("The single produced by Mark Ronson plays over the credits.", None),
    ("The casting director Ellen Lewis found the twins.", None),
    # "is known as", "is hailed as": not a performance
    ("Peter Lang is hailed as Hitchcock's heir by some critics.", None),
    # a bare surname nobody has been named by
    ("Lee (Krasinski) is the father.", None),
    # a film inside the film, and another film's maker
    ('She auditions for "The Silvia North Story," directed by Bob Brooker.', "Mulholland Row"),
    ("It recalls an earlier film by Ana Moreira about the same coast.", None),
    ("In The Apartment (1960), director Billy Wilder paid homage to it.", "The Crowd"),
]


@pytest.mark.parametrize(("sentence", "film"), NOT_A_CREDIT)
def test_sentences_that_state_no_credit(sentence: str, film: str | None):
    assert extract_facts([sentence], film) == []


def test_bracketed_character_is_still_cast_when_the_cue_is_far():
    facts = extract_facts(["The soundtrack is loud, and Mara (Julia Stone) hums along to it."])
    assert _triples(facts) == [("cast", "Julia Stone", "Mara")]


def test_the_camera_credit_is_not_a_director_credit():
    facts = extract_facts(
        ["Its cinematographer, Lars Holm, is credited before the director in the titles."]
    )
    assert _triples(facts) == [("cinematographer", "Lars Holm", None)]


def test_sections_about_other_films_credit_nothing():
    sentences = [
        "Directed by Nina Falk, Low Tide is a quiet marvel.",
        "If you liked it, try these:",
        "1. Harbour Lights (2011):",
        "Directed by Paul Weir, this one is even quieter.",
        "2. Night Bus (2015):",
        "Starring Emma Rowe, it follows a driver.",
        "Low Tide (2019):",
        "Mia (Clara Jung) is the heart of it.",
    ]
    facts = extract_facts(sentences, "Low Tide")
    assert [(f.role, f.person, f.sentence) for f in facts] == [
        ("director", "Nina Falk", 0),
        ("cast", "Clara Jung", 7),
    ]


def test_a_heading_naming_another_film_keeps_its_section_out():
    sentences = ["Directed by Paul Weir, it is quieter still.", "Starring Nina Falk."]
    headings = ["Harbour Lights (2011)", "Cast"]
    assert _triples(extract_facts(sentences, "Low Tide", headings)) == [("cast", "Nina Falk", None)]


def test_a_quoted_other_title_after_the_credit_is_that_films_credit():
    sentences = [
        "Directed by Ruth Adler, “Glass Garden” covers similar ground.",
        "Directed by Oliver Grant, “Low Tide” is his best.",
    ]
    assert _triples(extract_facts(sentences, "Low Tide")) == [("director", "Oliver Grant", None)]


def test_a_surname_resolves_to_the_full_name_given_earlier():
    sentences = [
        "Directed by John Harlow, it follows a family on a farm.",
        "Ellen (Harlow) is the mother.",
        "Harlow's camera stays at knee height.",
    ]
    facts = extract_facts(sentences)
    assert _triples(facts) == [
        ("director", "John Harlow", None),
        ("cast", "John Harlow", "Ellen"),
        ("cinematographer", "John Harlow", None),
    ]
    assert [f.sentence for f in facts] == [0, 1, 2]


def test_a_surname_shared_by_two_people_resolves_to_neither():
    sentences = ["It stars Anna Berg and Karl Berg as siblings.", "Greta (Berg) is the aunt."]
    assert _triples(extract_facts(sentences)) == [
        ("cast", "Anna Berg", None),
        ("cast", "Karl Berg", None),
    ]


def test_facts_are_in_order_and_deduplicated():
    sentences = [
        "Starring: Nina Weiss, Tom Hale",
        "Nina Weiss plays Greta, a diver.",
        "Tom Hale as Otto and Nina Weiss as Greta share one scene.",
        "Directed by Paula Marsh.",
        "Paula Marsh directs with restraint.",
    ]
    facts = extract_facts(sentences)
    assert [(f.role, f.person, f.character, f.sentence) for f in facts] == [
        ("cast", "Nina Weiss", None, 0),
        ("cast", "Tom Hale", None, 0),
        ("cast", "Nina Weiss", "Greta", 1),
        ("cast", "Tom Hale", "Otto", 2),
        ("director", "Paula Marsh", None, 3),
    ]


def test_a_stars_latest_film_is_not_hers_to_direct():
    sentences = [
        "Emily Stone's latest film is a ghost story.",
        "Emily Stone plays the widow with a frozen smile.",
    ]
    assert _triples(extract_facts(sentences)) == [("cast", "Emily Stone", None)]


def test_a_title_character_played_by_an_actor():
    sentences = ["Marta Holm's Rosa follows one night.", "Rosa (Lena Kraus) is a waitress."]
    assert _triples(extract_facts(sentences, "Rosa")) == [
        ("director", "Marta Holm", None),
        ("cast", "Lena Kraus", "Rosa"),
    ]


def test_actor_named_outside_the_brackets_when_the_article_calls_them_by_surname():
    sentences = [
        "Thomas Hardy (Max Rockwell) drives the rig.",
        "Hardy is superb throughout.",
    ]
    assert _triples(extract_facts(sentences)) == [("cast", "Thomas Hardy", "Max Rockwell")]


def test_character_named_outside_the_brackets_when_the_article_calls_them_by_first_name():
    sentences = ["It follows Walter Greene (Peter Lang), a night watchman.", "Walter never sleeps."]
    assert _triples(extract_facts(sentences)) == [("cast", "Peter Lang", "Walter Greene")]


def test_two_full_names_in_brackets_with_nothing_to_tell_them_apart_give_nothing():
    assert extract_facts(["Chris Hale (Ransom Drake) smirks at everyone."]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Millicent Simmonds", True),
        ("Ana de Armas", True),
        ("Tommy Lee Jones", True),
        ("Sir Ian McKellen", True),
        ("Bong Joon-ho", True),
        ("Studio Pictures", False),
        ("Best Picture", False),
        ("Venice Film Festival", False),
        ("The Shimmer", False),
        ("Academy Award", False),
        ("Warner Bros", False),
        ("Captain America", False),
        ("Los Angeles", False),
        ("Deakins", False),
        ("Blade Runner", False),
    ],
)
def test_is_person_name(text: str, expected: bool):
    assert is_person_name(text) is expected
