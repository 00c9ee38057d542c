"""The conversation list: new, open, rename (dialog) and delete (confirmed); a page at a time
("Load more" fetches the next)."""

import reflex as rx

from lumikb_app.state.chat.chat import ChatState
from lumikb_app.state.chat.chat_view import ConversationMatchView, ConversationView
from lumikb_app.ui.components.chat.chat_sources import ONE_LINE
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.confirm_dialog import confirm_delete_dialog
from lumikb_app.ui.components.forms import dialog_foot

LIST_WIDTH = "240px"
TWO_LINES = {
    "display": "-webkit-box",
    "-webkit-line-clamp": "2",
    "-webkit-box-orient": "vertical",
    "overflow": "hidden",
}


def _menu(conversation: ConversationView) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                custom_attrs={**testid("conversation-menu"), "aria-label": "Conversation actions"},
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.icon("pencil", size=14),
                "Rename",
                on_select=ChatState.ask_rename(conversation.id, conversation.title),
                custom_attrs=testid("conversation-rename"),
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                rx.icon("trash-2", size=14),
                "Delete",
                color="red",
                disabled=ChatState.streaming & (ChatState.conversation_id == conversation.id),
                on_select=ChatState.ask_delete(conversation.id, conversation.title),
                custom_attrs=testid("conversation-delete"),
            ),
            size="1",
        ),
    )


def conversation_item(conversation: ConversationView) -> rx.Component:
    active = ChatState.conversation_id == conversation.id
    return rx.hstack(
        rx.link(
            rx.vstack(
                rx.text(
                    conversation.title,
                    size="2",
                    weight=rx.cond(active, "medium", "regular"),
                    style=ONE_LINE,
                    color=rx.cond(active, rx.color("accent", 12), rx.color("gray", 12)),
                ),
                rx.hstack(
                    rx.cond(conversation.scoped, rx.icon("filter", size=11)),
                    rx.text(conversation.updated_label, size="1"),
                    align="center",
                    spacing="1",
                    color=rx.color("gray", 11),
                ),
                spacing="0",
                min_width="0",
                width="100%",
            ),
            href="/chat?c=" + conversation.id,
            underline="none",
            flex="1",
            min_width="0",
            title=conversation.title,
        ),
        _menu(conversation),
        align="center",
        spacing="1",
        padding="7px 6px 7px 10px",
        border_radius="8px",
        width="100%",
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.cond(active, rx.color("accent", 4), rx.color("gray", 3))},
        custom_attrs={
            **testid("conversation-item"),
            "data-id": conversation.id,
            "data-title": conversation.title,
            "aria-current": rx.cond(active, "page", "false"),
        },
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename conversation"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="title",
                        default_value=ChatState.rename_title,
                        key=ChatState.rename_id,
                        max_length=200,
                        auto_focus=True,
                        width="100%",
                        custom_attrs=testid("rename-input"),
                    ),
                    rx.cond(
                        ChatState.rename_error != "",
                        rx.text(
                            ChatState.rename_error,
                            size="2",
                            color=rx.color("red", 11),
                            custom_attrs=testid("rename-error"),
                        ),
                    ),
                    dialog_foot(
                        rx.button("Save", type="submit", custom_attrs=testid("rename-save"))
                    ),
                    spacing="3",
                ),
                on_submit=ChatState.rename,
            ),
            max_width="420px",
            custom_attrs=testid("rename-dialog"),
        ),
        open=ChatState.rename_id != "",
        on_open_change=ChatState.rename_dialog_changed,
    )


def _delete_dialog() -> rx.Component:
    return confirm_delete_dialog(
        title="Delete conversation",
        name=ChatState.delete_title,
        consequence=" and all of its messages? This cannot be undone.",
        on_confirm=ChatState.confirm_delete(ChatState.delete_id),
        is_open=ChatState.delete_id != "",
        on_open_change=ChatState.delete_dialog_changed,
        max_width="420px",
    )


def _load_more() -> rx.Component:
    return rx.button(
        "Load more",
        variant="ghost",
        color_scheme="gray",
        size="1",
        width="100%",
        on_click=ChatState.load_more_conversations,
        custom_attrs=testid("conversations-more"),
    )


def _search_box() -> rx.Component:
    return rx.input(
        rx.input.slot(rx.icon("search", size=14)),
        placeholder="Search conversations",
        value=ChatState.conversation_query,
        on_change=ChatState.search_conversations.debounce(300),
        type="search",
        size="2",
        width="100%",
        custom_attrs={**testid("conversation-search"), "aria-label": "Search conversations"},
    )


