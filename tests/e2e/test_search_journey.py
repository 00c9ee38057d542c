"""Search journey: Grace searches for a phrase of the handbook's page 2, sees the result with the
matched words marked, opens it in the viewer at page 2 with the passage highlighted; the
Ctrl+K palette finds the same passage from the home page; another team's document never shows,
not in results and not in the viewer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

NOT_FOUND = "Document not found or you do not have access"
QUERY = "hardware key stored in the vault"
BACK = "&from=search&q=[^&]+"  # the query, for the viewer's "Back to results"


def _search(page, text: str) -> None:
    box = page.get_by_test_id("search-input")
    box.fill(text)
    box.press("Enter")


def _result_for(page, document_id: str):
    return page.locator(f'[data-testid="search-result"][data-document-id="{document_id}"]')


def _in_viewport(locator) -> bool:
    return locator.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight && r.height > 0; }"
    )


def _animations_done(page) -> None:
    """The dialog fades in: wait for it before a screenshot."""
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")


def _image_loaded(page) -> None:
    image = page.get_by_test_id("page-image")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=\"page-image\"]');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )


def test_search_shows_the_passage_and_opens_it_at_its_page(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    page.goto("/search")
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-empty-query")).to_be_visible()
    shots("empty search")

    _search(page, QUERY)
    page.wait_for_url(re.compile(r"/search\?q=hardware\+key\+stored"))
    expect(page.get_by_test_id("quick-search")).to_have_count(0)  # a typed "k" is just a letter
    hit = _result_for(page, app.handbook_pdf_id).first
    expect(hit).to_be_visible()
    expect(hit.get_by_test_id("result-document")).to_have_text(app.handbook_pdf_name)
    expect(hit.get_by_test_id("result-kb")).to_have_text(app.kb_name)
    expect(hit.get_by_test_id("result-page")).to_have_text(f"Page {app.handbook_passage_page}")
    marks = hit.get_by_test_id("snippet-mark").all_inner_texts()
    assert {"hardware", "vault"} <= {m.lower() for m in marks}, marks
    expect(hit.get_by_test_id("result-why")).to_contain_text("Matched: ")
    expect(hit.get_by_test_id("result-score")).to_have_text(re.compile(r"^Relevance \d{1,3}%$"))
    expect(page.get_by_test_id("search-results")).not_to_contain_text(app.foreign_doc_name)
    expect(_result_for(page, app.foreign_doc_id)).to_have_count(0)
    shots("results with the matched words marked")

    # The query is in the URL: reloading (or sharing the link) shows the same results.
    page.reload()
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-input")).to_have_value(QUERY)
    expect(_result_for(page, app.handbook_pdf_id).first).to_be_visible()

    _result_for(page, app.handbook_pdf_id).first.click()
    page.wait_for_url(
        re.compile(rf"/view/{app.handbook_pdf_id}\?chunk=[0-9a-f-]+{BACK}&page=2&version=1$")
    )
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text(app.handbook_pdf_name)
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 2 of 3")
    _image_loaded(page)
    boxes = page.get_by_test_id("highlight-box")
    expect(boxes.first).to_be_visible()
    assert boxes.count() >= 2  # the passage's printed lines
    assert _in_viewport(boxes.first)
    expect(page.get_by_test_id("viewer-passage")).to_contain_text(
        "hardware key stored in the vault"
    )
    shots("viewer at page 2 with the passage highlighted")
    with page.expect_download() as download:
        page.get_by_test_id("viewer-download").click()
    assert download.value.suggested_filename == app.handbook_pdf_name

    page.get_by_test_id("viewer-next").first.click()
    page.wait_for_url(re.compile(r"page=3&version=1$"))
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 3 of 3")
    expect(page.get_by_test_id("highlight-box")).to_have_count(0)
    expect(page.get_by_test_id("passage-elsewhere")).to_be_visible()
    _image_loaded(page)
    shots("next page without the highlight")
    page.get_by_test_id("viewer-prev").first.click()
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 2 of 3")
    expect(page.get_by_test_id("highlight-box").first).to_be_visible()


def test_search_states_no_results_and_a_refused_query(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    page.goto("/search?q=release+checklist&type=docx")
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-no-results")).to_contain_text(
        "No passages match \u201crelease checklist\u201d"
    )
    shots("no results for Word documents")
    page.get_by_test_id("search-type-filter").click()
    page.get_by_role("option", name="PDF", exact=True).click()
    expect(_result_for(page, app.handbook_pdf_id).first).to_be_visible()
    expect(_result_for(page, app.markdown_doc_id)).to_have_count(0)
    assert "type=pdf" in page.url

    _search(page, "word " * 300)
    expect(page.get_by_test_id("search-error")).to_contain_text("too long")
    expect(page.get_by_test_id("search-result")).to_have_count(0)
    shots("a refused query")


def test_a_text_document_opens_with_the_passage_highlighted(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    page.goto("/search?q=staging+cluster+service+desk")
    wait_for_hydration(page)
    hit = _result_for(page, app.markdown_doc_id).first
    expect(hit.get_by_test_id("result-document")).to_have_text(app.markdown_doc_name)
    page.set_viewport_size({"width": 1280, "height": 360})  # the passage starts below the fold
    hit.click()
    page.wait_for_url(re.compile(rf"/view/{app.markdown_doc_id}\?chunk="))
    wait_for_hydration(page)
    passage = page.get_by_test_id("highlighted-passage")
    expect(passage).to_contain_text(app.markdown_passage)
    expect(page.get_by_test_id("document-text")).to_contain_text("Pick up your laptop")
    page.wait_for_function(
        "() => { const m = document.querySelector('[data-testid=\"highlighted-passage\"]');"
        " const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )  # scrolled into view
    expect(page.get_by_test_id("page-image")).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 800})
    shots("text document with the passage highlighted")


def test_ctrl_k_finds_the_passage_and_enter_opens_it(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    expect(page.get_by_test_id("shell")).to_be_visible()
    palette = page.get_by_test_id("quick-search")
    page.keyboard.press("Control+k")
    expect(palette).to_be_visible()
    expect(page.get_by_test_id("quick-search-input")).to_be_focused()
    _animations_done(page)
    shots("palette open")

    page.keyboard.type("release builds signed with the hardware key")
    rows = page.get_by_test_id("quick-search-result")
    expect(rows.first).to_be_visible()
    expect(rows.first).to_have_attribute("data-selected", "true")
    expect(rows.first).to_contain_text(app.handbook_pdf_name)
    expect(palette).not_to_contain_text(app.foreign_doc_name)
    assert rows.count() > 1
    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_have_attribute("data-selected", "true")
    expect(rows.first).to_have_attribute("data-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(rows.first).to_have_attribute("data-selected", "true")
    shots("palette results")

    page.keyboard.press("Escape")
    expect(palette).to_have_count(0)
    page.get_by_test_id("quick-search-open").click()
    expect(palette).to_be_visible()
    expect(rows.first).to_contain_text(app.handbook_pdf_name)  # the last search is kept
    page.keyboard.press("Enter")
    page.wait_for_url(
        re.compile(rf"/view/{app.handbook_pdf_id}\?chunk=[0-9a-f-]+{BACK}&page=2&version=1$")
    )
    wait_for_hydration(page)
    expect(palette).to_have_count(0)
    expect(page.get_by_test_id("viewer-page").first).to_have_text("Page 2 of 3")
    _image_loaded(page)
    expect(page.get_by_test_id("highlight-box").first).to_be_visible()
    shots("opened from the palette")

    # From the viewer too; "All results" takes the query to the search page.
    page.keyboard.press("Meta+k")
    expect(palette).to_be_visible()
    page.get_by_test_id("quick-search-all").click()
    page.wait_for_url(re.compile(r"/search\?q=release\+builds\+signed"))
    wait_for_hydration(page)
    expect(palette).to_have_count(0)
    expect(page.get_by_test_id("search-input")).to_have_value(
        "release builds signed with the hardware key"
    )
    expect(_result_for(page, app.handbook_pdf_id).first).to_be_visible()


def test_another_teams_document_is_never_shown(page, app_server, shots):
    app = app_server
    login(page, app.email, app.password)
    page.goto("/search?q=PELICAN+acquisition+Northwind+merger")
    wait_for_hydration(page)
    expect(page.get_by_test_id("search-took")).to_contain_text("passage")
    expect(_result_for(page, app.foreign_doc_id)).to_have_count(0)
    # The query itself may be echoed ("No passages match ..."); the merger plan's text never is.
    expect(page.get_by_test_id("main-pane")).not_to_contain_text("closes in March")
    expect(page.get_by_test_id("main-pane")).not_to_contain_text(app.foreign_doc_name)

    page.goto(f"/view/{app.foreign_doc_id}")
    wait_for_hydration(page)
    expect(page.get_by_test_id("viewer-not-found")).to_contain_text(NOT_FOUND)
    expect(page.get_by_test_id("viewer")).to_have_count(0)
    expect(page.get_by_test_id("main-pane")).not_to_contain_text(app.foreign_doc_name)
    shots("foreign document not found")
    page.goto(f"/view/{app.foreign_doc_id[:-4]}beef")
    wait_for_hydration(page)
    expect(page.get_by_test_id("viewer-not-found")).to_contain_text(NOT_FOUND)

    for path in (
        f"/api/documents/{app.foreign_doc_id}/pages/1.png",
        f"/api/documents/{app.foreign_doc_id}/download",
    ):
        response = page.request.get(path)
        assert response.status == 404 and NOT_FOUND in response.text()
    assert page.request.get(f"/api/documents/{app.handbook_pdf_id}/pages/2.png").ok
    assert page.request.get(f"/api/documents/{app.handbook_pdf_id}/pages/4.png").status == 404
