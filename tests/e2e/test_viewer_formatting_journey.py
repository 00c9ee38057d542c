"""Viewer formatting journey: Grace uploads a Markdown runbook, a reStructuredText checklist and an
HTML page (with a script and an onerror handler in it) to a new knowledge base, finds a passage
in search and opens it: the runbook shows its headings as headings and its code as a code block,
the passage highlighted and scrolled into view; "back" returns to the results. The checklist and
the page are formatted too, and nothing of the page's script runs. The handbook PDF zooms in
and out and jumps to a typed page, its highlight kept; a page that does not exist is refused in
words. Screenshots at 1440x900 and 390x844; axe-core finds no serious or critical violation.
The journey's knowledge base is archived at the end, so other journeys never meet it."""

from __future__ import annotations

import contextlib
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import ARTIFACTS, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

READY_TIMEOUT_MS = 240_000
RUNBOOK = "release-runbook.md"
RUNBOOK_PASSAGE = "Sign the release tag with your hardware token as follows:"
RUNBOOK_TEXT = (
    "# Release runbook\n\n"
    + "".join(
        f"## Stage {n}: preparation\n\nCheck item {n} of the preparation list with the team and "
        "write down who looked at it, so the next person can find the answer quickly.\n\n"
        for n in range(1, 9)
    )
    + f"## Signing a release\n\n{RUNBOOK_PASSAGE}\n\n```sh\ngit tag -s v1.2.3\n"
    "git push origin v1.2.3\n```\n\n- check the signature\n- announce the tag\n"
)
CHECKLIST = "incident-checklist.rst"
CHECKLIST_TEXT = """Incident checklist
==================

Put the failing worker in quarantine before anything else::

    systemctl stop ingest-worker

* tell the on-call channel
* open an incident note
"""
STATUS_PAGE = "service-status.html"
STATUS_TEXT = """<!doctype html><html><head><title>Service status</title>
<script>window.__pwned = 'head script ran'</script></head><body>
<h1>Service status</h1>
<p>Every morning the duty engineer reviews the lighthouse dashboard.
<img src="missing.png" onerror="window.__pwned = 'onerror ran'"></p>
<table><tr><th>Service</th><th>Owner</th></tr><tr><td>Lighthouse</td><td>Platform team</td></tr></table>
<p><a href="javascript:window.__pwned='link ran'">Status history</a></p>
</body></html>"""


def _create_kb(page, name: str) -> str:
    expect(page.get_by_test_id("shell")).to_be_visible()
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-description").fill("Runbooks and checklists.")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _upload(page, kb_id: str, tmp: Path) -> None:
    files = {RUNBOOK: RUNBOOK_TEXT, CHECKLIST: CHECKLIST_TEXT, STATUS_PAGE: STATUS_TEXT}
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    page.goto(f"/kb/{kb_id}")
    wait_for_hydration(page)
    zone = page.locator('[data-testid="upload-zone"] input[type="file"]')
    zone.set_input_files([str(tmp / name) for name in files])
    for name in files:
        row = page.locator(f'[data-testid="doc-row"][data-name="{name}"]')
        expect(row).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)


def _archive(page, kb_id: str) -> None:
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    page.get_by_test_id("kb-archive-toggle").click()
    with contextlib.suppress(PlaywrightTimeout):  # archiving may ask for confirmation first
        page.get_by_test_id("archive-confirm").click(timeout=5_000)
    expect(page.get_by_test_id("kb-archive-state")).to_contain_text("Archived")


def _open_from_search(page, query: str, name: str) -> None:
    page.goto("/search?" + f"q={query.replace(' ', '+')}")
    wait_for_hydration(page)
    hit = page.locator('[data-testid="search-result"]', has_text=name).first
    expect(hit).to_be_visible()
    hit.click()
    page.wait_for_url(re.compile(r"/view/[\w-]+\?chunk="))
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text(name)


def _in_view(page, selector: str) -> None:
    page.wait_for_function(
        "(s) => { const m = document.querySelector(s); if (!m) return false;"
        " const r = m.getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }",
        arg=selector,
    )


def _formatted(page):
    text = page.get_by_test_id("document-text")
    expect(text).to_have_attribute("data-formatted", "true")
    return text


def test_formatted_documents_keep_the_passage_and_lead_back_to_the_results(
    page, app_server, tmp_path
):
    login(page, app_server.email, app_server.password)
    kb_id = _create_kb(page, f"Runbooks {uuid.uuid4().hex[:4]}")
    try:
        _upload(page, kb_id, tmp_path)
        _runbook(page)
        _checklist_and_status_page(page)
    finally:
        page.set_viewport_size(DESKTOP)
        _archive(page, kb_id)


