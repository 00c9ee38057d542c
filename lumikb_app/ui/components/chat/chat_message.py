"""One turn of a conversation: the question bubble, or the answer with its citations,
notices, confidence, sources and feedback; and the answer while it streams."""

import reflex as rx

from lumikb_app.state.chat.chat import ChatState
from lumikb_app.state.chat.chat_view import MessageView, Segment
from lumikb_app.ui.components.chat.answer_markdown import answer_markdown
from lumikb_app.ui.components.chat.chat_sources import ONE_LINE, sources_panel
from lumikb_app.ui.components.chat.streamed_text import streamed_text
from lumikb_app.ui.components.common import testid

ANSWER_TEXT_STYLE = {"white_space": "pre-wrap", "line_height": "1.65", "overflow_wrap": "anywhere"}
CONFIDENCE_COLORS = {"high": "grass", "medium": "amber", "low": "tomato"}


def citation_badge(segment: Segment) -> rx.Component:
    """`[n]` as a small link to the viewer, previewing the passage on hover."""
    return rx.hover_card.root(
        rx.hover_card.trigger(
            rx.link(
                segment.text,
                href=segment.href,
                underline="none",
                display="inline-flex",
                align_items="center",
                justify_content="center",
                min_width="18px",
                height="18px",
                padding_x="4px",
                margin_x="2px",
                border_radius="9px",
                font_size="11px",
                font_weight="600",
                line_height="1",
                vertical_align="1px",
                background=rx.color("accent", 4),
                color=rx.color("accent", 11),
                _hover={"background": rx.color("accent", 6)},
                custom_attrs={
                    **testid("citation"),
                    "data-n": segment.n,
                    "aria-label": "Source " + segment.text + ": " + segment.document_name,
                },
            )
        ),
        rx.hover_card.content(
            _passage_preview(segment),
            side="top",
            max_width="380px",
            custom_attrs=testid("citation-preview"),
        ),
        open_delay=150,
    )


def _passage_preview(segment: Segment) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("file-text", size=15, color=rx.color("accent", 11)),
            rx.text(segment.document_name, size="2", weight="bold", style=ONE_LINE),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(segment.where != "", rx.text(segment.where, size="1", color=rx.color("gray", 11))),
        rx.text(
            segment.passage,
            size="2",
            color=rx.color("gray", 12),
            padding="8px 10px",
            border_left=f"3px solid {rx.color('accent', 7)}",
            background=rx.color("gray", 2),
            border_radius="4px",
        ),
        rx.text("Click to open this page", size="1", color=rx.color("accent", 11)),
        spacing="2",
    )


def answer_text(segments, test_id: str) -> rx.Component:
    return answer_markdown(segments, test_id)


def _avatar() -> rx.Component:
    return rx.center(
        rx.icon("sparkles", size=16, color="white"),
        width="30px",
        height="30px",
        min_width="30px",
        border_radius="50%",
        background="linear-gradient(135deg, var(--accent-9), var(--accent-11))",
    )


def _edit_form(message: MessageView) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(
                name="question",
                default_value=message.content,
                key=message.id,
                auto_focus=True,
                rows="3",
                width="100%",
                max_length=4000,
                custom_attrs={**testid("edit-input"), "aria-label": "Edited question"},
            ),
            rx.cond(
                ChatState.edit_error != "",
                rx.text(ChatState.edit_error, size="2", color=rx.color("red", 11)),
            ),
            rx.hstack(
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=ChatState.cancel_edit,
                    custom_attrs=testid("edit-cancel"),
                ),
                rx.button("Send", type="submit", custom_attrs=testid("edit-send")),
                justify="end",
                spacing="2",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=ChatState.resend_edited,
        width="min(560px, 100%)",
        custom_attrs=testid("edit-form"),
    )


def _edit_button(message: MessageView) -> rx.Component:
    return rx.cond(
        (message.id != "") & ~ChatState.streaming,
        rx.tooltip(
            rx.icon_button(
                rx.icon("pencil", size=14),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=ChatState.ask_edit(message.id),
                custom_attrs={**testid("edit-question"), "aria-label": "Edit and resend question"},
            ),
            content="Edit and resend",
        ),
    )


def user_bubble(message: MessageView) -> rx.Component:
    return rx.hstack(
        rx.cond(
            (message.id != "") & (ChatState.edit_id == message.id),
            _edit_form(message),
            rx.hstack(
                _edit_button(message),
                rx.box(
                    rx.text(message.content, size="3", style=ANSWER_TEXT_STYLE),
                    background=rx.color("accent", 3),
                    color=rx.color("gray", 12),
                    padding="10px 14px",
                    border_radius="14px 14px 4px 14px",
                    max_width="80%",
                    custom_attrs=testid("user-message"),
                ),
                align="center",
                justify="end",
                spacing="2",
                width="100%",
            ),
        ),
        justify="end",
        width="100%",
    )


def _copy_answer(message: MessageView) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon("copy", size=15),
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=[
                rx.set_clipboard(message.content),
                rx.toast.success("Answer copied.", position="bottom-right", duration=1500),
            ],
            custom_attrs={**testid("copy-answer"), "aria-label": "Copy answer"},
        ),
        content="Copy answer",
    )


