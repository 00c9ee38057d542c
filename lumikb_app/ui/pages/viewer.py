"""The document viewer: a document at a page, the cited passage highlighted."""

import reflex as rx

from lumikb_app.ui.components.shell import page_header, shell


def viewer_page() -> rx.Component:
    return shell(page_header("Document", icon="file-text"))
