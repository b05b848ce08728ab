"""Cleaning: turn a scraped article body into structured blocks, dropping page furniture.

Scraped reviews carry noise glued into the prose: repeated widget lines, calls to action,
image captions and credits, auto-generated alt text, read-time lines. The rules here are
general (they describe *kinds* of noise), so they work on articles filmchat has never seen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item"]


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph or a list item of the cleaned article."""

    kind: BlockKind
    text: str


_TERMINAL = ".!?…"
_CLOSERS = "\"'”’)»]"

# Widget and page furniture, anywhere in a short line: never how a reviewer writes.
_CALL_TO_ACTION = re.compile(
    r"""
    \b(click|tap)\s+here\b
    | \bcomments?\s+(are\s+|is\s+)?(now\s+)?(closed|disabled|turned\s+off)\b
    | \bleave\s+a\s+(comment|reply)\b | ^no\s+comments
    | ^\d+\s+(comments?|responses?|claps?|likes?)$
    | \b(related|recommended|popular|trending)\s+(posts?|articles?|stories|reads|videos?)\b
    | \byou\s+(may|might)\s+also\s+like\b | \bsuggested\s+(videos?|articles?|reading|for\s+you)\b
    | \bexplore\s+similar\b | \bmore\s+from\s+this\b | \bsubscribe\s+to\s+our\b | \bnewsletter\b
    | \baccept\s+(all|cookies)\b | \bmanage\s+(preferences|cookies|consent)\b
    | \bprivacy\s+policy\b | \bterms\s+of\s+(use|service)\b | \ball\s+rights\s+reserved\b | ©
    | ^advertisement$ | ^sponsored(\s+content)?$ | \bskip\s+to\s+(main\s+)?content\b
    | \bback\s+to\s+top\b | \bmay\s+be\s+an?\s+(image|photo|graphic)\b | \bimage\s+may\s+contain\b
    | \bemail\s+address\s+will\s+not\s+be\s+published\b | \brequired\s+fields\s+are\s+marked\b
    | \bnotify\s+me\s+of\s+(new|follow-up)\b | \bsave\s+my\s+name\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Furniture that opens a short line; inside a sentence the same words are prose ("they share this").
_WIDGET_LABEL = re.compile(
    r"""
    ^(share(\s+(this|on|via)\b|$) | tweet\s+this | pin\s+it | read\s+(more|next|also)\b
    | continue\s+reading | see\s+also\b | related\s*: | follow\s+(us|me)\b | subscribe\b
    | sign\s+(up|in)\b | tags?\s*: | filed\s+under\b | categor(y|ies)\s*:
    | watch\s+(the\s+)?trailer
    | (listen|save|clap|bookmark|print|email|reply|menu|search|log\s+in|open\s+in\s+app)$)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_COOKIE_BANNER = re.compile(
    r"\b(we|this\s+(site|website)|our\s+(site|website|partners))\s+uses?\s+cookies\b"
    r"|\b(use|storing|storage)\s+of\s+cookies\b|\bcookies?\s+(policy|settings|preferences|consent)\b"
    r"|\baccept\s+(all\s+)?cookies\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?i:(written|posted|reviewed|words|story)\s+)?(?i:by)\s+[A-Z][\w.'’-]*"
    r"|^(?i:(posted|published|updated)\s+(on|at)\b)"
)
_NAV_SEPARATOR = re.compile(r"\s*[|›»•·]\s*|\s+[>/]\s+")
# Image credits: a label ('Photo: Paramount', '(Image by ...)') or a host / licence / link.
_CREDIT_LABEL = re.compile(
    r"(^|[\s(\[.|–—-])(photo(graph)?|image|picture|credit|source|poster)s?\s*"
    r"(:|\bby\b|\bfrom\b|\bcourtesy\b|—|–|-\s)|\bcourtesy\s+of\b|^\(?courtesy\s+[A-Z]",
    re.IGNORECASE,
)
_CREDIT_MARK = re.compile(
    r"""
    \bhttps?://\S+ | \bwww\.\S+ | \b[\w-]+\.(?:com|net|org|io|co\.uk)\b
    | \bwikimedia\b | \bflickr\b | \bgetty\s+images\b | \bshutterstock\b | \bcc[\s-]by\b
    | \bcropped\s+from\b | \bpublic\s+domain\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

_READ_TIME = re.compile(r"\b\d+\s*min(ute)?s?\s+read\b|^\d+\s*min(ute)?s?\s+read", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^(published|updated|posted)?\s*:?\s*"
    r"((jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})$",
    re.IGNORECASE,
)
# Repeated lines longer than this are quoted prose (a synopsis shared by two reviews), not widgets.
_MAX_FURNITURE_WORDS = 25
_PUNCTUATION_ONLY = re.compile(r"^[\W_]+$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪–]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_FOOTNOTE_MARK = re.compile(r"(?<=[\w.,;:!?\"”’)])\s?\[\^?\d{1,3}\]|^\[\^?\d{1,3}\]:?\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
# A sentence end followed, with no space, by a capitalised run with no sentence end of its own:
# the signature of alt text or a caption glued to the prose when a page was flattened.
_GLUED_TAIL = re.compile(r"[a-z0-9][.!?][\"”’)]?([A-ZÀ-ÖØ-ÞĀ-ỸА-Я][^.!?]*)$")


def normalize_line(line: str) -> str:
    """Comparison key for spotting the same line twice: case, spacing, edge punctuation and
    Markdown heading marks ignored."""
    return re.sub(r"\s+", " ", line).strip().strip("#*\"'“”‘’.:!-–— ★☆½").lower()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’']+", text)


def is_sentence_like(text: str) -> bool:
    """Ends like a sentence (period, question mark...), possibly inside closing quotes."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def is_title_case(text: str) -> bool:
    """Headings capitalise their content words; widget labels ('Suggested videos') do not."""
    words = [w for w in _words(text) if len(w) >= 4 and w.isalpha()]
    return bool(words) and all(w[0].isupper() for w in words)


def _looks_like_heading(line: str) -> bool:
    words = _words(line)
    return (
        0 < len(words) <= 10
        and len(line) <= 90
        and not is_sentence_like(line)
        and not line.rstrip().endswith((",", ";"))  # 'Sincerely,' 'Again, according to X,'
        and not _LIST_MARKER.match(line)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "\"“'‘")
    )


def is_navigation(line: str) -> bool:
    """Menus and breadcrumbs: 'Home | Reviews | Contact', 'Home › Reviews › Moon (2009)'."""
    parts = [part for part in _NAV_SEPARATOR.split(line) if part.strip()]
    return (
        len(parts) >= 3
        and all(len(_words(part)) <= 4 for part in parts)
        and not is_sentence_like(line)
    )


def is_noise_line(line: str) -> bool:
    """A whole line that belongs to the page, not to the review."""
    stripped = line.strip()
    if not stripped or _PUNCTUATION_ONLY.match(stripped):
        return True
    words = len(_words(stripped))
    if words <= 80 and _COOKIE_BANNER.search(stripped):
        return True  # consent banners run long, but no review talks like this
    if words > 15:
        return False
    if _READ_TIME.search(stripped) or _DATE_ONLY.match(stripped) or is_navigation(stripped):
        return True
    if _BYLINE.match(stripped) and not is_sentence_like(stripped):
        return True
    return bool(_CALL_TO_ACTION.search(stripped) or _WIDGET_LABEL.match(stripped))


# 'Director: …', 'Dir: …', 'Starring: …': a credits line states a fact, never a heading
_CREDITS_LABEL = re.compile(
    r"^\s*(dir(ector|ected\s+by)?|writers?|written\s+by|screenplay|script|starring|cast|stars"
    r"|music|score|cinematography|editor|editing|producers?|runtime|running\s+time|country"
    r"|language|genre|release(d|\s+date)?|studio|distributor|certificate|rated|rating)\s*$",
    re.IGNORECASE,
)
_RATING = re.compile(
    r"^\W*(\d{1,2}(\.\d)?|one|two|three|four|five|half)\s*(/\s*\d{1,3}|stars?|out\s+of\s+\d{1,3}"
    r"(\s+stars)?)\W*$",
    re.IGNORECASE,
)


def is_rating(line: str) -> bool:
    """'5 Stars', '4 out of 5', '8/10': the reviewer's verdict, kept, but never a heading."""
    return bool(_RATING.match(_strip_markdown(line).strip()))


# --- clutter: lines of a page that are never review prose nor a section heading -------------

# Words of site navigation and section labels ('About Archives Letters Submissions', 'Film').
NAVIGATION_WORDS = frozenset(
    "home about archives archive letters submissions submit contact contacts subscribe search"
    " login log register advertise advertising news reviews review features podcasts podcast"
    " events shop store menu sections opinion sports arts culture video videos photos gallery"
    " jobs classifieds donate privacy terms faq help careers masthead staff film films movies"
    " movie tv lifestyle entertainment blog issues issue calendar listings newsletters"
    " newsletter rss sitemap print edition e-edition obituaries more latest popular trending"
    " stories top most read viewed watched shared emailed comments now related coverage"
    " editor's editors picks recommended featured".split()
)
_BACK_TO = re.compile(r"^(back|return|go\s+back)\s+to\s+\S", re.IGNORECASE)
_STAR_RESIDUE = re.compile(r"^[\s★☆✩✪✫✬✭✮✯✰⭐½*+]+$|^\(?\s*\d(\.\d)?\s*/\s*(5|10)\s*\)?$")
_PRICE = re.compile(r"[$£€]\s?\d+(?:[.,]\d{2})?|\b\d+(?:[.,]\d{2})?\s?(?:USD|EUR|GBP)\b")
_SHOP_WORDS = re.compile(
    r"\b(buy|purchase|shop|order|browse|add\s+to\s+cart|in\s+stock|amazon|itunes)\b", re.I
)
_CAPTION_LEAD = re.compile(
    r"^\(?\s*(l(eft)?\s*(-|–|to)\s*r(ight)?|from\s+left|clockwise|pictured|above|below|top|"
    r"bottom|inset)\s*[:),]",
    re.IGNORECASE,
)
_STUDIO_CREDIT = re.compile(r"\s/\s*[A-Z][\w&.'’-]*(\s+[A-Z&][\w&.'’-]*){0,4}\s*\)?$")
_NEWSLETTER = re.compile(
    r"\b(delivered\s+to\s+your\s+inbox|enter\s+your\s+e-?mail|sign\s+up\s+(for|to)\b|by\s+signing"
    r"\s+up|unsubscribe\s+at\s+any\s+time|thanks\s+for\s+signing\s+up|get\s+our\s+\w+\s+"
    r"newsletter|in\s+your\s+inbox)",
    re.IGNORECASE,
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_TIMESTAMP_WORDS = re.compile(
    rf"\b(\d{{1,2}}[:.]\d{{2}}(\s*[ap]\.?m\.?)?|[ap]\.?m\.?|(?:{_MONTHS})[a-z]*\.?"
    r"|(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?\.?|\d{1,4}(st|nd|rd|th)?"
    r"|published|updated|posted|last|modified|on|at|ago|hours?|minutes?|mins?|days?|weeks?"
    r"|yesterday|today|[A-Z]{2,4}T?|GMT|UTC|BST|EST|EDT|PST|PDT|CET)\b",
    re.IGNORECASE,
)
# Alt text and captions a page generator filled with a file name or an id, not words
_GARBLED = re.compile(
    r"\b[\w-]+\.(?:jpe?g|png|gif|webp|svg|avif)\b|\b(?:IMG|DSC|DSCN|PXL)_?\d{3,}"
    r"|\bscreen\s?shot\s+\d{4}-\d{2}-\d{2}|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{24,}\b",
    re.IGNORECASE,
)
_BARE_NAME = re.compile(r"[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,2}")
_SPOILER_WARNING = re.compile(
    r"^\W*(spoilers?\s*(alert|warning|ahead)|warning\s*:\s*spoilers?)\b", re.I
)
_NAME_CONNECTORS = frozenset("and & of de da del der van von la le du di y".split())


def is_timestamp(line: str) -> bool:
    """'Updated 3:15 p.m. ET, Mon March 4, 2019', '2 hours ago', '2019-03-04T10:00:00Z'."""
    stripped = line.strip()
    if len(_words(stripped)) > 14 or not re.search(r"\d", stripped):
        return False
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?\S*)?", stripped):
        return True
    rest = _TIMESTAMP_WORDS.sub(" ", stripped)
    has_clock = bool(re.search(r"\d{1,2}[:.]\d{2}|\bago\b", stripped, re.IGNORECASE))
    return has_clock and not re.search(r"[^\W\d_]{2,}", rest)


def is_name_run(line: str) -> bool:
    """A run of names with no verb: 'Tom Hardy, Charlize Theron, Nicholas Hoult, Zoë Kravitz'.

    A labelled run ('Starring: ...') states who is in the film and stays."""
    stripped = line.strip().rstrip(".")
    if re.match(r"^[^:]{1,30}:\s", stripped):
        return False
    words = re.findall(r"[^\s,;&]+", stripped)
    separators = len(re.findall(r",|;|\s&\s|\band\b", stripped))
    if len(words) < 4 or separators < 2:
        return False
    return all(w[0].isupper() or w.lower() in _NAME_CONNECTORS for w in words)


def is_navigation_words(line: str) -> bool:
    """A menu without separators: 'About Archives Letters Submissions', or a section label."""
    words = [w.lower() for w in _words(line)]
    if not words or len(words) > 14 or is_sentence_like(line):
        return False
    known = sum(w in NAVIGATION_WORDS for w in words)
    return known == len(words) if len(words) <= 3 else known >= max(3, len(words) * 0.6)


def _is_sign_off(line: str) -> bool:
    return line.rstrip().endswith(",") and len(_words(line)) <= 5


def is_clutter(line: str) -> bool:
    """Page clutter by shape: star residue, timestamps, photo captions and credits, runs of
    names, newsletter boxes, 'Back to <site>', 'Top Stories', shop links, site navigation."""
    stripped = line.strip()
    if not stripped:
        return False
    words = len(_words(stripped))
    if _STAR_RESIDUE.match(stripped) or is_timestamp(stripped):
        return True
    if _CAPTION_LEAD.match(stripped) or (words <= 30 and _STUDIO_CREDIT.search(stripped)):
        return True
    if words <= 40 and _NEWSLETTER.search(stripped):
        return True
    if words <= 15 and (_SPOILER_WARNING.match(stripped) or _GARBLED.search(stripped)):
        return True
    if words <= 6 and _BACK_TO.match(stripped):
        return True
    if words <= 15 and _PRICE.search(stripped) and (_SHOP_WORDS.search(stripped) or words <= 6):
        return True
    if words <= 8 and _LABELLED_BYLINE.match(stripped):
        return True
    return is_name_run(stripped) or is_navigation_words(stripped)


def is_credit_line(line: str) -> bool:
    """Image credits and source lines: a credit label, a licence, a hosting site, a bare URL.

    The same words inside a real sentence ('the final image by the sea') are prose, so a
    mid-line label counts only on an unpunctuated line.
    """
    stripped = line.strip()
    words = len(_words(stripped))
    if words > 40:
        return False
    label = _CREDIT_LABEL.search(stripped)
    if label and (label.start() == 0 or not is_sentence_like(stripped)):
        return True
    mark = _CREDIT_MARK.search(stripped)
    return bool(mark) and (not is_sentence_like(stripped) or words <= 12)


def strip_glued_tail(text: str) -> str:
    """Drop alt text glued after the last sentence ('...yearning.May be an image of 5 people')."""
    match = _GLUED_TAIL.search(text)
    if match and len(_words(match.group(1))) >= 2:
        return text[: match.start(1)].rstrip()
    return text


def _strip_markdown(line: str) -> str:
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    # footnote marks ('the deep end [1].', '[1] Once you are ready'): they would read as the
    # answer's own citation markers
    line = _FOOTNOTE_MARK.sub("", line)
    return _MD_EMPHASIS.sub(r"\2", line)


def repeated_lines(bodies: Iterable[str]) -> set[str]:
    """Lines that appear in two or more articles: shared site furniture, unless heading-like."""
    seen: Counter[str] = Counter()
    originals: dict[str, str] = {}
    for body in bodies:
        keys = set()
        for line in body.splitlines():
            key = normalize_line(line)
            if key and len(key) > 2:
                keys.add(key)
                originals.setdefault(key, line.strip())
        seen.update(keys)
    return {
        key
        for key, count in seen.items()
        if count >= 2
        and len(_words(key)) <= _MAX_FURNITURE_WORDS
        and not _MD_HEADING.match(originals[key])  # '## Verdict' in many reviews is structure
        and not (is_title_case(originals[key]) and _looks_like_heading(originals[key]))
    }


def _logical_lines(body: str) -> list[str | None]:
    """Lines with hard-wrapped paragraphs joined; None marks a blank line."""
    lines: list[str | None] = []
    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            lines.append(None)
            continue
        previous = lines[-1] if lines else None
        continues_previous = (
            previous is not None
            and len(previous) >= 50
            and not is_sentence_like(previous)
            and not previous.rstrip().endswith(":")
            and not _LIST_MARKER.match(line)
            and not _MD_HEADING.match(line)
            and line.lstrip()[:1].islower()
        )
        if continues_previous:
            lines[-1] = f"{previous} {line.strip()}"
        else:
            lines.append(line)
    return lines


def clean_article(
    body: str,
    *,
    title: str | None = None,
    author: str | None = None,
    shared_lines: set[str] | None = None,
    film: str | None = None,
) -> list[Block]:
    """Structured blocks of review prose, with every kind of page noise removed."""
    shared_lines = shared_lines or set()
    lines = [line for line in _logical_lines(body) if line is not None]
    counts = Counter(normalize_line(line) for line in lines)
    bylines = {normalize_line(author), normalize_line(f"by {author}")} if author else set()
    headline_keys = {normalize_line(text) for text in (title, film) if text}

    kept: list[str] = []
    header_end = _page_header_end(lines)
    for index, line in enumerate(lines):
        if index < header_end:
            continue
        key = normalize_line(line)
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if counts[key] > 1 and len(_words(line)) <= _MAX_FURNITURE_WORDS:
            continue  # widget lines repeat within a page; prose does not
        if key in shared_lines or key in bylines or is_noise_line(line) or is_credit_line(line):
            continue
        if is_clutter(_strip_markdown(line).lstrip("#").strip()):
            continue
        if key in headline_keys and not kept:
            continue  # the headline (or the film's name above its credits), already metadata
        short_label = len(_words(line)) <= 6 and not is_sentence_like(line)
        # a letter's sign-off ('Sincerely,' 'Happily Debased and Besmirched,') over a name
        previous = lines[index - 1] if index else ""
        if (_is_sign_off(line) and _BARE_NAME.fullmatch(nxt.strip())) or (
            _is_sign_off(previous) and _BARE_NAME.fullmatch(line.strip())
        ):
            continue
        # a short unpunctuated line directly above a credit is that image's caption
        if short_label and nxt and is_credit_line(nxt):
            continue
        # ... and directly above '5 min read' or a bare date, the author's name in the byline
        if short_label and nxt and (_READ_TIME.search(nxt) or _DATE_ONLY.match(nxt.strip())):
            continue
        kept.append(line)
    return _to_blocks(kept)


_PERSON = r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}"
_BY_PERSON = re.compile(rf"^(?i:(?:written|posted|reviewed|words)\s+)?(?i:by)\s+({_PERSON})\b")


