"""Conversation list journey: someone with many old conversations opens the chat page and sees
the newest fifty with "Load more"; pressing it shows the rest, oldest last, and the button goes."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SeededApp, Shots, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

OLD = 55  # conversations from long ago, older than any a journey makes


def _add_old_conversations(app: SeededApp) -> None:
    """Written straight into the served app's database (setup, not the journey under test)."""
    start = datetime(2020, 1, 1, 9, 0)
    with sqlite3.connect(app.data_dir / "lumikb.sqlite3", timeout=30) as db:
        (user_id,) = db.execute(
            "SELECT id FROM users WHERE email = ?", (app.admin_email,)
        ).fetchone()
        for i in range(OLD):
            at = (start + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S.%f")
            db.execute(
                "INSERT INTO conversations (id, user_id, title, kb_ids, created_at, updated_at) "
                "VALUES (?, ?, ?, '[]', ?, ?)",
                (str(uuid.uuid4()), user_id, f"Archived {i:02d}", at, at),
            )


def test_the_conversation_list_shows_fifty_then_loads_the_rest(page, app_server, shots: Shots):
    _add_old_conversations(app_server)
    login(page, app_server.admin_email, app_server.admin_password)
    page.goto("/chat")
    wait_for_hydration(page)
    items = page.get_by_test_id("conversation-item")
    expect(items).to_have_count(50)
    more = page.get_by_test_id("conversations-more")
    expect(more).to_be_visible()
    expect(page.locator('[data-title="Archived 00"]')).to_have_count(0)  # the oldest: not yet
    shots("first page with load more")

    more.click()
    expect(more).to_have_count(0)
    expect(items.last).to_have_attribute("data-title", "Archived 00")
    assert items.count() >= OLD
    titles = [items.nth(i).get_attribute("data-title") for i in range(items.count())]
    archived = [t for t in titles if t and t.startswith("Archived")]
    assert archived == [f"Archived {i:02d}" for i in reversed(range(OLD))]  # newest first
    shots("every conversation")
