"""Sign-in and API docs journey: a mistyped password brings the login card back with the email
still filled in; the card's words follow whether self-registration is on; the account page
links to the REST API docs, which render every operation with the network to other hosts cut
(Swagger UI is served by the app, not a CDN)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, screenshot
from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

CLOSED_COPY = "Use the account your administrator created for you."
OPEN_COPY = "create an account below"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_a_failed_sign_in_keeps_the_email_and_the_copy_fits_registration(page, browser, app_server):
    app = app_server
    page.goto("/login")
    wait_for_hydration(page)
    expect(page.get_by_test_id("login-copy")).to_have_text(CLOSED_COPY)
    expect(page.get_by_test_id("register-link")).to_have_count(0)

    page.get_by_test_id("login-email").fill(app.email)
    page.get_by_test_id("login-password").fill("not my password at all")
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    wait_for_hydration(page)
    assert urlsplit(page.url).query == "error=1"  # the email is not put in the address
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("login-email")).to_have_value(app.email)
    expect(page.get_by_test_id("login-password")).to_have_value("")
    expect(page.get_by_test_id("login-password")).to_be_focused()
    for size, name in ((DESKTOP, "login-failed"), (PHONE, "login-failed")):
        page.set_viewport_size(size)
        screenshot(page, name)
    assert_accessible(page, "the login page after a failed sign-in")

    # Only the password needs typing again.
    page.get_by_test_id("login-password").fill(app.password)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    wait_for_hydration(page)
    expect(page.get_by_test_id("shell")).to_be_visible()

    # The email comes back only after a failure: the sign-in page opened afresh starts empty.
    page.context.clear_cookies()
    page.goto("/login")
    wait_for_hydration(page)
    expect(page.get_by_test_id("login-email")).to_have_value("")

    other = new_page(browser, app.base_url)
    try:
        _set_self_registration(browser, app, True)
        other.goto("/login")
        wait_for_hydration(other)
        expect(other.get_by_test_id("login-copy")).to_contain_text(OPEN_COPY)
        expect(other.get_by_test_id("login-copy")).not_to_contain_text("administrator")
        expect(other.get_by_test_id("register-link")).to_be_visible()
        screenshot(other, "login-registration-open")
    finally:
        _set_self_registration(browser, app, False)
        other.context.close()


def _set_self_registration(browser, app, on: bool) -> None:
    admin = new_page(browser, app.base_url)
    try:
        login(admin, app.admin_email, app.admin_password)
        admin.goto("/admin/users")
        wait_for_hydration(admin)
        switch = admin.get_by_test_id("self-registration")
        wanted = "true" if on else "false"
        expect(switch).to_have_attribute("aria-checked", re.compile("true|false"))
        if switch.get_attribute("aria-checked") != wanted:
            switch.click()
        expect(switch).to_have_attribute("aria-checked", wanted)
    finally:
        admin.context.close()


def test_the_account_page_links_to_api_docs_that_work_offline(page, app_server):
    app = app_server
    login(page, app.email, app.password)
    page.goto("/account")
    wait_for_hydration(page)
    link = page.get_by_test_id("api-docs-link")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", "/api/docs")

    blocked: list[str] = []

    def only_this_app(route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", only_this_app)
    with page.context.expect_page() as opened:
        link.click()
    docs = opened.value
    docs.wait_for_load_state()
    assert urlsplit(docs.url).path == "/api/docs"
    expect(docs.locator(".swagger-ui .info .title")).to_contain_text("LumiKB")
    search = docs.locator(".opblock-summary-path", has_text="/api/v1/search")
    expect(search).to_be_visible()
    assert docs.locator(".opblock").count() >= 5  # search, KBs, conversations, messages, chat
    for size in (DESKTOP, PHONE):
        docs.set_viewport_size(size)
        screenshot(docs, "api-docs-offline")
    assert blocked == [], f"the docs page reached for other hosts: {blocked}"
