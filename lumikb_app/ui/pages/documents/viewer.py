"""The document viewer: a document at a page, the cited passage highlighted.

A formatted document (Markdown, reStructuredText, HTML, Word) arrives as HTML the service built
from escaped text only (services/documents/render_blocks.py); a PDF page is an image with zoom
and go-to-page controls.
"""

import reflex as rx

from lumikb_app.state.documents.viewer import BoxView, ViewerState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.shell import main_pane_loading, shell

MUTED = rx.color("gray", 11)
HIGHLIGHT = "rgba(250, 204, 21, 0.38)"
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"
# Without a link from search or chat: back in history, else to the document's knowledge base.
BACK_SCRIPT = (
    "history.length > 1 ? history.back() : location.assign("
    "document.querySelector('[data-testid=\"viewer-kb\"]')?.href || '/')"
)
DOCUMENT_STYLE = {
    "font_size": "15px",
    "line_height": "1.7",
    "color": rx.color("gray", 12),
    "overflow_wrap": "anywhere",
    "& h2, & h3, & h4, & h5, & h6": {"font_weight": "700", "line_height": "1.3", "margin": "22px 0 10px"},
    "& h2": {"font_size": "22px"},
    "& h3": {"font_size": "18px"},
    "& h4, & h5, & h6": {"font_size": "16px"},
    "& > :first-child, & .cited > :first-child": {"margin_top": "0"},
    "& p": {"margin": "0 0 12px"},
    "& ul, & ol": {"margin": "0 0 12px", "padding_left": "24px"},
    "& ul": {"list_style_type": "disc"},
    "& ul ul": {"list_style_type": "circle"},
    "& ol": {"list_style_type": "decimal"},
    "& li": {"margin": "2px 0"},
    "& pre": {
        "background": rx.color("gray", 3), "border": f"1px solid {rx.color('gray', 5)}",
        "border_radius": "8px", "padding": "12px 14px", "margin": "0 0 14px",
        "overflow_x": "auto", "white_space": "pre", "overflow_wrap": "normal",
    },
    "& code": {"font_family": MONO, "font_size": "13px", "line_height": "1.55"},
    "& .table-scroll": {"overflow_x": "auto", "margin": "0 0 14px"},
    "& table": {"border_collapse": "collapse", "font_size": "14px"},
    "& th, & td": {"border": f"1px solid {rx.color('gray', 6)}", "padding": "6px 10px", "text_align": "left", "vertical_align": "top"},
    "& th": {"background": rx.color("gray", 3), "font_weight": "600"},
    "& mark": {"background": HIGHLIGHT, "color": "inherit", "border_radius": "3px", "box_shadow": f"0 0 0 2px {HIGHLIGHT}"},
    "& .cited": {
        "border_left": f"3px solid {rx.color('amber', 8)}", "padding_left": "12px",
        "margin_left": "-15px", "scroll_margin": "120px",
    },
}  # fmt: skip


def _back() -> rx.Component:
    arrow = rx.icon("arrow-left", size=15)
    return rx.cond(
        ViewerState.back_href != "",
        rx.link(
            rx.hstack(arrow, rx.text(ViewerState.back_label), align="center", spacing="1"),
            href=ViewerState.back_href, size="2", weight="medium",
            custom_attrs=testid("viewer-back"),
        ),
        rx.button(
            arrow, ViewerState.back_label, variant="ghost", size="2",
            on_click=rx.call_script(BACK_SCRIPT), custom_attrs=testid("viewer-back"),
        ),
    )  # fmt: skip


def _header() -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon(rx.cond(ViewerState.is_pdf, "file-text", "file-type"), size=20, color=rx.color("accent", 11)),
            width="40px", height="40px", min_width="40px", border_radius="10px",
            background=rx.color("accent", 3),
        ),
        rx.vstack(
            rx.heading(ViewerState.name, size="5", weight="bold", custom_attrs=testid("page-title")),
            rx.hstack(
                rx.link(
                    rx.hstack(rx.icon("book-open", size=13), rx.text(ViewerState.kb_name), align="center", spacing="1"),
                    href="/kb/" + ViewerState.kb_id, size="2", color_scheme="gray",
                    custom_attrs=testid("viewer-kb"),
                ),
                rx.text("·", size="2", color=MUTED),
                rx.text("Version " + ViewerState.version.to_string(), size="2", color=MUTED, custom_attrs=testid("viewer-version")),
                rx.cond(ViewerState.page_count > 0, rx.text("·", size="2", color=MUTED)),
                rx.cond(
                    ViewerState.page_count > 0,
                    rx.text(ViewerState.page_count.to_string() + " pages", size="2", color=MUTED),
                ),
                align="center", spacing="2",
            ),
            spacing="1", min_width="0",
        ),
        rx.spacer(),
        rx.button(
            # rx.el.a is React Router's Link in Reflex 0.10: without reload_document the click
            # is routed inside the page and the file never downloads.
            rx.el.a(
                rx.icon("download", size=15), "Download",
                href=ViewerState.download_url,
                download=ViewerState.name,
                reload_document=True,
                custom_attrs=testid("viewer-download"),
            ),
            as_child=True, variant="soft",
        ),
        align="center", spacing="3", width="100%", margin_bottom="16px",
    )  # fmt: skip


