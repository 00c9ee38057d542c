"""Small steps the e2e journeys share."""

from __future__ import annotations

from tests.e2e.conftest import UI_TIMEOUT_MS, wait_for_hydration


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
    """A page in a fresh browser context (its own cookies): a second person at another computer."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url)
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context.new_page()
