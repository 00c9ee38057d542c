"""Admin journeys: create a user, see and lift a lockout, roles, deactivation and a one-time reset
link on the Users page; self-registration; the audit page's filters, pages and CSV export; and
members kept out of all of it."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.conftest import Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

READER_EMAIL = "reader@example.com"
READER_PASSWORD = "reader's first passphrase"
READER_NEW_PASSWORD = "reader's second passphrase"
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."
FAILED = "Invalid email or password."
HTML_EMAIL = "markup@example.com"
HTML_NAME = "<b>Bold</b> <img src=x onerror=alert(1)>"
NO_ACCESS = "You do not have access to this page."


def _user_row(page, email: str):
    return page.locator(f'[data-testid="user-row"][data-email="{email}"]')


def _row_action(page, email: str, action: str) -> None:
    """Open the row's actions menu and choose one (again if a list refresh closed the menu)."""
    expect(page.get_by_role("menu")).to_have_count(0)
    item = page.get_by_role("menuitem", name=action, exact=True)
    for _ in range(3):
        _user_row(page, email).get_by_test_id("user-actions").click()
        try:
            item.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    item.click()
    expect(page.get_by_role("menu")).to_have_count(0)


def _choose(page, trigger_test_id: str, option: str) -> None:
    page.get_by_test_id(trigger_test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def _csv_actions(download) -> list[dict[str, str]]:
    with open(download.path(), encoding="utf-8") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def _open_users(page) -> None:
    page.get_by_test_id("admin-tab-users").click()
    page.wait_for_url("**/admin/users")
    expect(page.get_by_test_id("admin-users")).to_be_visible()


def test_admin_manages_users_lockout_and_audit(page, browser, app_server, shots, request):
    app = app_server
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, app.admin_email, app.admin_password)
    expect(page.get_by_test_id("shell")).to_be_visible()

    # Admin landing -> Users.
    page.get_by_test_id("nav-admin").click()
    page.wait_for_url(re.compile(r"/admin/?$"))
    expect(page.get_by_test_id("admin-card-users")).to_be_visible()
    expect(page.get_by_test_id("admin-card-audit")).to_be_visible()
    shots("admin home")
    page.get_by_test_id("admin-card-users").click()
    page.wait_for_url("**/admin/users")
    expect(page.get_by_test_id("admin-tab-users")).to_have_attribute("aria-current", "page")
    admin_row = _user_row(page, app.admin_email)
    expect(admin_row).to_be_visible()
    expect(admin_row.get_by_test_id("user-role")).to_have_text("Admin")
    expect(admin_row).to_contain_text("You")
    expect(_user_row(page, app.email).get_by_test_id("user-status")).to_have_text("Active")

    page.get_by_test_id("user-search").fill("grace")
    expect(page.get_by_test_id("user-row")).to_have_count(1)
    expect(_user_row(page, app.email)).to_be_visible()
    page.get_by_test_id("user-search").fill("no such person")
    expect(page.get_by_test_id("users-empty")).to_be_visible()
    page.get_by_test_id("user-search").fill("")
    expect(admin_row).to_be_visible()
    shots("users")

    # New user: a refused address first (its error shown as text), then Reader.
    page.get_by_test_id("new-user").click()
    page.get_by_test_id("new-user-email").fill("x'or'1'='1@example.com")  # the browser lets it by
    page.get_by_test_id("new-user-name").fill("Reader")
    page.get_by_test_id("new-user-password").fill(READER_PASSWORD)
    page.get_by_test_id("new-user-submit").click()
    expect(page.get_by_test_id("new-user-error")).to_have_text("Enter a valid email address.")
    shots("new user refused")
    page.get_by_test_id("new-user-email").fill(READER_EMAIL)
    page.get_by_test_id("new-user-password").fill("short")
    page.get_by_test_id("new-user-submit").click()
    expect(page.get_by_test_id("new-user-error")).to_contain_text("at least 10 characters")
    page.get_by_test_id("new-user-password").fill(READER_PASSWORD)
    shots("new user filled in")
    page.get_by_test_id("new-user-submit").click()
    expect(page.get_by_test_id("new-user-form")).to_have_count(0)
    reader_row = _user_row(page, READER_EMAIL)
    expect(reader_row).to_be_visible()
    expect(reader_row).to_contain_text("Reader")
    expect(reader_row.get_by_test_id("user-role")).to_have_text("Member")
    expect(reader_row.get_by_test_id("user-status")).to_have_text("Active")
    shots("reader created")

    # Markup in a name is shown as text, never run.
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: {dialog.message}"))
    page.get_by_test_id("new-user").click()
    page.get_by_test_id("new-user-email").fill(HTML_EMAIL)
    page.get_by_test_id("new-user-name").fill(HTML_NAME)
    page.get_by_test_id("new-user-password").fill(READER_PASSWORD)
    page.get_by_test_id("new-user-submit").click()
    html_row = _user_row(page, HTML_EMAIL)
    expect(html_row.get_by_test_id("user-name-cell")).to_have_text(HTML_NAME)
    expect(html_row.locator("img, b")).to_have_count(0)

    # Somewhere else, five wrong passwords lock Reader's account with the neutral message.
    reader_page = new_page(browser, app.base_url)
    reader_shots = Shots(reader_page, f"{request.node.name}-reader")
    try:
        for attempt in range(1, 6):
            login(reader_page, READER_EMAIL, "not the right passphrase")
            expected = LOCKED if attempt == 5 else FAILED
            expect(reader_page.get_by_test_id("login-error")).to_have_text(expected)
        assert re.search(r"/login/?\?error=locked$", reader_page.url)
        reader_shots("locked out")
        login(reader_page, READER_EMAIL, READER_PASSWORD)
        expect(reader_page.get_by_test_id("login-error")).to_have_text(LOCKED)

        # The admin sees the lock and lifts it; Reader signs in.
        page.reload()
        wait_for_hydration(page)
        expect(reader_row.get_by_test_id("user-status")).to_have_text("Locked")
        shots("reader locked")
        _row_action(page, READER_EMAIL, "Unlock")
        expect(reader_row.get_by_test_id("user-status")).to_have_text("Active")
        expect(page.get_by_text("Account unlocked.")).to_be_visible()
        shots("reader unlocked")
        login(reader_page, READER_EMAIL, READER_PASSWORD)
        expect(reader_page.get_by_test_id("shell")).to_be_visible()
        expect(reader_page.get_by_test_id("nav-admin")).to_have_count(0)

        # Roles: make admin, then member again.
        _row_action(page, READER_EMAIL, "Make admin")
        expect(reader_row.get_by_test_id("user-role")).to_have_text("Admin")
        _row_action(page, READER_EMAIL, "Make member")
        expect(reader_row.get_by_test_id("user-role")).to_have_text("Member")

        # Deactivation signs Reader out at once; reactivation lets them back in.
        _row_action(page, READER_EMAIL, "Deactivate")
        expect(reader_row.get_by_test_id("user-status")).to_have_text("Deactivated")
        shots("reader deactivated")
        reader_page.goto("/")
        reader_page.wait_for_url(re.compile(r"/login/?(\?.*)?$"))
        _row_action(page, READER_EMAIL, "Reactivate")
        expect(reader_row.get_by_test_id("user-status")).to_have_text("Active")

        # An admin cannot lock themselves out.
        admin_row.get_by_test_id("user-actions").click()
        expect(page.get_by_role("menuitem", name="Deactivate")).to_be_disabled()
        expect(page.get_by_role("menuitem", name="Make member")).to_be_disabled()
        page.keyboard.press("Escape")

        # A one-time reset link, shown once, copied, and used by Reader.
        _row_action(page, READER_EMAIL, "Create reset link")
        link_box = page.get_by_test_id("reset-link")
        expect(link_box).to_have_value(re.compile(r"^http://.+/reset-password\?token=[\w-]{20,}$"))
        link = link_box.input_value()
        assert link.startswith(app.base_url)
        page.get_by_test_id("copy-reset-link").click()
        expect(page.get_by_text("Link copied.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == link
        shots("reset link")
        page.get_by_test_id("reset-link-done").click()
        expect(page.get_by_test_id("reset-link-dialog")).to_have_count(0)
        expect(page.locator("body")).not_to_contain_text(link.split("token=")[1])

        reader_page.goto(link)
        wait_for_hydration(reader_page)
        reader_page.get_by_test_id("new-password").fill(READER_NEW_PASSWORD)
        reader_page.get_by_test_id("confirm-password").fill(READER_NEW_PASSWORD)
        reader_page.get_by_test_id("reset-submit").click()
        expect(reader_page.get_by_test_id("reset-done")).to_be_visible()
        reader_shots("password reset")
        login(reader_page, READER_EMAIL, READER_NEW_PASSWORD)
        expect(reader_page.get_by_test_id("shell")).to_be_visible()
        reader_page.goto(link)  # a used link does not work twice
        wait_for_hydration(reader_page)
        reader_page.get_by_test_id("new-password").fill("yet another passphrase")
        reader_page.get_by_test_id("confirm-password").fill("yet another passphrase")
        reader_page.get_by_test_id("reset-submit").click()
        expect(reader_page.get_by_test_id("form-error")).to_contain_text("already used")
    finally:
        reader_page.context.close()

    # Self-registration: off by default; on shows the sign-up link; then off again.
    switch = page.get_by_test_id("self-registration")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(page.get_by_text("Self-registration is on.")).to_be_visible()
    shots("self-registration on")
    anonymous = new_page(browser, app.base_url)
    try:
        anonymous.goto("/login")
        wait_for_hydration(anonymous)
        expect(anonymous.get_by_test_id("register-link")).to_be_visible()
    finally:
        anonymous.context.close()
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")

    # The audit page: the events, filters, pages and the export.
    page.get_by_test_id("admin-tab-audit").click()
    page.wait_for_url("**/admin/audit")
    expect(page.get_by_test_id("admin-audit")).to_be_visible()
    actions = page.get_by_test_id("audit-action")
    expect(actions.first).to_be_visible()
    expect(page.get_by_test_id("audit-table")).to_contain_text("settings.changed")
    expect(page.get_by_test_id("audit-page-label")).to_contain_text("Page 1 of ")
    shots("audit log")

    label = page.get_by_test_id("audit-page-label").inner_text()
    pages = int(re.search(r"Page 1 of (\d+)", label).group(1))
    if pages > 1:
        page.get_by_test_id("audit-next").click()
        expect(page.get_by_test_id("audit-page-label")).to_contain_text(f"Page 2 of {pages}")
        expect(page.get_by_test_id("audit-previous")).to_be_enabled()
        shots("audit page 2")
        page.get_by_test_id("audit-previous").click()
        expect(page.get_by_test_id("audit-page-label")).to_contain_text(f"Page 1 of {pages}")
    else:
        expect(page.get_by_test_id("audit-next")).to_be_disabled()

    page.get_by_test_id("audit-actor-filter").fill("reader@")
    _choose(page, "audit-action-filter", "account.locked")
    expect(page.get_by_test_id("audit-row")).to_have_count(1)
    expect(actions).to_have_text(["account.locked"])
    expect(page.get_by_test_id("audit-page-label")).to_have_text("Page 1 of 1 · 1 event")
    expect(page.get_by_test_id("audit-table")).to_contain_text(READER_EMAIL)
    shots("audit filtered")
    with page.expect_download() as locked_download:
        page.get_by_test_id("audit-export").click()
    assert locked_download.value.suggested_filename.endswith(".csv")
    rows = _csv_actions(locked_download.value)
    assert [(r["action"], r["actor_email"]) for r in rows] == [("account.locked", READER_EMAIL)]

    _choose(page, "audit-action-filter", "login.failed")
    expect(page.get_by_test_id("audit-row")).to_have_count(5)
    today = datetime.now(UTC).date()
    page.get_by_test_id("audit-since-filter").fill((today + timedelta(days=1)).isoformat())
    expect(page.get_by_test_id("audit-empty")).to_be_visible()
    page.get_by_test_id("audit-until-filter").fill(today.isoformat())
    expect(page.get_by_test_id("audit-filter-error")).to_have_text(
        "The end date is before the start date."
    )
    page.get_by_test_id("audit-since-filter").fill(today.isoformat())
    expect(page.get_by_test_id("audit-row")).to_have_count(5)
    shots("audit dates")

    page.get_by_test_id("audit-clear-filters").click()
    expect(page.get_by_test_id("audit-clear-filters")).to_have_count(0)
    with page.expect_download() as everything:
        page.get_by_test_id("audit-export").click()
    rows = _csv_actions(everything.value)
    about_reader = {r["action"] for r in rows if READER_EMAIL in (r["target"], r["actor_email"])}
    assert {
        "user.created",
        "login.failed",
        "account.locked",
        "user.unlocked",
        "user.changed",
        "user.deactivated",
        "user.reactivated",
        "password.reset_link_created",
        "password.reset",
        "login.ok",
    } <= about_reader
    assert all(link.split("token=")[1] not in str(r) for r in rows)

    page.reload()
    wait_for_hydration(page)
    _choose(page, "audit-action-filter", "audit.exported")
    expect(page.get_by_test_id("audit-row")).to_have_count(2)
    expect(page.get_by_test_id("audit-table")).to_contain_text(app.admin_email)
    shots("exports are audited")


def test_members_cannot_reach_the_admin_pages_or_the_export(page, app_server, shots):
    app = app_server
    anonymous = page.request.get("/api/admin/audit.csv")
    assert anonymous.status == 401

    login(page, app.email, app.password)
    expect(page.get_by_test_id("shell")).to_be_visible()
    expect(page.get_by_test_id("nav-admin")).to_have_count(0)
    for path in ("/admin", "/admin/users", "/admin/audit"):
        page.goto(path)
        wait_for_hydration(page)
        expect(page.get_by_test_id("admin-no-access")).to_contain_text(NO_ACCESS)
        expect(page.get_by_test_id("user-row")).to_have_count(0)
        expect(page.get_by_test_id("audit-row")).to_have_count(0)
    shots("member on the audit page")
    refused = page.request.get("/api/admin/audit.csv")
    assert refused.status == 403
    assert "seq,created_at" not in refused.text()
