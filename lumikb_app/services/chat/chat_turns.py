"""One exchange of a conversation as the answering code needs it: the question (already stored),
the history before it, and where the answer will go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ChatMessage, User
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.ports.llm import LlmMessage
from lumikb_app.services.chat.conversations import DEFAULT_TITLE, messages_of, owned
from lumikb_app.services.chat.extractive import NO_MODEL_NOTE
from lumikb_app.services.platform.transactions import transaction

HISTORY_MESSAGES = 6
HISTORY_CHARS = 2000
TITLE_CHARS = 60
_MARKERS = re.compile(r"\s*\[\d+\]")


@dataclass
class Turn:
    user: User
    conversation_id: str
    question: str
    kb_ids: list[str]
    history: list[LlmMessage] = field(default_factory=list)
    previous_query: str | None = None
    replaces: list[str] = field(default_factory=list)  # answers the new one takes the place of
    graph: bool | None = None  # graph fusion for this question; None: each KB's default


def start_turn(user: User, conversation_id: str, question: str) -> Turn:
    """Store the question (and name the conversation after its first one)."""
    with transaction() as session:
        conversation = owned(session, user, conversation_id)
        earlier = messages_of(session, conversation_id)
        session.add(ChatMessage(conversation_id=conversation_id, role="user", content=question))
        if conversation.title == DEFAULT_TITLE and not earlier:
            conversation.title = title_from(question)
        conversation.updated_at = utcnow()
        session.add(conversation)
        return _turn(user, conversation_id, question, list(conversation.kb_ids), earlier)


def turn_to_redo(user: User, conversation_id: str) -> Turn:
    """The last question again, with the answers given to it marked for replacement."""
    with transaction() as session:
        conversation = owned(session, user, conversation_id)
        messages = messages_of(session, conversation_id)
        last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last is None:
            raise ChatInputError("There is no question to answer again yet.")
        turn = _turn(
            user,
            conversation_id,
            messages[last].content,
            list(conversation.kb_ids),
            messages[:last],
        )
        turn.replaces = [m.id for m in messages[last + 1 :] if m.role == "assistant"]
        return turn


def title_from(question: str) -> str:
    flat = " ".join(question.split())
    if len(flat) <= TITLE_CHARS:
        return flat
    return flat[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _turn(
    user: User, conversation_id: str, question: str, kb_ids: list[str], earlier: list[ChatMessage]
) -> Turn:
    return Turn(
        user=user,
        conversation_id=conversation_id,
        question=question,
        kb_ids=kb_ids,
        history=_history(earlier),
        previous_query=_previous_query(earlier),
    )


def _history(messages: list[ChatMessage]) -> list[LlmMessage]:
    """The recent turns for the model: answers without their markers (those numbers referred to
    other sources) and without the no-model note; failed answers left out."""
    kept: list[LlmMessage] = []
    for message in messages:
        if message.role == "assistant" and message.status == "error":
            continue
        content = message.content
        if message.role == "assistant":
            content = _MARKERS.sub("", content.replace(NO_MODEL_NOTE, "")).strip()
        if content:
            kept.append({"role": message.role, "content": content[:HISTORY_CHARS]})
    return kept[-HISTORY_MESSAGES:]


def _previous_query(messages: list[ChatMessage]) -> str | None:
    for message in reversed(messages):
        if message.role == "assistant" and message.search_query:
            return message.search_query
        if message.role == "user":
            return message.content
    return None