def _page_header(lines: list[str]) -> list[str]:
    """The page's first lines, up to where the review's prose begins (a long sentence); a
    read-time or byline line written as a sentence is the header's last."""
    header = []
    for line in lines[:12]:
        prose = is_sentence_like(line) and len(_words(line)) >= 8
        if prose and not (_READ_TIME.search(line) or _BY_PERSON.match(line)):
            break
        header.append(line)
        if prose:
            break
    return header


# 'Film review by Owen Pryce', 'Words by …': a byline with a label before it ('Directed by'
# names the director, not the author)
_LABELLED_BYLINE = re.compile(
    rf"^[^.!?]{{0,30}}\b(?i:review|reviewed|words|story|text|posted|written)\s+(?i:by)\s+"
    rf"({_PERSON})"
)


def byline_author(body: str) -> str | None:
    """The author a page's header names: 'By Dana Whitfield', 'Posted by Marcus Lee | July
    20, 2010', 'Film review by Owen Pryce', or a bare name right above a '5 min read' line.

    A pasted page may put a standfirst before the byline, so the lines before the first long
    paragraph are searched."""
    lines = [line.strip() for line in _logical_lines(body) if line is not None]
    for line in lines[:15]:
        by = _BY_PERSON.match(line) or _LABELLED_BYLINE.match(line)
        if by:
            return by.group(1)
        if len(_words(line)) >= 25 and not is_noise_line(line):
            break
    header = _page_header(lines)
    for index, line in enumerate(header):
        if _READ_TIME.search(line) and index and not _BY_PERSON.match(header[index - 1]):
            bare = re.fullmatch(_PERSON, header[index - 1])
            if bare:
                return bare.group(0)
    return None


