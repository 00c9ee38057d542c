"""The draft page's members panel: the owner and the members with their roles; the owner
shares the draft by email (view or edit), changes a member's role and removes members."""

import reflex as rx

from lumikb_app.state.drafting.members import MemberRow, MembersState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import field_label

MUTED = rx.color("gray", 11)
ROLE_CHOICES = (("view", "Can view"), ("edit", "Can edit"))


def _role_select(value: rx.Var, label: rx.Var | str, on_change, name: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, custom_attrs=testid(name)),
        rx.select.content(*(rx.select.item(text, value=role) for role, text in ROLE_CHOICES)),
        value=value,
        on_change=on_change,
        size="1",
    )


def _controls(member: MemberRow) -> rx.Component:
    return rx.hstack(
        _role_select(
            member.role,
            "Role of " + member.email,
            lambda role: MembersState.change_member_role(member.user_id, role),
            "member-role-select",
        ),
        rx.icon_button(
            rx.icon("user-minus", size=14),
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=MembersState.unshare(member.user_id),
            aria_label="Remove " + member.email,
            custom_attrs=testid("member-remove"),
        ),
        spacing="2",
        align="center",
    )


def member_item(member: MemberRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(member.name, size="2", weight="medium", truncate=True),
            rx.text(member.email, size="1", color=MUTED, truncate=True),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            MembersState.members_owner & ~member.is_owner,
            _controls(member),
            rx.badge(member.role_label, variant="soft", custom_attrs=testid("member-role")),
        ),
        align="center",
        spacing="2",
        width="100%",
        custom_attrs={**testid("draft-member"), "data-email": member.email},
    )


def share_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field_label("Share with (email)", "share-email"),
            rx.hstack(
                rx.input(
                    id="share-email",
                    name="email",
                    type="email",
                    placeholder="name@example.com",
                    max_length=320,
                    flex="1",
                    min_width="0",
                    custom_attrs=testid("share-email"),
                ),
                _role_select(
                    MembersState.share_role,
                    "Role of the person to share with",
                    MembersState.set_share_role,
                    "share-role",
                ),
                spacing="2",
                width="100%",
            ),
            rx.button(
                rx.icon("user-plus", size=14),
                "Share",
                type="submit",
                size="2",
                custom_attrs=testid("share-submit"),
            ),
            rx.text(
                "They must be able to read every knowledge base the draft draws from.",
                size="1",
                color=MUTED,
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=MembersState.share,
        reset_on_submit=True,
        width="100%",
    )


def members_panel() -> rx.Component:
    """Place it on the draft page; MembersState.load_members fills it (on_load, or on open)."""
    return rx.vstack(
        rx.hstack(
            rx.heading("People", size="3"),
            rx.text(MembersState.member_count_label, size="1", color=MUTED),
            align="baseline",
            spacing="2",
        ),
        outcome(MembersState.members_error, error=True, name="members-error"),
        outcome(MembersState.members_notice, error=False, name="members-notice"),
        rx.vstack(rx.foreach(MembersState.member_rows, member_item), spacing="3", width="100%"),
        rx.cond(MembersState.members_owner, share_form()),
        spacing="3",
        width="100%",
        custom_attrs=testid("members-panel"),
    )
