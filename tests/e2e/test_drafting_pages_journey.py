"""Drafting's list, templates and import pages in a real browser (issue 16): a KB admin creates a
custom template with two sections and starts a draft from it, which opens with those sections and
is listed under "My drafts" with its status counts; the questionnaire import previews the PEP
questionnaire with the suggested column mapping, and a file with a formula is refused with the
service's message. Screenshots at a desktop and a phone size; axe-core on each page."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.conftest import CORPORA
from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import Shots, wait_for_hydration
from tests.e2e.helpers import login
from tests.unit.drafting import hostile_files

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"
DRAFT_URL = re.compile(r".*/drafts/[0-9a-f-]{36}/?$")


def _open(page, path: str, ready: str) -> None:
    page.goto(path)
    wait_for_hydration(page)
    expect(page.get_by_test_id(ready)).to_be_visible()


def _choose(page, trigger: str, option: str) -> None:
    page.get_by_test_id(trigger).click()
    page.get_by_role("option", name=option, exact=True).click()


def _fill_section(editor, title: str, instruction: str) -> None:
    editor.get_by_test_id("section-title").fill(title)
    editor.get_by_test_id("section-instruction").fill(instruction)


def test_a_kb_admin_makes_a_template_and_a_draft_from_it(page, app_server, shots: Shots):
    app = app_server
    page.set_viewport_size(DESKTOP)
    login(page, app.email, app.password)
    _open(page, "/drafts/templates", "built-in-templates")
    expect(
        page.get_by_test_id("template-card").filter(has_text="Security questionnaire")
    ).to_be_visible()
    assert_accessible(page, "templates page")
    screenshot(page, "drafting-templates")

    name = f"Release review {uuid.uuid4().hex[:6]}"
    page.get_by_test_id("new-template").click()
    editor = page.get_by_test_id("template-editor")
    editor.get_by_test_id("template-name").fill(name)
    _fill_section(editor.get_by_test_id("section-editor").nth(0), "What ships", "List the changes.")
    editor.get_by_test_id("section-add").click()
    _fill_section(editor.get_by_test_id("section-editor").nth(1), "Risks", "What could break.")
    _choose(page, "template-tone", "Formal tone")
    assert_accessible(page, "template editor")
    shots("template editor")
    editor.get_by_test_id("template-save").click()
    expect(page.get_by_test_id("templates-notice")).to_have_text(f"Saved {name} (version 1).")
    card = page.locator(f'[data-testid="template-card"][data-name="{name}"]')
    expect(card.get_by_test_id("template-scope")).to_have_text(app.kb_name)
    expect(card.get_by_test_id("template-facts")).to_contain_text(
        "2 sections · Medium answers · Formal tone"
    )
    shots("template saved")

    card.get_by_test_id("template-use").click()
    dialog = page.get_by_test_id("new-draft-dialog")
    expect(page.get_by_test_id("new-draft-template")).to_contain_text(name)
    dialog.get_by_test_id("new-draft-title").fill("Release 4.2 review")
    dialog.get_by_test_id("new-draft-submit").click()
    page.wait_for_url(DRAFT_URL)
    wait_for_hydration(page)
    expect(page.get_by_test_id("section-title")).to_have_text(["What ships", "Risks"])

    _open(page, "/drafts", "drafts-filter")
    row = page.locator('[data-testid="draft-card"][data-title="Release 4.2 review"]')
    expect(row.locator('[data-status="empty"]')).to_have_text("2 empty")
    expect(row.get_by_test_id("draft-role")).to_have_text("Owner")
    assert_accessible(page, "drafts page")
    screenshot(page, "drafting-drafts")
    page.set_viewport_size(PHONE)
    expect(row).to_be_visible()
    assert page_fits_width(page)
    screenshot(page, "drafting-drafts")
    page.goto("/drafts/templates")
    wait_for_hydration(page)
    expect(card).to_be_visible()
    assert page_fits_width(page)
    screenshot(page, "drafting-templates")


def test_a_draft_is_renamed_and_deleted_after_a_confirmation(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    _open(page, "/drafts", "drafts-filter")
    page.get_by_test_id("new-draft").click()
    dialog = page.get_by_test_id("new-draft-dialog")
    dialog.get_by_test_id("new-draft-title").fill("Board summary")
    _choose(page, "new-draft-template", "Executive summary · Built in")
    dialog.get_by_test_id("new-draft-brief").fill("The payments service's SOC 2 readiness")
    used = dialog.get_by_test_id("new-draft-kbs-used")
    expect(used).to_contain_text("you can read")  # the default is named, never silent
    expect(used).to_contain_text(app.kb_name)
    dialog.get_by_test_id("new-draft-kbs-trigger").click()
    menu = page.get_by_test_id("new-draft-kbs-menu")
    expect(menu).to_contain_text("Draft from")
    expect(menu).to_have_attribute("aria-label", "Knowledge bases to draft from")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert_accessible(page, "new draft dialog")
    shots("new draft dialog")
    dialog.get_by_test_id("new-draft-submit").click()
    page.wait_for_url(DRAFT_URL)
    _open(page, "/drafts", "drafts-filter")

    card = page.locator('[data-testid="draft-card"][data-title="Board summary"]')
    card.get_by_test_id("draft-menu").click()
    page.get_by_test_id("draft-rename").click()
    page.get_by_test_id("rename-draft-input").fill("Board summary Q3")
    assert_accessible(page, "rename draft dialog")
    page.get_by_test_id("rename-draft-save").click()
    renamed = page.locator('[data-testid="draft-card"][data-title="Board summary Q3"]')
    expect(renamed).to_be_visible()

    renamed.get_by_test_id("draft-menu").click()
    page.get_by_test_id("draft-delete").click()
    expect(page.get_by_test_id("delete-dialog")).to_contain_text("Delete Board summary Q3")
    shots("delete asks first")
    page.get_by_test_id("delete-confirm").click()
    expect(page.get_by_test_id("drafts-notice")).to_have_text("Deleted Board summary Q3.")
    expect(renamed).to_have_count(0)


def test_the_import_previews_the_mapping_and_refuses_a_hostile_file(
    page, app_server, shots, tmp_path
):
    app = app_server
    page.set_viewport_size(DESKTOP)
    login(page, app.email, app.password)
    _open(page, "/drafts", "drafts-filter")
    page.get_by_test_id("import-questionnaire").click()
    dialog = page.get_by_test_id("import-dialog")
    expect(dialog.get_by_test_id("import-zone")).to_contain_text("up to 5 MB")
    assert_accessible(page, "import dialog")

    formula = tmp_path / "formulas.xlsx"
    formula.write_bytes(hostile_files.formula_xlsx())
    dialog.locator('[data-testid="import-zone"] input[type="file"]').set_input_files(str(formula))
    expect(dialog.get_by_test_id("import-error")).to_contain_text("formula")
    expect(dialog.get_by_test_id("import-preview")).to_have_count(0)
    shots("hostile file refused")

    dialog.locator('[data-testid="import-zone"] input[type="file"]').set_input_files(str(PEPS))
    expect(dialog.get_by_test_id("import-preview")).to_be_visible()
    expect(dialog.get_by_test_id("import-error")).to_have_count(0)
    expect(dialog.get_by_test_id("import-question-count")).to_have_text("20 questions found")
    question = dialog.locator('[data-testid="preview-column"][data-role="Question"]')
    expect(question).to_contain_text("Question")
    expect(dialog.locator('[data-testid="preview-column"][data-role="Answer"]')).to_have_count(1)
    expect(dialog.get_by_test_id("preview-row")).to_have_count(10)
    expect(dialog.get_by_test_id("import-title")).to_have_value("Peps questionnaire")
    assert_accessible(page, "import preview")
    shots("import preview")

    _choose(page, "map-sources", "Not in this file")
    expect(dialog.locator('[data-testid="preview-column"][data-role="Sources"]')).to_have_count(0)
    page.set_viewport_size(PHONE)
    expect(dialog.get_by_test_id("map-question")).to_be_visible()
    assert page_fits_width(page)
    shots("import preview on a phone")
    page.set_viewport_size(DESKTOP)

    dialog.get_by_test_id("import-title").fill("PEP answers")
    dialog.get_by_test_id("import-submit").click()
    page.wait_for_url(DRAFT_URL)
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text("PEP answers")
    expect(page.get_by_test_id("section-title")).to_have_count(20)


def test_the_draft_page_panels_share_comment_and_show_history(page, app_server, shots):
    app = app_server
    page.set_viewport_size(DESKTOP)
    login(page, app.email, app.password)
    _open(page, "/drafts", "drafts-filter")
    page.get_by_test_id("new-draft").click()
    page.get_by_test_id("new-draft-title").fill("Panels check")
    _choose(page, "new-draft-template", "Checklist · Built in")
    page.get_by_test_id("new-draft-submit").click()
    page.wait_for_url(DRAFT_URL)
    wait_for_hydration(page)

    people = page.get_by_test_id("members-panel")
    people.get_by_test_id("share-email").fill("other@example.com")
    people.get_by_test_id("share-submit").click()
    expect(people.get_by_test_id("members-error")).to_contain_text(app.kb_name)  # cannot read it
    people.get_by_test_id("share-email").fill(app.admin_email)
    _choose(page, "share-role", "Can edit")
    people.get_by_test_id("share-submit").click()
    expect(people.get_by_test_id("members-notice")).to_have_text(
        f"Shared with {app.admin_email}: they can edit."
    )
    expect(
        people.locator(f'[data-testid="draft-member"][data-email="{app.admin_email}"]')
    ).to_be_visible()
    assert_accessible(page, "draft page, people")
    shots("people")

    page.get_by_test_id("panel-comments").click()
    comments = page.get_by_test_id("comments-panel")
    first = page.get_by_test_id("section-title").first.inner_text()
    _choose(page, "comments-section", first)
    comments.get_by_test_id("comment-input").fill("Check this against the release notes.")
    comments.get_by_test_id("comment-submit").click()
    expect(comments.get_by_test_id("comment-body")).to_have_text(
        ["Check this against the release notes."]
    )
    assert_accessible(page, "draft page, comments")
    shots("comments")

    page.get_by_test_id("panel-history").click()
    expect(page.get_by_test_id("history-empty")).to_have_text("No changes yet.")
    page.set_viewport_size(PHONE)
    assert page_fits_width(page)
    shots("panels on a phone")
