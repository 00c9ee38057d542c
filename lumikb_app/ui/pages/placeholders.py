"""Graph: a real page in the shell, saying plainly what is coming."""

import reflex as rx

from lumikb_app.ui.components.shell import coming_soon, page_header, shell


def graph_page() -> rx.Component:
    return shell(
        page_header(
            "Graph",
            "Explore the people, systems and ideas your documents mention.",
            icon="waypoints",
        ),
        coming_soon(
            "waypoints",
            "The knowledge graph is coming",
            "Entities and relations extracted from your documents, drawn interactively per knowledge base.",
        ),
    )