def _runbook(page) -> None:
    page.set_viewport_size(DESKTOP)
    query = "sign the release tag with your hardware token"
    _open_from_search(page, query, RUNBOOK)
    text = _formatted(page)
    heading = text.get_by_role("heading", name="Signing a release")
    expect(heading).to_be_visible()
    assert heading.evaluate("(h) => h.tagName") == "H3"  # under the runbook's own title (h2)
    code = text.locator("pre code")
    expect(code).to_contain_text("git tag -s v1.2.3")
    assert "mono" in code.evaluate("(c) => getComputedStyle(c).fontFamily").lower()
    items = text.locator("li")
    expect(items).to_have_count(2)
    assert items.first.evaluate("(li) => getComputedStyle(li).listStyleType") == "disc"
    passage = page.get_by_test_id("highlighted-passage")
    expect(passage).to_contain_text(RUNBOOK_PASSAGE)
    expect(passage.locator("mark").first).to_contain_text("Signing a release")
    expect(passage).not_to_contain_text("Stage 1: preparation")
    _in_view(page, '[data-testid="highlighted-passage"] mark')  # scrolled to, far below the top
    page.screenshot(path=str(ARTIFACTS / "viewer-formatted-markdown-in-view-1440.png"))
    screenshot(page, "viewer-formatted-markdown")
    assert_accessible(page, "the viewer showing a formatted Markdown document")

    page.set_viewport_size(PHONE)
    expect(heading).to_be_visible()
    assert page_fits_width(page)
    passage.scroll_into_view_if_needed()
    screenshot(page, "viewer-formatted-markdown")
    assert_accessible(page, "the formatted viewer on a phone")
    page.set_viewport_size(DESKTOP)

    back = page.get_by_test_id("viewer-back")
    expect(back).to_contain_text("Back")
    back.click()
    page.wait_for_url(re.compile(r"/search\?q=sign"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-input")).to_have_value(query)
    expect(page.locator('[data-testid="search-result"]', has_text=RUNBOOK).first).to_be_visible()


def _checklist_and_status_page(page) -> None:
    _open_from_search(page, "failing worker in quarantine", CHECKLIST)
    text = _formatted(page)
    expect(text.get_by_role("heading", name="Incident checklist")).to_be_visible()
    expect(text.locator("pre code")).to_have_text("systemctl stop ingest-worker")
    expect(text.locator("li")).to_have_count(2)
    expect(page.get_by_test_id("highlighted-passage")).to_contain_text("quarantine")

    _open_from_search(page, "duty engineer reviews the lighthouse dashboard", STATUS_PAGE)
    text = _formatted(page)
    expect(text.get_by_role("heading", name="Service status")).to_be_visible()
    expect(text.locator("table th").first).to_have_text("Service")
    expect(text.locator("table td").first).to_have_text("Lighthouse")
    expect(page.get_by_test_id("highlighted-passage")).to_contain_text("lighthouse dashboard")
    assert text.locator("script, img, a, iframe").count() == 0
    assert page.evaluate("() => window.__pwned") is None  # no script of the page ran
    screenshot(page, "viewer-formatted-html")


def test_a_pdf_zooms_and_goes_to_a_typed_page_keeping_its_highlight(page, app_server):
    app = app_server
    login(page, app.email, app.password)
    page.set_viewport_size(DESKTOP)
    page.goto("/search?q=hardware+key+stored+in+the+vault")
    wait_for_hydration(page)
    page.locator(
        f'[data-testid="search-result"][data-document-id="{app.handbook_pdf_id}"]'
    ).first.click()
    page.wait_for_url(re.compile(rf"/view/{app.handbook_pdf_id}\?chunk="))
    wait_for_hydration(page)
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 2 of 3")
    zoom = page.get_by_test_id("viewer-zoom")
    expect(zoom).to_have_text("100%")
    sheet = page.get_by_test_id("page")
    expect(page.get_by_test_id("highlight-box").first).to_be_visible()
    width = sheet.bounding_box()["width"]

    page.get_by_role("button", name="Zoom in").click()
    expect(zoom).to_have_text("125%")
    page.wait_for_function(
        "(w) => document.querySelector('[data-testid=\"page\"]').getBoundingClientRect().width"
        " > w * 1.2",
        arg=width,
    )
    box = page.get_by_test_id("highlight-box").first
    expect(box).to_be_visible()
    _in_view(page, '[data-testid="highlight-box"]')
    screenshot(page, "viewer-pdf-zoomed")
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    expect(zoom).to_have_text("75%")
    assert sheet.bounding_box()["width"] < width * 0.8

    pages = page.get_by_role("spinbutton", name="Page number to go to")
    pages.fill("9")
    page.get_by_test_id("viewer-go").click()
    expect(page.get_by_test_id("viewer-page-error")).to_have_text(
        "Enter a page number from 1 to 3."
    )
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 2 of 3")
    screenshot(page, "viewer-pdf-bad-page")
    pages.fill("3")
    page.get_by_test_id("viewer-go").click()
    page.wait_for_url(re.compile(r"page=3&version=1$"))
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 3 of 3")
    expect(page.get_by_test_id("viewer-page-error")).to_have_count(0)
    expect(page.get_by_test_id("highlight-box")).to_have_count(0)
    expect(zoom).to_have_text("75%")  # the zoom stays while paging
    pages.fill("2")
    page.get_by_test_id("viewer-go").click()
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 2 of 3")
    expect(page.get_by_test_id("highlight-box").first).to_be_visible()
    screenshot(page, "viewer-pdf")
    assert_accessible(page, "the PDF viewer with zoom and go-to-page")

    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("highlight-box").first).to_be_visible()
    assert page_fits_width(page)
    screenshot(page, "viewer-pdf")
    assert_accessible(page, "the PDF viewer on a phone")