def _page_header_end(lines: list[str]) -> int:
    """Where a blog page's header ends: headline, section label, author and date all come
    before its '5 min read' line; 0 when the review's prose starts first."""
    for index, line in enumerate(_page_header(lines)):
        if _READ_TIME.search(line):
            return index + 1
    return 0


def _is_bare(raw: str) -> bool:
    """A short unpunctuated line without Markdown or list marker: a heading or a bare item."""
    if _MD_HEADING.match(raw) or _LIST_MARKER.match(raw):
        return False
    line = strip_glued_tail(_strip_markdown(raw).strip())
    return bool(line) and _looks_like_heading(line)


def _to_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    pending_label: str | None = None
    bare = [_is_bare(raw) for raw in lines]
    prose = [i for i, raw in enumerate(lines) if not bare[i] and not _MD_HEADING.match(raw)]
    for index, raw in enumerate(lines):
        markdown_heading = _MD_HEADING.match(raw)
        line = _strip_markdown(raw).strip()
        nxt = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if markdown_heading:
            text = _strip_markdown(markdown_heading.group(2)).strip().rstrip(":")
            if text:
                blocks.append(Block("heading", text))
            continue
        line = strip_glued_tail(line)
        if not line:
            continue
        marker = _LIST_MARKER.match(line)
        if marker:
            content = line[marker.end() :].strip()
            # '1. Loneliness and Connection:' above a paragraph labels that paragraph
            if (
                content.endswith(":")
                and len(_words(content)) <= 10
                and nxt
                and not (_LIST_MARKER.match(nxt) or _MD_HEADING.match(nxt))
            ):
                pending_label = content
                continue
            blocks.append(Block("item", content))
            continue
        if pending_label:
            blocks.append(Block("item", f"{pending_label} {line}"))
            pending_label = None
            continue
        label_value = re.match(r"^([^:]{2,40}):\s+(\S.*)$", line)
        previous = blocks[-1] if blocks else None
        states_fact = bool(label_value) and (
            (previous is not None and previous.kind == "item")  # 'Director: X' after a cast list
            or bool(label_value and re.search(r"\d", label_value.group(2)))  # 'Rating: 9/10'
            or bool(label_value and _CREDITS_LABEL.match(label_value.group(1)))  # 'Starring: X'
        )
        if (states_fact and not is_sentence_like(line)) or is_rating(line):
            blocks.append(Block("item", line))
            continue
        if bare[index] and index and bare[index - 1] and prose and prose[0] < index < prose[-1]:
            # a run of short lines inside the review is a list that lost its bullets (a cast
            # list pasted as text) under the run's first line; runs before or after the prose
            # are page furniture and go as empty headings
            blocks.append(Block("item", line))
            continue
        if _looks_like_heading(line) and nxt:
            blocks.append(Block("heading", line.rstrip(":").strip()))
            continue
        blocks.append(Block("paragraph", line))
    if pending_label:
        blocks.append(Block("item", pending_label.rstrip(":")))
    return _drop_empty_headings(blocks)


# 'La La Land (2016) Review: City of Stars' after the review: a link to another article
_OTHER_HEADLINE = re.compile(r"\((?:18|19|20)\d{2}\)|\breview\b", re.IGNORECASE)


def _is_link_title(block: Block) -> bool:
    text = block.text
    return (
        block.kind in ("heading", "paragraph")
        and not is_sentence_like(text)
        and _looks_like_heading(text)
        and is_title_case(text)
        and bool(_OTHER_HEADLINE.search(text))
    )


def _drop_empty_headings(blocks: list[Block]) -> list[Block]:
    """A heading with nothing under it (the page's last line, a removed widget) is not structure;
    nor are the other articles' headlines a page lists after the review."""
    blocks = list(blocks)
    while blocks and _is_link_title(blocks[-1]):
        blocks.pop()
    result: list[Block] = []
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.kind == "heading" and (following is None or following.kind == "heading"):
            continue
        result.append(block)
    return result
