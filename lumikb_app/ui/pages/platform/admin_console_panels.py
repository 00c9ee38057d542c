"""The admin console's live panels (queues, system health) and its usage and archive tables."""

from collections.abc import Callable

import reflex as rx

from lumikb_app.state.platform.admin_console import AdminConsoleState as S
from lumikb_app.state.platform.admin_console_rows import (
    ArchivedRow,
    BackendRow,
    JobRow,
    QueueRow,
    UsageRow,
    WorkerRow,
)
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.responsive import scroll_x


def panel(title: str, description: str, *content: rx.Component, name: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(title, size="3", weight="bold"),
            rx.text(description, size="2", color=rx.color("gray", 11)),
            *content,
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        custom_attrs=testid(name),
    )


def table(headers: list[str], body: rx.Component, name: str) -> rx.Component:
    return scroll_x(
        rx.table.root(
            rx.table.header(
                rx.table.row(*(rx.table.column_header_cell(h) for h in headers)),
            ),
            rx.table.body(body),
            variant="surface",
            size="1",
            width="100%",
            custom_attrs=testid(name),
        )
    )


def _cell(value, **props) -> rx.Component:
    return rx.table.cell(rx.text(value, size="1"), **props)


def _text_row(name: str, *values) -> rx.Component:
    """A row of plain text cells, marked `name` for the tests."""
    return rx.table.row(*(_cell(value) for value in values), custom_attrs=testid(name))


def table_or_empty(items, headers: list[str], row: Callable, name: str, empty: str) -> rx.Component:
    """The table of `items`, or the `empty` sentence when there are none."""
    return rx.cond(
        items.length() > 0,
        table(headers, rx.foreach(items, row), name),
        rx.text(empty, size="2", color=rx.color("gray", 11)),
    )


def _queue_row(row: QueueRow) -> rx.Component:
    return rx.table.row(
        _cell(row.name),
        _cell(row.queued),
        _cell(row.scheduled),
        _cell(row.deferred),
        _cell(row.started),
        rx.table.cell(
            rx.badge(row.failed, color_scheme=rx.cond(row.failed > 0, "red", "gray")),
        ),
        custom_attrs={**testid("queue-row"), "data-queue": row.name},
    )


def _job_actions(job: JobRow) -> rx.Component:
    return rx.hstack(
        rx.cond(
            job.registry == "failed",
            rx.button(
                "Requeue",
                size="1",
                on_click=S.requeue_job(job.id),
                custom_attrs=testid("job-requeue"),
            ),
        ),
        rx.cond(
            job.registry != "started",
            rx.button(
                "Cancel",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.cancel_job(job.id),
                custom_attrs=testid("job-cancel"),
            ),
        ),
        spacing="2",
    )


def _job_row(job: JobRow) -> rx.Component:
    return rx.table.row(
        _cell(job.id),
        _cell(job.queue),
        _cell(job.registry),
        _cell(job.function),
        rx.table.cell(
            rx.cond(
                job.kb_id != "",
                rx.link(job.subject, href="/kb/" + job.kb_id, size="1"),
                rx.text(job.subject, size="1"),
            )
        ),
        _cell(rx.cond(job.started != "", job.started, job.enqueued)),
        rx.table.cell(
            rx.text(
                job.error, size="1", color=rx.color("red", 11), custom_attrs=testid("job-error")
            )
        ),
        rx.table.cell(_job_actions(job)),
        custom_attrs={**testid("job-row"), "data-job": job.id, "data-registry": job.registry},
    )


JOB_HEADERS = ["Job", "Queue", "State", "Function", "For", "Queued / started", "Error", ""]


