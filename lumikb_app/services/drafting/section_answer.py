"""One section's answer, for the user who asked for it: search the draft's KBs as that user,
then write from the numbered sources with the chat model, or quote them when there is none
(extractive), every `[n]` verified as chat verifies it. A question the sources do not answer
is "not covered": the fixed NOT_COVERED_TEXT, no sources, confidence 0, never a guess.

Only passages worth quoting are offered as numbered sources (`offered`): those whose relevance
(the search's calibrated estimate, services/retrieval/relevance.py) reaches SOURCE_FLOOR, plus,
whatever their relevance, the passages the answerable gate rested on (the most relevant of the
top five, and the first of them holding the most of the question's key terms), so a question
judged answerable keeps what answers it. Under 0.1 a passage is about the question 2% of the
time, at 0.1-0.3 17% (relevance.py's calibration); QA saw a 3% "Dose-3D cancer radiotherapy"
passage cited about the GIL and 12-18% ones elsewhere. When the search's first passage is one
chat would not answer from (relevance under MIN_RELEVANCE) and another is, that one becomes
source [1] (the rest keep the search's order): the fused rank put a 29% passage of PEP 13 above
PEP 1's 83% one for "How is a new language proposal written, reviewed and decided?", and
answers lean on their first source (bench/drafting.py, 690 PEPs: the expected PEP is cited in
18 of 20 extractive answers, up from 17; reordering always, by relevance, also reordered
near-ties and lost other questions).

A question too broad to match a passage that gives an example ("... (for example, on flat
versus nested code)?") is covered by its example when that is (`_example_covered`).

`SectionWriter.pieces()` yields the verified text as it is written; `answer` holds the result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, NOT_COVERED_TEXT, SectionMode
from lumikb_app.domain.retrieval import Passage, SearchInputError
from lumikb_app.ports.llm import ChatModel, LlmError
from lumikb_app.services.chat import chat
from lumikb_app.services.chat.citations import CitationStream, ordered_sources, source_from_passage
from lumikb_app.services.chat.confidence import (
    ANSWERABLE_TOP,
    MIN_RELEVANCE,
    answerable,
    confidence,
)
from lumikb_app.services.chat.extractive import Pick, choose_sentences, compose, word_pieces
from lumikb_app.services.chat.prompts import PRESETS, answer_messages
from lumikb_app.services.models import choices
from lumikb_app.services.retrieval.terms import key_terms

log = logging.getLogger(__name__)

# A draft's answer length picks chat's answer preset (its instruction and token budget).
LENGTH_PRESET = {"short": "concise", "medium": "balanced", "long": "detailed"}
TONE_RULES = {
    "neutral": "",
    "formal": "Write in a formal register, as for a document sent to a customer or an auditor.",
    "plain": "Write in plain words a non-specialist understands, in short sentences.",
    "persuasive": (
        "Write persuasively, stressing the strengths the sources support, never claiming more "
        "than they say."
    ),
}
MAX_PASSAGES = 10  # of a question searched in parts
# Below it a passage is offered only when the answerable gate rested on it (see offered). Under
# chat's MIN_RELEVANCE (0.3, the gate), above relevance.py's 0.1-0.3 band (17% relevant).
# bench/drafting.py, 690 PEPs: cited sources under 0.2 fell from 8 of 56 to 2 of 50
# (extractive) and from 4 of 38 to 0 (fake model); answers citing the expected PEP stayed
# 16/20 (floors 0.1 and 0.15 left 7 and 4 under 0.2).
SOURCE_FLOOR = 0.2
# Where one question asks a second thing: "...; ...", "...? ...", ", and what/how/... ".
_SECOND_QUESTION = re.compile(
    r"\s*(?:[;?]|,?\s+and\s+(?=(?:what|how|which|where|when|who|why|whether)\b))\s*", re.I
)
# "(for example, on flat versus nested code)", "(e.g. X)", "(such as X)": the X.
_EXAMPLE = re.compile(
    r"\((?:for example|for instance|e\.g\.|such as)[,:]?\s*(?:on\s+|about\s+)?([^()]+)\)", re.I
)
SEARCH_FAILED = "Searching the knowledge bases failed. Try again in a moment."
MODEL_FAILED = "The language model failed to write this section. Try again in a moment."


class SectionFailed(Exception):
    """The section could not be written; the message says why, for a person."""


@dataclass(frozen=True)
class SectionBrief:
    """What to answer: the section's question or heading, from which KBs, and how."""

    question: str
    kb_ids: Sequence[str]
    instruction: str = ""  # the template's brief for this section
    topic: str = ""  # what the whole draft is about (Draft.brief), in the person's words
    extra: str = ""  # what the person asked for when regenerating
    answer_length: str = "medium"
    tone: str = "neutral"
    graph: bool | None = None  # None: each KB's own graph-fusion default


