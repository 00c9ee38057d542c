"""A newcomer's first hour in chat (issue 15): an answer in Markdown (a list, highlighted code with
a copy button, a table) keeps its clickable [n] badges, and a code block still open while the
answer streams never widens the page; suggested questions from the user's own document titles;
copy an answer, edit and resend a question, export the conversation as Markdown, search
conversations; a scope of several knowledge bases; the no-model notice once per conversation
(its first sentence for a non-admin); and on a phone the messages first, the list in a drawer."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import DESKTOP, PHONE, assert_accessible, page_fits_width, screenshot
from tests.e2e.conftest import SeededApp, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ANSWER_TIMEOUT_MS = 60_000
MARKDOWN_QUESTION = "How are release builds signed? Show it as markdown"  # fake model: lists, code
CODE = 'def release(tag):\n    keys = ["hardware"]\n    return sign(tag, keys[1])'
# The admin's questions differ from test_chat_journey's, which expects the admin to have none of
# its question's conversations.
ADMIN_QUESTION = "How do we sign release builds?"
SHORT_NOTE = (
    "No language model is configured, so this answer quotes the passages that best match your "
    "question instead of writing one."
)
# Whether a code block is on the streaming answer at a moment the answer is still streaming.
STREAMING_CODE = """() => {
  const el = document.querySelector('[data-testid="streaming-text"] [data-testid="answer-code"]');
  const page = document.querySelector('[data-testid="chat-page"]');
  return !!el && page && page.getAttribute('data-streaming') === 'true';
}"""


def _open_chat(page, email: str, password: str) -> None:
    login(page, email, password)
    page.goto("/chat")
    wait_for_hydration(page)
    expect(page.get_by_test_id("chat-page")).to_be_visible()


def _ask(page, question: str) -> None:
    asked = page.get_by_test_id("user-message").count()
    box = page.get_by_test_id("chat-input")
    box.fill(question)
    box.press("Enter")
    expect(page.get_by_test_id("user-message")).to_have_count(asked + 1)


def _wait_for_answer(page):
    answers = page.get_by_test_id("assistant-message")
    expect(answers).to_have_count(
        page.get_by_test_id("user-message").count(), timeout=ANSWER_TIMEOUT_MS
    )
    expect(page.get_by_test_id("chat-page")).to_have_attribute(
        "data-streaming", "false", timeout=ANSWER_TIMEOUT_MS
    )
    answer = page.get_by_test_id("assistant-message").last
    expect(answer).to_have_attribute("data-status", "done")
    return answer


def _clipboard(page) -> str:
    return page.evaluate("() => navigator.clipboard.readText()")


def _topic(name: str) -> str:
    return " ".join(re.sub(r"[_\-.]+", " ", Path(name).stem).split())


def test_a_markdown_answer_keeps_code_tables_and_badges_and_can_be_copied_edited_and_exported(
    page, app_server: SeededApp
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size(DESKTOP)
    _open_chat(page, app_server.email, app_server.password)

    # An empty chat suggests questions about the user's own documents, never another's.
    suggestions = page.get_by_test_id("suggestion")
    expect(suggestions.first).to_be_visible()
    offered = " ".join(suggestions.all_inner_texts())
    assert _topic(app_server.handbook_pdf_name) in offered
    assert _topic(app_server.foreign_doc_name) not in offered
    assert_accessible(page, "empty chat")
    screenshot(page, "chat-empty")

    # While the answer streams, its code block (open until the closing fence arrives) stays
    # inside the page.
    _ask(page, MARKDOWN_QUESTION)
    page.wait_for_function(STREAMING_CODE, timeout=ANSWER_TIMEOUT_MS, polling=20)
    assert page_fits_width(page)
    answer = _wait_for_answer(page)

    # The list, the highlighted code block with its copy button, the table: each as Markdown.
    text = answer.get_by_test_id("answer-text")
    expect(text.locator("ul > li")).to_have_count(2)
    expect(text.locator("ul > li").first.get_by_test_id("citation")).to_have_count(1)
    code = answer.get_by_test_id("answer-code")
    expect(code).to_have_count(1)
    expect(code).to_contain_text("keys[1]")  # a [1] in code is code, not a badge
    expect(code.get_by_test_id("citation")).to_have_count(0)
    assert code.locator("code span").count() > 3  # highlighted: tokens coloured apart
    table = text.locator("table")
    expect(table.locator("th")).to_have_text(["Source", "Says"])
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.get_by_test_id("citation")).to_have_count(2)
    expect(text).not_to_contain_text("```")
    expect(text).not_to_contain_text("|---|")
    assert page_fits_width(page)
    assert_accessible(page, "chat with a Markdown answer")
    screenshot(page, "chat")

    answer.get_by_test_id("copy-code").click()
    assert _clipboard(page) == CODE
    answer.get_by_test_id("copy-answer").click()
    copied = _clipboard(page)
    assert copied.startswith("The sources describe it:") and "[1]" in copied and "```" in copied

    # Each badge opens its passage; the preview names the document.
    badge = text.locator("ul > li").first.get_by_test_id("citation")
    n, href = badge.get_attribute("data-n"), badge.get_attribute("href")
    assert n == "1" and href and href.startswith("/view/")
    badge.hover()
    expect(page.get_by_test_id("citation-preview")).to_be_visible()
    badge.click()
    expect(page).to_have_url(re.compile(r"/view/"))
    page.go_back()
    wait_for_hydration(page)
    answer = page.get_by_test_id("assistant-message").last
    expect(answer.get_by_test_id("answer-code")).to_have_count(1)

    # Export: a Markdown file with the question, the answer and the sources it cites.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-conversation").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    exported = Path(download.path()).read_text(encoding="utf-8")
    assert exported.startswith("# How are release builds signed?")
    assert f"## Question\n\n{MARKDOWN_QUESTION}" in exported
    assert f"```python\n{CODE}\n```" in exported
    assert "**Sources**" in exported and "- [1] [" in exported
    assert re.search(r"\]\(<http://[^>]+/view/[^>]+>\)", exported)  # a link back to the passage

    # Edit and resend: the question is replaced and answered again.
    page.get_by_test_id("user-message").hover()
    page.get_by_test_id("edit-question").click()
    page.get_by_test_id("edit-input").fill("How are release builds signed?")
    page.get_by_test_id("edit-send").click()
    answer = _wait_for_answer(page)
    expect(page.get_by_test_id("user-message")).to_have_count(1)
    expect(page.get_by_test_id("user-message")).to_have_text("How are release builds signed?")
    expect(page.get_by_test_id("assistant-message")).to_have_count(1)
    expect(answer.get_by_test_id("answer-code")).to_have_count(0)
    expect(answer.get_by_test_id("answer-text")).to_contain_text("hardware key")
    conversation_id = page.url.rsplit("c=", 1)[1]

    # Search: words from the answer find the conversation; unknown words find nothing.
    search = page.get_by_test_id("conversation-search")
    search.fill("hardware key")
    expect(
        page.locator(f'[data-testid="conversation-found"][data-id="{conversation_id}"]')
    ).to_be_visible()
    expect(page.get_by_test_id("conversation-found").first).to_contain_text("hardware key")
    search.fill("zzqx nothing like this")
    expect(page.get_by_test_id("no-conversation-found")).to_be_visible()
    search.fill("")
    expect(page.get_by_test_id("conversation-item").first).to_be_visible()


def test_on_a_phone_the_messages_come_first_and_the_list_is_a_drawer(page, app_server: SeededApp):
    page.set_viewport_size(DESKTOP)
    _open_chat(page, app_server.email, app_server.password)
    _ask(page, MARKDOWN_QUESTION)
    _wait_for_answer(page)

    page.set_viewport_size(PHONE)
    page.reload()
    wait_for_hydration(page)
    messages = page.get_by_test_id("chat-messages")
    expect(
        page.get_by_test_id("assistant-message").last.get_by_test_id("answer-code")
    ).to_be_visible()
    expect(page.get_by_test_id("conversation-list")).to_be_hidden()
    expect(page.get_by_test_id("chat-composer")).to_be_visible()
    box = messages.bounding_box()
    assert box and box["width"] > 300  # the messages use the width, not a squeezed column
    assert page_fits_width(page)
    assert_accessible(page, "chat on a phone")
    screenshot(page, "chat")

    page.get_by_test_id("conversations-open").click()
    drawer = page.get_by_test_id("conversation-list")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_test_id("conversation-item").first).to_be_visible()
    screenshot(page, "chat-drawer")
    page.get_by_test_id("conversations-close").click()
    expect(drawer).to_be_hidden()

    page.get_by_test_id("conversations-open").click()
    drawer.get_by_test_id("new-chat").click()
    expect(page).to_have_url(re.compile(r"/chat/?$"))
    expect(page.get_by_test_id("conversation-list")).to_be_hidden()
    expect(page.get_by_test_id("chat-welcome")).to_be_visible()


def test_a_conversation_can_search_several_knowledge_bases(page, app_server: SeededApp):
    # Grace is offered only the knowledge bases she may read.
    _open_chat(page, app_server.email, app_server.password)
    page.get_by_test_id("chat-scope").click()
    expect(page.get_by_test_id("scope-option")).to_have_count(1)
    expect(page.get_by_test_id("scope-menu")).not_to_contain_text(app_server.foreign_kb_name)
    page.keyboard.press("Escape")
    page.context.clear_cookies()

    _open_chat(page, app_server.admin_email, app_server.admin_password)
    page.get_by_test_id("chat-scope").click()
    page.get_by_role("checkbox", name=app_server.kb_name).click()
    page.get_by_role("checkbox", name="Alpha Docs").click()
    page.keyboard.press("Escape")
    label = page.get_by_test_id("chat-scope-label")
    expect(label).to_contain_text(app_server.kb_name)
    expect(label).to_contain_text("Alpha Docs")
    _ask(page, ADMIN_QUESTION)
    _wait_for_answer(page)

    page.reload()
    wait_for_hydration(page)
    expect(label).to_contain_text(app_server.kb_name)
    expect(label).to_contain_text("Alpha Docs")

    # The open conversation's scope changes too, and the change is stored.
    page.get_by_test_id("chat-scope").click()
    page.get_by_role("checkbox", name="Alpha Docs").click()
    page.keyboard.press("Escape")
    expect(label).to_have_text(app_server.kb_name)
    page.reload()
    wait_for_hydration(page)
    expect(label).to_have_text(app_server.kb_name)


@contextmanager
def _no_chat_model(data_dir: Path):
    """The registry without a default chat model (answers quote their sources), put back after."""
    with sqlite3.connect(data_dir / "lumikb.sqlite3", timeout=30) as db:
        default = db.execute("SELECT id FROM models WHERE kind = 'chat' AND is_default").fetchone()
        db.execute("UPDATE models SET is_default = 0 WHERE kind = 'chat'")
    try:
        yield
    finally:
        if default:
            with sqlite3.connect(data_dir / "lumikb.sqlite3", timeout=30) as db:
                db.execute("UPDATE models SET is_default = 1 WHERE id = ?", default)


def test_the_no_model_notice_shows_once_and_only_its_first_line_to_a_member(
    page, app_server: SeededApp
):
    with _no_chat_model(app_server.data_dir):
        _open_chat(page, app_server.email, app_server.password)
        _ask(page, "How are release builds signed?")
        _wait_for_answer(page)
        _ask(page, "How are release builds signed? Again, please.")
        _wait_for_answer(page)
        answers = page.get_by_test_id("assistant-message")
        expect(answers).to_have_count(2)
        for index in range(2):  # both quote the sources, and both carried the note
            expect(answers.nth(index)).to_have_attribute("data-mode", "extractive")
        notes = page.get_by_test_id("extractive-note")
        expect(notes).to_have_count(1)
        expect(notes).to_have_text(SHORT_NOTE)
        screenshot(page, "chat-no-model")
        page.context.clear_cookies()

        _open_chat(page, app_server.admin_email, app_server.admin_password)
        _ask(page, ADMIN_QUESTION)
        _wait_for_answer(page)
        _ask(page, ADMIN_QUESTION + " Again, please.")
        _wait_for_answer(page)
        expect(page.get_by_test_id("assistant-message").last).to_have_attribute(
            "data-mode", "extractive"
        )
        notes = page.get_by_test_id("extractive-note")
        expect(notes).to_have_count(1)
        expect(notes).to_contain_text("Admin → Models")  # an admin can act on it
