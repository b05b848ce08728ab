"""Chunking: cleaned blocks → sentence-aware passages of roughly 80-200 words.

Chunks never cut a sentence, keep a list item whole (and a short list together), carry their
section headings as context and record the span of every sentence, so an answer can quote a
single sentence and point at where it stands in the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from filmchat.cleaning import Block
from filmchat.models import Chunk, Sentence

_WORD = re.compile(r"[\w’']+")


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, trimmed of surrounding white space."""
    spans = []
    for span in _segmenter().segment(text):
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


@dataclass
class _Atom:
    """Sentences that must stay in one chunk: one prose sentence, or a whole list item."""

    sentences: list[Sentence]
    words: int
    heading: str | None
    list_id: int | None = None
    block_index: int = 0


@dataclass
class CleanDocument:
    """An article's clean text and the atoms the chunker packs."""

    text: str
    atoms: list[_Atom] = field(default_factory=list)


def layout(blocks: list[Block]) -> CleanDocument:
    """Lay the blocks out as clean text and find every sentence's span in it."""
    parts: list[str] = []
    atoms: list[_Atom] = []
    offset = 0
    heading: str | None = None
    section_heading: str | None = None
    list_id: int | None = None
    list_counter = 0
    previous_kind = None
    for index, block in enumerate(blocks):
        prefix = "- " if block.kind == "item" else ""
        line = prefix + block.text
        base = offset + len(prefix)
        if block.kind == "heading":
            heading = section_heading = block.text
            list_id = None
        elif block.kind == "item":
            if previous_kind != "item":
                list_counter += 1
                list_id = list_counter
                lead_in = blocks[index - 1] if index else None
                if lead_in and lead_in.kind == "paragraph" and lead_in.text.endswith(":"):
                    # 'you might like these films:' frames the list that follows
                    heading = lead_in.text.rstrip(":")
            sentences = [
                Sentence(
                    text=block.text[s:e],
                    start=base + s,
                    end=base + e,
                    kind="item",
                    heading=heading,
                    block=index,
                )
                for s, e in split_sentences(block.text)
            ]
            atoms.append(_Atom(sentences, word_count(block.text), heading, list_id, index))
        else:
            list_id = None
            heading = section_heading
            for s, e in split_sentences(block.text):
                sentence = Sentence(
                    text=block.text[s:e], start=base + s, end=base + e, heading=heading, block=index
                )
                atoms.append(_Atom([sentence], word_count(sentence.text), heading, None, index))
        previous_kind = block.kind
        parts.append(line)
        offset += len(line) + 2
    return CleanDocument(text="\n\n".join(parts), atoms=atoms)


def _split_oversized(atoms: list[_Atom], max_words: int) -> list[_Atom]:
    """A list item longer than a whole chunk is split at its sentences after all."""
    result = []
    for atom in atoms:
        if len(atom.sentences) > 1 and atom.words > max_words:
            result.extend(
                _Atom([s], word_count(s.text), atom.heading, atom.list_id, atom.block_index)
                for s in atom.sentences
            )
        else:
            result.append(atom)
    return result


def _list_words(atoms: list[_Atom], start: int) -> int:
    list_id = atoms[start].list_id
    total = 0
    for atom in atoms[start:]:
        if atom.list_id != list_id:
            break
        total += atom.words
    return total


def _make_chunk(article_id: str, position: int, atoms: list[_Atom]) -> Chunk:
    sentences = [s for atom in atoms for s in atom.sentences]
    headings: list[str] = []
    for atom in atoms:
        if atom.heading and atom.heading not in headings:
            headings.append(atom.heading)
    lines: list[str] = []
    last_block = None
    for atom in atoms:
        body = " ".join(s.text for s in atom.sentences)
        if atom.block_index == last_block and atom.list_id is None:
            lines[-1] = f"{lines[-1]} {body}"
        else:
            lines.append(f"- {body}" if atom.list_id is not None else body)
        last_block = atom.block_index
    return Chunk(
        article_id=article_id,
        position=position,
        start=sentences[0].start,
        end=sentences[-1].end,
        headings=headings,
        text="\n".join(lines),
        sentences=sentences,
    )


def chunk_document(
    document: CleanDocument,
    article_id: str,
    *,
    min_words: int = 80,
    max_words: int = 200,
    overlap_sentences: int = 1,
) -> list[Chunk]:
    """Pack atoms into chunks: under max_words, over min_words where the text allows."""
    atoms = _split_oversized(document.atoms, max_words)
    chunks: list[Chunk] = []
    current: list[_Atom] = []
    words = 0
    for index, atom in enumerate(atoms):
        starts_list = atom.list_id is not None and (
            index == 0 or atoms[index - 1].list_id != atom.list_id
        )
        new_section = bool(current) and atom.heading != current[-1].heading
        list_fits_alone = starts_list and _list_words(atoms, index) <= max_words
        should_break = bool(current) and (
            words + atom.words > max_words
            or (new_section and words >= min_words)
            or (list_fits_alone and words + _list_words(atoms, index) > max_words)
        )
        if should_break:
            chunks.append(_make_chunk(article_id, len(chunks), current))
            carry = _overlap(current, overlap_sentences) if not new_section else []
            if carry and sum(a.words for a in carry) + atom.words > max_words:
                carry = []
            current, words = carry, sum(a.words for a in carry)
        current.append(atom)
        words += atom.words
    if current:
        chunks.append(_make_chunk(article_id, len(chunks), current))
    return chunks


def _overlap(atoms: list[_Atom], count: int) -> list[_Atom]:
    """The last prose sentences of a chunk, repeated at the start of the next one."""
    if count <= 0:
        return []
    tail = atoms[-count:]
    return [] if any(atom.list_id is not None for atom in tail) else tail
