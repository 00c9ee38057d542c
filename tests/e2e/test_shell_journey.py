"""First journey: login page, a refused password, sign in, the shell, a knowledge base, sign out."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_hydration

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test waits for a cold build

NOT_FOUND = "Knowledge base not found or you do not have access"


def _sign_in(page, email: str, password: str) -> None:
    wait_for_hydration(page)
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_sign_in_see_the_shell_open_a_kb_and_sign_out(page, app_server, shots):
    app = app_server

    page.goto("/")
    page.wait_for_url(re.compile(r"/login/?(\?.*)?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_test_id("login-error")).to_have_count(0)
    shots("login page")

    _sign_in(page, app.email, "not the right password")
    page.wait_for_url(re.compile(r"/login/?\?error=1"))
    expect(page.get_by_test_id("login-error")).to_have_text("Invalid email or password.")
    expect(page.get_by_test_id("shell")).to_have_count(0)
    shots("wrong password")

    _sign_in(page, app.email, app.password)
    expect(page.get_by_test_id("shell")).to_be_visible()
    wait_for_hydration(page)
    assert page.url.rstrip("/") == app.base_url
    expect(page.get_by_test_id("top-bar")).to_contain_text("LumiKB")
    expect(page.get_by_test_id("user-name")).to_have_text(app.user_name)
    expect(page.get_by_test_id("main-pane")).to_contain_text(f"Welcome, {app.user_name}")
    # Other journeys may give Grace knowledge bases of her own: hers is the seeded one here.
    own_kb = page.get_by_test_id("sidebar-kb").filter(has_text=app.kb_name)
    expect(own_kb).to_have_count(1)
    expect(page.get_by_test_id("sidebar")).not_to_contain_text(app.foreign_kb_name)
    expect(page.get_by_test_id("nav-admin")).to_have_count(0)  # a member sees no Admin entry
    shots("shell")

    page.get_by_test_id("user-menu").click()
    expect(page.get_by_text(app.email)).to_be_visible()
    expect(page.get_by_test_id("role-badge")).to_have_text("Member")
    shots("user menu")
    page.keyboard.press("Escape")

    own_kb.click()
    page.wait_for_url(f"**/kb/{app.kb_id}")
    expect(page.get_by_test_id("kb-page")).to_be_visible()
    expect(own_kb).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("page-title")).to_have_text(app.kb_name)
    expect(page.get_by_test_id("main-pane")).to_contain_text("How we build and ship software.")
    shots("knowledge base")

    page.get_by_test_id("nav-search").click()
    page.wait_for_url("**/search")
    expect(page.get_by_test_id("page-title")).to_have_text("Search")
    expect(page.get_by_test_id("nav-search")).to_have_attribute("aria-current", "page")
    expect(own_kb).to_have_attribute("aria-current", "false")
    shots("search page")

    page.goto(f"/kb/{app.foreign_kb_id}")
    expect(page.get_by_test_id("kb-not-found")).to_have_text(NOT_FOUND)
    expect(page.get_by_test_id("main-pane")).not_to_contain_text(app.foreign_kb_name)
    shots("someone else's knowledge base")

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()
    page.wait_for_url(re.compile(r"/login/?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("login-form")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "lumikb_session"]
    shots("signed out")

    page.goto("/")
    page.wait_for_url(re.compile(r"/login/?(\?.*)?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("shell")).to_have_count(0)
    shots("home after sign out")


def test_a_deep_link_comes_back_after_sign_in(page, app_server, shots):
    app = app_server
    page.goto(f"/kb/{app.kb_id}")
    page.wait_for_url(re.compile(r"/login/?\?next="))
    shots("login with next")
    _sign_in(page, app.email, app.password)
    page.wait_for_url(f"**/kb/{app.kb_id}")
    expect(page.get_by_test_id("page-title")).to_have_text(app.kb_name)
    shots("back at the knowledge base")