def _found_item(found: ConversationMatchView) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.text(found.title, size="2", weight="medium", style=ONE_LINE),
            rx.text(found.snippet, size="1", color=rx.color("gray", 11), style=TWO_LINES),
            rx.text(found.updated_label, size="1", color=rx.color("gray", 11)),
            spacing="0",
            width="100%",
        ),
        href="/chat?c=" + found.id,
        underline="none",
        color=rx.color("gray", 12),
        padding="7px 10px",
        border_radius="8px",
        width="100%",
        _hover={"background": rx.color("gray", 3)},
        custom_attrs={**testid("conversation-found"), "data-id": found.id},
    )


def _found() -> rx.Component:
    return rx.cond(
        ChatState.found_conversations.length() > 0,
        rx.vstack(
            rx.foreach(ChatState.found_conversations, _found_item), spacing="1", width="100%"
        ),
        rx.text(
            "No conversation holds these words.",
            size="2",
            color=rx.color("gray", 11),
            padding="4px",
            custom_attrs=testid("no-conversation-found"),
        ),
    )


def _listed() -> rx.Component:
    return rx.cond(
        ChatState.conversations.length() > 0,
        rx.vstack(
            rx.foreach(ChatState.conversations, conversation_item),
            rx.cond(ChatState.more_conversations, _load_more()),
            spacing="1",
            width="100%",
        ),
        rx.text(
            "No conversations yet.",
            size="2",
            color=rx.color("gray", 11),
            padding="4px",
            custom_attrs=testid("no-conversations"),
        ),
    )


def _close_button() -> rx.Component:
    return rx.icon_button(
        rx.icon("x", size=16),
        variant="ghost",
        color_scheme="gray",
        on_click=ChatState.set_list_open(False),
        display=PHONE_ONLY,
        custom_attrs={**testid("conversations-close"), "aria-label": "Close conversations"},
    )


# Below the md breakpoint (1024 px) the list is a drawer over the page, opened from the header.
PHONE_ONLY = ["flex", "flex", "flex", "none"]
DRAWER = {
    "position": ["fixed", "fixed", "fixed", "static"],
    "top": "0",
    "left": "0",
    "bottom": "0",
    "z_index": ["50", "50", "50", "auto"],
    "width": ["min(320px, 86vw)", "min(320px, 86vw)", "320px", LIST_WIDTH],
    "min_width": ["0", "0", "0", LIST_WIDTH],
    "height": ["100dvh", "100dvh", "100dvh", "100%"],
    "padding": ["16px", "16px", "16px", "0 12px 0 0"],
    "background": ["var(--color-panel-solid)"] * 3 + ["transparent"],
    "box_shadow": ["0 8px 40px rgba(0, 0, 0, 0.25)"] * 3 + ["none"],
}


def conversation_list() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.button(
                rx.icon("plus", size=16),
                "New chat",
                flex="1",
                on_click=ChatState.new_chat,
                custom_attrs=testid("new-chat"),
            ),
            _close_button(),
            align="center",
            spacing="2",
            width="100%",
        ),
        _search_box(),
        rx.text(
            rx.cond(ChatState.searched, "Found", "Conversations"),
            size="1",
            weight="bold",
            color=rx.color("gray", 11),
            padding="10px 4px 2px",
            text_transform="uppercase",
            letter_spacing="0.04em",
        ),
        rx.cond(ChatState.searched, _found(), _listed()),
        _rename_dialog(),
        _delete_dialog(),
        spacing="2",
        overflow_y="auto",
        border_right=f"1px solid {rx.color('gray', 5)}",
        display=[rx.cond(ChatState.list_open, "flex", "none")] * 3 + ["flex"],
        custom_attrs={
            **testid("conversation-list"),
            "role": "navigation",
            "aria-label": "Conversations",
        },
        **DRAWER,
    )


def list_backdrop() -> rx.Component:
    """Behind the open drawer on a phone; a click closes it."""
    return rx.cond(
        ChatState.list_open,
        rx.box(
            position="fixed",
            inset="0",
            z_index="40",
            background="rgba(0, 0, 0, 0.35)",
            display=PHONE_ONLY,
            on_click=ChatState.set_list_open(False),
            custom_attrs=testid("conversations-backdrop"),
        ),
    )
