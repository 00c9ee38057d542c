"""Choosing knowledge bases: every one, or any several (the chat's scope, the search filter).
Each page passes its own state, handlers and test ids; the widget is the same on both."""

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from lumikb_app.state.shell import KbSummary
from lumikb_app.ui.components.common import testid

_ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}


@dataclass(frozen=True)
class KbPickerIds:
    """The data-testids of the picker's parts (the e2e journeys find them by these)."""

    trigger: str
    menu: str
    all: str
    option: str


@dataclass(frozen=True)
class KbPickerLook:
    """How the trigger sits in its page: a quiet button in the composer, a field on search."""

    variant: str = "surface"
    size: str = "2"
    side: str = "bottom"
    max_label_width: str = "220px"
    heading: str = "Search in"  # the menu's heading ("Draft from" when making a draft)
    purpose: str = "Knowledge bases to search"  # the trigger's title and accessible name


def kb_picker(
    *,
    kbs: rx.Var,
    chosen: rx.Var,
    label: rx.Var,
    on_pick: Callable[[rx.Var, rx.Var], rx.event.EventType],
    on_all: Callable[[rx.Var], rx.event.EventType],
    ids: KbPickerIds,
    look: KbPickerLook = KbPickerLook(),
) -> rx.Component:
    """`chosen`: the ticked KB ids (none: every KB); `on_pick(kb_id, checked)` ticks or unticks
    one, `on_all(checked)` answers the "All knowledge bases" box."""

    def option(kb: KbSummary) -> rx.Component:
        return rx.checkbox(
            kb.name,
            checked=chosen.contains(kb.id),
            on_change=lambda checked: on_pick(kb.id, checked),
            custom_attrs={**testid(ids.option), "data-kb-id": kb.id},
        )

    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("library-big", size=14, aria_hidden="true"),
                rx.text(label, style={"max_width": look.max_label_width, **_ONE_LINE}),
                rx.icon("chevron-down", size=14, aria_hidden="true"),
                type="button",
                variant=look.variant,
                color_scheme="gray",
                size=look.size,
                title=look.purpose,
                aria_label=look.purpose + ": " + label,
                custom_attrs=testid(ids.trigger),
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text(look.heading, size="1", weight="bold", color=rx.color("gray", 11)),
                rx.checkbox(
                    "All knowledge bases",
                    checked=chosen.length() == 0,
                    on_change=on_all,
                    custom_attrs=testid(ids.all),
                ),
                rx.separator(size="4"),
                rx.foreach(kbs, option),
                spacing="2",
            ),
            side=look.side,
            align="start",
            max_height="min(320px, 60vh)",
            overflow_y="auto",
            aria_label=look.purpose,  # Radix gives the menu role=dialog, which needs a name
            custom_attrs=testid(ids.menu),
        ),
    )
