"""Form pieces shared by the pages: labelled inputs and selects, and the foot of a form dialog."""

import reflex as rx

from lumikb_app.ui.components.common import testid


def field_label(text: str, field_id: str) -> rx.Component:
    """A real <label for=...> (rx.text(as_="label", html_for=...) puts htmlFor into its CSS in
    Reflex 0.10.1, so the label names nothing)."""
    return rx.el.label(text, html_for=field_id, font_size="var(--font-size-2)", font_weight="500")


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
        field_label(label, name),
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


def dialog_foot(action: rx.Component, **layout) -> rx.Component:
    """A form dialog's foot: Cancel (closes the dialog, changes nothing), then its `action`."""
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
        action,
        justify="end",
        spacing="3",
        width="100%",
        **layout,
    )


def labelled_select(
    label: str,
    control_id: str,
    items: list[rx.Component],
    *,
    value: rx.Var,
    on_change,
    note: rx.Component | None = None,
    test_id: str = "",
    **layout,
) -> rx.Component:
    """A select of `items` with its <label> above and an optional `note` below; its test id is
    the control's id unless `test_id` says otherwise."""
    return rx.vstack(
        field_label(label, control_id),
        rx.select.root(
            rx.select.trigger(
                id=control_id, width="100%", custom_attrs=testid(test_id or control_id)
            ),
            rx.select.content(*items),
            value=value,
            on_change=on_change,
        ),
        *([note] if note is not None else []),
        spacing="1",
        **layout,
    )
