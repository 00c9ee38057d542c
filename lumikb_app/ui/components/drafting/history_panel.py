"""The draft page's history panel: the latest changes of the draft, or one section's versions,
with who made each and when; Restore (after a confirmation) for those who may edit."""

import reflex as rx

from lumikb_app.state.drafting.history import HistoryState, VersionRow
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.confirm_dialog import confirm_action_dialog

MUTED = rx.color("gray", 11)


def version_item(version: VersionRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge(version.number, variant="soft"),
            rx.text(version.change, size="2", weight="medium"),
            rx.spacer(),
            rx.cond(
                HistoryState.history_can_restore,
                rx.button(
                    rx.icon("history", size=12),
                    "Restore",
                    size="1",
                    variant="soft",
                    on_click=HistoryState.ask_restore_version(version.id),
                    aria_label="Restore " + version.number + " of " + version.section_title,
                    custom_attrs=testid("version-restore"),
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(
            version.who + " · ",
            rx.text.span(version.when, title=version.exact),
            size="1",
            color=MUTED,
            custom_attrs=testid("version-who"),
        ),
        rx.cond(
            HistoryState.history_section == "",
            rx.button(
                version.section_title,
                size="1",
                variant="ghost",
                max_width="100%",
                on_click=HistoryState.show_section_history(version.section_id),
                custom_attrs=testid("version-section"),
            ),
        ),
        rx.text(version.excerpt, size="1", color=rx.color("gray", 12), margin_top="4px"),
        padding="8px 10px",
        border_radius="8px",
        border=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        custom_attrs={**testid("version"), "data-id": version.id},
    )


def restore_dialog() -> rx.Component:
    return confirm_action_dialog(
        title="Restore this version",
        description=rx.fragment(
            rx.text.span("Put "),
            rx.text.strong(HistoryState.restore_version_label),
            rx.text.span(
                " back as the section's answer? The current text stays in the history, so you "
                "can restore it again."
            ),
        ),
        confirm_label="Restore",
        on_confirm=HistoryState.confirm_restore_version(HistoryState.restore_version_id),
        is_open=HistoryState.restore_version_id != "",
        on_open_change=HistoryState.restore_dialog_changed,
        name="restore-version",
    )


def history_panel() -> rx.Component:
    """Place it on the draft page; HistoryState.load_history fills it, and a section's button
    may call HistoryState.show_section_history(section_id)."""
    return rx.vstack(
        rx.hstack(
            rx.heading(
                HistoryState.history_heading, size="3", custom_attrs=testid("history-heading")
            ),
            rx.spacer(),
            rx.cond(
                HistoryState.history_section != "",
                rx.button(
                    "Whole draft",
                    size="1",
                    variant="ghost",
                    on_click=HistoryState.load_history,
                    custom_attrs=testid("history-all"),
                ),
            ),
            align="center",
            width="100%",
        ),
        outcome(HistoryState.history_error, error=True, name="history-error"),
        outcome(HistoryState.history_notice, error=False, name="history-notice"),
        rx.cond(
            HistoryState.version_rows.length() > 0,
            rx.vstack(
                rx.foreach(HistoryState.version_rows, version_item), spacing="2", width="100%"
            ),
            rx.text("No changes yet.", size="2", color=MUTED, custom_attrs=testid("history-empty")),
        ),
        restore_dialog(),
        spacing="3",
        width="100%",
        custom_attrs=testid("history-panel"),
    )
