"""Importing a questionnaire, in one dialog: drop or choose the file, check the preview and the
column mapping, give a title and the knowledge bases, create the draft."""

import reflex as rx

from lumikb_app.domain.drafting import MAX_TITLE
from lumikb_app.state.drafting.questionnaire_import import IMPORT_UPLOAD_ID, ImportState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.documents.upload_panel import drop_prompt, label_file_input
from lumikb_app.ui.components.drafting.mapping_preview import mapping_preview
from lumikb_app.ui.components.drafting.new_draft_dialog import kb_field
from lumikb_app.ui.components.forms import dialog_foot, field_label

MUTED = rx.color("gray", 11)


def _drop_events() -> list:
    return [
        ImportState.import_upload_started,
        ImportState.receive_questionnaire(rx.upload_files_chunk(upload_id=IMPORT_UPLOAD_ID)),
    ]


def drop_zone() -> rx.Component:
    zone = rx.upload.root(
        rx.vstack(
            rx.cond(
                ImportState.import_receiving,
                rx.spinner(size="3"),
                rx.icon("file-up", size=24, color=rx.color("accent", 11), aria_hidden="true"),
            ),
            rx.text(
                drop_prompt(
                    ImportState.import_receiving,
                    ImportState.import_received,
                    "Drop the questionnaire here",
                    "choose a file",
                ),
                size="2",
                align="center",
            ),
            rx.text(ImportState.import_limit_label, size="1", color=MUTED),
            align="center",
            spacing="2",
            width="100%",
        ),
        id=IMPORT_UPLOAD_ID,
        multiple=False,
        on_drop=_drop_events(),
        disabled=ImportState.import_receiving,
        border=f"1.5px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        padding="28px 16px",
        width="100%",
        cursor="pointer",
        background=rx.color("gray", 2),
        _hover={"border_color": rx.color("accent", 8)},
        custom_attrs=testid("import-zone"),
    )
    return label_file_input(zone, "Choose the questionnaire file")


def _details() -> rx.Component:
    return rx.vstack(
        field_label("Title", "import-title"),
        rx.input(
            id="import-title",
            default_value=ImportState.import_title,
            key=ImportState.import_filename,
            on_change=ImportState.set_import_title,
            max_length=MAX_TITLE,
            width="100%",
            custom_attrs=testid("import-title"),
        ),
        kb_field(
            chosen=ImportState.import_kb_ids,
            label=ImportState.import_kbs_label,
            used=ImportState.import_kbs_used,
            on_pick=ImportState.pick_import_kb,
            on_all=ImportState.pick_all_import_kbs,
            name="import-kbs",
        ),
        spacing="2",
        width="100%",
    )


def _actions() -> rx.Component:
    return dialog_foot(
        rx.button(
            "Create draft",
            type="button",
            disabled=~ImportState.has_preview,
            loading=ImportState.import_busy,
            on_click=ImportState.create_from_import,
            custom_attrs=testid("import-submit"),
        )
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Import a questionnaire"),
            rx.dialog.description(
                "Each question becomes a section answered from your knowledge bases; the "
                "export fills the same file in.",
                size="2",
                color=MUTED,
                margin_bottom="12px",
            ),
            rx.vstack(
                outcome(ImportState.import_error, error=True, name="import-error"),
                rx.cond(ImportState.has_preview, mapping_preview(), drop_zone()),
                rx.cond(ImportState.has_preview, _details()),
                _actions(),
                spacing="4",
                width="100%",
            ),
            max_width="min(960px, 96vw)",
            custom_attrs=testid("import-dialog"),
        ),
        open=ImportState.import_open,
        on_open_change=ImportState.import_dialog_changed,
    )
