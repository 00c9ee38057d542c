"""The draft page's side panel: people (sharing), comments and history, as tabs. Beside the
sections on a wide screen (it stays in view while the sections scroll); after them on a
narrow one."""

import reflex as rx

from lumikb_app.state.drafting.draft_editor import PANEL_ID, DraftEditorState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.drafting.comments_panel import comments_panel
from lumikb_app.ui.components.drafting.history_panel import history_panel
from lumikb_app.ui.components.drafting.members_panel import members_panel

PANEL_WIDTH = "340px"


def _tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("People", value="people", custom_attrs=testid("panel-people")),
            rx.tabs.trigger("Comments", value="comments", custom_attrs=testid("panel-comments")),
            rx.tabs.trigger("History", value="history", custom_attrs=testid("panel-history")),
            size="1",
        ),
        rx.tabs.content(members_panel(), value="people", padding_top="12px"),
        rx.tabs.content(comments_panel(), value="comments", padding_top="12px"),
        rx.tabs.content(history_panel(), value="history", padding_top="12px"),
        value=DraftEditorState.panel_tab,
        on_change=DraftEditorState.set_panel_tab,
        width="100%",
    )


def side_panel() -> rx.Component:
    return rx.box(
        _tabs(),
        padding="14px",
        border_radius="12px",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position=rx.breakpoints(initial="static", lg="sticky"),
        top="16px",
        max_height=rx.breakpoints(initial="none", lg="calc(100dvh - 120px)"),
        overflow_y="auto",
        width="100%",
        min_width="0",
        id=PANEL_ID,
        scroll_margin_top="16px",
        custom_attrs={**testid("draft-side-panel"), "role": "complementary"},
    )
