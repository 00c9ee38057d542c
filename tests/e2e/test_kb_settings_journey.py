"""KB settings journey: search settings are saved (and a bad value is refused next to its field,
in words), and the danger zone archives (after its confirmation) and restores the KB. Seeded KBs
are never deleted here."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build


def test_a_kb_admin_changes_search_settings_and_archives_and_restores(page, app_server, shots):
    app = app_server
    login(page, app.admin_email, app.admin_password)
    expect(page.get_by_test_id("shell")).to_be_visible()
    page.goto(f"/kb/{app.kb_b_id}/settings")
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-settings")).to_be_visible()

    top_k = page.get_by_test_id("setting-top-k")
    expect(top_k).to_have_value("8")
    top_k.fill("12")
    # models are chosen from the registry (test_models_journey.py); none of its own here
    expect(page.get_by_test_id("setting-chat-model")).to_contain_text("The registry's default")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-notice")).to_have_text("Saved.")
    shots("search settings saved")

    page.get_by_test_id("setting-chunk-overlap").fill("400")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("setting-chunk-overlap-error")).to_have_text(
        "Chunk overlap must be at most half the chunk size (150 tokens)."
    )
    expect(page.get_by_test_id("settings-notice")).to_have_count(0)
    shots("bad overlap refused")

    page.reload()  # the refused value was not stored; the saved one was
    wait_for_hydration(page)
    expect(page.get_by_test_id("setting-top-k")).to_have_value("12")
    expect(page.get_by_test_id("setting-chunk-overlap")).to_have_value("50")
    page.get_by_test_id("setting-top-k").fill("8")  # put it back for the other journeys
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-notice")).to_have_text("Saved.")

    state, toggle = (
        page.get_by_test_id("kb-archive-state"),
        page.get_by_test_id("kb-archive-toggle"),
    )
    expect(state).to_contain_text("Active")
    toggle.click()
    page.get_by_test_id("archive-confirm").click()
    expect(state).to_contain_text("Archived")
    expect(toggle).to_have_text("Restore")
    shots("archived")
    toggle.click()
    expect(state).to_contain_text("Active")
    expect(toggle).to_have_text("Archive")
