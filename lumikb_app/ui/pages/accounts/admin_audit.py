"""/admin/audit: filters, the paginated events table and the CSV export of what is filtered."""

import reflex as rx

from lumikb_app.state.accounts.admin_audit import ALL, AdminAuditState, AuditRow, KbOption
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.responsive import scroll_x
from lumikb_app.ui.components.shell import main_pane_loading, page_header, shell
from lumikb_app.ui.pages.platform.admin_home import admin_only, admin_tabs

MUTED = rx.color("gray", 11)
# actor, action, knowledge base, from, to, clear
FILTER_COLUMNS = "minmax(0, 1.3fr) minmax(0, 1.1fr) minmax(0, 1.1fr) 152px 152px 84px"


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color=MUTED),
        control,
        spacing="1",
        width="100%",
        min_width="0",
    )


def _action_filter() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", custom_attrs=testid("audit-action-filter")),
        rx.select.content(
            rx.select.item("All actions", value=ALL),
            rx.foreach(AdminAuditState.action_options, lambda a: rx.select.item(a, value=a)),
        ),
        value=AdminAuditState.action_filter,
        on_change=AdminAuditState.filter_action,
    )


def _kb_filter() -> rx.Component:
    def option(kb: KbOption) -> rx.Component:
        return rx.select.item(kb.name, value=kb.id)

    return rx.select.root(
        rx.select.trigger(width="100%", custom_attrs=testid("audit-kb-filter")),
        rx.select.content(
            rx.select.item("All knowledge bases", value=ALL),
            rx.foreach(AdminAuditState.kb_options, option),
        ),
        value=AdminAuditState.kb_filter,
        on_change=AdminAuditState.filter_kb,
    )


def _filters() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.grid(
                _labelled(
                    "Actor",
                    rx.input(
                        rx.input.slot(rx.icon("search", size=14)),
                        placeholder="Email contains…",
                        value=AdminAuditState.actor_filter,
                        on_change=AdminAuditState.filter_actor,
                        debounce_timeout=300,
                        width="100%",
                        custom_attrs=testid("audit-actor-filter"),
                    ),
                ),
                _labelled("Action", _action_filter()),
                _labelled("Knowledge base", _kb_filter()),
                _labelled(
                    "From (UTC)",
                    rx.input(
                        type="date",
                        value=AdminAuditState.since_filter,
                        on_change=AdminAuditState.filter_since,
                        width="100%",
                        custom_attrs=testid("audit-since-filter"),
                    ),
                ),
                _labelled(
                    "To (UTC)",
                    rx.input(
                        type="date",
                        value=AdminAuditState.until_filter,
                        on_change=AdminAuditState.filter_until,
                        width="100%",
                        custom_attrs=testid("audit-until-filter"),
                    ),
                ),
                rx.cond(
                    AdminAuditState.has_filters,
                    rx.button(
                        rx.icon("x", size=14),
                        "Clear",
                        on_click=AdminAuditState.clear_filters,
                        variant="soft",
                        color_scheme="gray",
                        custom_attrs=testid("audit-clear-filters"),
                    ),
                ),
                grid_template_columns=FILTER_COLUMNS,
                gap="12px",
                align_items="end",
                width="100%",
            ),
            outcome(AdminAuditState.filter_error, error=True, name="audit-filter-error"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        margin_bottom="16px",
    )


def _cell_text(value, **props) -> rx.Component:
    # Wrap long values between words, and inside a word only when it cannot fit.
    return rx.text(value, size="1", overflow_wrap="break-word", **props)


def _time(event: AuditRow) -> rx.Component:
    return rx.vstack(
        _cell_text(event.date, color=rx.color("gray", 12)),
        _cell_text(event.clock, color=MUTED),
        spacing="0",
    )


def _event_row(event: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_time(event), white_space="nowrap"),
        rx.table.cell(_cell_text(event.actor)),
        rx.table.cell(_cell_text(event.ip, color=MUTED, font_family="var(--code-font-family)")),
        rx.table.cell(
            rx.badge(
                event.action,
                color_scheme=event.tone,
                variant="soft",
                custom_attrs=testid("audit-action"),
            )
        ),
        rx.table.cell(_cell_text(event.target)),
        rx.table.cell(_cell_text(event.kb)),
        rx.table.cell(
            _cell_text(
                event.details,
                color=MUTED,
                font_family="var(--code-font-family)",
                max_width="240px",
            )
        ),
        custom_attrs=testid("audit-row"),
    )


def _events_table() -> rx.Component:
    return rx.card(
        scroll_x(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Time (UTC)", white_space="nowrap"),
                        *(
                            rx.table.column_header_cell(name)
                            for name in ("Actor", "IP", "Action", "Target", "KB", "Details")
                        ),
                    )
                ),
                rx.table.body(rx.foreach(AdminAuditState.rows, _event_row)),
                variant="ghost",
                size="1",
                width="100%",
                custom_attrs=testid("audit-table"),
            ),
            label="Audit events",
        ),
        rx.cond(
            AdminAuditState.rows.length() == 0,
            rx.center(
                rx.text("No events match these filters.", size="2", color=MUTED),
                padding="32px",
                custom_attrs=testid("audit-empty"),
            ),
        ),
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(
            AdminAuditState.page_label,
            size="2",
            color=MUTED,
            custom_attrs=testid("audit-page-label"),
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=15),
            "Previous",
            on_click=AdminAuditState.previous_page,
            disabled=AdminAuditState.page <= 1,
            variant="soft",
            color_scheme="gray",
            custom_attrs=testid("audit-previous"),
        ),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=15),
            on_click=AdminAuditState.next_page,
            disabled=AdminAuditState.page >= AdminAuditState.page_count,
            variant="soft",
            color_scheme="gray",
            custom_attrs=testid("audit-next"),
        ),
        align="center",
        spacing="2",
        width="100%",
        margin_top="12px",
    )


def _export_link() -> rx.Component:
    return rx.button(
        rx.el.a(
            rx.icon("download", size=15),
            "Export CSV",
            href=AdminAuditState.export_href,
            download=True,
            # rx.el.a is a React Router link: let the browser fetch the file itself.
            reload_document=True,
            custom_attrs=testid("audit-export"),
        ),
        as_child=True,
        variant="outline",
    )


def admin_audit_page() -> rx.Component:
    return shell(
        page_header("Admin", "Users, access, settings and the audit log.", icon="shield"),
        admin_only(
            admin_tabs("/admin/audit"),
            rx.cond(
                AdminAuditState.loaded,
                rx.box(
                    rx.hstack(
                        rx.vstack(
                            rx.text("Audit log", size="4", weight="bold"),
                            rx.text(
                                "Append-only and hash-chained. The export contains every event "
                                "matching the filters and is itself recorded.",
                                size="2",
                                color=MUTED,
                            ),
                            spacing="1",
                        ),
                        rx.spacer(),
                        _export_link(),
                        align="center",
                        width="100%",
                        margin_bottom="16px",
                    ),
                    _filters(),
                    _events_table(),
                    _pager(),
                    width="100%",
                    custom_attrs=testid("admin-audit"),
                ),
                main_pane_loading(),
            ),
        ),
    )
