"""Export: links to the download route (api: /api/drafts/{id}/export?format=...), which checks
the session and the person's access and answers with the file."""

import reflex as rx

from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.ui.components.common import testid


def _item(fmt: str, label: str | rx.Var, icon: str) -> rx.Component:
    return rx.menu.item(
        rx.el.a(
            rx.icon(icon, size=15),
            label,
            href=DraftEditorState.export_links[fmt],
            download=True,
            # rx.el.a is a React Router link: let the browser fetch the file itself.
            reload_document=True,
            custom_attrs=testid(f"export-{fmt}"),
        ),
        as_child=True,
    )


def export_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("download", size=15),
                "Export",
                rx.icon("chevron-down", size=14),
                variant="soft",
                custom_attrs=testid("export-menu"),
            )
        ),
        rx.menu.content(
            _item("docx", "Word document (.docx)", "file-text"),
            _item("pdf", "PDF", "file"),
            _item("md", "Markdown", "file-code"),
            rx.cond(
                DraftEditorState.source_kind == "questionnaire",
                rx.fragment(
                    rx.menu.separator(),
                    _item("original", DraftEditorState.original_label, "sheet"),
                ),
            ),
        ),
    )
