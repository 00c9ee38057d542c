"""Admin console journey: a background job really fails in RQ (an outbox event whose payload
lacks its document id, dispatched by the consistency check), the console shows it in the failed
registry with its error, live; the admin requeues it once its cause is fixed and sees it leave
the failed registry; a search shows up in the dashboard's searches per day; the live refresh
stops when the tab closes; members are kept out.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, Shots, wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

LIVE_TIMEOUT_MS = 60_000


def _add_outbox_event(data_dir, payload: dict) -> int:
    """An outbox row as a crashed request would leave it: old enough for the check to dispatch."""
    created = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(data_dir / "lumikb.sqlite3", timeout=30) as db:
        cursor = db.execute(
            "INSERT INTO outbox (kind, payload, attempts, created_at) VALUES (?, ?, 0, ?)",
            ("purge_document", json.dumps(payload), created),
        )
        return int(cursor.lastrowid)


def _set_payload(data_dir, event_id: int, payload: dict) -> None:
    with sqlite3.connect(data_dir / "lumikb.sqlite3", timeout=30) as db:
        db.execute("UPDATE outbox SET payload = ? WHERE id = ?", (json.dumps(payload), event_id))


def _job_row(page, job_id: str, registry: str):
    return page.locator(f'[data-testid="job-row"][data-job="{job_id}"][data-registry="{registry}"]')


def _searches_today(page) -> int:
    text = page.get_by_test_id("usage-today").inner_text()
    return int(re.search(r"Today: (\d+) searches", text).group(1))


def test_admin_sees_a_failed_job_requeues_it_and_reads_the_dashboard(
    page, app_server, shots: Shots
):
    event_id = _add_outbox_event(app_server.data_dir, {})  # no document_id: the job raises
    job_id = f"outbox-{event_id}"
    login(page, app_server.admin_email, app_server.admin_password)

    page.goto("/admin")
    wait_for_hydration(page)
    page.get_by_test_id("reconcile-run").click()  # dispatches the outbox event as a job
    expect(page.get_by_test_id("reconcile-result")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    page.get_by_test_id("admin-tab-console").click()
    page.wait_for_url("**/admin/console")
    wait_for_hydration(page)
    expect(page.get_by_test_id("admin-console")).to_be_visible()
    # The job fails four times (one retry a second here) and lands in the failed registry: the
    # live panel shows it without a reload.
    failed = _job_row(page, job_id, "failed")
    expect(failed).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(failed.get_by_test_id("job-error")).to_contain_text("KeyError: 'document_id'")
    expect(page.locator('[data-testid="queue-row"][data-queue="default"]')).to_contain_text("1")
    expect(page.locator('[data-testid="backend-row"][data-backend="database"]')).to_contain_text(
        "ok"
    )
    expect(page.get_by_test_id("worker-row")).to_have_count(2)  # the embedded worker threads
    failed.scroll_into_view_if_needed()
    shots("failed job with its error")

    first_update = page.get_by_test_id("live-at").inner_text()
    expect(page.get_by_test_id("live-at")).not_to_have_text(first_update, timeout=10_000)

    _set_payload(app_server.data_dir, event_id, {"document_id": "gone", "kb_id": "gone"})
    failed.get_by_test_id("job-requeue").click()
    expect(page.get_by_test_id("console-notice")).to_contain_text(f"Queued again: {job_id}")
    expect(_job_row(page, job_id, "failed")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(page.get_by_test_id("no-failed-jobs")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    page.get_by_test_id("admin-system").scroll_into_view_if_needed()
    shots("requeued job left the failed registry, health and workers")

    before = _searches_today(page)
    page.goto("/search")
    wait_for_hydration(page)
    box = page.get_by_test_id("search-input")
    box.fill("release checklist")
    box.press("Enter")
    answered = page.get_by_test_id("search-results").or_(page.get_by_test_id("search-no-results"))
    expect(answered.first).to_be_visible()

    # Counts reach the database within about ten seconds: reload until the chart has it.
    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while True:
        page.goto("/admin/console")
        wait_for_hydration(page)
        expect(page.get_by_test_id("usage-today")).to_contain_text("Today:")
        if _searches_today(page) > before or datetime.now(UTC) > deadline:
            break
        page.wait_for_timeout(3_000)
    assert _searches_today(page) > before
    bars = page.get_by_test_id("usage-chart").locator(".recharts-bar-rectangle")
    expect(bars.first).to_be_visible()
    shots("dashboard chart with today's searches")


def test_a_member_is_kept_out_of_the_console(browser, app_server):
    member = new_page(browser, app_server.base_url)
    login(member, app_server.email, app_server.password)
    member.goto("/admin/console")
    wait_for_hydration(member)
    expect(member.get_by_test_id("admin-no-access")).to_be_visible()
    expect(member.get_by_test_id("admin-console")).to_have_count(0)
    member.context.close()


def _stops() -> int:
    """How many live refreshes ended (whatever the reason), from the server's log."""
    log = (ARTIFACTS / "e2e-server.log").read_text(errors="replace")
    return log.count("admin console live refresh stopped:")


def test_the_live_refresh_stops_when_the_tab_closes(browser, app_server):
    admin = new_page(browser, app_server.base_url)
    login(admin, app_server.admin_email, app_server.admin_password)
    admin.goto("/admin/console")
    wait_for_hydration(admin)
    first_update = admin.get_by_test_id("live-at").inner_text()
    expect(admin.get_by_test_id("live-at")).not_to_have_text(first_update, timeout=10_000)
    before = _stops()
    admin.context.close()
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    while _stops() == before and datetime.now(UTC) < deadline:
        time.sleep(0.5)
    assert _stops() == before + 1
