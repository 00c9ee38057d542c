"""/drafts: the user's drafts and those shared with them, each with how far its sections have
come; new draft from a template, import a questionnaire, rename, delete (confirmed)."""

import reflex as rx

from lumikb_app.domain.drafting import MAX_TITLE
from lumikb_app.state.drafting.draft_create import NewDraftState
from lumikb_app.state.drafting.draft_rows import DraftRow
from lumikb_app.state.drafting.drafts_list import DraftsListState
from lumikb_app.state.drafting.questionnaire_import import ImportState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.confirm_dialog import confirm_delete_dialog
from lumikb_app.ui.components.drafting.import_flow import import_dialog
from lumikb_app.ui.components.drafting.new_draft_dialog import new_draft_dialog
from lumikb_app.ui.components.forms import dialog_foot, field_label
from lumikb_app.ui.components.row_menu import row_menu
from lumikb_app.ui.components.shell import page_header, shell

MUTED = rx.color("gray", 11)
STATUS_COLORS = (
    ("empty", "gray"),
    ("drafted", "blue"),
    ("not_covered", "amber"),
    ("edited", "cyan"),
    ("reviewed", "green"),
)


def _count(status: str, value: rx.Var, color: str) -> rx.Component:
    badge = rx.badge(
        value.to_string() + " " + status.replace("_", " "),
        color_scheme=color,
        variant="soft",
        custom_attrs={**testid("draft-count"), "data-status": status},
    )
    return rx.cond(value > 0, badge) if status == "not_covered" else badge


def _counts(row: DraftRow) -> rx.Component:
    return rx.hstack(
        *(_count(status, getattr(row, status), color) for status, color in STATUS_COLORS),
        spacing="2",
        wrap="wrap",
        custom_attrs=testid("draft-counts"),
    )


def _menu(row: DraftRow) -> rx.Component:
    return row_menu(
        row.title,
        "draft-menu",
        rx.dropdown_menu.item(
            rx.icon("pencil", size=14),
            "Rename",
            disabled=~row.can_edit,
            on_select=DraftsListState.ask_rename_draft(row.id),
            custom_attrs=testid("draft-rename"),
        ),
        rx.dropdown_menu.separator(),
        rx.dropdown_menu.item(
            rx.icon("trash-2", size=14),
            "Delete",
            color="red",
            disabled=~row.is_owner,
            on_select=DraftsListState.ask_delete_draft(row.id),
            custom_attrs=testid("draft-delete"),
        ),
    )


def _facts(row: DraftRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.kind, custom_attrs=testid("draft-kind")),
        rx.text("·", aria_hidden="true"),
        rx.text(row.kbs, custom_attrs=testid("draft-kbs")),
        rx.cond(~row.is_owner, rx.text("· owner " + row.owner_name)),
        rx.text("·", aria_hidden="true"),
        rx.text(row.updated, title=row.when),
        gap="2px 6px",
        wrap="wrap",
        font_size="13px",
        color=MUTED,
    )


def draft_card(row: DraftRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("file-pen-line", size=18, color=rx.color("accent", 11), aria_hidden="true"),
                rx.link(
                    row.title,
                    href="/drafts/" + row.id,
                    size="3",
                    weight="bold",
                    flex="1",
                    min_width="0",
                    custom_attrs=testid("draft-open"),
                ),
                rx.badge(row.role_label, variant="outline", custom_attrs=testid("draft-role")),
                _menu(row),
                align="center",
                spacing="2",
                width="100%",
            ),
            _facts(row),
            _counts(row),
            rx.hstack(
                rx.progress(value=row.percent, max=100, flex="1", aria_label=row.progress),
                rx.text(row.progress, size="1", color=MUTED, white_space="nowrap"),
                align="center",
                spacing="3",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={**testid("draft-card"), "data-title": row.title, "data-id": row.id},
    )


def _empty(text: str, name: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("file-pen-line", size=28, color=rx.color("gray", 9), aria_hidden="true"),
            rx.text(text, size="2", color=MUTED, align="center", max_width="460px"),
            align="center",
            spacing="3",
            padding="32px 16px",
        ),
        width="100%",
        custom_attrs=testid(name),
    )


