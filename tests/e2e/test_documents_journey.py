"""Documents journey: create a knowledge base, upload a PDF, a DOCX and a Markdown file together,
watch them move through the pipeline live to ready, download one, get the "identical" answer,
delete one, upload version 2 of another, and see what a READ member sees."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
PDF_SAMPLE = CORPORA / "pdf-samples" / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
DOCX_SAMPLE = CORPORA / "docx-samples" / "test.docx"
READY_TIMEOUT_MS = 240_000
TERMINAL = {"ready", "failed"}

# Records every status and progress value each document row shows, from the page itself, so
# a state that lasts only a moment is still seen. Keyed "name@version".
WATCH_ROWS = """() => {
  window.__docSeen = {};
  const scan = () => {
    document.querySelectorAll('[data-testid="doc-row"]').forEach((row) => {
      const key = row.dataset.name + "@" + row.dataset.version;
      const bar = row.querySelector('[data-testid="doc-progress"]');
      const entry = row.dataset.status + ":" + (bar ? bar.dataset.percent : "");
      const seen = (window.__docSeen[key] = window.__docSeen[key] || []);
      if (seen[seen.length - 1] !== entry) seen.push(entry);
    });
  };
  new MutationObserver(scan).observe(document.body, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  scan();
}"""


def _markdown(version: str, paragraphs: int = 220) -> str:
    topics = ("deployment", "code review", "on-call", "testing", "release notes", "incidents")
    lines = [f"# Team handbook ({version})", ""]
    for n in range(paragraphs):
        if n % 20 == 0:
            lines += [f"## Part {n // 20 + 1}: {topics[(n // 20) % len(topics)]}", ""]
        topic = topics[n % len(topics)]
        lines += [
            f"Paragraph {n} of the {version} handbook explains how the team handles {topic}. "
            f"Before a change ships, a second person reads it, the tests run on every commit, "
            f"and the person on call for week {n % 52 + 1} knows what is going out and how to "
            f"roll it back if the error rate rises above the agreed budget.",
            "",
        ]
    return "\n".join(lines)


def _files(tmp: Path) -> dict[str, Path]:
    pdf = tmp / "release-checklist.pdf"
    docx = tmp / "meeting-notes.docx"
    markdown = tmp / "team-handbook.md"
    shutil.copyfile(PDF_SAMPLE, pdf)
    shutil.copyfile(DOCX_SAMPLE, docx)
    markdown.write_text(_markdown("first edition"), encoding="utf-8")
    return {"pdf": pdf, "docx": docx, "md": markdown}


def _row(page, name: str, version: str | None = None):
    selector = f'[data-testid="doc-row"][data-name="{name}"]'
    if version:
        selector += f'[data-version="{version}"]'
    return page.locator(selector)


def _upload_row(page, name: str):
    return page.locator(f'[data-testid="upload-row"][data-name="{name}"]')


def _show_table(page) -> None:
    """The main pane scrolls on its own: bring the table into the screenshot."""
    page.get_by_test_id("docs-table").scroll_into_view_if_needed()


def _choose(input_locator, files: list[Path]) -> None:
    input_locator.set_input_files([str(f) for f in files])


def _create_kb(page, name: str, shots: Shots) -> str:
    page.get_by_test_id("new-kb").click()
    expect(page.get_by_test_id("new-kb-form")).to_be_visible()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-description").fill("Checklists, notes and the team handbook.")
    shots("new knowledge base dialog")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text(name)
    expect(page.get_by_test_id("sidebar")).to_contain_text(name)
    expect(page.get_by_test_id("docs-empty")).to_contain_text("No documents yet")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _hand_over_and_become_reader(page, app, kb_id: str) -> None:
    """Grace makes the admin a second ADMIN of her KB, then steps down to READ."""
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    page.get_by_test_id("add-member-email").fill(app.admin_email)
    page.get_by_role("combobox", name="Role of the new member").click()
    page.get_by_role("option", name="ADMIN", exact=True).click()
    page.get_by_test_id("add-member-submit").click()
    expect(page.get_by_test_id("members-notice")).to_contain_text("now has ADMIN access")
    mine = page.locator(f'[data-testid="member-row"][data-email="{app.email}"]')
    mine.get_by_role("combobox").click()
    page.get_by_role("option", name="READ", exact=True).click()
    # A READ member may no longer see the settings: the page says so instead of the notice.
    expect(
        page.get_by_test_id("kb-not-found").or_(page.get_by_test_id("members-notice"))
    ).to_be_visible()


def _remove_grace(browser, app, kb_id: str) -> None:
    """Other journeys expect Grace to see only her own KB: the admin takes her off this one."""
    admin = new_page(browser, app.base_url)
    try:
        login(admin, app.admin_email, app.admin_password)
        admin.goto(f"/kb/{kb_id}/settings")
        wait_for_hydration(admin)
        row = admin.locator(f'[data-testid="member-row"][data-email="{app.email}"]')
        if row.count():
            row.get_by_test_id("member-remove").click()
            expect(row).to_have_count(0)
    finally:
        admin.context.close()


def test_upload_watch_download_delete_and_version(page, browser, app_server, shots, tmp_path):
    app = app_server
    files = _files(tmp_path)
    kb_name = f"Launch Docs {uuid.uuid4().hex[:4]}"

    login(page, app.email, app.password)
    expect(page.get_by_test_id("shell")).to_be_visible()
    kb_id = _create_kb(page, kb_name, shots)
    try:
        _journey(page, app, files, shots, tmp_path)
        _hand_over_and_become_reader(page, app, kb_id)
        page.goto(f"/kb/{kb_id}")
        wait_for_hydration(page)
        expect(page.get_by_test_id("read-only-note")).to_be_visible()
        expect(page.get_by_test_id("upload-zone")).to_have_count(0)
        expect(page.get_by_test_id("doc-delete")).to_have_count(0)
        expect(page.get_by_test_id("doc-download")).to_have_count(2)
        shots("what a reader sees")
    finally:
        _remove_grace(browser, app, kb_id)


def _journey(page, app, files: dict[str, Path], shots: Shots, tmp: Path) -> None:
    picker = page.locator('[data-testid="upload-zone"] input[type="file"]')
    expect(page.get_by_test_id("upload-zone")).to_contain_text("Drop files here")
    shots("empty knowledge base")
    page.evaluate(WATCH_ROWS)

    # Three files in one go: each gets an upload row, then a document row that moves live.
    _choose(picker, [files["pdf"], files["docx"], files["md"]])
    for path in files.values():
        expect(_upload_row(page, path.name)).to_have_attribute("data-phase", "uploaded")
        expect(_upload_row(page, path.name)).to_contain_text("uploaded (version 1)")
    expect(page.get_by_test_id("doc-row")).to_have_count(3)
    _show_table(page)
    shots("uploaded, processing")
    for path in files.values():
        expect(_row(page, path.name)).to_have_attribute(
            "data-status", "ready", timeout=READY_TIMEOUT_MS
        )
    seen: dict[str, list[str]] = page.evaluate("() => window.__docSeen")
    moving = {
        key: entries
        for key, entries in seen.items()
        if any(entry.split(":")[0] not in TERMINAL for entry in entries)
    }
    assert moving, f"no document was seen before it was ready: {seen}"
    assert all(entries[-1].startswith("ready") for entries in seen.values()), seen
    markdown_seen = seen[f"{files['md'].name}@v1"]
    assert len(markdown_seen) >= 2, markdown_seen  # the big Markdown file shows its steps
    _show_table(page)
    shots("all ready")

    pdf = _row(page, files["pdf"].name)
    expect(pdf.get_by_test_id("doc-type")).to_have_text("PDF")
    expect(pdf.get_by_test_id("doc-pages")).to_have_text("4")
    expect(pdf.get_by_test_id("doc-version")).to_have_text("v1")
    expect(pdf.get_by_test_id("doc-uploaded")).to_contain_text(app.user_name)
    expect(pdf.get_by_test_id("doc-chunks")).not_to_have_text("—")
    expect(_row(page, files["docx"].name).get_by_test_id("doc-type")).to_have_text("Word")
    expect(_row(page, files["md"].name).get_by_test_id("doc-type")).to_have_text("Markdown")

    # Download: clicking the link fetches the original bytes from the server route.
    with page.expect_download() as download:
        pdf.get_by_test_id("doc-download").click()
    assert download.value.suggested_filename == files["pdf"].name
    assert Path(download.value.path()).read_bytes() == files["pdf"].read_bytes()

    # The same content again: nothing to do, no new row.
    page.get_by_test_id("uploads-clear").click()
    expect(page.get_by_test_id("uploads-panel")).to_have_count(0)
    _choose(picker, [files["pdf"]])
    expect(_upload_row(page, files["pdf"].name)).to_have_attribute("data-phase", "identical")
    expect(_upload_row(page, files["pdf"].name)).to_contain_text("identical")
    expect(page.get_by_test_id("doc-row")).to_have_count(3)
    shots("identical upload")

    # Delete asks first, then the row goes.
    _row(page, files["docx"].name).get_by_test_id("doc-delete").click()
    expect(page.get_by_test_id("delete-dialog")).to_contain_text(files["docx"].name)
    shots("delete confirmation")
    page.get_by_test_id("delete-confirm").click()
    expect(_row(page, files["docx"].name)).to_have_count(0)
    expect(page.get_by_test_id("doc-row")).to_have_count(2)

    # A changed file with the same name becomes version 2, which replaces version 1 when ready.
    changed = tmp / "v2" / files["md"].name
    changed.parent.mkdir()
    changed.write_text(_markdown("second edition", paragraphs=120), encoding="utf-8")
    _choose(picker, [changed])
    expect(_upload_row(page, changed.name)).to_contain_text("uploaded (version 2)")
    v2 = _row(page, changed.name, "v2")
    expect(v2).to_have_count(1)
    _show_table(page)
    shots("version 2 processing")
    expect(v2).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    expect(_row(page, changed.name, "v1")).to_have_count(0)
    expect(_row(page, changed.name)).to_have_count(1)
    expect(v2.get_by_test_id("doc-version")).to_have_text("v2")
    _show_table(page)
    shots("version 2 ready")

    # Filters: by name and by status.
    page.get_by_test_id("doc-search").fill("handbook")
    expect(page.get_by_test_id("doc-row")).to_have_count(1)
    page.get_by_test_id("doc-search").fill("")
    expect(page.get_by_test_id("doc-row")).to_have_count(2)
    page.get_by_test_id("doc-status-filter").click()
    page.get_by_role("option", name="Failed", exact=True).click()
    expect(page.get_by_test_id("doc-row")).to_have_count(0)
    expect(page.get_by_test_id("docs-empty")).to_contain_text("No documents match")
    page.get_by_test_id("doc-status-filter").click()
    page.get_by_role("option", name="All statuses", exact=True).click()
    expect(page.get_by_test_id("doc-row")).to_have_count(2)