def _page_button(icon: str, label: str, href: rx.Var[str], name: str) -> rx.Component:
    button = rx.button(
        rx.icon(icon, size=16), variant="soft", color_scheme="gray", aria_label=label
    )
    return rx.cond(
        href != "",
        rx.link(button, href=href, custom_attrs=testid(name)),
        rx.button(rx.icon(icon, size=16), variant="soft", color_scheme="gray", disabled=True, aria_label=label),
    )  # fmt: skip


def _pager() -> rx.Component:
    return rx.hstack(
        _page_button("chevron-left", "Previous page", ViewerState.prev_href, "viewer-prev"),
        rx.text(
            ViewerState.page_label, size="2", weight="medium", custom_attrs=testid("viewer-page")
        ),
        _page_button("chevron-right", "Next page", ViewerState.next_href, "viewer-next"),
        align="center",
        spacing="3",
    )


def _zoom() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("zoom-out", size=16), variant="soft", color_scheme="gray",
            aria_label="Zoom out", disabled=~ViewerState.can_zoom_out,
            on_click=ViewerState.zoom_by(-1), custom_attrs=testid("viewer-zoom-out"),
        ),
        rx.text(
            ViewerState.zoom_label, size="2", weight="medium", min_width="44px", text_align="center",
            aria_live="polite", custom_attrs=testid("viewer-zoom"),
        ),
        rx.button(
            rx.icon("zoom-in", size=16), variant="soft", color_scheme="gray",
            aria_label="Zoom in", disabled=~ViewerState.can_zoom_in,
            on_click=ViewerState.zoom_by(1), custom_attrs=testid("viewer-zoom-in"),
        ),
        align="center", spacing="2",
    )  # fmt: skip


def _go_to_page() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="page", type="number", min=1, max=ViewerState.page_count,
                placeholder="Page", aria_label="Page number to go to", width="84px",
                custom_attrs=testid("viewer-page-input"),
            ),
            rx.button("Go to page", type="submit", variant="soft", custom_attrs=testid("viewer-go")),
            align="center", spacing="2",
        ),
        on_submit=ViewerState.go_to_page, no_validate=True, aria_label="Go to page",
        width="auto",
    )  # fmt: skip


def _pdf_toolbar() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _pager(), _zoom(), _go_to_page(),
            wrap="wrap", align="center", gap="16px", width="100%",
        ),
        rx.cond(
            ViewerState.page_error != "",
            rx.text(
                ViewerState.page_error, size="2", color=rx.color("red", 11), role="alert",
                custom_attrs=testid("viewer-page-error"),
            ),
        ),
        spacing="2", width="100%",
    )  # fmt: skip


def _box(box: BoxView) -> rx.Component:
    return rx.box(
        position="absolute", left=box.left, top=box.top, width=box.width, height=box.height,
        background=HIGHLIGHT, border_radius="2px", pointer_events="none",
        style={"mix_blend_mode": "multiply", "scroll_margin": "120px"},
        custom_attrs=testid("highlight-box"),
    )  # fmt: skip


def _page_image() -> rx.Component:
    return rx.box(
        rx.image(
            src=ViewerState.image_url,
            alt=ViewerState.page_label,
            width="100%", height="100%", display="block",
            custom_attrs=testid("page-image"),
        ),
        rx.foreach(ViewerState.boxes, _box),
        position="relative", width=ViewerState.page_width, min_width=ViewerState.page_width,
        background="white",
        border=f"1px solid {rx.color('gray', 5)}",
        box_shadow="0 1px 2px rgba(0,0,0,0.06), 0 8px 24px rgba(15, 23, 42, 0.08)",
        style={"aspect_ratio": ViewerState.aspect_ratio},
        custom_attrs={**testid("page"), "data-page": ViewerState.page},
    )  # fmt: skip


