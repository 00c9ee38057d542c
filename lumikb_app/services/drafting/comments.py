"""Comments on a draft's sections. Anyone who may view the draft may comment; a comment is
removed by its author or the draft's owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select

from lumikb_app.db.tables import DraftComment, User
from lumikb_app.domain.drafting import MAX_COMMENT, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting.draft_access import bump, require_draft, require_section
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_LISTED = 1000
MAX_PER_SECTION = 200
COMMENT_NOT_FOUND = "Comment not found."


@dataclass(frozen=True)
class CommentView:
    id: str
    section_id: str
    author_name: str
    body: str
    created_at: datetime
    mine: bool


def add_comment(user: User, section_id: str, body: str) -> CommentView:
    body = clean_body(body)
    with transaction() as session:
        _, section = require_section(session, user, section_id)
        count = session.exec(
            select(func.count()).where(DraftComment.section_id == section.id)
        ).one()
        if count >= MAX_PER_SECTION:
            raise DraftInputError(
                f"This section has {MAX_PER_SECTION} comments already; remove some first."
            )
        comment = DraftComment(
            draft_id=section.draft_id, section_id=section.id, user_id=user.id, body=body
        )
        session.add(comment)
        bump(session, section.draft_id)
        return CommentView(
            comment.id, section.id, user.display_name, body, comment.created_at, True
        )


def list_comments(user: User, draft_id: str) -> list[CommentView]:
    """The draft's comments, oldest first (the latest MAX_LISTED)."""
    with read_session() as session:
        require_draft(session, user, draft_id)
        query = (
            select(DraftComment, User.display_name)
            .join(User, col(User.id) == DraftComment.user_id)
            .where(DraftComment.draft_id == draft_id)
            .order_by(col(DraftComment.created_at).desc(), col(DraftComment.id))
            .limit(MAX_LISTED)
        )
        rows = list(session.exec(query))
    return [
        CommentView(c.id, c.section_id, name, c.body, c.created_at, c.user_id == user.id)
        for c, name in reversed(rows)
    ]


def delete_comment(user: User, comment_id: str) -> None:
    with transaction() as session:
        comment = session.get(DraftComment, comment_id) if _is_id(comment_id) else None
        if comment is None:
            raise PermissionDenied(COMMENT_NOT_FOUND)
        opened = require_draft(session, user, comment.draft_id)
        if comment.user_id != user.id and not opened.is_owner:
            raise PermissionDenied("Only its author or the draft's owner can delete a comment.")
        session.delete(comment)
        bump(session, comment.draft_id)


def clean_body(body: object) -> str:
    if not isinstance(body, str):
        raise DraftInputError("A comment must be text.")
    text = body.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise DraftInputError("Write something to comment.")
    if len(text) > MAX_COMMENT:
        raise DraftInputError(f"A comment must be at most {MAX_COMMENT:,} characters.")
    return text


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 36
