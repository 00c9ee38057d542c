"""Export: links to the download route (api: /api/drafts/{id}/export?format=...), which checks
the session and the person's access and answers with the file."""

import reflex as rx

from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.ui.components.common import testid


def _item(fmt: str, label: str | rx.Var, icon: str) -> rx.Component:
    return rx.menu.item(
        rx.el.a(  # a plain link: the browser downloads the file (no client-side routing)
            rx.hstack(rx.icon(icon, size=15), rx.text(label), align="center", spacing="2"),
            href=DraftEditorState.export_links[fmt],
            download="",
            color="inherit",
            text_decoration="none",
            width="100%",
            custom_attrs=testid(f"export-{fmt}"),
        ),
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