def _passage_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("quote", size=15, color=rx.color("amber", 10)),
                rx.text("Cited passage", size="2", weight="bold"),
                rx.spacer(),
                rx.cond(ViewerState.passage_pages != "", rx.badge(ViewerState.passage_pages, variant="soft", color_scheme="amber")),
                align="center", width="100%",
            ),
            rx.cond(ViewerState.passage_heading != "", rx.text(ViewerState.passage_heading, size="1", color=MUTED)),
            rx.text(
                ViewerState.passage_text, size="2", color=rx.color("gray", 12),
                style={"white_space": "pre-wrap", "line_height": "1.6", "border_left": f"3px solid {rx.color('amber', 8)}", "padding_left": "10px"},
                custom_attrs=testid("viewer-passage"),
            ),
            rx.cond(
                ~ViewerState.highlight_on_page & ViewerState.is_pdf,
                rx.text("The passage is not on this page.", size="1", color=MUTED, custom_attrs=testid("passage-elsewhere")),
            ),
            spacing="2", align="start", width="100%",
        ),
        width="100%",
    )  # fmt: skip


def _pdf() -> rx.Component:
    return rx.vstack(
        _pdf_toolbar(),
        rx.flex(
            rx.box(
                _page_image(),
                flex="1", min_width="0", width="100%", overflow_x="auto", padding_bottom="4px",
                custom_attrs=testid("page-scroller"),
            ),
            rx.cond(
                ViewerState.has_passage,
                rx.box(
                    _passage_card(),
                    width=rx.breakpoints(initial="100%", md="300px"),
                    min_width=rx.breakpoints(initial="0", md="260px"),
                    position=rx.breakpoints(initial="static", md="sticky"), top="0",
                ),
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            align="start", gap="20px", width="100%",
        ),
        _pager(),
        spacing="4", width="100%", align="start",
    )  # fmt: skip


def _plain_text() -> rx.Component:
    return rx.text(
        ViewerState.text_before,
        rx.cond(
            ViewerState.text_passage != "",
            rx.el.mark(
                ViewerState.text_passage,
                style={"background": HIGHLIGHT, "color": "inherit", "border_radius": "3px", "scroll_margin": "120px", "box_shadow": f"0 0 0 3px {HIGHLIGHT}"},
                custom_attrs=testid("highlighted-passage"),
            ),
        ),
        ViewerState.text_after,
        size="2",
        style={"white_space": "pre-wrap", "line_height": "1.7", "font_family": "ui-serif, Georgia, serif", "font_size": "15px"},
        custom_attrs=testid("document-text"),
    )  # fmt: skip


def _formatted_text() -> rx.Component:
    # The HTML holds only the elements render_blocks writes, around escaped text.
    return rx.box(
        rx.html(ViewerState.text_html),
        style=DOCUMENT_STYLE,
        custom_attrs={**testid("document-text"), "data-formatted": "true"},
    )


def _text() -> rx.Component:
    return rx.card(
        rx.cond(
            ViewerState.truncated,
            rx.callout("This document is long: the part around the passage is shown. Download it to read everything.", icon="info", size="1", margin_bottom="12px"),
        ),
        rx.cond(ViewerState.text_html != "", _formatted_text(), _plain_text()),
        width="100%", padding=rx.breakpoints(initial="18px 16px", sm="28px 32px"),
    )  # fmt: skip


def _current_link(label: str) -> rx.Component:
    return rx.link(label, href=ViewerState.current_link, weight="medium", custom_attrs=testid("viewer-current-link"))  # fmt: skip


def _newer_version_notice() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("history")),
        rx.callout.text(
            "You are reading version ", ViewerState.version.to_string(),
            ", the one this link cites. A newer version (version ", ViewerState.newer_version.to_string(),
            ") exists. ",
            _current_link("Open the current version"),
        ),
        color_scheme="amber", size="2", width="100%", margin_bottom="16px",
        custom_attrs=testid("viewer-newer-version"),
    )  # fmt: skip


def _version_gone() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("archive")),
        rx.callout.text(
            ViewerState.message, " ",
            rx.cond(ViewerState.current_link != "", _current_link("Open the current version")),
        ),
        color_scheme="gray", size="2", custom_attrs=testid("viewer-version-gone"),
    )  # fmt: skip


def _not_found() -> rx.Component:
    return rx.callout(
        ViewerState.message,
        icon="lock",
        color_scheme="gray",
        size="2",
        custom_attrs=testid("viewer-not-found"),
    )


def _found() -> rx.Component:
    return rx.vstack(
        _back(),
        _header(),
        rx.cond(ViewerState.newer_version > 0, _newer_version_notice()),
        rx.cond(ViewerState.is_pdf, _pdf(), _text()),
        width="100%",
        custom_attrs=testid("viewer"),
    )


def viewer_page() -> rx.Component:
    # Until this page's on_load has run, the previous document must not show.
    return shell(
        rx.cond(
            rx.State.is_hydrated,
            rx.cond(
                ViewerState.found,
                _found(),
                rx.cond(ViewerState.version_gone, _version_gone(), _not_found()),
            ),
            main_pane_loading(),
        )
    )
