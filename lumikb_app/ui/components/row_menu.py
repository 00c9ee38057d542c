"""A list row's actions: an ellipsis button named "Actions for <the row>" opening a menu."""

import reflex as rx

from lumikb_app.ui.components.common import testid


def row_menu(subject: rx.Var, name: str, *items: rx.Component, **content_props) -> rx.Component:
    """`subject` names the row to a screen reader; `name` is the trigger's test id;
    `content_props` place the menu (e.g. align)."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                aria_label="Actions for " + subject,
                custom_attrs=testid(name),
            )
        ),
        rx.dropdown_menu.content(*items, **content_props),
    )
