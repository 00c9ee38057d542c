"""Layout that adapts to the screen: what shows only on a wide screen or only on a narrow one, a
side sheet (drawer) for panels a narrow screen has no room for, and a box that scrolls its wide
content (a table) sideways inside itself instead of widening the page.

Below Reflex's `md` breakpoint (62em, 992 px: phones, tablets held upright) the sidebar is a drawer behind the top
bar's menu button; a page with a side panel of its own can do the same with `side_sheet`.
"""

import reflex as rx
from reflex_base.breakpoints import Breakpoints

from lumikb_app.ui.components.common import testid

SHEET_WIDTH = "min(300px, 86vw)"
# Out of sight but read by screen readers (and SHOWN to undo it at a wider breakpoint).
VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip-path": "inset(50%)",
    "white-space": "nowrap",
}
SHOWN = {
    "position": "static",
    "width": "auto",
    "height": "auto",
    "overflow": "visible",
    "clip-path": "none",
}


def wide_only(display: str = "flex") -> Breakpoints:
    """A `display=` value: shown from the wide breakpoint up, hidden below it."""
    return rx.breakpoints(initial="none", md=display)


def narrow_only(display: str = "flex") -> Breakpoints:
    """A `display=` value: shown below the wide breakpoint, hidden from it up."""
    return rx.breakpoints(initial=display, md="none")


def side_sheet(
    trigger: rx.Component, *content: rx.Component, title: str, name: str, side: str = "left"
) -> rx.Component:
    """A modal panel that slides over the page from one side, opened by `trigger` (a button; it
    keeps its own label). It traps focus, closes on Escape, on a click outside and on its close
    button; `title` names it for screen readers and heads it."""
    return rx.dialog.root(
        rx.dialog.trigger(trigger),
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(title, size="3", margin="0"),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=18),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=f"Close {title.lower()}",
                        custom_attrs=testid(f"{name}-close"),
                    )
                ),
                align="center",
                width="100%",
                padding="12px 12px 4px 16px",
            ),
            rx.box(*content, width="100%", flex="1", overflow_y="auto", min_height="0"),
            position="fixed",
            top="0",
            bottom="0",
            left="0" if side == "left" else "auto",
            right="0" if side == "right" else "auto",
            width=SHEET_WIDTH,
            max_width=SHEET_WIDTH,
            height="100dvh",
            max_height="100dvh",
            padding="0",
            border_radius="0",
            display="flex",
            flex_direction="column",
            background=rx.color("gray", 2),
            custom_attrs=testid(name),
        ),
    )


def scroll_x(*content: rx.Component, name: str = "", label: str = "", **props) -> rx.Component:
    """Wide content (a table) that scrolls sideways inside this box when the screen is narrower,
    so the page itself never becomes wider than the screen. Keyboard users can scroll it too (it
    takes focus), and it is labelled for screen readers by `label` when given."""
    attrs: dict[str, str] = {"tabindex": "0"}
    if label:
        attrs |= {"role": "region", "aria-label": label}
    if name:
        attrs |= testid(name)
    return rx.box(
        *content,
        width="100%",
        max_width="100%",
        overflow_x="auto",
        custom_attrs=attrs,
        **props,
    )
