"""Labelled form inputs shared by the sign-in, registration and password pages."""

import reflex as rx

from lumikb_app.ui.components.common import testid


def form_field(
    label: str,
    name: str,
    input_type: str,
    autocomplete: str,
    hint: str = "",
    *,
    placeholder: str = "",
    test_id: str | None = None,
) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
        rx.input(
            id=name,
            name=name,
            type=input_type,
            required=True,
            auto_complete=autocomplete,
            placeholder=placeholder,
            size="3",
            width="100%",
            custom_attrs=testid(test_id or name.replace("_", "-")),
        ),
        rx.text(hint, size="1", color=rx.color("gray", 10)) if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )
