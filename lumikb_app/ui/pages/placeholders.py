"""Search, Chat and Graph: real pages in the shell, saying plainly what is coming."""

import reflex as rx

from lumikb_app.ui.components.shell import coming_soon, page_header, shell


def search_page() -> rx.Component:
    return shell(
        page_header(
            "Search", "Find passages across every knowledge base you can read.", icon="search"
        ),
        coming_soon(
            "search",
            "Search is coming",
            "Hybrid search (meaning and keywords together) over your documents arrives with document ingestion.",
        ),
    )


def chat_page() -> rx.Component:
    return shell(
        page_header(
            "Chat",
            "Ask questions and get answers that cite the exact passage.",
            icon="messages-square",
        ),
        coming_soon(
            "messages-square",
            "Chat is coming",
            "Answers with numbered citations that open the source at the right page arrive after search.",
        ),
    )


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
