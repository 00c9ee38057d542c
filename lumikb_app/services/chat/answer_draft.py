"""The answer being streamed: its text so far, the citations it made, and how it is stored."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlmodel import col, delete

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ChatMessage, Conversation
from lumikb_app.domain.chat import ChatEvent
from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.chat.chat_turns import Turn
from lumikb_app.services.chat.citations import CitationStream, ordered_sources, source_from_passage
from lumikb_app.services.chat.confidence import confidence
from lumikb_app.services.platform.transactions import transaction


class AnswerDraft:
    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.query = turn.question
        self.mode = ""
        self.model: str | None = None
        self.passages: list[Passage] = []
        self.sources: list[dict[str, Any]] = []
        self.content = ""
        self.body_end: int | None = None  # where the answer proper ends (before a closing note)
        self.citations = CitationStream(())
        self.message_id: str | None = None
        self.saved = False

    def begin(self, mode: str, passages: Sequence[Passage], model: str | None = None) -> None:
        self.mode, self.model, self.passages = mode, model, list(passages)
        self.sources = [source_from_passage(n, p) for n, p in enumerate(passages, start=1)]
        self.citations = CitationStream(range(1, len(self.sources) + 1))

    def feed(self, piece: str) -> Iterator[ChatEvent]:
        yield from self._emit(*self.citations.feed(piece))

    def flush(self) -> Iterator[ChatEvent]:
        yield from self._emit(*self.citations.flush())

    def end_body(self) -> None:
        self.body_end = len(self.content)

    def finish(self, status: str) -> ChatEvent:
        """Store the answer and return the `done` event."""
        sources, cited = ordered_sources(self.sources, self.citations.order)
        body = self.content if self.body_end is None else self.content[: self.body_end]
        score = confidence(self.query, self.passages, body) if self.mode != "no_answer" else 0.0
        self.save(status, sources=sources, citations=cited, confidence=score)
        return ChatEvent(
            "done",
            {
                "message_id": self.message_id,
                "content": self.content,
                "citations": cited,
                "sources": sources,
                "confidence": score,
                "mode": self.mode,
                "status": status,
            },
        )

    def save(
        self,
        status: str,
        *,
        error: str | None = None,
        sources: list[dict[str, Any]] | None = None,
        citations: list[dict[str, Any]] | None = None,
        confidence: float | None = None,
    ) -> None:
        """Store the answer in place of any it replaces (one transaction), once."""
        if sources is None:
            sources, citations = ordered_sources(self.sources, self.citations.order)
        content = self.content.strip()
        if error:
            content = f"{content}\n\n{error}" if content else error
        message = ChatMessage(
            conversation_id=self.turn.conversation_id,
            role="assistant",
            content=content,
            search_query=self.query,
            sources=sources,
            citations=citations or [],
            mode=self.mode,
            model=self.model,
            status=status,
            confidence=confidence,
        )
        with transaction() as session:
            conversation = session.get(Conversation, self.turn.conversation_id)
            if conversation is None:  # deleted while the answer streamed: nothing to keep
                self.saved = True
                return
            if self.turn.replaces:
                session.exec(delete(ChatMessage).where(col(ChatMessage.id).in_(self.turn.replaces)))
            session.add(message)
            conversation.updated_at = utcnow()
            session.add(conversation)
        self.message_id, self.saved = message.id, True

    def _emit(self, text: str, first_cited: list[int]) -> Iterator[ChatEvent]:
        for number in first_cited:
            shown = self.citations.display_number(number)
            yield ChatEvent("citation", {**self.sources[number - 1], "n": shown})
        if text:
            self.content += text
            yield ChatEvent("token", {"text": text})
