"""Small steps the e2e journeys share."""

from __future__ import annotations

from tests.e2e.conftest import browser_context, wait_for_hydration


def login(page, email: str, password: str) -> None:
    """Sign in through a freshly loaded login page; returns once the answer page has loaded.

    The caller checks where it landed (the shell, or /login?error=...).
    """
    page.goto("/login")
    wait_for_hydration(page)
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    wait_for_hydration(page)


def new_page(browser, base_url: str):
    """A page in a fresh browser context (its own cookies and client address): a second person
    at another computer."""
    return browser_context(browser, base_url).new_page()
