"""Conversations and their messages: each belongs to one user, who alone sees and changes it."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_
from sqlmodel import Session, col, delete, select

from lumikb_app.db.tables import ChatMessage, Conversation, User
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import access
from lumikb_app.services.accounts.access import PermissionDenied, require_active
from lumikb_app.services.platform.transactions import read_session, transaction

DEFAULT_TITLE = "New conversation"
MAX_TITLE = 200
MAX_COMMENT = 2000
MAX_KBS = 100
NOT_FOUND = "Conversation not found."
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_CURSOR = 300


@dataclass(frozen=True)
class ConversationPage:
    conversations: list[Conversation]
    next_cursor: str = ""  # pass it back for the next page; "" on the last one


def list_conversations(user: User, limit: int = PAGE_SIZE, cursor: str = "") -> ConversationPage:
    """The user's conversations, most recently active first, `limit` at a time; `cursor` (the
    previous page's `next_cursor`) continues after that page."""
    _require_active(user)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ChatInputError(f"limit must be a whole number from 1 to {MAX_PAGE_SIZE}.")
    query = (
        select(Conversation)
        .where(Conversation.user_id == user.id)
        .order_by(*(col(column).desc() for column in _ORDER))
        .limit(limit + 1)
    )
    if cursor:
        query = query.where(tuple_(*(col(column) for column in _ORDER)) < _after(cursor))
    with read_session() as session:
        found = list(session.exec(query))
    if len(found) <= limit:
        return ConversationPage(found)
    last = found[limit - 1]
    return ConversationPage(found[:limit], _cursor(last))


def get_conversation(user: User, conversation_id: str) -> Conversation:
    """One of the user's conversations (its title and scope)."""
    with read_session() as session:
        return owned(session, user, conversation_id)


def create_conversation(
    user: User, title: str | None = None, kb_ids: Sequence[str] = ()
) -> Conversation:
    """`kb_ids` narrows retrieval to those KBs (empty: every KB the user may read)."""
    _require_active(user)
    with transaction() as session:
        conversation = Conversation(
            user_id=user.id,
            title=DEFAULT_TITLE if title is None else clean_title(title),
            kb_ids=_readable(session, user, kb_ids),
        )
        session.add(conversation)
        return conversation


def rename_conversation(user: User, conversation_id: str, title: str) -> Conversation:
    title = clean_title(title)
    with transaction() as session:
        conversation = owned(session, user, conversation_id)
        conversation.title = title
        session.add(conversation)
        return conversation


def delete_conversation(user: User, conversation_id: str) -> None:
    with transaction() as session:
        conversation = owned(session, user, conversation_id)
        session.exec(delete(ChatMessage).where(col(ChatMessage.conversation_id) == conversation.id))
        session.delete(conversation)


def list_messages(user: User, conversation_id: str) -> list[ChatMessage]:
    """Every turn of the conversation, oldest first."""
    with transaction() as session:
        owned(session, user, conversation_id)
        return messages_of(session, conversation_id)


def rate_message(
    user: User, message_id: str, rating: int, comment: str | None = None
) -> ChatMessage:
    """Thumbs up (+1) or down (-1) on an answer, with an optional comment."""
    if rating not in (1, -1) or isinstance(rating, bool):
        raise ChatInputError("A rating is +1 (helpful) or -1 (not helpful).")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ChatInputError(f"A comment must be at most {MAX_COMMENT} characters.")
    with transaction() as session:
        message = session.get(ChatMessage, message_id)
        if message is None:
            raise PermissionDenied(NOT_FOUND)
        owned(session, user, message.conversation_id)
        if message.role != "assistant":
            raise ChatInputError("Only answers can be rated.")
        message.rating, message.feedback = rating, comment
        session.add(message)
        return message


# -- shared with services/chat.py ---------------------------------------------------------


def owned(session: Session, user: User, conversation_id: str) -> Conversation:
    """The conversation if it is the user's; the same error whether it is missing or not theirs."""
    _require_active(user)
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is None or conversation.user_id != user.id:
        raise PermissionDenied(NOT_FOUND)
    return conversation


def messages_of(session: Session, conversation_id: str) -> list[ChatMessage]:
    query = (
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation_id)
        .order_by(col(ChatMessage.created_at), col(ChatMessage.role).desc())
    )
    return list(session.exec(query))


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ChatInputError("A conversation title cannot be empty.")
    if len(title) > MAX_TITLE:
        raise ChatInputError(f"A conversation title must be at most {MAX_TITLE} characters.")
    return title


def _readable(session: Session, user: User, kb_ids: Sequence[str]) -> list[str]:
    if isinstance(kb_ids, str):
        raise ChatInputError("Knowledge bases must be given as a list.")
    unique = list(dict.fromkeys(kb_ids))
    if len(unique) > MAX_KBS:
        raise ChatInputError(f"A conversation can be limited to at most {MAX_KBS} knowledge bases.")
    for kb_id in unique:
        access.require(session, user, kb_id, KbRole.READ)
    return unique


def _require_active(user: User) -> None:
    require_active(user)


# A page ends at a conversation; the next starts after it in this order (ties broken by id).
_ORDER = (Conversation.updated_at, Conversation.created_at, Conversation.id)
BAD_CURSOR = "The cursor is not valid: pass the next_cursor of the previous page unchanged."


def _cursor(last: Conversation) -> str:
    key = [last.updated_at.isoformat(), last.created_at.isoformat(), last.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, datetime, str]:
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        updated, created, conversation_id = key
        return (
            datetime.fromisoformat(updated),
            datetime.fromisoformat(created),
            str(conversation_id)[:36],
        )
    except (ValueError, TypeError) as bad:  # binascii.Error and JSONDecodeError are ValueErrors
        raise ChatInputError(BAD_CURSOR) from bad
