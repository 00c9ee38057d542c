"""Admin landing (/admin) and the pieces every admin page shares: the tabs and the no-access view."""

import reflex as rx

from lumikb_app.state.knowledge_bases.kb_creation import POLICY_LABELS, KbCreationState
from lumikb_app.state.platform.admin_maintenance import AdminMaintenanceState, CountRow
from lumikb_app.state.session import AppState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.responsive import scroll_x
from lumikb_app.ui.components.shell import page_header, shell

ADMIN_SECTIONS = (
    ("Overview", "/admin", "layout-dashboard"),
    ("Console", "/admin/console", "activity"),
    ("Users", "/admin/users", "users"),
    ("Models", "/admin/models", "cpu"),
    ("Audit log", "/admin/audit", "scroll-text"),
)


def admin_tabs(current: str) -> rx.Component:
    """Links between the admin pages, the current one underlined (on a phone they scroll
    sideways)."""
    return scroll_x(
        rx.hstack(
            *(
                rx.link(
                    rx.hstack(
                        rx.icon(icon, size=15),
                        rx.text(label, size="2", weight="medium"),
                        align="center",
                        spacing="2",
                        padding_x="4px",
                        padding_bottom="10px",
                        border_bottom=f"2px solid {rx.color('accent', 9) if href == current else 'transparent'}",
                        color=rx.color("accent", 11) if href == current else rx.color("gray", 11),
                        _hover={"color": rx.color("gray", 12)},
                    ),
                    href=href,
                    underline="none",
                    custom_attrs={
                        **testid(f"admin-tab-{label.split()[0].lower()}"),
                        "aria-current": "page" if href == current else "false",
                    },
                )
                for label, href, icon in ADMIN_SECTIONS
            ),
            spacing="5",
            width="100%",
            min_width="max-content",
            border_bottom=f"1px solid {rx.color('gray', 5)}",
        ),
        label="Admin sections",
        margin_bottom="24px",
    )


def no_access() -> rx.Component:
    return rx.callout(
        "You do not have access to this page. Administrator rights are needed.",
        icon="lock",
        color_scheme="gray",
        size="2",
        custom_attrs=testid("admin-no-access"),
    )


def admin_only(*content: rx.Component) -> rx.Component:
    """Shown to administrators only; the services refuse everyone else anyway."""
    return rx.cond(AppState.is_admin, rx.fragment(*content), no_access())


def _section_card(title: str, description: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(
                    rx.icon(icon, size=20, color=rx.color("accent", 11)),
                    width="42px",
                    height="42px",
                    min_width="42px",
                    border_radius="10px",
                    background=rx.color("accent", 3),
                ),
                rx.vstack(
                    rx.text(title, size="3", weight="bold", color=rx.color("gray", 12)),
                    rx.text(description, size="2", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                rx.spacer(),
                rx.icon("chevron-right", size=18, color=rx.color("gray", 9)),
                align="center",
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
            _hover={"box_shadow": f"0 0 0 1px {rx.color('accent', 8)}"},
        ),
        href=href,
        underline="none",
        width="100%",
        custom_attrs=testid(f"admin-card-{href.rsplit('/', 1)[-1]}"),
    )


def _count_row(row: CountRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.label, size="2")),
        rx.table.cell(rx.text(row.count, size="2", weight="medium"), text_align="right"),
        custom_attrs={**testid("reconcile-count"), "data-key": row.key},
    )


def _setting_card(
    title: str, description: str, control: rx.Component, *below: rx.Component, name: str
) -> rx.Component:
    """A card of the overview: what a setting or action does, its control, what it answered."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(title, size="3", weight="bold"),
                    rx.text(description, size="2", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                rx.spacer(),
                control,
                align="center",
                spacing="4",
                width="100%",
            ),
            *below,
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        custom_attrs=testid(name),
    )


def consistency_card() -> rx.Component:
    state = AdminMaintenanceState
    return _setting_card(
        "Consistency check",
        "Finds and repairs disagreements between the database, the search index "
        "and stored files. It also runs on its own schedule.",
        rx.button(
            rx.icon("refresh-cw", size=14),
            "Run now",
            loading=state.reconcile_running,
            on_click=state.run_reconcile,
            custom_attrs=testid("reconcile-run"),
        ),
        outcome(state.reconcile_error, error=True, name="reconcile-error"),
        rx.cond(
            state.reconcile_counts.length() > 0,
            rx.table.root(
                rx.table.body(rx.foreach(state.reconcile_counts, _count_row)),
                variant="surface",
                size="1",
                width="100%",
                custom_attrs=testid("reconcile-result"),
            ),
        ),
        name="admin-consistency",
    )


def kb_creation_card() -> rx.Component:
    state = KbCreationState
    return _setting_card(
        "Who may create knowledge bases",
        "Whoever creates a knowledge base becomes its admin and chooses its "
        "models from the registry.",
        rx.select.root(
            rx.select.trigger(
                custom_attrs={**testid("kb-creation"), "aria-label": "Who may create"}
            ),
            rx.select.content(
                *(rx.select.item(label, value=key) for key, label in POLICY_LABELS.items())
            ),
            value=state.kb_creation,
            on_change=state.set_kb_creation,
        ),
        outcome(state.kb_creation_error, error=True, name="kb-creation-error"),
        outcome(state.kb_creation_notice, error=False, name="kb-creation-notice"),
        name="kb-creation-card",
    )


def admin_home_page() -> rx.Component:
    return shell(
        page_header("Admin", "Users, access, settings and the audit log.", icon="shield"),
        admin_only(
            admin_tabs("/admin"),
            rx.grid(
                _section_card(
                    "Console",
                    "The dashboard, live queues and system health, usage per model, and "
                    "archived knowledge bases.",
                    "/admin/console",
                    "activity",
                ),
                _section_card(
                    "Users",
                    "Create accounts, change roles, deactivate, unlock and send reset links. "
                    "Self-registration is set here too.",
                    "/admin/users",
                    "users",
                ),
                _section_card(
                    "Models",
                    "The chat, embedding and extraction models LumiKB may call, their keys' "
                    "variables, the default of each kind, and a connection test.",
                    "/admin/models",
                    "cpu",
                ),
                _section_card(
                    "Audit log",
                    "Every sign-in, lockout, account and access change, filterable and "
                    "exportable as CSV.",
                    "/admin/audit",
                    "scroll-text",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.box(kb_creation_card(), width="100%", margin_top="16px"),
            rx.box(consistency_card(), width="100%", margin_top="16px"),
        ),
    )
