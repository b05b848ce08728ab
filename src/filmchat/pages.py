"""What a saved web page says about itself: JSON-LD, OpenGraph/Twitter tags, <title>, <h1>.

Newspapers and magazines describe a review for search engines and social cards: a schema.org
`Review` names the film it reviews (`itemReviewed`), its director and date; OpenGraph gives the
headline without the site name. These are read with lxml and json (never with regexes), and
trafilatura's own metadata fills what they leave out.
"""

from __future__ import annotations

import json
import re

from lxml import html as lxml_html
from pydantic import BaseModel, Field

from filmchat.markup import decode_entities


class ReviewedWork(BaseModel):
    """The work a page's structured data says it reviews."""

    name: str
    year: int | None = None
    director: str | None = None


class PageMeta(BaseModel):
    """Metadata of a saved page; every field optional, as pages carry any subset."""

    headlines: list[tuple[str, str]] = Field(
        default_factory=list, description="(headline, where it was found), best first."
    )
    site: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    reviewed: ReviewedWork | None = None
    people: list[str] = Field(default_factory=list, description="Directors and cast named.")


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(decode_entities(value).split())
    if isinstance(value, dict):
        return _text(value.get("name"))
    if isinstance(value, list) and value:
        names = [name for name in (_text(item) for item in value) if name]
        return ", ".join(names) or None
    return None


def _types(node: dict[str, object]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].lower() for k in kinds if k}


def _json_ld_nodes(root: lxml_html.HtmlElement) -> list[dict[str, object]]:
    nodes: list[dict[str, object]] = []

    def collect(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            nodes.append(value)
            collect(value.get("@graph"))

    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            collect(json.loads(script.text_content(), strict=False))
        except ValueError:
            continue  # a broken block of structured data is no reason to refuse the page
    return nodes


def _year(value: object) -> int | None:
    match = _YEAR.search(str(value)) if value else None
    return int(match.group(1)) if match else None


def _work(node: object) -> ReviewedWork | None:
    if not isinstance(node, dict):
        return None
    name = _text(node.get("name"))
    if not name:
        return None
    date = node.get("dateCreated") or node.get("datePublished") or node.get("releaseDate")
    return ReviewedWork(name=name, year=_year(date), director=_text(node.get("director")))


def _meta_content(root: lxml_html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for element in root.xpath(f'//meta[@property="{name}" or @name="{name}"]'):
            content = _text(element.get("content"))
            if content:
                return content
    return None


def read_page(html: str) -> PageMeta:
    """Everything the page's head and structured data say about the article."""
    import trafilatura

    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return PageMeta()
    page = PageMeta()
    for node in _json_ld_nodes(root):
        kinds = _types(node)
        if "review" in kinds or "criticreview" in kinds:
            page.reviewed = page.reviewed or _work(node.get("itemReviewed"))
            page.author = page.author or _text(node.get("author"))
            page.published = page.published or _text(node.get("datePublished"))
            headline = _text(node.get("headline") or node.get("name"))
            if headline:
                page.headlines.append((headline, "the page's structured data"))
        elif kinds & {"movie", "film"}:
            page.reviewed = page.reviewed or _work(node)
        elif kinds & {"newsarticle", "article", "blogposting", "reportagenewsarticle"}:
            page.author = page.author or _text(node.get("author"))
            page.published = page.published or _text(node.get("datePublished"))
        for role in ("director", "actor", "actors"):
            names = _text(node.get(role))
            if names and kinds & {"movie", "film"}:
                page.people.extend(n.strip() for n in names.split(","))
    if page.reviewed and page.reviewed.director:
        page.people.append(page.reviewed.director)
    page.site = _meta_content(root, "og:site_name", "application-name")
    for name, label in (
        ("og:title", "the page's OpenGraph title"),
        ("twitter:title", "the page's Twitter card"),
    ):
        content = _meta_content(root, name)
        if content:
            page.headlines.append((content, label))
    title = root.find(".//title")
    if title is not None and _text(title.text_content()):
        page.headlines.append((_text(title.text_content()) or "", "the page title"))
    for h1 in root.iter("h1"):
        text = _text(h1.text_content())
        if text:
            page.headlines.append((text, "the page headline"))
            break
    page.author = page.author or _meta_content(root, "author", "article:author", "byl")
    page.published = page.published or _meta_content(
        root, "article:published_time", "datePublished", "date"
    )
    page.url = _meta_content(root, "og:url")
    canonical = root.xpath('//link[@rel="canonical"]/@href')
    page.url = page.url or (str(canonical[0]) if canonical else None)
    found = trafilatura.extract_metadata(html)
    if found is not None:
        page.site = page.site or found.sitename
        page.author = page.author or found.author
        page.published = page.published or found.date
        page.url = page.url or found.url
        if found.title:
            page.headlines.append((found.title, "the page title"))
    return page
