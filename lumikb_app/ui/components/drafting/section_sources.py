"""A section's numbered sources (chat's source rows: document, KB, page, relevance, a link to
the viewer at the passage), folded in a <details> that starts open."""

import reflex as rx

from lumikb_app.ui.components.chat.chat_sources import source_row
from lumikb_app.ui.components.common import testid


def sources_list(sources: rx.Var, name: str = "section-sources") -> rx.Component:
    count = sources.length()
    return rx.cond(
        count > 0,
        rx.el.details(
            rx.el.summary(
                rx.text.span(
                    count.to_string() + rx.cond(count == 1, " source", " sources"),
                    size="1",
                    weight="bold",
                    color=rx.color("gray", 11),
                ),
                cursor="pointer",
                padding="2px 0",
            ),
            rx.grid(
                rx.foreach(sources, source_row),
                grid_template_columns="minmax(0, 1fr)",
                spacing="1",
                width="100%",
            ),
            open=True,
            width="100%",
            custom_attrs=testid(name),
        ),
    )
