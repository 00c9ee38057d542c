"""A newcomer's first hour with documents, in Chromium at 1440x900 and 390x844.

Grace drops a batch into a new knowledge base: five notes, an image no parser reads and a blank
text file. The image is refused at once and its row stays failed with the reason, with no tick;
the batch has one progress line (added, failed, left); while the worker reads one note the others
say their place in the line. The upload log sits in its own scroll box above the table. Grace
opens a document's detail panel (both versions with dates and uploader, its status history,
size, pages, passages), retries the failed one and deletes two notes in bulk, each with a
result line. axe-core finds nothing serious on the page, and at phone width the page keeps to
the screen (the table scrolls inside its own box). The knowledge base is archived at the end.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

READY_TIMEOUT_MS = 240_000
STORED_TIMEOUT_MS = 120_000  # the in-process worker reads the first notes while later ones arrive
NOTES = [f"first-hour-{n}.md" for n in range(1, 6)]
PNG = "whiteboard.png"
BLANK = "blank.txt"

# Records, from the page itself, every queue place a document row showed and every text of the
# batch line, so a state that lasts only a moment is still seen.
WATCH = """() => {
  window.__queueSeen = [];
  window.__summarySeen = [];
  const scan = () => {
    document.querySelectorAll('[data-testid="doc-row"]').forEach((row) => {
      const place = row.dataset.queue;
      if (place && !window.__queueSeen.includes(place)) window.__queueSeen.push(place);
    });
    const line = document.querySelector('[data-testid="upload-summary"]');
    const text = line ? line.textContent : "";
    const seen = window.__summarySeen;
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  };
  new MutationObserver(scan).observe(document.body, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  scan();
}"""


def _note(n: int, edition: str = "first", paragraphs: int = 160) -> str:
    lines = [f"# Field notes {n} ({edition} edition)", ""]
    for p in range(paragraphs):
        lines += [
            f"Paragraph {p} of note {n}: the greenhouse crew checks the vents, logs the "
            f"temperature at hour {p % 24}, and writes down which bed number {p % 40} needs "
            "water, so the next shift knows what is left to do and why.",
            "",
        ]
    return "\n".join(lines)


def _files(tmp: Path) -> list[Path]:
    paths = []
    for n, name in enumerate(NOTES, start=1):
        path = tmp / name
        path.write_text(_note(n), encoding="utf-8")
        paths.append(path)
    png = tmp / PNG
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)
    blank = tmp / BLANK
    blank.write_text("   \n\n   \n", encoding="utf-8")
    return [*paths, png, blank]


def _row(page, name: str):
    return page.locator(f'[data-testid="doc-row"][data-name="{name}"]')


def _upload_row(page, name: str):
    return page.locator(f'[data-testid="upload-row"][data-name="{name}"]')


def _both_sizes(page, name: str) -> None:
    """Screenshots at desktop and phone width; at the phone the page never scrolls sideways."""
    page.set_viewport_size(DESKTOP)
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)  # let the layout settle at the new width
    assert page_fits_width(page), f"{name}: the page is wider than a 390 px screen"
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)


def _create_kb(page, name: str) -> str:
    expect(page.get_by_test_id("shell")).to_be_visible()
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-description").fill("Greenhouse field notes.")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text(name)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _archive(page, kb_id: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    page.get_by_test_id("kb-archive-toggle").click()
    page.get_by_test_id("archive-confirm").click()  # archiving asks first
    expect(page.get_by_test_id("kb-archive-state")).to_contain_text("Archived")


def test_a_first_hour_with_documents(page, app_server, tmp_path):
    page.set_viewport_size(DESKTOP)
    login(page, app_server.email, app_server.password)
    kb_id = _create_kb(page, f"Field notes {uuid.uuid4().hex[:4]}")
    try:
        _batch_with_a_refused_file(page, tmp_path)
        _detail_panel(page, app_server.user_name, tmp_path)
        _bulk_retry_and_delete(page)
    finally:
        _archive(page, kb_id)


def _batch_with_a_refused_file(page, tmp: Path) -> None:
    page.evaluate(WATCH)
    page.locator('[data-testid="upload-zone"] input[type="file"]').set_input_files(
        [str(path) for path in _files(tmp)]
    )
    refused = _upload_row(page, PNG)
    expect(refused).to_have_attribute("data-phase", "rejected", timeout=STORED_TIMEOUT_MS)
    expect(refused).to_contain_text("not supported: a PNG image")
    expect(refused.get_by_test_id("upload-failed")).to_have_text("Not added")
    for name in [*NOTES, BLANK]:
        expect(_upload_row(page, name)).to_have_attribute(
            "data-phase", "uploaded", timeout=STORED_TIMEOUT_MS
        )
    summary = page.get_by_test_id("upload-summary")
    expect(summary).to_have_text("7 files: 6 added · 1 failed", timeout=STORED_TIMEOUT_MS)
    # A refused file has no tick, now or after the others were stored.
    expect(refused.get_by_label("Added", exact=True)).to_have_count(0)
    expect(refused.get_by_label("Not added", exact=True)).to_have_count(1)
    expect(page.get_by_test_id("doc-row")).to_have_count(6)  # nothing stored for the image

    # The upload log scrolls in its own bounded box; the table stays right under it.
    log = page.get_by_test_id("upload-log")
    assert log.evaluate("(el) => getComputedStyle(el).overflowY") == "auto"
    assert log.evaluate("(el) => el.getBoundingClientRect().height") <= 241
    page.get_by_test_id("uploads-panel").scroll_into_view_if_needed()
    _both_sizes(page, "documents-first-hour-batch-line-and-refused-file")
    page.get_by_test_id("docs-table").scroll_into_view_if_needed()
    _both_sizes(page, "documents-first-hour-batch-uploaded")

    for name in NOTES:
        expect(_row(page, name)).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    expect(_row(page, BLANK)).to_have_attribute("data-status", "failed", timeout=READY_TIMEOUT_MS)
    expect(_row(page, BLANK).get_by_test_id("doc-error")).to_have_text(
        "The document contains no text."
    )
    queue_seen: list[str] = page.evaluate("() => window.__queueSeen")
    assert any(re.fullmatch(r"\d+(st|nd|rd|th) in line", place) for place in queue_seen), queue_seen
    summaries: list[str] = page.evaluate("() => window.__summarySeen")
    assert any(s.startswith("Uploading 7 files:") and "left" in s for s in summaries), summaries
    # Still failed, still with its reason, once everything else is done.
    expect(refused).to_have_attribute("data-phase", "rejected")
    assert_accessible(page, "KB documents page after a batch")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "KB documents page at phone width")
    page.set_viewport_size(DESKTOP)


def _detail_panel(page, user_name: str, tmp: Path) -> None:
    """Version 2 of a note, then its panel: both versions, its history, its figures."""
    name = NOTES[0]
    changed = tmp / "v2" / name
    changed.parent.mkdir()
    changed.write_text(_note(1, "second", paragraphs=90), encoding="utf-8")
    page.get_by_test_id("uploads-clear").click()
    page.locator('[data-testid="upload-zone"] input[type="file"]').set_input_files([str(changed)])
    v2 = page.locator(f'[data-testid="doc-row"][data-name="{name}"][data-version="v2"]')
    expect(v2).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)

    v2.get_by_test_id("doc-name").click()
    panel = page.get_by_test_id("detail-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("detail-version")).to_have_text("v2")
    expect(panel.get_by_test_id("detail-status")).to_have_text("ready")
    expect(panel.get_by_test_id("detail-size")).to_contain_text("KB")
    expect(panel.get_by_test_id("detail-passages")).to_have_text(re.compile(r"^\d+$"))
    expect(panel.get_by_test_id("detail-pages")).to_be_visible()
    versions = panel.get_by_test_id("detail-version-row")
    expect(versions).to_have_count(2)
    expect(versions.first).to_have_attribute("data-version", "v2")
    expect(versions.first).to_contain_text(f"by {user_name}")
    expect(versions.first).to_contain_text("current")
    expect(versions.nth(1)).to_contain_text("superseded")
    history = panel.get_by_test_id("detail-history")
    expect(history).to_contain_text(f"v2 · Version 2 uploaded by {user_name}")
    expect(history).to_contain_text(f"v1 · Version 1 uploaded by {user_name}")
    expect(history).to_contain_text("Ready:")
    expect(history).to_contain_text("Replaced by a newer version")
    expect(history).to_contain_text("Processing started")
    _both_sizes(page, "documents-first-hour-detail-panel")
    assert_accessible(page, "document detail panel")
    page.get_by_test_id("detail-close").click()
    expect(panel).to_have_count(0)


def _tick(page, name: str) -> None:
    _row(page, name).get_by_test_id("doc-select").click()


def _bulk_retry_and_delete(page) -> None:
    # Retry: a failed document and a ready one ticked; only the failed one is retried.
    _tick(page, BLANK)
    _tick(page, NOTES[4])
    expect(page.get_by_test_id("bulk-count")).to_have_text("2 documents selected")
    retry = page.get_by_test_id("bulk-retry")
    expect(retry).to_have_text("Retry failed (1)")
    retry.click()
    expect(page.get_by_test_id("bulk-outcome")).to_have_text("1 document queued again.")
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)  # the selection is done with
    expect(_row(page, BLANK)).to_have_attribute("data-status", "failed", timeout=READY_TIMEOUT_MS)

    # Select all, then clear; then delete two notes after confirming.
    page.get_by_test_id("doc-select-all").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("6 documents selected")
    page.get_by_test_id("bulk-clear").click()
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)
    _tick(page, NOTES[1])
    _tick(page, NOTES[2])
    page.get_by_test_id("bulk-delete").click()
    dialog = page.get_by_test_id("bulk-delete-dialog")
    expect(dialog).to_contain_text("Delete 2 documents?")
    _both_sizes(page, "documents-first-hour-bulk-delete-confirm")
    page.get_by_test_id("bulk-delete-confirm").click()
    expect(page.get_by_test_id("bulk-outcome")).to_have_text("2 documents deleted.")
    expect(_row(page, NOTES[1])).to_have_count(0)
    expect(_row(page, NOTES[2])).to_have_count(0)
    expect(page.get_by_test_id("doc-row")).to_have_count(4)
    page.get_by_test_id("docs-table").scroll_into_view_if_needed()
    _both_sizes(page, "documents-first-hour-after-bulk-delete")
