"""What the draft page's side panels (members, comments, history) share: the draft they belong
to, read from the page's `/drafts/[draft_id]` route, and moments in words."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from lumikb_app.state.knowledge_bases.home_cards import ago
from lumikb_app.state.time_words import utc

ROUTE_ARG = "draft_id"  # no state may have a var of this name: Reflex adds it for the route
MAX_ID = 64


def route_draft_id(state: rx.State) -> str:
    """The `[draft_id]` of the page's route ("" on any other page)."""
    return str(getattr(state, ROUTE_ARG, "") or "")[:MAX_ID]


def moment(when: datetime) -> tuple[str, str]:
    """("5 minutes ago", "2026-03-01 10:04 UTC"): the words, and the exact time for a tooltip."""
    at = utc(when)
    return ago(at, datetime.now(UTC)), at.strftime("%Y-%m-%d %H:%M UTC")
