"""The account page: who you are, changing your password, and your personal API tokens."""

import reflex as rx

from lumikb_app.services.accounts.api_tokens import MAX_NAME_LENGTH
from lumikb_app.services.accounts.passwords import MIN_PASSWORD_LENGTH
from lumikb_app.state.accounts.account import EXPIRY_CHOICES, AccountState, TokenRow
from lumikb_app.state.session import AppState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import field_label
from lumikb_app.ui.components.shell import page_header, shell


def password_field(label: str, name: str, autocomplete: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        field_label(label, name),
        rx.input(
            id=name,
            name=name,
            type="password",
            required=True,
            auto_complete=autocomplete,
            width="100%",
            custom_attrs=testid(f"account-{name.replace('_', '-')}"),
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 10))),
        spacing="1",
        width="100%",
    )


def profile_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.avatar(fallback=AppState.user_initials, size="4", radius="full", variant="solid"),
            rx.vstack(
                rx.text(AppState.user_name, size="3", weight="bold"),
                rx.text(AppState.user_email, size="2", color=rx.color("gray", 11)),
                rx.badge(AppState.role_label, variant="soft", color_scheme="gray"),
                spacing="1",
            ),
            align="center",
            spacing="4",
        ),
        width="100%",
        custom_attrs=testid("account-profile"),
    )


def password_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Change password", size="4"),
                rx.text(
                    "This signs out your other sessions and revokes your API tokens.",
                    size="2",
                    color=rx.color("gray", 11),
                    custom_attrs=testid("password-consequence"),
                ),
                outcome(AccountState.password_error, error=True, name="password-error"),
                outcome(AccountState.password_notice, error=False, name="password-notice"),
                password_field("Current password", "current_password", "current-password"),
                password_field(
                    "New password",
                    "new_password",
                    "new-password",
                    f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
                ),
                password_field("Confirm new password", "confirm_password", "new-password"),
                rx.button(
                    "Change password", type="submit", custom_attrs=testid("account-password-submit")
                ),
                spacing="3",
                align="start",
                width="100%",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=False,
            width="100%",
            custom_attrs=testid("password-form"),
        ),
        width="100%",
        max_width="480px",
    )


MUTED = rx.color("gray", 11)


def new_token_notice() -> rx.Component:
    return rx.cond(
        AccountState.new_token != "",
        rx.callout.root(
            rx.vstack(
                rx.text(
                    "Copy your new token “",
                    AccountState.new_token_name,
                    "” now. ",
                    rx.text.strong("You will not be able to see it again."),
                    size="2",
                ),
                rx.hstack(
                    rx.code(
                        AccountState.new_token,
                        size="2",
                        word_break="break-all",
                        custom_attrs=testid("api-token-value"),
                    ),
                    rx.icon_button(
                        rx.icon("copy", size=15),
                        type="button",
                        variant="soft",
                        aria_label="Copy the token",
                        title="Copy the token",
                        on_click=[
                            rx.set_clipboard(AccountState.new_token),
                            rx.toast("Token copied."),
                        ],
                        custom_attrs=testid("api-token-copy"),
                    ),
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                rx.button(
                    "I have copied it",
                    type="button",
                    size="1",
                    variant="soft",
                    on_click=AccountState.dismiss_new_token,
                    custom_attrs=testid("api-token-dismiss"),
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            role="status",
            size="1",
            width="100%",
            custom_attrs=testid("api-token-new"),
        ),
    )


def token_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                field_label("Name", "token_name"),
                rx.input(
                    id="token_name",
                    name="token_name",
                    placeholder="What will use it, e.g. nightly report",
                    max_length=MAX_NAME_LENGTH,
                    required=True,
                    width="100%",
                    custom_attrs=testid("api-token-name"),
                ),
                spacing="1",
                flex="1",
            ),
            rx.vstack(
                rx.text("Expires after", size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(
                        aria_label="Expires after", custom_attrs=testid("api-token-expiry")
                    ),
                    rx.select.content(
                        *[rx.select.item(label, value=key) for key, label in EXPIRY_CHOICES]
                    ),
                    name="token_expiry",
                    default_value=EXPIRY_CHOICES[0][0],
                ),
                spacing="1",
            ),
            rx.button("Create token", type="submit", custom_attrs=testid("api-token-create")),
            align="end",
            spacing="3",
            width="100%",
            wrap="wrap",
        ),
        on_submit=AccountState.create_token,
        reset_on_submit=False,
        width="100%",
        custom_attrs=testid("api-token-form"),
    )


def token_row(token: TokenRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(token.name, weight="medium")),
        rx.table.cell(rx.code(token.prefix, size="1")),
        rx.table.cell(token.created),
        rx.table.cell(token.last_used),
        rx.table.cell(
            rx.cond(token.expired, rx.badge("Expired", color_scheme="red"), token.expires)
        ),
        rx.table.cell(
            rx.button(
                "Revoke",
                size="1",
                color_scheme="red",
                variant="soft",
                aria_label="Revoke " + token.name,
                on_click=AccountState.revoke_token(token.id),
                custom_attrs=testid("api-token-revoke"),
            )
        ),
        custom_attrs={"data-testid": "api-token-row", "data-token-name": token.name},
    )


def token_table() -> rx.Component:
    return rx.cond(
        AccountState.tokens.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(label)
                        for label in ("Name", "Token", "Created (UTC)", "Last used", "Expires", "")
                    ]
                )
            ),
            rx.table.body(rx.foreach(AccountState.tokens, token_row)),
            size="1",
            variant="ghost",
            width="100%",
            custom_attrs=testid("api-token-table"),
        ),
        rx.text(
            "You have no API tokens.", size="2", color=MUTED, custom_attrs=testid("api-token-empty")
        ),
    )


def api_tokens_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("API tokens", size="4"),
            rx.text(
                "A token lets a script search and ask questions as you, through the ",
                rx.link("REST API", href="/api/docs", is_external=True),
                ". It can read what you can read. Send it as ",
                rx.code("Authorization: Bearer <token>"),
                ".",
                size="2",
                color=MUTED,
            ),
            rx.link(
                rx.icon("book-open-text", size=15, aria_hidden="true"),
                "Open the REST API docs (new tab)",
                href="/api/docs",
                is_external=True,
                size="2",
                weight="medium",
                display="inline-flex",
                align_items="center",
                gap="6px",
                custom_attrs=testid("api-docs-link"),
            ),
            outcome(AccountState.token_error, error=True, name="api-token-error"),
            new_token_notice(),
            token_form(),
            token_table(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs=testid("api-tokens"),
    )


def account_page() -> rx.Component:
    return shell(
        page_header("Your account", "Your profile, password and API tokens.", icon="user-round"),
        rx.vstack(
            rx.vstack(
                profile_card(), password_card(), spacing="4", width="100%", max_width="480px"
            ),
            api_tokens_card(),
            spacing="4",
            width="100%",
            max_width="760px",
        ),
    )
