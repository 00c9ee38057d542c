"""The Radix theme and global style (rxconfig.py installs the theme through RadixThemesPlugin)."""

import reflex as rx

ACCENT = "indigo"


def theme() -> rx.Component:
    return rx.theme(
        # Light or dark as the system prefers, until the top bar's toggle picks one.
        appearance="inherit",
        accent_color=ACCENT,
        gray_color="slate",
        radius="medium",
        has_background=True,
    )


GLOBAL_STYLE = {
    "font_family": "Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "-webkit-font-smoothing": "antialiased",
}