def _confidence(message: MessageView) -> rx.Component:
    level = message.confidence_level
    color = rx.match(level, *CONFIDENCE_COLORS.items(), "gray")
    return rx.cond(
        level != "",
        rx.tooltip(
            rx.badge(
                rx.icon("gauge", size=13),
                message.confidence_label,
                color_scheme=color,
                variant="soft",
                radius="full",
                custom_attrs={**testid("confidence"), "data-level": level},
            ),
            content="From the retrieval scores of the sources and how much of the answer cites them.",
        ),
    )


def _notices(message: MessageView) -> rx.Component:
    return rx.fragment(
        rx.cond(
            message.note != "",
            rx.callout(
                message.note,
                icon="info",
                color_scheme="blue",
                variant="surface",
                size="1",
                custom_attrs=testid("extractive-note"),
            ),
        ),
        rx.cond(
            message.status == "error",
            rx.callout(
                "This answer could not be finished. Try again or regenerate it.",
                icon="triangle-alert",
                color_scheme="red",
                size="1",
                custom_attrs=testid("answer-error"),
            ),
        ),
    )


def _no_answer(message: MessageView) -> rx.Component:
    return rx.hstack(
        rx.icon("search-x", size=18, color=rx.color("amber", 11), min_width="18px"),
        rx.vstack(
            rx.text("Not covered by your documents", size="2", weight="bold"),
            rx.text(message.content, size="2", color=rx.color("gray", 11), style=ANSWER_TEXT_STYLE),
            spacing="1",
        ),
        spacing="3",
        padding="12px 14px",
        border_radius="10px",
        border=f"1px dashed {rx.color('amber', 7)}",
        background=rx.color("amber", 2),
        width="100%",
        custom_attrs=testid("no-answer"),
    )


def _thumb(message: MessageView, rating: int, icon: str, label: str) -> rx.Component:
    chosen = message.rating == rating
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=15),
            size="1",
            variant=rx.cond(chosen, "soft", "ghost"),
            color_scheme=rx.cond(chosen, "grass" if rating > 0 else "tomato", "gray"),
            on_click=ChatState.rate(message.id, rating),
            custom_attrs={
                **testid("thumb-up" if rating > 0 else "thumb-down"),
                "aria-pressed": rx.cond(chosen, "true", "false"),
                "aria-label": label,
            },
        ),
        content=label,
    )


def _actions(message: MessageView) -> rx.Component:
    return rx.hstack(
        _thumb(message, 1, "thumbs-up", "Helpful"),
        _thumb(message, -1, "thumbs-down", "Not helpful"),
        _copy_answer(message),
        rx.cond(
            message.is_last & ChatState.can_regenerate,
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Regenerate",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=ChatState.regenerate,
                custom_attrs=testid("regenerate"),
            ),
        ),
        rx.spacer(),
        _confidence(message),
        align="center",
        spacing="3",
        width="100%",
        flex_wrap="wrap",  # on a phone the confidence badge goes under the buttons
        padding_top="2px",
    )


def _feedback_note(message: MessageView) -> rx.Component:
    return rx.cond(
        message.feedback != "",
        rx.hstack(
            rx.icon("message-square-quote", size=13, color=rx.color("gray", 11)),
            rx.text(
                "Your feedback: " + message.feedback,
                size="1",
                color=rx.color("gray", 11),
                custom_attrs=testid("feedback-note"),
            ),
            align="center",
            spacing="1",
        ),
    )


def _answer_body(message: MessageView) -> rx.Component:
    return rx.cond(
        message.mode == "no_answer",
        _no_answer(message),
        rx.box(
            answer_text(message.segments, "answer-text"),
            rx.cond(
                message.status == "stopped",
                rx.badge(
                    rx.icon("circle-stop", size=12),
                    "Stopped",
                    color_scheme="gray",
                    variant="surface",
                    margin_top="6px",
                    custom_attrs=testid("stopped-badge"),
                ),
            ),
            width="100%",
        ),
    )


def assistant_answer(message: MessageView) -> rx.Component:
    return rx.hstack(
        _avatar(),
        rx.vstack(
            _answer_body(message),
            _notices(message),
            sources_panel(message),
            _actions(message),
            _feedback_note(message),
            spacing="3",
            width="100%",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        custom_attrs={
            **testid("assistant-message"),
            "data-id": message.id,
            "data-status": message.status,
            "data-mode": message.mode,
            "data-rating": message.rating,
        },
    )


def chat_message(message: MessageView) -> rx.Component:
    return rx.cond(message.role == "user", user_bubble(message), assistant_answer(message))


def streaming_answer() -> rx.Component:
    """The answer as it arrives; replaced by the stored message when it ends."""
    return rx.hstack(
        _avatar(),
        rx.vstack(
            streamed_text(lambda segments: answer_text(segments, "streaming-text")),
            rx.hstack(
                rx.spinner(size="1"),
                rx.text(
                    rx.cond(
                        ChatState.stopping,
                        "Stopping…",
                        rx.cond(ChatState.stream_has_text, "Writing…", ChatState.stream_status),
                    ),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                align="center",
                spacing="2",
            ),
            spacing="2",
            width="100%",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        custom_attrs=testid("streaming-answer"),
    )
