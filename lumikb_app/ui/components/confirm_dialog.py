"""Confirmations: one "Delete X?" shared by documents and conversations, and one "Do X?" for
an action that can be undone (archive, restore a knowledge base)."""

import reflex as rx

from lumikb_app.ui.components.common import testid


def confirm_delete_dialog(
    *,
    title: str,
    name: rx.Var,
    consequence: str,
    on_confirm: rx.EventHandler,
    is_open: rx.Var,
    on_open_change: rx.EventHandler,
    max_width: str = "440px",
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(
                rx.text.span("Delete "),
                rx.text.strong(name),
                rx.text.span(consequence),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=on_confirm,
                        custom_attrs=testid("delete-confirm"),
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width=max_width,
            custom_attrs=testid("delete-dialog"),
        ),
        open=is_open,
        on_open_change=on_open_change,
    )


def confirm_action_dialog(
    *,
    title: str,
    description: rx.Component,
    confirm_label: str,
    on_confirm: rx.EventHandler,
    is_open: rx.Var,
    on_open_change: rx.EventHandler,
    name: str,
    color_scheme: str = "amber",
) -> rx.Component:
    """A "Do X?" confirmation with Cancel (keeps everything as it is) and one action button
    (testids NAME-dialog, NAME-cancel, NAME-confirm)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        custom_attrs=testid(name + "-cancel"),
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        confirm_label,
                        color_scheme=color_scheme,
                        on_click=on_confirm,
                        custom_attrs=testid(name + "-confirm"),
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="440px",
            custom_attrs=testid(name + "-dialog"),
        ),
        open=is_open,
        on_open_change=on_open_change,
    )
