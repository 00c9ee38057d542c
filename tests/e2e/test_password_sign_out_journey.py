"""Changing a password signs out everywhere else: a person signed in on two computers, with an
API token for a script, changes the password on one; the other is sent to the sign-in page,
the script's token is refused, and the computer that made the change stays signed in."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SeededApp, Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

EMAIL = "two-laptops@example.com"
PASSWORD = "first passphrase of many"
NEW_PASSWORD = "second passphrase of many"


def _admin_creates_the_user(page, app: SeededApp) -> None:
    login(page, app.admin_email, app.admin_password)
    page.goto("/admin/users")
    wait_for_hydration(page)
    page.get_by_test_id("new-user").click()
    page.get_by_test_id("new-user-email").fill(EMAIL)
    page.get_by_test_id("new-user-name").fill("Two Laptops")
    page.get_by_test_id("new-user-password").fill(PASSWORD)
    page.get_by_test_id("new-user-submit").click()
    expect(page.get_by_test_id("new-user-form")).to_have_count(0)
    page.context.clear_cookies()


def _kbs(app: SeededApp, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{app.base_url}/api/v1/kbs", headers=headers, timeout=30).status_code


def _create_token(page) -> str:
    page.get_by_test_id("api-token-name").fill("Backup script")
    page.get_by_test_id("api-token-create").click()
    value = page.get_by_test_id("api-token-value")
    expect(value).to_have_text(re.compile(r"^lkb_"))
    return value.inner_text().strip()


def test_a_password_change_signs_out_other_sessions_and_revokes_api_tokens(
    page, browser, app_server: SeededApp, shots: Shots
):
    _admin_creates_the_user(page, app_server)
    laptop = new_page(browser, app_server.base_url)
    try:
        login(laptop, EMAIL, PASSWORD)
        expect(laptop.get_by_test_id("shell")).to_be_visible()

        login(page, EMAIL, PASSWORD)
        page.goto("/account")
        wait_for_hydration(page)
        expect(page.get_by_test_id("password-consequence")).to_have_text(
            "This signs out your other sessions and revokes your API tokens."
        )
        token = _create_token(page)
        assert _kbs(app_server, token) == 200
        shots("signed in twice with a token")

        page.get_by_test_id("account-current-password").fill(PASSWORD)
        page.get_by_test_id("account-new-password").fill(NEW_PASSWORD)
        page.get_by_test_id("account-confirm-password").fill(NEW_PASSWORD)
        page.get_by_test_id("account-password-submit").click()
        expect(page.get_by_test_id("password-notice")).to_have_text(
            "Your password has been changed. Your other sessions were signed out and your API "
            "tokens were revoked: create new tokens for your scripts."
        )
        expect(page.get_by_test_id("api-token-row")).to_have_count(0)
        shots("password changed, tokens gone")

        assert _kbs(app_server, token) == 401
        laptop.goto("/")
        laptop.wait_for_url(re.compile(r"/login"))
        expect(laptop.get_by_test_id("login-submit")).to_be_visible()
        Shots(laptop, "test_password_change_other_laptop")("sent to sign in")

        page.reload()
        wait_for_hydration(page)
        expect(page.get_by_test_id("account-profile")).to_contain_text(EMAIL)  # still signed in
    finally:
        laptop.context.close()
