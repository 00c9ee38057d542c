"""Left sidebar: navigation and the knowledge bases the user may read."""

import reflex as rx

from lumikb_app.state.session import AppState
from lumikb_app.state.shell import KbSummary, ShellState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.responsive import narrow_only, side_sheet, wide_only

SIDEBAR_WIDTH = "248px"

NAV_ITEMS = (
    ("Home", "/", "house"),
    ("Search", "/search", "search"),
    ("Chat", "/chat", "messages-square"),
    ("Drafts", "/drafts", "file-pen-line"),
    ("Graph", "/graph", "waypoints"),
)


def nav_link(label: str, href: str, icon: str, active: rx.Var | bool = False) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=16),
            rx.text(label, size="2", weight="medium"),
            align="center",
            spacing="2",
            padding_x="10px",
            padding_y="7px",
            border_radius="6px",
            width="100%",
            background=rx.cond(active, rx.color("accent", 4), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
            _hover={"background": rx.color("gray", 4), "color": rx.color("gray", 12)},
        ),
        href=href,
        underline="none",
        width="100%",
        custom_attrs={
            **testid(f"nav-{label.lower()}"),
            "aria-current": rx.cond(active, "page", "false"),
        },
    )


def _is_current(href: str) -> rx.Var:
    """The page itself, or one under it (/drafts for a draft and the templates page)."""
    path = AppState.router.url.path
    exact = (path == href) | (path == href.rstrip("/") + "/")
    return exact if href == "/" else exact | path.to(str).startswith(href + "/")


def kb_link(kb: KbSummary) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("book-open", size=15),
            rx.text(kb.name, size="2", trim="both", truncate=True),
            align="center",
            spacing="2",
            padding_x="10px",
            padding_y="6px",
            border_radius="6px",
            width="100%",
            background=rx.cond(
                ShellState.selected_kb_id == kb.id, rx.color("accent", 4), "transparent"
            ),
            color=rx.cond(
                ShellState.selected_kb_id == kb.id, rx.color("accent", 11), rx.color("gray", 11)
            ),
            _hover={"background": rx.color("gray", 4), "color": rx.color("gray", 12)},
        ),
        href="/kb/" + kb.id,
        underline="none",
        width="100%",
        title=kb.name,
        custom_attrs={
            **testid("sidebar-kb"),
            "aria-current": rx.cond(ShellState.selected_kb_id == kb.id, "page", "false"),
        },
    )


def section_label(text: str) -> rx.Component:
    return rx.text(
        text,
        size="1",
        weight="bold",
        color=rx.color("gray", 11),
        text_transform="uppercase",
        letter_spacing="0.06em",
        padding_x="10px",
        padding_top="16px",
        padding_bottom="4px",
    )


def _closing(link: rx.Component, in_sheet: bool) -> rx.Component:
    """In the phone's menu sheet a link also closes the sheet (a link to the page already shown
    would otherwise leave it open)."""
    return rx.dialog.close(link) if in_sheet else link


def navigation(in_sheet: bool = False) -> rx.Component:
    """The pages and the knowledge bases: the sidebar's content, and the phone's menu sheet's."""
    return rx.vstack(
        *(
            _closing(nav_link(label, href, icon, _is_current(href)), in_sheet)
            for label, href, icon in NAV_ITEMS
        ),
        rx.cond(
            AppState.is_admin,
            _closing(
                nav_link(
                    "Admin",
                    "/admin",
                    "shield",
                    AppState.router.url.path.to(str).startswith("/admin"),  # and its sub-pages
                ),
                in_sheet,
            ),
        ),
        section_label("Knowledge bases"),
        rx.cond(
            ShellState.has_kbs,
            rx.vstack(
                rx.foreach(ShellState.kbs, lambda kb: _closing(kb_link(kb), in_sheet)),
                spacing="1",
                width="100%",
            ),
            rx.text(
                "No knowledge bases yet.",
                size="2",
                color=rx.color("gray", 10),
                padding_x="10px",
                custom_attrs=testid("sidebar-empty"),
            ),
        ),
        spacing="1",
        padding="12px",
        width="100%",
    )


def sidebar() -> rx.Component:
    """The wide screen's left column (a narrow screen has the menu sheet instead, top_bar.py)."""
    return rx.el.nav(
        navigation(),
        aria_label="Main",
        display=wide_only("block"),
        width=SIDEBAR_WIDTH,
        min_width=SIDEBAR_WIDTH,
        height="100%",
        overflow_y="auto",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        custom_attrs=testid("sidebar"),
    )


def menu_sheet() -> rx.Component:
    """A narrow screen's navigation: a labelled menu button in the top bar opens it as a sheet."""
    return side_sheet(
        rx.icon_button(
            rx.icon("menu", size=20),
            variant="ghost",
            color_scheme="gray",
            size="3",
            display=narrow_only("inline-flex"),
            aria_label="Open menu",
            custom_attrs=testid("menu-button"),
        ),
        rx.el.nav(navigation(in_sheet=True), aria_label="Main"),
        title="Menu",
        name="menu-sheet",
    )