def _list(rows: rx.Var, empty: rx.Component) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.vstack(rx.foreach(rows, draft_card), spacing="3", width="100%"),
        empty,
    )


def drafts_tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(
                DraftsListState.mine_label, value="mine", custom_attrs=testid("tab-mine")
            ),
            rx.tabs.trigger(
                DraftsListState.shared_label, value="shared", custom_attrs=testid("tab-shared")
            ),
            custom_attrs={"aria-label": "Which drafts to show"},
        ),
        rx.tabs.content(
            _list(
                DraftsListState.my_drafts,
                _empty(
                    "No drafts yet. Start one from a template, or import a questionnaire: each "
                    "question is answered from your knowledge bases with its sources.",
                    "drafts-empty",
                ),
            ),
            value="mine",
            padding_top="16px",
        ),
        rx.tabs.content(
            _list(
                DraftsListState.shared_drafts,
                _empty("Nobody has shared a draft with you yet.", "shared-empty"),
            ),
            value="shared",
            padding_top="16px",
        ),
        value=DraftsListState.drafts_filter,
        on_change=DraftsListState.set_drafts_filter,
        width="100%",
        custom_attrs=testid("drafts-filter"),
    )


def rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename draft"),
            rx.form(
                rx.vstack(
                    field_label("Title", "rename-draft-title"),
                    rx.input(
                        id="rename-draft-title",
                        name="title",
                        default_value=DraftsListState.rename_draft_title,
                        key=DraftsListState.rename_draft_id,
                        max_length=MAX_TITLE,
                        auto_focus=True,
                        width="100%",
                        custom_attrs=testid("rename-draft-input"),
                    ),
                    outcome(
                        DraftsListState.rename_draft_error, error=True, name="rename-draft-error"
                    ),
                    dialog_foot(
                        rx.button("Save", type="submit", custom_attrs=testid("rename-draft-save"))
                    ),
                    spacing="3",
                ),
                on_submit=DraftsListState.rename_draft,
                reset_on_submit=False,
            ),
            max_width="440px",
            custom_attrs=testid("rename-draft-dialog"),
        ),
        open=DraftsListState.rename_draft_id != "",
        on_open_change=DraftsListState.rename_draft_dialog_changed,
    )


def delete_dialog() -> rx.Component:
    return confirm_delete_dialog(
        title="Delete draft",
        name=DraftsListState.delete_draft_title,
        consequence=(
            " with all of its sections, versions and comments? The people you shared it with "
            "lose it too. This cannot be undone."
        ),
        on_confirm=DraftsListState.confirm_delete_draft(DraftsListState.delete_draft_id),
        is_open=DraftsListState.delete_draft_id != "",
        on_open_change=DraftsListState.delete_draft_dialog_changed,
    )


def header_actions() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("plus", size=16),
            "New draft",
            on_click=NewDraftState.open_new_draft(""),
            custom_attrs=testid("new-draft"),
        ),
        rx.button(
            rx.icon("file-up", size=16),
            "Import questionnaire",
            variant="soft",
            on_click=ImportState.open_import,
            custom_attrs=testid("import-questionnaire"),
        ),
        rx.link(
            rx.hstack(
                rx.icon("layout-template", size=16, aria_hidden="true"),
                "Templates",
                align="center",
                spacing="1",
            ),
            href="/drafts/templates",
            size="2",
            padding="0 8px",
            custom_attrs=testid("templates-link"),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def drafts_page() -> rx.Component:
    return shell(
        rx.hstack(
            page_header(
                "Drafts",
                "Questionnaires, RFP answers and reports written from your knowledge bases, "
                "every claim cited.",
                icon="file-pen-line",
            ),
            rx.spacer(),
            header_actions(),
            align="start",
            width="100%",
            wrap="wrap",
            margin_bottom="8px",
        ),
        outcome(DraftsListState.drafts_error, error=True, name="drafts-error"),
        outcome(DraftsListState.drafts_notice, error=False, name="drafts-notice"),
        rx.cond(DraftsListState.drafts_loaded, drafts_tabs(), rx.spinner(size="3")),
        rename_dialog(),
        delete_dialog(),
        new_draft_dialog(),
        import_dialog(),
    )
