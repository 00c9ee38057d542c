"""What a person does with a conversation besides asking: limit it to several knowledge bases,
find it again by its words, and edit a question to ask it again (the turns after it go)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, delete, or_, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ChatMessage, Conversation, User
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied, require_active
from lumikb_app.services.chat.conversations import NOT_FOUND, _readable, messages_of, owned
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_SEARCH_QUERY = 200
SEARCH_LIMIT = 20
MAX_SEARCH_LIMIT = 50
SNIPPET_CHARS = 140


@dataclass(frozen=True)
class ConversationMatch:
    conversation: Conversation
    snippet: str  # where the words occur: the title, or a stretch of a message


def set_scope(user: User, conversation_id: str, kb_ids: Sequence[str]) -> Conversation:
    """Limit the conversation's answers to `kb_ids` (empty: every KB the user may read); each
    must be a KB the user may read."""
    with transaction() as session:
        conversation = owned(session, user, conversation_id)
        conversation.kb_ids = _readable(session, user, kb_ids)
        session.add(conversation)
        return conversation


def search_conversations(
    user: User, query: str, limit: int = SEARCH_LIMIT
) -> list[ConversationMatch]:
    """The user's conversations whose title or messages contain `query` (case-insensitive),
    most recently active first, at most `limit`."""
    require_active(user)
    words = " ".join((query or "").split())
    if not words:
        raise ChatInputError("Type some words to search your conversations for.")
    if len(words) > MAX_SEARCH_QUERY:
        raise ChatInputError(f"A search must be at most {MAX_SEARCH_QUERY} characters.")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise ChatInputError(f"limit must be a whole number from 1 to {MAX_SEARCH_LIMIT}.")
    in_messages = (
        select(ChatMessage.conversation_id)
        .join(Conversation, col(Conversation.id) == ChatMessage.conversation_id)
        .where(Conversation.user_id == user.id)
        .where(col(ChatMessage.content).icontains(words, autoescape=True))
    )
    query_rows = (
        select(Conversation)
        .where(Conversation.user_id == user.id)
        .where(
            or_(
                col(Conversation.title).icontains(words, autoescape=True),
                col(Conversation.id).in_(in_messages),
            )
        )
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id))
        .limit(limit)
    )
    with read_session() as session:
        found = list(session.exec(query_rows))
        return [ConversationMatch(c, _snippet(session, c, words)) for c in found]


def drop_from_question(user: User, conversation_id: str, message_id: str) -> str:
    """Remove the question `message_id` and every turn after it, so that its edited text can be
    asked in its place; returns the question's old text."""
    with transaction() as session:
        conversation = owned(session, user, conversation_id)
        messages = messages_of(session, conversation.id)
        index = next((i for i, m in enumerate(messages) if m.id == message_id), None)
        if index is None:
            raise PermissionDenied(NOT_FOUND)
        if messages[index].role != "user":
            raise ChatInputError("Only a question can be edited.")
        dropped = [m.id for m in messages[index:]]
        session.exec(delete(ChatMessage).where(col(ChatMessage.id).in_(dropped)))
        conversation.updated_at = utcnow()
        session.add(conversation)
        return messages[index].content


def _snippet(session: Session, conversation: Conversation, words: str) -> str:
    if words.lower() in (conversation.title or "").lower():
        return conversation.title
    first = session.exec(
        select(ChatMessage.content)
        .where(ChatMessage.conversation_id == conversation.id)
        .where(col(ChatMessage.content).icontains(words, autoescape=True))
        .order_by(col(ChatMessage.created_at))
        .limit(1)
    ).first()
    text = " ".join((first or "").split())
    at = max(0, text.lower().find(words.lower()))
    start = max(0, at - SNIPPET_CHARS // 3)
    end = start + SNIPPET_CHARS
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
