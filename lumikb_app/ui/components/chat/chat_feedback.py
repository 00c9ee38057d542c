"""After a thumb is clicked (the rating is already stored): an optional comment."""

import reflex as rx

from lumikb_app.state.chat.chat import ChatState
from lumikb_app.ui.components.common import testid


def feedback_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(ChatState.feedback_rating > 0, "What was helpful?", "What went wrong?")
            ),
            rx.dialog.description(
                "Your rating is saved. A comment is optional and helps improve the answers.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.form(
                rx.vstack(
                    rx.text_area(
                        name="comment",
                        default_value=ChatState.feedback_comment,
                        key=ChatState.feedback_id,
                        placeholder=rx.cond(
                            ChatState.feedback_rating > 0,
                            "For example: it found the right page",
                            "For example: the answer cites the wrong passage",
                        ),
                        max_length=2000,
                        rows="3",
                        width="100%",
                        custom_attrs=testid("feedback-comment"),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                "Skip",
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                custom_attrs=testid("feedback-skip"),
                            )
                        ),
                        rx.button(
                            "Send feedback", type="submit", custom_attrs=testid("feedback-send")
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=ChatState.send_feedback,
            ),
            max_width="440px",
            custom_attrs=testid("feedback-dialog"),
        ),
        open=ChatState.feedback_id != "",
        on_open_change=ChatState.feedback_dialog_changed,
    )
