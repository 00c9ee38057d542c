"""The admin console page (/admin/console): the dashboard, then the live and the other panels."""

import reflex as rx

from lumikb_app.state.platform.admin_console import AdminConsoleState as S
from lumikb_app.state.platform.admin_console_rows import FailedRow, Figure, StorageRow
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.shell import page_header, shell
from lumikb_app.ui.pages.platform.admin_console_panels import (
    archived_panel,
    panel,
    queues_panel,
    system_panel,
    table,
    table_or_empty,
    usage_panel,
)
from lumikb_app.ui.pages.platform.admin_home import admin_only, admin_tabs


def _figure(figure: Figure) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(figure.label, size="1", color=rx.color("gray", 11)),
            rx.text(figure.value, size="5", weight="bold"),
            spacing="1",
        ),
        custom_attrs={**testid("figure"), "data-label": figure.label},
    )


def _chart(*bars: tuple[str, str, str], name: str) -> rx.Component:
    return rx.box(
        rx.recharts.bar_chart(
            *(
                rx.recharts.bar(
                    data_key=key, name=label, fill=rx.color(color, 9), is_animation_active=False
                )
                for key, label, color in bars
            ),
            rx.recharts.x_axis(data_key="day"),
            rx.recharts.y_axis(allow_decimals=False),
            rx.recharts.legend(),
            rx.recharts.graphing_tooltip(),
            data=S.chart,
            width="100%",
            height=220,
        ),
        width="100%",
        custom_attrs=testid(name),
    )


def _storage_row(row: StorageRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.name, href="/kb/" + row.kb_id, size="1")),
        rx.table.cell(rx.text(row.documents, size="1")),
        rx.table.cell(rx.text(row.size, size="1")),
        custom_attrs=testid("storage-row"),
    )


def _failed_row(row: FailedRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.name, size="1")),
        rx.table.cell(rx.link(row.kb_name, href="/kb/" + row.kb_id, size="1")),
        rx.table.cell(rx.text(row.error, size="1", color=rx.color("red", 11))),
        rx.table.cell(rx.text(row.when, size="1")),
        custom_attrs=testid("failed-document"),
    )


def dashboard() -> rx.Component:
    return rx.vstack(
        rx.grid(
            rx.foreach(S.figures, _figure),
            columns=rx.breakpoints(initial="2", sm="3", md="5"),
            spacing="3",
            width="100%",
        ),
        panel(
            "Searches and chat answers per day",
            "Counted as people search and chat (UTC days).",
            rx.select(
                ["14", "30"],
                value=S.days.to_string(),
                on_change=S.set_period,
                size="1",
                custom_attrs={**testid("console-period"), "aria-label": "Days shown"},
            ),
            _chart(
                ("searches", "Searches", "indigo"),
                ("chats", "Chat answers", "grass"),
                name="usage-chart",
            ),
            rx.text(
                S.today_label,
                size="1",
                color=rx.color("gray", 11),
                custom_attrs=testid("usage-today"),
            ),
            name="admin-activity",
        ),
        panel(
            "Ingestion",
            "Documents that became ready per day, with their pages and passages.",
            _chart(
                ("documents", "Documents", "amber"),
                ("passages", "Passages", "cyan"),
                name="ingest-chart",
            ),
            name="admin-ingestion",
        ),
        rx.grid(
            panel(
                "Storage per knowledge base",
                "Bytes of the stored files, every kept version included.",
                table(
                    ["Knowledge base", "Documents", "Stored"],
                    rx.foreach(S.storage, _storage_row),
                    "storage-table",
                ),
                name="admin-storage",
            ),
            panel(
                "Failed documents",
                "The newest documents that could not be processed, with the reason.",
                table_or_empty(
                    S.failed_documents,
                    ["Document", "Knowledge base", "Reason", "When"],
                    _failed_row,
                    "failed-documents",
                    "None.",
                ),
                name="admin-failed-documents",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def admin_console_page() -> rx.Component:
    return shell(
        page_header("Admin", "The dashboard, queues, system health and usage.", icon="shield"),
        admin_only(
            admin_tabs("/admin/console"),
            outcome(S.console_error, error=True, name="console-error"),
            outcome(S.console_notice, error=False, name="console-notice"),
            rx.vstack(
                dashboard(),
                queues_panel(),
                system_panel(),
                usage_panel(),
                archived_panel(),
                spacing="4",
                width="100%",
                custom_attrs=testid("admin-console"),
            ),
        ),
    )
