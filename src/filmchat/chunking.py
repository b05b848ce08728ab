"""Chunking: cleaned blocks → sentence-aware passages of roughly 80-200 words.

Chunks never cut a sentence, keep a list item whole (and a short list together), carry their
section headings as context and record the span of every sentence, so an answer can quote a
single sentence and point at where it stands in the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sentencex

from filmchat.cleaning import Block
from filmchat.models import Chunk, Sentence

_WORD = re.compile(r"[\w’']+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, trimmed of surrounding white space.

    sentencex (compiled rules that know abbreviations such as "Dr." and "L.A.") finds the same
    boundaries pysbd did on every review here, at a hundredth of the cost, which matters because
    sentence splitting was most of the work of preparing an article for the encoder.
    """
    spans = []
    for boundary in sentencex.get_sentence_boundaries("en", text):
        start, end = boundary["start_index"], boundary["end_index"]
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
    tokens: int = 0
    sentence_tokens: list[int] = field(default_factory=list)


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


def _split_oversized(atoms: list[_Atom], fits: Callable[[list[_Atom]], bool]) -> list[_Atom]:
    """A list item longer than a whole chunk is split at its sentences after all."""
    result = []
    for atom in atoms:
        if len(atom.sentences) > 1 and not fits([atom]):
            result.extend(
                _Atom(
                    [s],
                    word_count(s.text),
                    atom.heading,
                    atom.list_id,
                    atom.block_index,
                    tokens=atom.sentence_tokens[n] if atom.sentence_tokens else 0,
                )
                for n, s in enumerate(atom.sentences)
            )
        else:
            result.append(atom)
    return result


def _list_run(atoms: list[_Atom], start: int) -> list[_Atom]:
    """The atoms of the list that starts at `start`."""
    list_id = atoms[start].list_id
    run = []
    for atom in atoms[start:]:
        if atom.list_id != list_id:
            break
        run.append(atom)
    return run


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


TokenCounter = Callable[[list[str]], list[int]]


def _count_tokens(
    atoms: list[_Atom], count_tokens: TokenCounter, context: str | None
) -> dict[str | None, int]:
    """Token counts of every sentence and of each heading's embedding context, in one batch."""
    sentences = [s.text for atom in atoms for s in atom.sentences]
    headings = sorted({atom.heading for atom in atoms if atom.heading})
    contexts = [" / ".join(p for p in (context, h) if p) for h in headings]
    counts = count_tokens([*sentences, *contexts, context or ""])
    sentence_counts = iter(counts[: len(sentences)])
    for atom in atoms:
        atom.sentence_tokens = [next(sentence_counts) for _ in atom.sentences]
        atom.tokens = sum(atom.sentence_tokens)
    cost: dict[str | None, int] = dict(zip(headings, counts[len(sentences) : -1], strict=True))
    cost[None] = counts[-1]
    return cost


def chunk_document(
    document: CleanDocument,
    article_id: str,
    *,
    min_words: int = 80,
    max_words: int = 200,
    overlap_sentences: int = 1,
    count_tokens: TokenCounter | None = None,
    max_tokens: int | None = None,
    context: str | None = None,
) -> list[Chunk]:
    """Pack atoms into chunks: under max_words, over min_words where the text allows.

    Given the encoder's tokenizer and limit, a chunk also stays within `max_tokens` once its
    embedding context (film and headings) is added, so the encoder never truncates it.
    """
    atoms = document.atoms
    context_cost: dict[str | None, int] = {}
    if count_tokens is not None and max_tokens:
        context_cost = _count_tokens(atoms, count_tokens, context)

    def fits(group: list[_Atom]) -> bool:
        if sum(a.words for a in group) > max_words:
            return False
        if not context_cost or max_tokens is None:
            return True
        headings = {a.heading for a in group}
        overhead = sum(context_cost.get(h, 0) for h in headings) + 2 + len(group)  # CLS, SEP
        return sum(a.tokens for a in group) + overhead <= max_tokens

    atoms = _split_oversized(atoms, fits)
    chunks: list[Chunk] = []
    current: list[_Atom] = []
    for index, atom in enumerate(atoms):
        starts_list = atom.list_id is not None and (
            index == 0 or atoms[index - 1].list_id != atom.list_id
        )
        new_section = bool(current) and atom.heading != current[-1].heading
        whole_list = _list_run(atoms, index) if starts_list else []
        should_break = bool(current) and (
            not fits([*current, atom])
            or (new_section and sum(a.words for a in current) >= min_words)
            or (bool(whole_list) and fits(whole_list) and not fits([*current, *whole_list]))
        )
        if should_break:
            chunks.append(_make_chunk(article_id, len(chunks), current))
            carry = _overlap(current, overlap_sentences) if not new_section else []
            current = carry if carry and fits([*carry, atom]) else []
        current.append(atom)
    if current:
        chunks.append(_make_chunk(article_id, len(chunks), current))
    return chunks


def _overlap(atoms: list[_Atom], count: int) -> list[_Atom]:
    """The last prose sentences of a chunk, repeated at the start of the next one."""
    if count <= 0:
        return []
    tail = atoms[-count:]
    return [] if any(atom.list_id is not None for atom in tail) else tail
