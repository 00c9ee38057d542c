"""Chat limits journey (the served app runs with conftest.CHAT_LIMITS: one answer at a time, ten
per person per twenty seconds): while Grace's answer is written, the administrator's question is
refused as busy, nothing is stored and the question stays in the box; once Grace's answer is
done, Enter asks it again and it is answered. Over the rate, the refusal says when to try again,
and after that wait the same question is answered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lumikb_app.services.chat.conversations import PAGE_SIZE
from tests.e2e.conftest import CHAT_LIMITS, SeededApp, Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ANSWER_TIMEOUT_MS = 60_000
SLOW_QUESTION = "How are release builds signed?"  # cited and paced: several seconds of writing
QUICK_QUESTION = "zebra migration across the savanna"  # not covered: answered at once
BUSY = "Many answers are being written right now. Try again in a moment."
RATE_LIMIT = int(CHAT_LIMITS["CHAT_RATE_LIMIT"])


def _open_new_chat(page, email: str, password: str) -> None:
    login(page, email, password)
    page.goto("/chat")
    wait_for_hydration(page)
    expect(page.get_by_test_id("chat-welcome")).to_be_visible()


def _ask(page, question: str) -> None:
    box = page.get_by_test_id("chat-input")
    box.fill(question)
    box.press("Enter")


def _finished(page) -> None:
    expect(page.get_by_test_id("chat-page")).to_have_attribute(
        "data-streaming", "false", timeout=ANSWER_TIMEOUT_MS
    )


def _newest_conversation(page) -> str | None:
    """The id of the first (newest) conversation in the list, or None when it is empty."""
    items = page.get_by_test_id("conversation-item")
    return items.first.get_attribute("data-id") if items.count() else None


def _refused_and_nothing_stored(
    page, question: str, conversations: int, newest: str | None, message: str
) -> None:
    _finished(page)
    expect(page.get_by_test_id("chat-error")).to_contain_text(message)
    expect(page.get_by_test_id("chat-input")).to_have_value(question)  # back in the box
    # The list shows one page, newest first: no conversation was added on top.
    expect(page.get_by_test_id("conversation-item")).to_have_count(min(conversations, PAGE_SIZE))
    assert _newest_conversation(page) == newest
    expect(page).to_have_url(re.compile(r"/chat/?$"))  # no conversation was opened
    expect(page.get_by_test_id("user-message")).to_have_count(0)


def test_a_question_asked_while_every_place_is_busy_is_refused_then_answered(
    page, browser, app_server: SeededApp, shots: Shots
):
    app = app_server
    login(page, app.email, app.password)
    page.goto("/chat")
    wait_for_hydration(page)
    admin = new_page(browser, app.base_url)
    try:
        _open_new_chat(admin, app.admin_email, app.admin_password)
        admin_shots = Shots(admin, "test_a_question_asked_while_every_place_is_busy-admin")
        before = admin.get_by_test_id("conversation-item").count()
        newest_before = _newest_conversation(admin)

        _ask(page, SLOW_QUESTION)
        page.get_by_test_id("streaming-text").wait_for()  # Grace's answer holds the one place
        _ask(admin, QUICK_QUESTION)

        _refused_and_nothing_stored(admin, QUICK_QUESTION, before, newest_before, BUSY)
        admin_shots("refused while busy")
        _finished(page)
        expect(page.get_by_test_id("assistant-message").last).to_have_attribute(
            "data-status", "done"
        )

        admin.get_by_test_id("chat-input").press("Enter")  # the same question, once more
        _finished(admin)
        expect(admin.get_by_test_id("chat-error")).to_have_count(0)
        expect(admin.get_by_test_id("user-message")).to_have_text(QUICK_QUESTION)
        expect(admin.get_by_test_id("assistant-message")).to_have_attribute(
            "data-mode", "no_answer"
        )
        items = admin.get_by_test_id("conversation-item")
        expect(items).to_have_count(min(before + 1, PAGE_SIZE))  # the list shows one page
        expect(items.first).to_have_attribute("data-title", QUICK_QUESTION)  # the new one, on top
        assert _newest_conversation(admin) != newest_before
        admin_shots("answered on the second try")
    finally:
        admin.context.close()
    shots("grace's answer")


def test_over_the_rate_the_refusal_says_when_to_try_again_and_then_it_works(
    page, app_server: SeededApp, shots: Shots
):
    app = app_server
    _open_new_chat(page, app.admin_email, app.admin_password)
    _ask(page, QUICK_QUESTION)
    _finished(page)
    page.wait_for_url(re.compile(r"/chat\?c="))  # the new conversation's address
    conversation_url = page.url
    refusal = page.get_by_test_id("chat-error")
    # Whatever this person asked before (even if their window restarts once), the limit is met.
    for _ in range(2 * RATE_LIMIT + 2):
        _ask(page, QUICK_QUESTION)
        _finished(page)
        if refusal.count():
            break
    expect(refusal).to_contain_text(
        f"You have reached your limit of {RATE_LIMIT} answers in 20 seconds. Try again in "
    )
    expect(page.get_by_test_id("chat-input")).to_have_value(QUICK_QUESTION)
    asked = page.get_by_test_id("user-message").count()
    expect(page.get_by_test_id("assistant-message")).to_have_count(asked)  # none half-stored
    assert page.url == conversation_url
    shots("over the rate")

    wait = int(re.search(r"Try again in (\d+) seconds?", refusal.inner_text()).group(1))
    page.wait_for_timeout(wait * 1000)  # the time the refusal gave
    page.get_by_test_id("chat-input").press("Enter")
    _finished(page)
    expect(refusal).to_have_count(0)
    expect(page.get_by_test_id("user-message")).to_have_count(asked + 1)
    expect(page.get_by_test_id("assistant-message")).to_have_count(asked + 1)
    shots("answered after the wait")
