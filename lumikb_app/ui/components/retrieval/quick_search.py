"""The quick-search palette and its hotkey, mounted by the shell on every signed-in page.

Reflex 0.10 has no hotkey component: `rx.window_event_listener(on_key_down=...)` would send
every key press to the server and cannot prevent the browser's own Ctrl+K. KeyListener is
that listener (same memoized callback, same useEffect) with a filter in the browser: only the
keys `when` accepts reach the server, and their default action is prevented.
"""

from typing import Any

import reflex as rx
from reflex_base.components.component import field
from reflex_base.components.memoize_helpers import get_memoized_event_triggers
from reflex_base.event import EventHandler, key_event
from reflex_base.vars.base import Var
from reflex_components_core.base.fragment import Fragment

from lumikb_app.state.retrieval.quick_search import QuickSearchState
from lumikb_app.state.retrieval.search import ResultView
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.retrieval.search_result import snippet

HOTKEY = (  # e.code too: the K key on a keyboard whose layout types another letter
    "(e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey"
    " && (e.key.toLowerCase() === 'k' || e.code === 'KeyK')"
)
# Hooks run from the page, open palette or not: only keys typed inside the palette count.
PALETTE_KEYS = (
    "['ArrowDown', 'ArrowUp', 'Enter'].includes(e.key) && !e.isComposing"
    " && !!document.activeElement?.closest('[data-testid=\"quick-search\"]')"
)
ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}


class KeyListener(Fragment):
    """A window keydown listener that lets through only the keys `when` (JavaScript on `e`) accepts."""

    on_key_down: EventHandler[key_event] = field(doc="A key that `when` accepts was pressed.")
    when: str = field(default="false", is_javascript_property=False)

    @classmethod
    def create(cls, **props) -> "KeyListener":
        # As rx.window_event_listener does: the handler becomes a stable (memoized) callback.
        component = super().create(**props)
        memoized = get_memoized_event_triggers(component)
        if memoized:
            component.event_triggers = {**component.event_triggers, **memoized}
        return component

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), *self.event_triggers.keys()]

    def add_imports(self) -> dict[str, str]:
        return {"react": "useEffect"}

    def add_hooks(self) -> list[str | Var[Any]]:
        trigger = Var.create(self.event_triggers["on_key_down"])
        return [
            Var(
                f"""
useEffect(() => {{
    if (typeof window === 'undefined') return;
    const fn = {trigger};
    const onKey = (e) => {{ if ({self.when}) {{ e.preventDefault(); fn(e); }} }};
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
}}, []);"""
            )
        ]


def kbd(text: str) -> rx.Component:
    return rx.el.kbd(
        text,
        style={
            "font_family": "inherit",
            "font_size": "11px",
            "padding": "1px 6px",
            "border_radius": "4px",
            "border": f"1px solid {rx.color('gray', 6)}",
            "background": rx.color("gray", 2),
            "color": rx.color("gray", 11),
        },
    )


def open_button() -> rx.Component:
    """The top bar's way in for those who do not know the hotkey."""
    return rx.button(
        rx.icon("search", size=15),
        rx.text("Search…", size="2"),
        rx.spacer(),
        kbd("Ctrl K"),
        variant="outline",
        color_scheme="gray",
        width="260px",
        justify="start",
        on_click=QuickSearchState.open_palette,
        custom_attrs=testid("quick-search-open"),
    )


def _row(result: ResultView, index: rx.Var[int]) -> rx.Component:
    selected = QuickSearchState.selected == index
    return rx.box(
        rx.hstack(
            rx.icon("file-text", size=15, color=rx.color("accent", 11), min_width="15px"),
            rx.text(result.document_name, size="2", weight="bold", style=ONE_LINE),
            rx.text(result.kb_name, size="1", color=rx.color("gray", 10), style=ONE_LINE),
            rx.spacer(),
            rx.cond(result.page_label != "", rx.badge(result.page_label, size="1", variant="soft", color_scheme="gray")),
            align="center",
            spacing="2",
            width="100%",
        ),
        snippet(result.parts, size="1", lines=2),
        padding="8px 10px",
        border_radius="8px",
        cursor="pointer",
        background=rx.cond(selected, rx.color("accent", 3), "transparent"),
        border=rx.cond(selected, f"1px solid {rx.color('accent', 7)}", "1px solid transparent"),
        on_click=QuickSearchState.choose(index),
        on_mouse_enter=QuickSearchState.hover(index),
        custom_attrs={
            **testid("quick-search-result"),
            "data-selected": rx.cond(selected, "true", "false"),
            "role": "option",
            "aria-selected": rx.cond(selected, "true", "false"),
            "data-href": result.href,
        },
    )  # fmt: skip


def _body() -> rx.Component:
    muted = rx.color("gray", 10)
    return rx.cond(
        QuickSearchState.palette_error != "",
        rx.text(QuickSearchState.palette_error, size="2", color=rx.color("red", 11), padding="12px"),
        rx.cond(
            QuickSearchState.palette_results.length() > 0,
            rx.vstack(rx.foreach(QuickSearchState.palette_results, _row), spacing="1", width="100%",
                      custom_attrs={"role": "listbox", "aria-label": "Passages"}),
            rx.text(
                rx.cond(
                    QuickSearchState.palette_searched != "",
                    "No passages match \u201c" + QuickSearchState.palette_searched + "\u201d.",
                    "Type to search every knowledge base you can read.",
                ),
                size="2",
                color=muted,
                padding="16px 10px",
                custom_attrs=testid("quick-search-empty"),
            ),
        ),
    )  # fmt: skip


def _footer() -> rx.Component:
    return rx.hstack(
        kbd("↑"), kbd("↓"), rx.text("to choose", size="1", color=rx.color("gray", 10)),
        kbd("Enter"), rx.text("to open", size="1", color=rx.color("gray", 10)),
        kbd("Esc"), rx.text("to close", size="1", color=rx.color("gray", 10)),
        rx.spacer(),
        rx.link("All results", href=QuickSearchState.all_results_href, size="1",
                on_click=QuickSearchState.set_palette_open(False), custom_attrs=testid("quick-search-all")),
        align="center",
        spacing="2",
        width="100%",
        padding_top="8px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )  # fmt: skip


def quick_search() -> rx.Component:
    """The hotkey listener and the palette dialog."""
    return rx.fragment(
        KeyListener.create(on_key_down=QuickSearchState.open_palette, when=HOTKEY),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Quick search", class_name="sr-only", style={"display": "none"}),
                KeyListener.create(on_key_down=QuickSearchState.palette_key, when=PALETTE_KEYS),
                rx.vstack(
                    rx.input(
                        rx.input.slot(
                            rx.cond(
                                QuickSearchState.palette_searching,
                                rx.spinner(size="1"),
                                rx.icon("search", size=16),
                            )
                        ),
                        value=QuickSearchState.palette_query,
                        on_change=QuickSearchState.set_palette_query,
                        debounce_timeout=200,
                        force_notify_by_enter=False,  # Enter opens the selected result
                        placeholder="Search passages…",
                        size="3",
                        width="100%",
                        auto_focus=True,
                        custom_attrs=testid("quick-search-input"),
                    ),
                    rx.box(_body(), width="100%", max_height="420px", overflow_y="auto"),
                    _footer(),
                    spacing="3",
                    width="100%",
                ),
                max_width="640px",
                padding="14px",
                # Radix Themes prop Reflex 0.10 does not declare: the palette stays at the top.
                custom_attrs={**testid("quick-search"), "align": "start"},
            ),
            open=QuickSearchState.palette_open,
            on_open_change=QuickSearchState.set_palette_open,
        ),
    )