def queues_panel() -> rx.Component:
    return panel(
        "Queues",
        "Background jobs per queue, refreshed live while this page is open. "
        "Requeue a failed job to run it again; cancel one that has not started.",
        rx.text(
            "Updated ",
            S.live_at,
            " UTC",
            size="1",
            color=rx.color("gray", 10),
            custom_attrs=testid("live-at"),
        ),
        table(
            ["Queue", "Queued", "Scheduled", "Deferred", "Running", "Failed"],
            rx.foreach(S.queues, _queue_row),
            "queue-table",
        ),
        rx.text("Failed jobs", size="2", weight="bold"),
        rx.cond(
            S.failed_jobs.length() > 0,
            table(JOB_HEADERS, rx.foreach(S.failed_jobs, _job_row), "failed-jobs"),
            rx.text(
                "No failed jobs.",
                size="2",
                color=rx.color("gray", 11),
                custom_attrs=testid("no-failed-jobs"),
            ),
        ),
        rx.text("Waiting and running", size="2", weight="bold"),
        rx.cond(
            S.waiting_jobs.length() > 0,
            table(JOB_HEADERS, rx.foreach(S.waiting_jobs, _job_row), "waiting-jobs"),
            rx.text("Nothing waiting.", size="2", color=rx.color("gray", 11)),
        ),
        name="admin-queues",
    )


def _backend_row(row: BackendRow) -> rx.Component:
    return rx.table.row(
        _cell(row.name),
        _cell(row.mode),
        rx.table.cell(
            rx.badge(rx.cond(row.ok, "ok", "down"), color_scheme=rx.cond(row.ok, "green", "red"))
        ),
        _cell(row.latency),
        _cell(row.version),
        _cell(row.error),
        custom_attrs={**testid("backend-row"), "data-backend": row.name},
    )


def _worker_row(row: WorkerRow) -> rx.Component:
    return _text_row(
        "worker-row",
        row.name,
        row.host,
        row.state,
        row.queues,
        row.current_job,
        row.heartbeat,
        row.done,
    )


def system_panel() -> rx.Component:
    return panel(
        "System health",
        "Every backend with its mode, answer time and version, and the job workers with their "
        "last heartbeat. Refreshed live.",
        rx.badge(S.system_label, size="2", custom_attrs=testid("system-status")),
        table(
            ["Backend", "Mode", "Status", "Latency", "Version", "Error"],
            rx.foreach(S.backends, _backend_row),
            "backend-table",
        ),
        rx.cond(
            S.workers_error != "", rx.text(S.workers_error, size="1", color=rx.color("red", 11))
        ),
        table(
            ["Worker", "Host", "State", "Queues", "Current job", "Heartbeat", "Jobs"],
            rx.foreach(S.workers, _worker_row),
            "worker-table",
        ),
        name="admin-system",
    )


def _usage_row(row: UsageRow) -> rx.Component:
    return _text_row("usage-row", row.model, row.kind, row.calls, row.errors, row.tokens, row.cost)


def usage_panel() -> rx.Component:
    return panel(
        "Usage per model (30 days)",
        "Calls, errors, tokens and cost of every model LumiKB called. Cost shows where LiteLLM "
        "knows the model's price; counts are written every few seconds.",
        table(
            ["Model", "Kind", "Calls", "Errors", "Tokens", "Cost"],
            rx.foreach(S.usage, _usage_row),
            "usage-table",
        ),
        name="admin-usage",
    )


def _archived_row(row: ArchivedRow) -> rx.Component:
    return rx.table.row(
        _cell(row.name),
        _cell(row.documents),
        _cell(row.archived),
        rx.table.cell(
            rx.button(
                "Restore",
                size="1",
                on_click=S.restore_kb(row.kb_id),
                custom_attrs=testid("kb-restore"),
            )
        ),
        custom_attrs=testid("archived-row"),
    )


def archived_panel() -> rx.Component:
    return panel(
        "Archived knowledge bases",
        "Archived knowledge bases are hidden from every list and search. Restoring one brings "
        "it back for its members (recorded in the audit log).",
        table_or_empty(
            S.archived,
            ["Knowledge base", "Documents", "Archived", ""],
            _archived_row,
            "archived-table",
            "No archived knowledge bases.",
        ),
        name="admin-archived",
    )
