"""Single sign-on through a real OIDC provider lands a new user in the shell."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_hydration

pytestmark = pytest.mark.e2e


def test_sign_in_with_sso_provisions_the_user_and_opens_the_shell(page, shots):
    page.goto("/login")
    wait_for_hydration(page)
    sso = page.get_by_test_id("login-sso")
    expect(sso).to_be_visible()
    shots("login-with-sso-button")
    sso.click()
    page.wait_for_url(re.compile(r"http://localhost:\d+/"))  # the provider's own page
    page.fill('input[name="sub"]', "sso-user@example.com")
    shots("provider-authorize-page")
    page.get_by_role("button", name=re.compile("authorize", re.I)).click()
    expect(page.get_by_test_id("shell")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text("sso-user@example.com")
    shots("shell-after-sso")
    # a new SSO user holds no grant: no knowledge base of anyone else is listed
    for name in ("Alpha Docs", "Beta Docs", "Engineering Handbook", "Secret Mergers"):
        expect(page.get_by_text(name, exact=True)).to_have_count(0)


def test_a_failed_sso_login_shows_a_clear_message(page):
    page.goto("/login?error=sso")
    wait_for_hydration(page)
    expect(page.get_by_test_id("login-error")).to_contain_text("Single sign-on failed")
