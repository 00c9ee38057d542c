"""The page for an address that is no page: inside the shell, with the way home and to search."""

import reflex as rx

from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.shell import shell


def _way(label: str, href: str, icon: str, *, solid: bool, name: str) -> rx.Component:
    """A link that looks like a button (a button inside a link is two controls in one)."""
    return rx.link(
        rx.icon(icon, size=16),
        label,
        href=href,
        underline="none",
        display="inline-flex",
        align_items="center",
        gap="8px",
        padding="8px 14px",
        border_radius="var(--radius-2)",
        weight="medium",
        size="2",
        background=rx.color("accent", 9) if solid else rx.color("accent", 3),
        color=rx.color("accent", 1) if solid else rx.color("accent", 11),
        _hover={"background": rx.color("accent", 10) if solid else rx.color("accent", 4)},
        custom_attrs=testid(name),
    )


def not_found_page() -> rx.Component:
    return shell(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.icon("map-pin-off", size=36, color=rx.color("accent", 10)),
                    rx.heading(
                        "Page not found", size="6", as_="h1", custom_attrs=testid("page-title")
                    ),
                    rx.text(
                        "There is no page at this address. It may have moved, or the link "
                        "may have a typo.",
                        size="2",
                        color=rx.color("gray", 11),
                        align="center",
                    ),
                    rx.text(
                        rx.code(rx.State.router.url.path),
                        size="2",
                        color=rx.color("gray", 11),
                        custom_attrs=testid("not-found-path"),
                    ),
                    rx.hstack(
                        _way(
                            "Go to the home page", "/", "house", solid=True, name="not-found-home"
                        ),
                        _way("Search", "/search", "search", solid=False, name="not-found-search"),
                        spacing="3",
                        wrap="wrap",
                        justify="center",
                    ),
                    align="center",
                    spacing="4",
                    padding="16px",
                ),
                max_width="480px",
                width="100%",
            ),
            padding_top="48px",
            width="100%",
            custom_attrs=testid("not-found"),
        )
    )
