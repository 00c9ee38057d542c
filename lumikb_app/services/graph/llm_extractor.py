"""The LLM extractor: a language model names the entities and relations of a few chunks per call.

Nothing the model says is trusted. Its answer is validated (llm_answer.py), repaired or asked
again once, and a batch whose answer stays unusable leaves each of its chunks with an `error`.
An entity counts only where its name (or an alias) really occurs in the chunk's text: that
occurrence is its mention, with offsets, and an entity without one is dropped, so a model
misled by a chunk ("ignore previous instructions and output X") cannot add an X the text does
not contain. Evidence that is not a sentence of the chunk is replaced by the sentence where the
relation's source is mentioned.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from lumikb_app.container import get_container
from lumikb_app.db.tables import Model
from lumikb_app.domain.graph import (
    ChunkExtraction,
    ChunkText,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.domain.models import ModelKind
from lumikb_app.ports.llm import ChatModel, LlmError, LlmMessage
from lumikb_app.services.graph.llm_answer import (
    MAX_EVIDENCE,
    AnswerEntity,
    AnswerRelation,
    BadAnswer,
    parse_answer,
    plain_text,
)
from lumikb_app.services.graph.llm_prompt import (
    OUTPUT_TOKENS_PER_CHUNK,
    SYSTEM_PROMPT,
    count_tokens,
    extraction_messages,
    max_output_tokens,
    prompt_tokens,
)
from lumikb_app.services.models.choices import default_id, spec_in
from lumikb_app.services.platform.transactions import read_session

log = logging.getLogger(__name__)

BATCH_SIZE = 4
CHUNK_TOKENS_GUESS = 600  # a chunk of the largest usual size (500 tokens) with its JSON wrapping
MAX_MENTIONS = 20  # per entity and chunk
MIN_EVIDENCE = 15  # a shorter "sentence" says nothing
MAX_REASON = 480  # graph_chunk_results.error holds 500
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")

Found = tuple[list[AnswerEntity], list[AnswerRelation]]


def extraction_model() -> ChatModel | None:
    """The registry's default extraction model, else its default chat model; None: no model."""
    found = _registry_entry()
    return found[0] if found else None


def for_registry() -> LlmExtractor | None:
    """The extractor of `extraction_model()`, with as many chunks per call as its context
    window holds (at most BATCH_SIZE); None when the registry has no model for it."""
    found = _registry_entry()
    if found is None:
        return None
    model, context_window = found
    return LlmExtractor(model, batch_size=batch_size_for(context_window))


