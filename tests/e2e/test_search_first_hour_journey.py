"""Search in a newcomer's first hour: Grace adds a knowledge base with a sectioned Markdown
almanac, then searches. Each document shows once, with its best passage first and "N more
passages in this document" to open; the section path stands apart from the snippet; the score
is a relevance a person can read; the KB filter takes several KBs at once (kept in the URL);
gibberish is never called a "Semantic match". Screenshots at desktop and phone size, and
axe-core finds no serious or critical violation on the results."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

READY_TIMEOUT_SECONDS = 240
ALMANAC = "greenhouse-almanac.md"
SECTIONS = {
    "Tomato seedlings": (
        "Tomato seedlings are watered from below with lukewarm water so the stems stay dry. "
        "Keep the tomato trays under the grow lights for fourteen hours a day and turn them "
        "each morning so the seedlings grow straight rather than leaning toward the glass."
    ),
    "Tomato pruning": (
        "Pinch out the tomato side shoots every week once the plants reach knee height. "
        "Cordon tomato varieties keep a single leader tied to a cane; bush varieties are left "
        "alone apart from removing yellow leaves near the soil."
    ),
    "Tomato harvest": (
        "Pick tomato trusses when the fruit is fully coloured but still firm. The last tomato "
        "harvest comes before the first frost; green fruit ripens indoors on a sunny sill "
        "next to a banana."
    ),
    "New gardeners": (
        "Each new gardener pairs with a mentor during the first week and keeps a diary of "
        "sowing dates, germination and the weather in the potting shed."
    ),
}
MULTI_KB_QUERY = "mentor first week"


def _almanac() -> str:
    body = "\n\n".join(f"## {title}\n\n{text}" for title, text in SECTIONS.items())
    return f"# Greenhouse almanac\n\n{body}\n"


def _create_kb(page, name: str) -> str:
    expect(page.get_by_test_id("shell")).to_be_visible()
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-description").fill("Greenhouse notes, section by section.")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _search_until_found(page, url: str, document_name: str) -> None:
    """Open the search page at `url` until the document is ready and found (ingestion runs in
    the background)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        page.goto(url)
        wait_for_hydration(page)
        results = page.get_by_test_id("search-results").or_(
            page.get_by_test_id("search-no-results")
        )
        expect(results.first).to_be_visible()
        if page.get_by_test_id("result-document").filter(has_text=document_name).count():
            return
        assert time.monotonic() < deadline, f"{document_name} never showed in {url}"
        page.wait_for_timeout(2000)


def _group(page, document_name: str):
    return page.get_by_test_id("search-group").filter(
        has=page.get_by_test_id("result-document").filter(has_text=document_name)
    )


def _kb_option(page, kb_id: str):
    return page.locator(f'[data-testid="search-kb-option"][data-kb-id="{kb_id}"]')


def _documents_shown(page) -> set[str]:
    expect(page.get_by_test_id("search-loading")).to_have_count(0)
    return set(page.get_by_test_id("result-document").all_inner_texts())


