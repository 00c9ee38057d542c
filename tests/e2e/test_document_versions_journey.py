"""Document versions journey: upload a note, ask chat about it, upload a changed version; the
answer's citation still opens the text it cited, with a notice that a newer version exists and
a link to it; the document's own link opens the new text. Two more versions later the first one
is past the retention rule (3 kept) and the citation says it is no longer kept. The journey's
knowledge base is archived and its conversation deleted at the end, so other journeys never meet
them."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Shots, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

READY_TIMEOUT_MS = 240_000
ANSWER_TIMEOUT_MS = 60_000
NAME = "greenhouse-rota.md"
QUESTION = "When are the greenhouse tomatoes watered?"
EDITIONS = {
    1: "The greenhouse tomatoes are watered at six in the morning by the early shift.",
    2: "The greenhouse tomatoes are watered at nine in the evening by the late shift.",
    3: "The greenhouse tomatoes are watered at noon by whoever has lunch last.",
    4: "The greenhouse tomatoes are watered by the new drip system, every hour.",
}


def _create_kb(page, name: str) -> str:
    expect(page.get_by_test_id("shell")).to_be_visible()
    page.get_by_test_id("new-kb").click()
    expect(page.get_by_test_id("new-kb-form")).to_be_visible()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-description").fill("Who waters what, and when.")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text(name)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _upload_version(page, kb_id: str, version: int, tmp: Path) -> None:
    """Upload the rota's edition `version` under the same name and wait until it is ready."""
    page.goto(f"/kb/{kb_id}")
    wait_for_hydration(page)
    path = tmp / f"v{version}" / NAME
    path.parent.mkdir()
    path.write_text(f"# Greenhouse rota\n\n{EDITIONS[version]}\n", encoding="utf-8")
    page.locator('[data-testid="upload-zone"] input[type="file"]').set_input_files([str(path)])
    row = page.locator(f'[data-testid="doc-row"][data-name="{NAME}"][data-version="v{version}"]')
    expect(row).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)


def _citation_of_the_rota(page):
    """The [n] badge of the last answer that cites the rota (other KBs may be cited too)."""
    answer = page.get_by_test_id("assistant-message").last
    source = answer.locator('[data-testid="source"][data-cited="true"]', has_text=NAME)
    expect(source).to_have_count(1)
    n = source.get_attribute("data-n")
    return answer.locator(f'[data-testid="citation"][data-n="{n}"]').first


def _ask_for_a_citation(page) -> tuple[str, str]:
    """Ask chat about the rota; (the conversation, the link of the rota's citation)."""
    page.goto("/chat")
    wait_for_hydration(page)
    page.get_by_test_id("chat-input").fill(QUESTION)
    page.get_by_test_id("chat-input").press("Enter")
    expect(page.get_by_test_id("chat-page")).to_have_attribute(
        "data-streaming", "false", timeout=ANSWER_TIMEOUT_MS
    )
    expect(page).to_have_url(re.compile(r"/chat/?\?c=[\w-]+$"))
    return page.url.rsplit("c=", 1)[1], _citation_of_the_rota(page).get_attribute("href") or ""


def _open_citation(page, conversation_id: str) -> None:
    page.goto(f"/chat?c={conversation_id}")
    wait_for_hydration(page)
    _citation_of_the_rota(page).click()
    expect(page).to_have_url(re.compile(r"/view/[\w-]+\?chunk=[\w-]+&page=&version=1$"))
    wait_for_hydration(page)


def _clean_up(page, kb_id: str, conversation_id: str) -> None:
    if conversation_id:
        page.goto(f"/chat?c={conversation_id}")
        wait_for_hydration(page)
        item = page.locator(f'[data-testid="conversation-item"][data-id="{conversation_id}"]')
        item.get_by_test_id("conversation-menu").click()
        page.get_by_test_id("conversation-delete").click()
        page.get_by_test_id("delete-confirm").click()
        expect(item).to_have_count(0)
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    page.get_by_test_id("kb-archive-toggle").click()
    page.get_by_test_id("archive-confirm").click()  # archiving asks first
    expect(page.get_by_test_id("kb-archive-state")).to_contain_text("Archived")


def test_a_citation_opens_the_version_it_cited_and_points_to_the_newer_one(
    page, app_server, shots: Shots, tmp_path
):
    login(page, app_server.email, app_server.password)
    kb_id = _create_kb(page, f"Greenhouse {uuid.uuid4().hex[:4]}")
    asked: list[str] = []
    try:
        _journey(page, kb_id, asked, shots, tmp_path)
    finally:
        _clean_up(page, kb_id, asked[0] if asked else "")


def _journey(page, kb_id: str, asked: list[str], shots: Shots, tmp: Path) -> None:
    _upload_version(page, kb_id, 1, tmp)
    conversation_id, href = _ask_for_a_citation(page)
    asked.append(conversation_id)
    document_id = href.split("/view/", 1)[1].split("?", 1)[0]
    assert href.endswith("&version=1"), href
    shots("answer citing version 1")

    _upload_version(page, kb_id, 2, tmp)
    _open_citation(page, conversation_id)
    notice = page.get_by_test_id("viewer-newer-version")
    expect(notice).to_contain_text("You are reading version 1, the one this link cites.")
    expect(notice).to_contain_text("A newer version (version 2) exists.")
    expect(page.get_by_test_id("viewer-version")).to_have_text("Version 1")
    expect(page.get_by_test_id("highlighted-passage")).to_contain_text("six in the morning")
    expect(page.get_by_test_id("document-text")).not_to_contain_text("nine in the evening")
    shots("old citation with the newer version notice")

    notice.get_by_test_id("viewer-current-link").click()
    expect(page).to_have_url(re.compile(rf"/view/{document_id}$"))
    expect(page.get_by_test_id("viewer-version")).to_have_text("Version 2")
    expect(page.get_by_test_id("viewer-newer-version")).to_have_count(0)
    expect(page.get_by_test_id("document-text")).to_contain_text("nine in the evening")
    shots("the current version")

    _upload_version(page, kb_id, 3, tmp)
    _upload_version(page, kb_id, 4, tmp)  # three kept: version 1 is purged
    page.goto(href)
    wait_for_hydration(page)
    gone = page.get_by_test_id("viewer-version-gone")
    expect(gone).to_contain_text(
        f"Version 1 of {NAME} is no longer kept: LumiKB keeps the last 3 versions of a document.",
        timeout=READY_TIMEOUT_MS,
    )
    shots("a citation past the retention rule")
    gone.get_by_test_id("viewer-current-link").click()
    expect(page.get_by_test_id("viewer-version")).to_have_text("Version 4")
    expect(page.get_by_test_id("document-text")).to_contain_text("drip system")