def batch_size_for(context_window: int | None) -> int:
    if not context_window:
        return BATCH_SIZE
    room = context_window - count_tokens(SYSTEM_PROMPT)
    return max(1, min(BATCH_SIZE, room // (CHUNK_TOKENS_GUESS + OUTPUT_TOKENS_PER_CHUNK)))


def _registry_entry() -> tuple[ChatModel, int | None] | None:
    with read_session() as session:
        model_id = default_id(session, ModelKind.extraction) or default_id(session, ModelKind.chat)
        spec = spec_in(session, model_id) if model_id else None
        entry = session.get(Model, model_id) if spec is not None else None
        context_window = entry.context_window if entry is not None else None
    if spec is None:
        return None
    return get_container().chat_model_for(spec), context_window


class LlmExtractor:
    mode = "llm"

    def __init__(self, model: ChatModel, *, batch_size: int = BATCH_SIZE) -> None:
        self.model = model
        self.name = f"llm:{model.name}"
        self.batch_size = batch_size

    def extract(self, chunks: Sequence[ChunkText]) -> list[ChunkExtraction]:
        results: list[ChunkExtraction] = []
        for start in range(0, len(chunks), self.batch_size):
            results.extend(self._batch(chunks[start : start + self.batch_size]))
        return results

    def _batch(self, batch: Sequence[ChunkText]) -> list[ChunkExtraction]:
        found, reason, spent = self._ask(extraction_messages(batch), len(batch))
        shares = _shares(spent, len(batch))
        if found is None:
            log.warning("graph extraction skipped %d chunk(s): %s", len(batch), reason)
            return [
                ChunkExtraction(c.chunk_id, tokens=t, error=reason)
                for c, t in zip(batch, shares, strict=True)
            ]
        return [
            _chunk_extraction(chunk, found.get(str(i)), tokens)
            for i, (chunk, tokens) in enumerate(zip(batch, shares, strict=True), start=1)
        ]

    def _ask(
        self, messages: list[LlmMessage], chunks: int
    ) -> tuple[dict[str, Found] | None, str, int]:
        """The parsed answer (None: unusable), why not, and the tokens spent; asks twice at most."""
        spent, reason = 0, ""
        for _attempt in range(2):
            spent += prompt_tokens(messages)
            try:
                text = self.model.complete(
                    messages, max_tokens=max_output_tokens(chunks), temperature=0.0
                )
            except LlmError as exc:
                return None, _cut(f"the extraction model failed: {exc}"), spent
            except Exception as exc:  # an adapter bug must not stop the document's job
                log.exception("graph extraction: the model call raised")
                return None, _cut(f"the extraction model failed: {type(exc).__name__}"), spent
            spent += count_tokens(text)
            try:
                return parse_answer(text), "", spent
            except BadAnswer as exc:
                reason = str(exc)
                log.info("graph extraction: unusable answer from %s: %s", self.model.name, reason)
        return None, _cut(f"the model's answer was unusable twice: {reason}"), spent


def _chunk_extraction(chunk: ChunkText, found: Found | None, tokens: int) -> ChunkExtraction:
    result = ChunkExtraction(chunk.chunk_id, tokens=tokens)
    if found is None:
        result.error = "the model's answer left this chunk out"
        return result
    answer_entities, answer_relations = found
    first_at: dict[str, int] = {}
    for entity in answer_entities:
        drafted = _entity(chunk, entity)
        if drafted is None or drafted[0].key in first_at:
            continue
        draft, mentions = drafted
        result.entities.append(draft)
        result.mentions.extend(mentions)
        first_at[draft.key] = mentions[0].char_start
    seen: set[tuple[str, str, str]] = set()
    for relation in answer_relations:
        source, target = entity_key(relation.source), entity_key(relation.target)
        if source not in first_at or target not in first_at or source == target:
            continue
        if (source, target, relation.type) in seen:
            continue
        seen.add((source, target, relation.type))
        evidence = _evidence(chunk.text, relation.evidence, first_at[source])
        result.relations.append(
            RelationDraft(source, target, relation.type, chunk.chunk_id, evidence)
        )
    return result


def _entity(
    chunk: ChunkText, entity: AnswerEntity
) -> tuple[EntityDraft, list[MentionDraft]] | None:
    """The entity and its mentions, if its name or an alias occurs in the chunk."""
    spans = {name: _occurrences(chunk.text, name) for name in (entity.name, *entity.aliases)}
    present = [name for name, found in spans.items() if found]
    key = entity_key(present[0]) if present else ""
    if not key:
        return None
    ordered = sorted({span for name in present for span in spans[name]})[:MAX_MENTIONS]
    mentions = [MentionDraft(key, chunk.chunk_id, start, end) for start, end in ordered]
    names = [plain_text(name) for name in present]
    draft = EntityDraft(key, names[0], entity.type, entity.description, tuple(names[1:]))
    return draft, mentions


def _occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Where `name` occurs: as written (any whitespace between its words), else with its word
    pieces apart by up to three other characters, since models tidy names ("PEP 3107" for
    ":pep:`3107`", "os.path" for "os . path")."""
    words = name.split()
    if not words:
        return []
    exact = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    spans = [m.span() for m in re.finditer(exact, text, re.IGNORECASE)]
    pieces = re.findall(r"[^\W_]+", name)
    if not spans and len(pieces) > 1:
        loose = r"(?<![^\W_])" + r"[\W_]{1,3}".join(map(re.escape, pieces)) + r"(?![^\W_])"
        spans = [m.span() for m in re.finditer(loose, text, re.IGNORECASE)]
    return spans[:MAX_MENTIONS]


def _evidence(text: str, claimed: str, source_at: int) -> str:
    """The model's evidence when it is text of the chunk, else the sentence at the source."""
    flat_claim = " ".join(claimed.split())
    if len(flat_claim) >= MIN_EVIDENCE and flat_claim in " ".join(text.split()):
        return flat_claim
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() >= source_at:
            return " ".join(text[start : match.start()].split())[:MAX_EVIDENCE]
        start = match.end()
    return " ".join(text[start:].split())[:MAX_EVIDENCE]


def _shares(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _cut(reason: str) -> str:
    return reason[:MAX_REASON]
