"""The search page: passages across every knowledge base the user can read."""

import reflex as rx

from lumikb_app.ui.components.shell import page_header, shell


def search_page() -> rx.Component:
    return shell(
        page_header(
            "Search", "Find passages across every knowledge base you can read.", icon="search"
        ),
    )