@dataclass(frozen=True)
class SectionAnswer:
    content: str
    sources: list[dict[str, Any]]  # the cited sources only, numbered as the markers
    confidence: float
    mode: str  # SectionMode
    model: str | None = None


@dataclass
class SectionWriter:
    user: User
    brief: SectionBrief
    text: str = ""
    answer: SectionAnswer | None = None
    query: str = ""
    parts: list[str] = field(default_factory=list)  # the questions the answer covers
    passages: list[Passage] = field(default_factory=list)
    _sources: list[dict[str, Any]] = field(default_factory=list)
    _citations: CitationStream = field(default_factory=lambda: CitationStream(()))

    def pieces(self) -> Iterator[str]:
        if not self._retrieve():
            yield from self._not_covered()
            return
        model = self._model(self.passages[0].kb_id)
        if model is None and self.brief.extra:
            self._follow_instruction()
        self._sources = [source_from_passage(n, p) for n, p in enumerate(self.passages, 1)]
        self._citations = CitationStream(range(1, len(self._sources) + 1))
        if model is None:
            yield from self._extractive()
        else:
            yield from self._written(model)

    def sources_so_far(self) -> list[dict[str, Any]]:
        """The sources cited in the text written so far, numbered as its markers."""
        return ordered_sources(self._sources, self._citations.order)[1]

    def _retrieve(self) -> bool:
        """Find passages that answer the section; False: the sources do not cover it.

        Searched by the question and the draft's topic (see _queries); one that finds nothing
        is searched again with its section's instruction. A questionnaire question
        that asks two things ("What naming conventions apply ..., and what is the maximum line
        length?") rarely has one passage holding half its words: each part is searched on its
        own, and the question is covered only when every part is."""
        for query in self._queries():
            self.query, self.passages = query, self._search(query)
            if answerable(query, self.passages):
                self.parts, self.passages = [query], offered(query, self.passages)
                return True
        parts = question_parts(self.brief.question)
        if len(parts) < 2:
            return self._example_covered()
        found = [self._search(part) for part in parts]
        if not all(answerable(part, hits) for part, hits in zip(parts, found, strict=True)):
            return False
        found = [offered(part, hits) for part, hits in zip(parts, found, strict=True)]
        self.query, self.parts, self.passages = self.brief.question, parts, _interleaved(found)
        return True

    def _example_covered(self) -> bool:
        """A question too broad to match any passage ("Which principles guide the design of
        the language (for example, on flat versus nested code)?") is covered by the example
        it gives when that is: the answer quotes what the sources say about the example."""
        match = _EXAMPLE.search(self.brief.question)
        if match is None or len(set(key_terms(match[1]))) < 2:
            return False
        example = match[1].strip(" ,.")
        hits = self._search(example)
        if not answerable(example, hits):
            return False
        self.query, self.parts, self.passages = example, [example], offered(example, hits)
        return True

    def _follow_instruction(self) -> None:
        """Without a model a person's instruction cannot be obeyed, only searched: the parts
        of the question it names ("Only the maximum line length") are kept, searched again
        with its words, and the sentences quoted are chosen with them too."""
        wanted = set(key_terms(self.brief.extra))
        if not wanted:
            return
        asked = self.parts if len(self.parts) > 1 else question_parts(self.brief.question)
        named = [part for part in asked if wanted & set(key_terms(part))]
        self.parts = [f"{part} {self.brief.extra}" for part in named or self.parts]
        query = " ".join(self.parts)
        hits = offered(query, self._search(query))
        if hits and answerable(query, hits):
            self.passages = _interleaved([hits, self.passages])

    def _queries(self) -> list[str]:
        """The question alone first; with the draft's topic next. A heading of a few words
        ("Risks") is searched only with the topic: alone it matches anything off topic."""
        question, topic = self.brief.question, self.brief.topic
        queries = [question]
        if topic:
            about = f"{question}: {topic}"
            queries = [about] if len(set(key_terms(question))) < 3 else [question, about]
        if self.brief.instruction:
            queries.append(f"{queries[0]} {self.brief.instruction}")
        return queries

    def _search(self, query: str) -> list[Passage]:
        from lumikb_app.services.retrieval import search

        query = chat.clip_query(query, search.MAX_QUERY_CHARS)
        try:
            return chat.search_passages(self.user, query, self.brief.kb_ids, self.brief.graph)
        except SearchInputError as exc:
            raise SectionFailed(str(exc)) from exc
        except Exception as exc:
            log.exception("searching for a draft section failed")
            raise SectionFailed(SEARCH_FAILED) from exc

    def _model(self, kb_id: str) -> ChatModel | None:
        """The chat model the best passage's KB names, else the registry's default (None:
        quote the sources), as chat chooses it."""
        try:
            return choices.chat_model(chat.kb_settings(kb_id).chat_model)
        except LlmError as exc:
            raise SectionFailed(str(exc)) from exc

    def _not_covered(self) -> Iterator[str]:
        self.text = NOT_COVERED_TEXT
        self.answer = SectionAnswer(NOT_COVERED_TEXT, [], 0.0, SectionMode.not_covered.value)
        yield NOT_COVERED_TEXT

    def _extractive(self) -> Iterator[str]:
        picks: list[Pick] = []
        for part in self.parts:
            picks += [p for p in choose_sentences(part, self.passages) if p not in picks]
        yield from self._verified(word_pieces(compose(picks)))
        body = self.text
        note = f"\n\n{EXTRACTIVE_NOTE}"  # said once, as the section's last paragraph
        self.text += note
        yield note
        self._finish(SectionMode.extractive, body)

    def _written(self, model: ChatModel) -> Iterator[str]:
        preset = LENGTH_PRESET.get(self.brief.answer_length, "balanced")
        messages = answer_messages(self.brief.question, self.passages, (), preset, self._rules())
        stream = model.stream(messages, max_tokens=PRESETS[preset][1])
        try:
            yield from self._verified(stream)
        except LlmError as exc:
            raise SectionFailed(str(exc)) from exc
        except Exception as exc:
            log.exception("the chat model %s failed on a draft section", model.name)
            raise SectionFailed(MODEL_FAILED) from exc
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        if not self._citations.order:  # nothing it says is backed by a source: not an answer
            self.text = ""
            yield from self._not_covered()
            return
        self._finish(SectionMode.llm, self.text, model=model.name)

    def _rules(self) -> list[str]:
        rules = [TONE_RULES.get(self.brief.tone, "")]
        if self.brief.topic:
            rules.append(f"The document this section belongs to is about: {self.brief.topic}")
        if self.brief.instruction:
            rules.append(f"This section's brief: {self.brief.instruction}")
        if self.brief.extra:
            rules.append(f"The person asks for this version: {self.brief.extra}")
        return [rule for rule in rules if rule]

    def _verified(self, pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            text, _ = self._citations.feed(piece)
            if text:
                self.text += text
                yield text
        text, _ = self._citations.flush()
        if text:
            self.text += text
            yield text

    def _finish(self, mode: SectionMode, body: str, model: str | None = None) -> None:
        score = confidence(self.query, self.passages, body)
        self.answer = SectionAnswer(self.text, self.sources_so_far(), score, mode.value, model)


def question_parts(question: str) -> list[str]:
    """The questions a compound question asks, each with two key terms at least; else the
    question alone."""
    parts = [part.strip(" ,") for part in _SECOND_QUESTION.split(question)]
    parts = [part for part in parts if part]
    if len(parts) < 2 or any(len(set(key_terms(part))) < 2 for part in parts):
        return [question]
    return parts


def offered(query: str, passages: Sequence[Passage]) -> list[Passage]:
    """The passages to number as sources: relevant enough (SOURCE_FLOOR), or what made the
    question answerable (the most relevant of the top ones; the first holding the most key
    terms), in their search order, but the most relevant first when the first is under the
    answerable gate's MIN_RELEVANCE and it is not."""
    top = passages[:ANSWERABLE_TOP]
    if not top:
        return []
    wanted = set(key_terms(query))
    shared = [len(wanted & set(key_terms(p.text))) for p in top]
    needed = {
        max(top, key=lambda p: p.relevance).chunk_id,
        top[shared.index(max(shared))].chunk_id,
    }
    kept = [p for p in passages if p.relevance >= SOURCE_FLOOR or p.chunk_id in needed]
    best = max(kept, key=lambda p: p.relevance)
    if kept[0].relevance >= MIN_RELEVANCE or best.relevance < MIN_RELEVANCE:
        return kept
    return [best, *(p for p in kept if p is not best)]


def _interleaved(results: list[list[Passage]]) -> list[Passage]:
    """Each part's best passage first, then each one's second, ...: no part is crowded out."""
    merged: dict[str, Passage] = {}
    for rank in range(max(len(hits) for hits in results)):
        for hits in results:
            if rank < len(hits):
                merged.setdefault(hits[rank].chunk_id, hits[rank])
    return list(merged.values())[:MAX_PASSAGES]


def write_section(user: User, brief: SectionBrief) -> SectionAnswer:
    """The whole answer at once (no streaming)."""
    writer = SectionWriter(user, brief)
    for _ in writer.pieces():
        pass
    assert writer.answer is not None
    return writer.answer