def test_results_grouped_by_document_with_sections_relevance_and_several_kbs(
    page, app_server, tmp_path: Path
):
    app = app_server
    login(page, app.email, app.password)
    kb_name = f"Greenhouse {uuid.uuid4().hex[:6]}"
    kb_id = _create_kb(page, kb_name)
    almanac = tmp_path / ALMANAC
    almanac.write_text(_almanac(), encoding="utf-8")
    page.locator('[data-testid="upload-zone"] input[type="file"]').set_input_files([str(almanac)])
    _search_until_found(page, f"/search?q=tomato&kb={kb_id}", ALMANAC)

    # Grouped: the almanac shows once, its best passage first, the others behind a toggle.
    page.goto("/search?q=tomato+watering+seedlings")
    wait_for_hydration(page)
    group = _group(page, ALMANAC)
    expect(group).to_have_count(1)
    best = group.get_by_test_id("search-result").first
    expect(best.get_by_test_id("result-section")).to_have_text(
        "Greenhouse almanac › Tomato seedlings"
    )
    snippet = best.get_by_test_id("result-snippet").inner_text()
    assert snippet.startswith("Tomato seedlings are watered"), snippet  # no heading lines
    expect(best.get_by_test_id("result-score")).to_have_text(re.compile(r"^Relevance \d{1,3}%$"))
    more = group.get_by_test_id("result-more")
    expect(more).to_have_text(re.compile(r"^[1-9]\d* more passages? in this document$"))
    count = int(more.inner_text().split()[0])
    others = group.get_by_test_id("search-result")
    expect(others).to_have_count(count + 1)
    expect(others.nth(1)).not_to_be_visible()
    more.click()
    expect(others.nth(1)).to_be_visible()
    sections = group.get_by_test_id("result-section").all_inner_texts()
    assert {"Greenhouse almanac › Tomato pruning", "Greenhouse almanac › Tomato harvest"} & set(
        sections
    ), sections
    expect(others.nth(1)).to_have_attribute("href", re.compile(r"^/view/[0-9a-f-]+\?chunk="))
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        expect(best).to_be_visible()
        assert page_fits_width(page), f"the results are wider than {size['width']} px"
        screenshot(page, "search-grouped")
    page.set_viewport_size(DESKTOP)
    assert_accessible(page, "search results grouped by document")

    # Several knowledge bases at once: the choice is in the URL and survives a reload.
    page.goto(f"/search?q={MULTI_KB_QUERY.replace(' ', '+')}")
    wait_for_hydration(page)
    both = {ALMANAC, app.markdown_doc_name}
    expect(_group(page, ALMANAC)).to_have_count(1)
    assert both <= _documents_shown(page)
    kb_filter = page.get_by_test_id("search-kb-filter")
    expect(kb_filter).to_contain_text("All knowledge bases")
    kb_filter.click()
    _kb_option(page, app.kb_id).click()
    expect(kb_filter).to_contain_text(app.kb_name)
    expect(page).to_have_url(re.compile(rf"kb={app.kb_id}$"))
    expect(_group(page, ALMANAC)).to_have_count(0)
    assert app.markdown_doc_name in _documents_shown(page)
    assert set(page.get_by_test_id("result-kb").all_inner_texts()) == {app.kb_name}
    _kb_option(page, kb_id).click()
    expect(kb_filter).to_contain_text("2 knowledge bases")
    expect(page).to_have_url(re.compile(rf"kb={app.kb_id}%2C{kb_id}$"))
    expect(_group(page, ALMANAC)).to_have_count(1)
    assert both <= _documents_shown(page)
    assert set(page.get_by_test_id("result-kb").all_inner_texts()) == {app.kb_name, kb_name}
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("search-kb-options")).to_have_count(0)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        screenshot(page, "search-two-kbs")
    page.set_viewport_size(DESKTOP)
    page.reload()
    wait_for_hydration(page)
    expect(kb_filter).to_contain_text("2 knowledge bases")
    expect(_group(page, ALMANAC)).to_have_count(1)

    # Another team's KB id in the URL is dropped: it is not searched and not shown as chosen.
    page.goto(f"/search?q=PELICAN+merger&kb={app.foreign_kb_id}")
    wait_for_hydration(page)
    expect(kb_filter).to_contain_text("All knowledge bases")
    expect(page.get_by_test_id("main-pane")).not_to_contain_text("closes in March")


def test_gibberish_is_never_called_a_semantic_match(page, app_server):
    login(page, app_server.email, app_server.password)
    page.goto("/search?q=zzzqqq+xylophone")
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-took")).to_contain_text("passage")
    expect(page.get_by_test_id("main-pane")).not_to_contain_text("Semantic match")
    scores = page.get_by_test_id("result-score").all_inner_texts()
    assert all(int(re.search(r"(\d+)%", s).group(1)) < 50 for s in scores), scores
    screenshot(page, "search-gibberish")
