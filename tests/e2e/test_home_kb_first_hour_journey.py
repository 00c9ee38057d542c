"""A newcomer's first hour with knowledge bases (issue 15): the home page's cards say how many
documents each KB holds and when it last changed; archiving asks first (Cancel keeps the KB);
an archived KB is found again under the home page's "Archived" tab and restored (after its
confirmation) to the cards and the sidebar, and the admin console restores one too; a refused
setting is explained in words next to its field; a READ member opening the settings is told they
need the ADMIN role, with the way back, while someone with no grant sees "not found". Screenshots
of home and the KB page at a desktop and a phone size; axe-core on home and KB settings.

The journey's own KB is left archived at the end, so other journeys never meet it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

COUNT = re.compile(r"^[1-9][\d,]* documents?$")


def _card(page, name: str):
    return page.locator(f'[data-testid="kb-card"][data-name="{name}"]')


def _archived_card(page, name: str):
    return page.locator(f'[data-testid="archived-kb-card"][data-name="{name}"]')


def _home(page) -> None:
    page.goto("/")
    wait_for_hydration(page)
    expect(page.get_by_test_id("kb-cards")).to_be_visible()


def _new_kb(page, name: str) -> str:
    _home(page)
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r".*/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _settings(page, kb_id: str) -> None:
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    expect(page.get_by_test_id("kb-settings")).to_be_visible()


def _archive(page, kb_id: str) -> None:
    _settings(page, kb_id)
    page.get_by_test_id("kb-archive-toggle").click()
    page.get_by_test_id("archive-confirm").click()
    expect(page.get_by_test_id("kb-archive-state")).to_contain_text("Archived")


def test_home_cards_show_document_counts_and_last_activity(page, app_server):
    app = app_server
    page.set_viewport_size(DESKTOP)
    login(page, app.email, app.password)
    _home(page)
    handbook = _card(page, app.kb_name)
    expect(handbook.get_by_test_id("kb-card-documents")).to_have_text(COUNT)
    expect(handbook.get_by_test_id("kb-card-activity")).to_have_text(
        re.compile(r"^Last activity (just now|\d+ (minute|hour)s? ago|yesterday|\d+ days ago)$")
    )
    assert_accessible(page, "home")
    screenshot(page, "home-kb-cards")
    page.set_viewport_size(PHONE)
    expect(handbook.get_by_test_id("kb-card-documents")).to_be_visible()
    assert page_fits_width(page)
    screenshot(page, "home-kb-cards")

    page.set_viewport_size(DESKTOP)
    page.goto(f"/kb/{app.kb_id}")
    wait_for_hydration(page)
    expect(page.get_by_test_id("kb-page")).to_be_visible()
    screenshot(page, "kb-page")
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("page-title")).to_have_text(app.kb_name)
    assert page_fits_width(page)
    screenshot(page, "kb-page")


def test_archive_asks_first_and_an_archived_kb_is_found_and_restored(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    name = f"First hour {uuid.uuid4().hex[:6]}"
    kb_id = _new_kb(page, name)
    _home(page)
    expect(_card(page, name).get_by_test_id("kb-card-documents")).to_have_text("No documents yet")
    expect(_card(page, name).get_by_test_id("kb-card-activity")).to_have_text(
        "Last activity just now"
    )

    _settings(page, kb_id)
    state, toggle = (
        page.get_by_test_id("kb-archive-state"),
        page.get_by_test_id("kb-archive-toggle"),
    )
    toggle.click()
    dialog = page.get_by_test_id("archive-dialog")
    expect(dialog).to_contain_text(f"Archive {name}?")
    shots("archive asks first")
    page.get_by_test_id("archive-cancel").click()
    expect(dialog).to_have_count(0)
    expect(state).to_contain_text("Active")  # Cancel kept it
    expect(page.get_by_test_id("sidebar").get_by_text(name)).to_be_visible()
    toggle.click()
    page.get_by_test_id("archive-confirm").click()
    expect(state).to_contain_text("Archived")
    expect(page.get_by_test_id("sidebar").get_by_text(name)).to_have_count(0)

    _home(page)
    expect(_card(page, name)).to_have_count(0)
    page.get_by_test_id("tab-archived").click()
    archived = _archived_card(page, name)
    expect(archived).to_be_visible()
    expect(archived.get_by_test_id("kb-card-activity")).to_have_text("Archived just now")
    assert_accessible(page, "home, Archived tab")
    shots("archived tab")
    archived.get_by_test_id("kb-restore").click()
    expect(page.get_by_test_id("restore-dialog")).to_contain_text(f"Restore {name}?")
    page.get_by_test_id("restore-cancel").click()
    expect(archived).to_be_visible()  # Cancel kept it archived
    archived.get_by_test_id("kb-restore").click()
    page.get_by_test_id("restore-confirm").click()
    expect(page.get_by_test_id("home-notice")).to_have_text(
        f"Restored {name}: it is back in your knowledge bases."
    )
    expect(archived).to_have_count(0)
    page.get_by_test_id("tab-active").click()
    expect(_card(page, name)).to_be_visible()
    expect(page.get_by_test_id("sidebar").get_by_text(name)).to_be_visible()
    shots("restored")

    # The admin console lists the same archived KBs and restores one too.
    _archive(page, kb_id)
    admin = new_page(page.context.browser, app.base_url)
    login(admin, app.admin_email, app.admin_password)
    admin.goto("/admin/console")
    wait_for_hydration(admin)
    row = admin.get_by_test_id("archived-row").filter(has_text=name)
    expect(row).to_be_visible()
    row.get_by_test_id("kb-restore").click()
    expect(admin.get_by_test_id("console-notice")).to_have_text(f"Restored {name}.")
    expect(row).to_have_count(0)
    admin.context.close()
    _home(page)
    expect(_card(page, name)).to_be_visible()
    _archive(page, kb_id)  # leave nothing behind for other journeys


def test_settings_errors_in_words_and_a_reader_is_told_admin_is_needed(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    name = f"Settings words {uuid.uuid4().hex[:6]}"
    kb_id = _new_kb(page, name)
    _settings(page, kb_id)
    chunk = page.get_by_test_id("setting-chunk-tokens")
    chunk.fill("5000")
    page.get_by_test_id("settings-save").click()
    error = page.get_by_test_id("setting-chunk-tokens-error")
    expect(error).to_have_text("Chunk size must be at most 2,000 tokens.")
    expect(chunk).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("settings-error")).to_have_text(
        "Not saved: correct the field below."
    )
    expect(page.get_by_test_id("settings-error")).not_to_contain_text("chunk_tokens")
    # next to its field: the sentence sits right under the input, not somewhere else on the page
    field, said = chunk.bounding_box(), error.bounding_box()
    assert field and said and 0 <= said["y"] - (field["y"] + field["height"]) < 60
    assert abs(said["x"] - field["x"]) < 40
    assert_accessible(page, "KB settings with a refused value")
    shots("chunk size refused in words")
    chunk.fill("400")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-notice")).to_contain_text("Saved.")
    expect(error).not_to_be_visible()

    page.get_by_test_id("add-member-email").fill("other@example.com")
    page.get_by_test_id("add-member-submit").click()  # READ, the form's default role
    expect(page.get_by_test_id("members-notice")).to_have_text(
        "other@example.com now has READ access."
    )
    reader = new_page(page.context.browser, app.base_url)
    login(reader, "other@example.com", "another long secret")
    reader.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(reader)
    refused = reader.get_by_test_id("kb-settings-admin-needed")
    expect(refused).to_contain_text("Only members with the ADMIN role")
    expect(refused).to_contain_text("Your role is READ")
    expect(reader.get_by_test_id("kb-not-found")).to_have_count(0)
    assert_accessible(reader, "KB settings, READ member")
    Shots(reader, "home-kb-reader")("admin needed")
    refused.get_by_test_id("back-to-kb").click()
    reader.wait_for_url(f"**/kb/{kb_id}")
    wait_for_hydration(reader)
    expect(reader.get_by_test_id("page-title")).to_have_text(name)

    reader.goto(f"/kb/{app.kb_a_id}/settings")  # no grant at all: nothing says it exists
    wait_for_hydration(reader)
    expect(reader.get_by_test_id("kb-not-found")).to_be_visible()
    expect(reader.get_by_test_id("kb-settings-admin-needed")).to_have_count(0)
    reader.context.close()
    _archive(page, kb_id)  # leave nothing behind for other journeys
