"""One knowledge base. Missing and forbidden look the same, so ids cannot be probed."""

import reflex as rx

from lumikb_app.state.shell import NOT_FOUND_MESSAGE, KbPageState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.shell import coming_soon, main_pane_loading, page_header, shell


def _found() -> rx.Component:
    return rx.vstack(
        page_header(KbPageState.kb_name, KbPageState.kb_description, icon="book-open"),
        coming_soon(
            "file-up",
            "Documents",
            "Uploading documents, watching them being indexed and browsing them is coming in a later release.",
        ),
        width="100%",
        custom_attrs=testid("kb-page"),
    )


def _not_found() -> rx.Component:
    return rx.callout(
        NOT_FOUND_MESSAGE,
        icon="lock",
        color_scheme="gray",
        size="2",
        custom_attrs=testid("kb-not-found"),
    )


def kb_page() -> rx.Component:
    # Until this page's on_load has run, the previous knowledge base must not show.
    return shell(
        rx.cond(
            rx.State.is_hydrated,
            rx.cond(KbPageState.kb_found, _found(), _not_found()),
            main_pane_loading(),
        )
    )
