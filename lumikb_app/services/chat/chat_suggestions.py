"""Questions an empty chat offers, made from the titles of the user's own ready documents, so a
newcomer sees what the knowledge bases hold and starts with one click."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from sqlmodel import col, select

from lumikb_app.db.tables import Document, User
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.services.accounts import access
from lumikb_app.services.platform.transactions import read_session

SUGGESTIONS = 4
SCANNED_DOCUMENTS = 40  # the newest ready documents looked at; enough for a handful of topics
TOPIC_CHARS = 60
_SEPARATORS = re.compile(r"[_\-.]+")


def suggested_questions(
    user: User, kb_ids: Sequence[str] = (), limit: int = SUGGESTIONS
) -> list[str]:
    """Up to `limit` questions about documents in `kb_ids` (empty: every KB the user may read),
    from the newest ready ones; KBs the user may not read are left out, never reported."""
    limit = max(1, min(int(limit), SUGGESTIONS * 2))
    with read_session() as session:
        readable = set(access.readable_kb_ids(session, user))
        wanted = [kb for kb in kb_ids if kb in readable] if kb_ids else sorted(readable)
        if not wanted:
            return []
        names = session.exec(
            select(Document.name)
            .where(col(Document.kb_id).in_(wanted))
            .where(Document.status == DocumentStatus.ready.value)
            .order_by(col(Document.created_at).desc())
            .limit(SCANNED_DOCUMENTS)
        ).all()
    topics = list(dict.fromkeys(topic for name in names if (topic := _topic(name))))
    return [_question(topic, i) for i, topic in enumerate(topics[:limit])]


def _topic(filename: str) -> str:
    stem = PurePosixPath(filename).stem
    words = " ".join(_SEPARATORS.sub(" ", stem).split())
    if len(words) > TOPIC_CHARS:
        words = words[:TOPIC_CHARS].rsplit(" ", 1)[0]
    return words if re.search(r"[^\W\d]", words) else ""


_FORMS = (
    "What does {} cover?",
    "Summarize the key points of {}.",
    "What are the main steps described in {}?",
    "What should I know first about {}?",
)


def _question(topic: str, index: int) -> str:
    return _FORMS[index % len(_FORMS)].format(f"“{topic}”")
