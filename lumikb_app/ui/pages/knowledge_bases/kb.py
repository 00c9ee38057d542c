"""One knowledge base. Missing and forbidden look the same, so ids cannot be probed."""

import reflex as rx

from lumikb_app.state.knowledge_bases.kb_settings import KbManageLinkState
from lumikb_app.state.shell import NOT_FOUND_MESSAGE, KbPageState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.documents.documents_table import documents_section
from lumikb_app.ui.components.shell import main_pane_loading, page_header, shell


def _settings_link() -> rx.Component:
    """Only for KB admins; the settings page and the services check again."""
    return rx.cond(
        KbManageLinkState.can_manage,
        rx.link(
            rx.button(rx.icon("settings", size=16), "Settings", variant="soft"),
            href="/kb/" + KbManageLinkState.manage_kb_id + "/settings",
            custom_attrs=testid("kb-settings-link"),
        ),
    )


def _found() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            page_header(KbPageState.kb_name, KbPageState.kb_description, icon="book-open"),
            rx.spacer(),
            _settings_link(),
            align="start",
            width="100%",
        ),
        documents_section(),
        width="100%",
        custom_attrs=testid("kb-page"),
    )


def kb_not_found() -> rx.Component:
    """A knowledge base that is missing or not readable: the same answer for both."""
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
            rx.cond(KbPageState.kb_found, _found(), kb_not_found()),
            main_pane_loading(),
        )
    )
