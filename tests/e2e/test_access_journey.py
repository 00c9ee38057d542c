"""Access journeys: the members panel grants and removes access, a READ member sees only what
she may read, lockout shows the neutral message, a user changes their own password, and the
public reset and registration pages."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LOCKOUT_EMAIL, LOCKOUT_PASSWORD, Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

NOT_FOUND = "Knowledge base not found or you do not have access"
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."
FAILED = "Invalid email or password."
# A seeded account no other journey signs in with: its password is changed (and changed back).
OTHER_EMAIL = "other@example.com"
OTHER_PASSWORD = "another long secret"


def _member_row(page, email: str):
    return page.locator(f'[data-testid="member-row"][data-email="{email}"]')


def _choose_role(page, select_trigger, role: str) -> None:
    select_trigger.click()
    page.get_by_role("option", name=role, exact=True).click()


def _remove_grace(page, app) -> None:
    page.goto(f"/kb/{app.kb_a_id}/settings")
    wait_for_hydration(page)
    row = _member_row(page, app.email)
    if row.count():
        row.get_by_test_id("member-remove").click()
        expect(row).to_have_count(0)


def test_a_kb_admin_grants_read_and_the_member_sees_only_that_kb(page, browser, app_server, shots):
    app = app_server
    login(page, app.admin_email, app.admin_password)
    expect(page.get_by_test_id("shell")).to_be_visible()

    page.goto(f"/kb/{app.kb_a_id}")
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text("Alpha Docs")
    expect(page.get_by_test_id("kb-settings-link")).to_be_visible()
    shots("kb page with settings link")
    page.get_by_test_id("kb-settings-link").click()
    page.wait_for_url(f"**/kb/{app.kb_a_id}/settings")
    wait_for_hydration(page)
    expect(page.get_by_test_id("kb-settings")).to_be_visible()
    expect(page.get_by_test_id("page-title")).to_have_text("Alpha Docs")
    expect(page.get_by_test_id("member-row")).to_have_count(1)  # the admin who created it
    expect(_member_row(page, app.admin_email).get_by_test_id("member-role")).to_contain_text(
        "ADMIN"
    )
    shots("kb settings")

    # An email nobody has: a clear, inline error; HTML-looking input is shown as text.
    page.get_by_test_id("add-member-email").fill("nobody@example.com")
    page.get_by_test_id("add-member-submit").click()
    expect(page.get_by_test_id("members-error")).to_contain_text("No user with this email")
    expect(page.get_by_test_id("member-row")).to_have_count(1)

    try:
        page.get_by_test_id("add-member-email").fill(app.email)
        page.get_by_test_id("add-member-submit").click()  # READ is the default role
        expect(page.get_by_test_id("members-notice")).to_contain_text(
            f"{app.email} now has READ access"
        )
        grace_row = _member_row(page, app.email)
        expect(grace_row).to_contain_text(app.user_name)
        expect(grace_row.get_by_test_id("member-role")).to_contain_text("READ")
        expect(page.get_by_test_id("members-error")).to_have_count(0)
        shots("grace has read access")

        # The last ADMIN cannot step down.
        admin_role = _member_row(page, app.admin_email).get_by_role("combobox")
        _choose_role(page, admin_role, "READ")
        expect(page.get_by_test_id("members-error")).to_have_text(
            "A knowledge base must keep at least one administrator."
        )
        expect(admin_role).to_contain_text("ADMIN")
        shots("last admin refused")

        grace = new_page(browser, app.base_url)
        grace_shots = Shots(grace, "test_access_journey-grace")
        try:
            login(grace, app.email, app.password)
            sidebar = grace.get_by_test_id("sidebar")
            expect(sidebar).to_contain_text("Alpha Docs")
            expect(sidebar).to_contain_text(app.kb_name)
            expect(sidebar).not_to_contain_text("Beta Docs")
            grace_shots("grace sees alpha docs")

            grace.goto(f"/kb/{app.kb_b_id}")
            wait_for_hydration(grace)
            expect(grace.get_by_test_id("kb-not-found")).to_have_text(NOT_FOUND)
            assert "Beta Docs" not in grace.content()
            grace_shots("beta docs by url")

            grace.goto(f"/kb/{app.kb_a_id}")
            wait_for_hydration(grace)
            expect(grace.get_by_test_id("page-title")).to_have_text("Alpha Docs")
            expect(grace.get_by_test_id("kb-settings-link")).to_have_count(0)
            grace_shots("alpha docs without settings")

            grace.goto(f"/kb/{app.kb_a_id}/settings")
            wait_for_hydration(grace)
            # A READ member is told the page needs ADMIN (she knows the KB exists: she reads it).
            refused = grace.get_by_test_id("kb-settings-admin-needed")
            expect(refused).to_contain_text("Your role is READ")
            expect(refused.get_by_test_id("back-to-kb")).to_have_attribute(
                "href", f"/kb/{app.kb_a_id}"
            )
            expect(grace.get_by_test_id("members-panel")).to_have_count(0)
            expect(grace.get_by_test_id("main-pane")).not_to_contain_text("Alpha Docs")
            expect(grace.get_by_test_id("main-pane")).not_to_contain_text(app.admin_email)
            grace_shots("settings refused")

            # The admin removes her; her next page load no longer lists Alpha Docs.
            _member_row(page, app.email).get_by_test_id("member-remove").click()
            expect(_member_row(page, app.email)).to_have_count(0)
            expect(page.get_by_test_id("members-notice")).to_contain_text(
                f"{app.email} no longer has access"
            )
            shots("grace removed")
            grace.goto(f"/kb/{app.kb_a_id}")
            wait_for_hydration(grace)
            expect(grace.get_by_test_id("kb-not-found")).to_have_text(NOT_FOUND)
            expect(grace.get_by_test_id("sidebar")).not_to_contain_text("Alpha Docs")
        finally:
            grace.context.close()
    finally:
        _remove_grace(page, app)  # other journeys expect Grace to see only her own KB


def test_a_kb_admin_renames_and_describes_the_kb(page, app_server, shots):
    app = app_server
    login(page, app.admin_email, app.admin_password)
    page.goto(f"/kb/{app.kb_b_id}/settings")
    wait_for_hydration(page)
    name, description = (
        page.get_by_test_id("kb-name-input"),
        page.get_by_test_id("kb-description-input"),
    )
    expect(name).to_have_value("Beta Docs")
    try:
        name.fill("  ")
        page.get_by_test_id("kb-save").click()
        expect(page.get_by_test_id("details-error")).to_have_text(
            "Knowledge base name is required."
        )

        name.fill("Beta <b>Docs</b> & more")
        description.fill("Knowledge base B, <i>renamed</i>.")
        page.get_by_test_id("kb-save").click()
        expect(page.get_by_test_id("details-notice")).to_have_text("Saved.")
        expect(page.get_by_test_id("page-title")).to_have_text("Beta <b>Docs</b> & more")
        expect(page.get_by_test_id("sidebar")).to_contain_text("Beta <b>Docs</b> & more")
        assert page.locator("[data-testid=kb-settings] b, [data-testid=sidebar] b").count() == 0
        shots("renamed, shown escaped")
    finally:
        name.fill("Beta Docs")
        description.fill("Knowledge base B.")
        page.get_by_test_id("kb-save").click()
        expect(page.get_by_test_id("details-notice")).to_have_text("Saved.")
        expect(page.get_by_test_id("page-title")).to_have_text("Beta Docs")


def test_a_user_changes_their_own_password(page, app_server, shots):
    login(page, OTHER_EMAIL, OTHER_PASSWORD)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("account-link").click()
    page.wait_for_url("**/account")
    wait_for_hydration(page)
    expect(page.get_by_test_id("account-profile")).to_contain_text(OTHER_EMAIL)

    def change(current: str, new: str, confirm: str) -> None:
        page.get_by_test_id("account-current-password").fill(current)
        page.get_by_test_id("account-new-password").fill(new)
        page.get_by_test_id("account-confirm-password").fill(confirm)
        page.get_by_test_id("account-password-submit").click()

    change("a wrong current one", "a brand new secret", "a brand new secret")
    expect(page.get_by_test_id("password-error")).to_have_text(
        "Your current password is not correct."
    )
    change(OTHER_PASSWORD, "a brand new secret", "a brand new secreT")
    expect(page.get_by_test_id("password-error")).to_have_text(
        "The new password and its confirmation do not match."
    )
    change(OTHER_PASSWORD, "short", "short")
    expect(page.get_by_test_id("password-error")).to_contain_text("at least 10 characters")
    shots("password errors")

    change(OTHER_PASSWORD, "a brand new secret", "a brand new secret")
    expect(page.get_by_test_id("password-notice")).to_contain_text(
        "Your password has been changed."
    )
    expect(page.get_by_test_id("password-error")).to_have_count(0)
    expect(page.get_by_test_id("account-current-password")).to_have_value("")
    shots("password changed")

    # The new password works; then put the old one back.
    page.context.clear_cookies()
    login(page, OTHER_EMAIL, "a brand new secret")
    expect(page.get_by_test_id("shell")).to_be_visible()
    page.goto("/account")
    wait_for_hydration(page)
    change("a brand new secret", OTHER_PASSWORD, OTHER_PASSWORD)
    expect(page.get_by_test_id("password-notice")).to_contain_text(
        "Your password has been changed."
    )


def test_five_wrong_passwords_lock_with_the_neutral_message(page, app_server, shots):
    """Also for an unknown email: the same answers in the same order."""
    for email in (LOCKOUT_EMAIL, "nobody-here@example.com"):
        for attempt in range(1, 6):
            login(page, email, "definitely not it")
            expected = LOCKED if attempt == 5 else FAILED
            expect(page.get_by_test_id("login-error")).to_have_text(expected)
            assert re.search(r"error=(locked|1)$", page.url)
        assert re.search(r"/login/?\?error=locked$", page.url)
        shots(f"locked {email.split('@')[0]}")

    login(page, LOCKOUT_EMAIL, LOCKOUT_PASSWORD)  # the right password is refused while locked
    expect(page.get_by_test_id("login-error")).to_have_text(LOCKED)
    expect(page.get_by_test_id("shell")).to_have_count(0)


def test_public_reset_and_registration_pages(page, app_server, shots):
    page.goto("/login")
    wait_for_hydration(page)
    expect(page.get_by_test_id("register-link")).to_have_count(0)  # self-registration is off

    page.goto("/register")
    wait_for_hydration(page)
    expect(page.get_by_test_id("registration-off")).to_contain_text(
        "Self-registration is turned off"
    )
    expect(page.get_by_test_id("register-form")).to_have_count(0)
    shots("registration off")

    page.goto("/reset-password")
    wait_for_hydration(page)
    expect(page.get_by_test_id("form-error")).to_have_text(
        "This reset link is invalid, expired or already used."
    )

    page.goto("/reset-password?token=not-a-real-token")
    wait_for_hydration(page)
    page.get_by_test_id("new-password").fill("a perfectly fine password")
    page.get_by_test_id("confirm-password").fill("a perfectly fine password")
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("form-error")).to_have_text(
        "This reset link is invalid, expired or already used."
    )
    shots("reset link invalid")
    page.get_by_test_id("to-login").click()
    page.wait_for_url(re.compile(r"/login/?$"))
