"""KB settings' knowledge graph card: mode, graph retrieval, status, re-extraction, estimate."""

import reflex as rx

from lumikb_app.state.knowledge_bases.kb_graph import KbGraphState
from lumikb_app.ui.components.common import outcome, testid

MUTED = rx.color("gray", 11)
HINT = rx.color("gray", 10)


def _mode_option(value: str, label: str, hint, disabled=False) -> rx.Component:
    return rx.text(
        rx.hstack(
            rx.radio_group.item(
                value=value, disabled=disabled, custom_attrs=testid(f"graph-mode-{value}")
            ),
            rx.vstack(
                rx.text(label, size="2", weight="medium"),
                rx.text(hint, size="1", color=HINT),
                spacing="0",
            ),
            spacing="2",
            align="start",
        ),
        as_="label",
        opacity=rx.cond(disabled, "0.6", "1"),
        cursor=rx.cond(disabled, "not-allowed", "pointer"),
    )


def _mode_control() -> rx.Component:
    return rx.radio_group.root(
        rx.vstack(
            _mode_option("off", "Off", "No graph is built; search and chat use passages only."),
            _mode_option(
                "fast",
                "On, without a language model",
                "Key terms, names and references, read on this server in seconds. Free.",
            ),
            _mode_option(
                "llm",
                "On, with a language model",
                rx.cond(
                    KbGraphState.llm_model != "",
                    "Richer entities and relations written by "
                    + KbGraphState.llm_model
                    + "; costs model calls (you see the estimate first).",
                    KbGraphState.llm_disabled_reason,
                ),
                disabled=KbGraphState.llm_model == "",
            ),
            spacing="3",
        ),
        value=KbGraphState.graph_mode,
        on_change=KbGraphState.choose_mode,
        custom_attrs={**testid("graph-mode"), "aria-label": "Knowledge graph mode"},
    )


def _retrieval_switch() -> rx.Component:
    return rx.text(
        rx.hstack(
            rx.switch(
                checked=KbGraphState.graph_retrieval,
                on_change=KbGraphState.set_graph_retrieval,
                disabled=KbGraphState.graph_mode == "off",
                custom_attrs=testid("graph-retrieval"),
            ),
            rx.vstack(
                rx.text("Use the graph in search and chat", size="2", weight="medium"),
                rx.text(
                    "Passages linked through the graph join the results; each question can "
                    "still turn it off.",
                    size="1",
                    color=HINT,
                ),
                spacing="0",
            ),
            spacing="2",
            align="start",
        ),
        as_="label",
    )


def _figure(label: str, value, name: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=MUTED),
        rx.text(value, size="4", weight="bold", custom_attrs=testid(name)),
        spacing="0",
    )


def _status() -> rx.Component:
    card = KbGraphState.card
    return rx.vstack(
        rx.grid(
            _figure("Entities", card.entities, "graph-entities"),
            _figure("Relations", card.relations, "graph-relations"),
            _figure("Communities", card.communities, "graph-communities"),
            _figure("Documents in the graph", card.documents, "graph-documents"),
            _figure("Passages that failed", card.failed_chunks, "graph-failed-chunks"),
            _figure("Last extraction", card.last_extraction, "graph-last-extraction"),
            rx.cond(card.tokens != "", _figure("Model tokens spent", card.tokens, "graph-tokens")),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        rx.cond(
            card.extracting != "",
            rx.hstack(
                rx.spinner(size="1"),
                rx.text(card.extracting, size="2", color=MUTED),
                align="center",
                spacing="2",
                custom_attrs=testid("graph-extracting"),
            ),
        ),
        rx.cond(
            card.failed.length() > 0,
            rx.vstack(
                rx.text("Documents whose graph failed", size="2", weight="medium"),
                rx.foreach(
                    card.failed,
                    lambda line: rx.text(line, size="1", color=rx.color("red", 11)),
                ),
                rx.cond(card.more_failed != "", rx.text(card.more_failed, size="1", color=HINT)),
                spacing="1",
                custom_attrs=testid("graph-failed-documents"),
            ),
        ),
        spacing="3",
        width="100%",
        custom_attrs=testid("graph-status"),
    )


def _estimate_row(label: str, value, name: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=MUTED, width="120px"),
        rx.text(value, size="2", weight="medium", custom_attrs=testid(name)),
        spacing="2",
    )


def _estimate_dialog() -> rx.Component:
    estimate = KbGraphState.estimate
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(
                    KbGraphState.estimate_for == "reextract",
                    "Extract everything again with the language model?",
                    "Build the graph with the language model?",
                )
            ),
            rx.alert_dialog.description(
                "The model reads every passage of this knowledge base's documents. An estimate:",
                size="2",
            ),
            rx.vstack(
                _estimate_row("Passages", estimate.chunks, "estimate-chunks"),
                _estimate_row("Calls", estimate.calls, "estimate-calls"),
                _estimate_row("Tokens", estimate.tokens, "estimate-tokens"),
                _estimate_row("Time", estimate.time, "estimate-time"),
                _estimate_row("Cost", estimate.cost, "estimate-cost"),
                spacing="1",
                margin_top="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        custom_attrs=testid("estimate-cancel"),
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Start extraction",
                        on_click=KbGraphState.confirm_estimate(KbGraphState.estimate_for),
                        custom_attrs=testid("estimate-confirm"),
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            custom_attrs=testid("graph-estimate"),
        ),
        open=KbGraphState.estimate_for != "",
        on_open_change=KbGraphState.estimate_dialog_changed,
    )


def graph_settings_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Knowledge graph", size="4"),
            rx.text(
                "The things your documents name and how they relate, linked to the passages "
                "that mention them: search and chat follow these links across documents. "
                "Turning the graph off keeps what was extracted.",
                size="1",
                color=HINT,
            ),
            outcome(KbGraphState.graph_error, error=True, name="graph-error"),
            outcome(KbGraphState.graph_notice, error=False, name="graph-notice"),
            rx.cond(
                KbGraphState.graph_loaded,
                rx.vstack(
                    _mode_control(),
                    rx.cond(
                        KbGraphState.estimating,
                        rx.hstack(
                            rx.spinner(size="1"),
                            rx.text("Working out the estimate…", size="2", color=MUTED),
                            align="center",
                            spacing="2",
                            custom_attrs=testid("graph-estimating"),
                        ),
                    ),
                    _retrieval_switch(),
                    rx.separator(size="4"),
                    _status(),
                    rx.button(
                        rx.icon("refresh-cw", size=14),
                        "Re-extract",
                        variant="soft",
                        disabled=(KbGraphState.graph_mode == "off") | KbGraphState.estimating,
                        on_click=KbGraphState.reextract,
                        custom_attrs=testid("graph-reextract"),
                    ),
                    spacing="4",
                    width="100%",
                ),
                rx.center(rx.spinner(size="2"), width="100%", padding_y="16px"),
            ),
            _estimate_dialog(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs=testid("graph-settings"),
    )
