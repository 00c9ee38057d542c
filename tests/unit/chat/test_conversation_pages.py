"""The conversation list comes a page at a time, newest first, in the service and on the chat
page ("Load more"); a bad page size or cursor is refused and changes nothing."""

import base64
from datetime import timedelta

import pytest

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Conversation
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.chat import conversations
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.state.chat.chat import ChatState
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.unit

PASSWORD = "long enough pw"


@pytest.fixture
def ann_with_120(migrated):
    """Ann's 120 conversations, newest first (every third pair shares its last activity, so
    ties are ordered too), and Bob's one."""
    now = utcnow()
    with transaction() as session:
        ann = create_user(
            session, email="ann@x.io", display_name="Ann", password=PASSWORD, role=SystemRole.member
        )
        bob = create_user(session, email="bob@x.io", display_name="Bob", password=PASSWORD)
        made = [
            Conversation(
                user_id=ann.id,
                title=f"Question {i}",
                created_at=now - timedelta(minutes=i),
                updated_at=now - timedelta(minutes=i - i % 3 // 2),
            )
            for i in range(120)
        ]
        session.add_all([*made, Conversation(user_id=bob.id, title="Bob's")])
        session.flush()
        ids = [c.id for c in made]
    return ann, bob, ids


def _all_pages(user, limit: int) -> list[list[str]]:
    pages, cursor = [], ""
    while True:
        page = conversations.list_conversations(user, limit, cursor)
        pages.append([c.id for c in page.conversations])
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


def test_conversations_come_fifty_at_a_time_newest_first(ann_with_120):
    ann, bob, ids = ann_with_120
    pages = _all_pages(ann, conversations.PAGE_SIZE)
    assert [len(page) for page in pages] == [50, 50, 20]
    assert [i for page in pages for i in page] == ids
    assert [len(page) for page in _all_pages(ann, 7)] == [7] * 17 + [1]
    assert [c.title for c in conversations.list_conversations(bob).conversations] == ["Bob's"]
    assert conversations.list_conversations(bob).next_cursor == ""


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "limit, cursor, reason",
    [
        (0, "", "limit"),
        (conversations.MAX_PAGE_SIZE + 1, "", "limit"),
        (True, "", "limit"),
        (10, "not a cursor", "cursor"),
        (10, _cursor('["yesterday", "today", "x"]'), "cursor"),
        (10, _cursor('{"a": 1}'), "cursor"),
        (10, _cursor("[1, 2, 3]"), "cursor"),
        (10, "e" * 400, "cursor"),
    ],
)
def test_a_bad_page_size_or_cursor_is_refused_with_a_reason(ann_with_120, limit, cursor, reason):
    ann, _, ids = ann_with_120
    with pytest.raises(ChatInputError, match=reason):
        conversations.list_conversations(ann, limit, cursor)
    assert [c.id for c in conversations.list_conversations(ann, 120).conversations] == ids


async def test_the_chat_page_shows_fifty_then_loads_more(ann_with_120):
    ann, _, ids = ann_with_120
    token = auth.login("ann@x.io", PASSWORD).token
    oldest = ids[-1]
    page = signed_in_state(ChatState, token, "/chat", c=oldest)
    page.router = type(page.router).from_router_data(
        {"headers": {"cookie": f"{auth.COOKIE_NAME}={token}"}, "asPath": f"/chat?c={oldest}"}
    )  # the address bar, which the page reads ?c= from
    await ChatState.load.fn(page)
    assert [c.id for c in page.conversations] == ids[:50] and page.more_conversations
    assert page.conversation_title == "Question 119"  # open, though not on the first page

    await ChatState.load_more_conversations.fn(page)
    assert [c.id for c in page.conversations] == ids[:100] and page.more_conversations
    await ChatState.load_more_conversations.fn(page)
    assert [c.id for c in page.conversations] == ids and not page.more_conversations
    await ChatState.load_more_conversations.fn(page)  # nothing more: nothing changes
    assert [c.id for c in page.conversations] == ids
