"""The viewer's own controls, as a browser's events would drive them: "back" returns to the
search or the conversation the reader came from (never anywhere else), PDF zoom stays within
its steps, and a page number that does not exist is refused in words, changing nothing."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from lumikb_app.domain.documents import BLOCK_SEPARATOR
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.auth import COOKIE_NAME
from lumikb_app.services.documents.parsing import MARKDOWN, PDF
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.state.documents.viewer import ViewerState
from tests.pdf_factory import handbook_pdf
from tests.reflex_states import PASSWORD, admin_and_member, signed_in_state
from tests.unit.documents.test_viewer_service import chunk_with, store_document

pytestmark = pytest.mark.unit

GUIDE = "# Guide\n\n## Access\n\nRequest staging access through the service desk.\n\n```\nssh staging\n```\n"


@pytest.fixture
def library(migrated) -> dict:
    admin, _ = admin_and_member(ViewerState)
    owner = auth.user_for_token(auth.login("root@x.io", PASSWORD).token)
    kb = kbs.create_kb(owner, "Handbook")
    return {
        "token": auth.login("root@x.io", PASSWORD).token,
        "pdf": store_document(owner, kb.id, "handbook.pdf", handbook_pdf(), PDF),
        "guide": store_document(owner, kb.id, "guide.md", GUIDE.encode(), MARKDOWN),
    }


async def opened(library: dict, document: str, **query: str) -> ViewerState:
    """The viewer on /view/<document>?<query>, loaded as the page's on_load does."""
    path = f"/view/{library[document]}?{urlencode(query)}"
    state = signed_in_state(ViewerState, library["token"], path, document_id=library[document])
    state.router = type(state.router).from_router_data(  # the browser's URL, with its query
        {
            "headers": {"cookie": f"{COOKIE_NAME}={library['token']}"},
            "pathname": path, "asPath": path, "query": {"document_id": library[document]},
        }
    )  # fmt: skip
    await ViewerState.load.fn(state)
    assert state.found, state.message
    return state


@pytest.mark.parametrize(
    ("query", "href", "label"),
    [
        ({"from": "search", "q": "staging & access"}, "/search?q=staging+%26+access", "Back to results"),
        ({"from": "chat", "c": "2b1f0c9e-1d2a-4c44-9d7e-0a1b2c3d4e5f"},
         "/chat?c=2b1f0c9e-1d2a-4c44-9d7e-0a1b2c3d4e5f", "Back to the conversation"),
        ({"from": "chat", "c": "../admin"}, "", "Back"),
        ({"from": "https://evil.example", "q": "x"}, "", "Back"),
        ({"from": "search", "q": "   "}, "", "Back"),
        ({}, "", "Back"),
    ],
)  # fmt: skip
async def test_back_goes_where_the_reader_came_from_and_nowhere_else(library, query, href, label):
    state = await opened(library, "guide", **query)
    assert (state.back_href, state.back_label) == (href, label)


async def test_a_formatted_document_reaches_the_page_with_its_passage_marked(library):
    cited = chunk_with(library["guide"], "service desk")
    state = await opened(library, "guide", chunk=cited.id)
    assert (
        "<pre><code>" in state.text_html and 'data-testid="highlighted-passage"' in state.text_html
    )
    assert state.text_passage == cited.text and BLOCK_SEPARATOR not in state.text_html


async def test_zoom_moves_one_step_at_a_time_within_its_bounds(library):
    state = await opened(library, "pdf")
    assert (state.zoom_label, state.page_width) == ("100%", "min(100%, 720px)")
    for _ in range(10):
        ViewerState.zoom_by.fn(state, 1)
    assert (state.zoom_label, state.can_zoom_in, state.can_zoom_out) == ("200%", False, True)
    assert state.page_width == "min(200%, 1440px)" and "scale=3" in state.image_url
    for _ in range(10):
        ViewerState.zoom_by.fn(state, -5)
    assert (state.zoom_label, state.can_zoom_out) == ("50%", False)


@pytest.mark.parametrize("typed", ["0", "4", "-1", "2.5", "two", "", "9" * 40])
async def test_a_page_that_does_not_exist_is_refused_in_words(library, typed):
    state = await opened(library, "pdf", **{"from": "search", "q": "vault"})
    assert ViewerState.go_to_page.fn(state, {"page": typed}) is None
    assert state.page_error == "Enter a page number from 1 to 3." and state.page == 1


async def test_a_page_that_exists_opens_with_where_the_reader_came_from(library):
    state = await opened(library, "pdf", **{"from": "search", "q": "vault"})
    ViewerState.go_to_page.fn(state, {"page": "3"})
    assert state.page_error == ""
    assert state._page_href(3).endswith("?from=search&q=vault&page=3&version=1")


async def test_a_text_document_has_no_pages_to_go_to(library):
    state = await opened(library, "guide")
    ViewerState.go_to_page.fn(state, {"page": "1"})
    assert state.page_error != ""
