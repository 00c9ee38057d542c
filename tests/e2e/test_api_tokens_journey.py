"""API tokens journey: create a token on the account page, see it exactly once, copy it, call
the REST API with it from a script (httpx), revoke it in the UI, and the same call is refused."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SeededApp, Shots, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

TOKEN_NAME = "Nightly report script"
QUERY = "hardware key release builds signed"


def _search(app: SeededApp, token: str) -> httpx.Response:
    return httpx.post(
        f"{app.base_url}/api/v1/search",
        json={"query": QUERY},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def _token_row(page):
    return page.locator(f'[data-testid="api-token-row"][data-token-name="{TOKEN_NAME}"]')


def test_create_use_and_revoke_an_api_token(page, app_server: SeededApp, shots: Shots):
    login(page, app_server.email, app_server.password)
    page.goto("/account")
    wait_for_hydration(page)
    card = page.get_by_test_id("api-tokens")
    expect(card).to_be_visible()
    expect(page.get_by_test_id("api-token-empty")).to_be_visible()
    shots("account page without tokens")

    page.get_by_test_id("api-token-name").fill("   ")
    page.get_by_test_id("api-token-create").click()
    expect(page.get_by_test_id("api-token-error")).to_contain_text("Give the token a name")
    expect(page.get_by_test_id("api-token-new")).to_have_count(0)
    expect(page.get_by_test_id("api-token-empty")).to_be_visible()
    page.get_by_test_id("api-token-name").fill(TOKEN_NAME)
    page.get_by_test_id("api-token-expiry").click()
    page.get_by_role("option", name="90 days").click()
    page.get_by_test_id("api-token-create").click()

    value = page.get_by_test_id("api-token-value")
    expect(value).to_have_text(re.compile(r"^lkb_[A-Za-z0-9_-]{40,}$"))
    token = value.inner_text().strip()
    expect(page.get_by_test_id("api-token-new")).to_contain_text(
        "You will not be able to see it again"
    )
    expect(_token_row(page)).to_contain_text(token[:12])
    expect(_token_row(page)).to_contain_text("Never")  # not used yet
    card.scroll_into_view_if_needed()
    shots("new token shown once")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_test_id("api-token-copy").click()
    page.wait_for_function("async (t) => (await navigator.clipboard.readText()) === t", arg=token)

    response = _search(app_server, token)
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == QUERY
    names = [result["document_name"] for result in body["results"]]
    assert app_server.handbook_pdf_name in names
    assert app_server.foreign_doc_name not in names
    handbook = next(
        r for r in body["results"] if r["document_name"] == app_server.handbook_pdf_name
    )
    assert handbook["page"] == app_server.handbook_passage_page
    assert handbook["url"].startswith(f"/view/{app_server.handbook_pdf_id}?chunk=")

    page.get_by_test_id("api-token-dismiss").click()
    expect(page.get_by_test_id("api-token-new")).to_have_count(0)
    page.reload()
    wait_for_hydration(page)
    expect(_token_row(page)).to_be_visible()
    assert token not in page.content()
    expect(_token_row(page)).not_to_contain_text("Never")  # last used: just now; expires in 90 days
    card.scroll_into_view_if_needed()
    shots("token listed after reload, plaintext gone")

    _token_row(page).get_by_test_id("api-token-revoke").click()
    expect(_token_row(page)).to_have_count(0)
    expect(page.get_by_test_id("api-token-empty")).to_be_visible()
    shots("token revoked")

    refused = _search(app_server, token)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert "results" not in refused.json()
