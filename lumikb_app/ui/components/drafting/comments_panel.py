"""The draft page's comments panel: the comments of one section (or of all), the box to add one
to the chosen section, and Delete on one's own comments (the owner may delete any)."""

import reflex as rx

from lumikb_app.domain.drafting import MAX_COMMENT
from lumikb_app.state.drafting.comments import ALL, CommentRow, CommentsState, SectionChoice
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import field_label, labelled_select

MUTED = rx.color("gray", 11)


def _section_item(section: SectionChoice) -> rx.Component:
    return rx.select.item(section.title, value=section.id)


def section_select() -> rx.Component:
    return labelled_select(
        "Section",
        "comments-section",
        [
            rx.select.item("All sections", value=ALL),
            rx.foreach(CommentsState.comment_sections, _section_item),
        ],
        value=CommentsState.comments_section,
        on_change=CommentsState.set_comments_section,
        width="100%",
    )


def comment_item(comment: CommentRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(comment.author, size="2", weight="medium"),
            rx.text(comment.when, size="1", color=MUTED, title=comment.exact),
            rx.spacer(),
            rx.cond(
                comment.can_delete,
                rx.icon_button(
                    rx.icon("trash-2", size=12),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=CommentsState.delete_comment(comment.id),
                    aria_label="Delete comment by " + comment.author,
                    custom_attrs=testid("comment-delete"),
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(
            CommentsState.commenting_on_all,
            rx.text(comment.section_title, size="1", color=MUTED, truncate=True),
        ),
        rx.text(
            comment.body, size="2", white_space="pre-wrap", custom_attrs=testid("comment-body")
        ),
        padding="8px 10px",
        border_radius="8px",
        background=rx.color("gray", 3),
        width="100%",
        custom_attrs=testid("comment"),
    )


def comment_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field_label("Add a comment", "comment-body"),
            rx.text_area(
                id="comment-body",
                name="body",
                key=CommentsState.comment_form_key.to_string(),
                max_length=MAX_COMMENT,
                rows="3",
                width="100%",
                placeholder="What should change, or what to check",
                custom_attrs=testid("comment-input"),
            ),
            rx.button("Comment", type="submit", size="2", custom_attrs=testid("comment-submit")),
            spacing="2",
            width="100%",
        ),
        on_submit=CommentsState.add_comment,
        reset_on_submit=False,
        width="100%",
    )


def comments_panel() -> rx.Component:
    """Place it on the draft page; CommentsState.load_comments fills it, and a section's button
    may call CommentsState.show_section_comments(section_id)."""
    return rx.vstack(
        rx.heading("Comments", size="3"),
        section_select(),
        outcome(CommentsState.comments_error, error=True, name="comments-error"),
        rx.cond(
            CommentsState.shown_comments.length() > 0,
            rx.vstack(
                rx.foreach(CommentsState.shown_comments, comment_item), spacing="2", width="100%"
            ),
            rx.text(
                "No comments yet.", size="2", color=MUTED, custom_attrs=testid("comments-empty")
            ),
        ),
        rx.cond(
            CommentsState.commenting_on_all,
            rx.text("Choose a section to comment on it.", size="1", color=MUTED),
            comment_form(),
        ),
        spacing="3",
        width="100%",
        custom_attrs=testid("comments-panel"),
    )
