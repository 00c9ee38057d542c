"""/admin/models: the model registry (table with per-row test, default and retire) and the form
that adds a model."""

import reflex as rx

from lumikb_app.state.models.admin_models import KINDS, AdminModelsState, ModelRow, field_id
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import field_label
from lumikb_app.ui.components.responsive import scroll_x
from lumikb_app.ui.components.shell import main_pane_loading, page_header, shell
from lumikb_app.ui.pages.platform.admin_home import admin_only, admin_tabs

MUTED = rx.color("gray", 11)


def _status(row: ModelRow) -> rx.Component:
    return rx.cond(
        row.retired,
        rx.badge("Retired", color_scheme="gray", variant="outline", custom_attrs=testid("model-status")),
        rx.cond(
            row.is_default,
            rx.badge("Default", color_scheme="green", variant="soft", custom_attrs=testid("model-status")),
            rx.badge("Available", color_scheme="blue", variant="soft", custom_attrs=testid("model-status")),
        ),
    )  # fmt: skip


def _reach(row: ModelRow) -> rx.Component:
    return rx.cond(
        row.builtin,
        rx.text("runs inside LumiKB, offline", size="1", color=MUTED),
        _url_and_key(row),
    )


def _url_and_key(row: ModelRow) -> rx.Component:
    return rx.vstack(
        rx.text(rx.cond(row.base_url != "", row.base_url, "provider default"), size="1"),
        rx.cond(
            row.api_key_env != "",
            rx.hstack(
                rx.code(row.api_key_env, size="1"),
                rx.cond(row.key_missing, rx.badge("not set", color_scheme="red", size="1")),
                spacing="1",
                align="center",
            ),
            rx.text("no key", size="1", color=MUTED),
        ),
        spacing="1",
    )


def _test_result(row: ModelRow) -> rx.Component:
    return rx.cond(
        row.test_state != "",
        rx.text(
            row.test_message,
            size="1",
            color=rx.cond(row.test_state == "failed", rx.color("red", 11), rx.color("green", 11)),
            custom_attrs={**testid("model-test-result"), "data-state": row.test_state},
        ),
    )


def _actions(row: ModelRow) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("plug-zap", size=14),
            "Test",
            size="1",
            variant="soft",
            loading=row.test_state == "testing",
            on_click=AdminModelsState.check_connection(row.id),
            custom_attrs=testid("model-test"),
        ),
        rx.cond(
            ~row.retired & ~row.is_default,
            rx.button("Make default", size="1", variant="soft", color_scheme="green",
                      on_click=AdminModelsState.make_default(row.id), custom_attrs=testid("model-make-default")),
        ),
        rx.cond(
            ~row.retired,
            rx.button("Retire", size="1", variant="soft", color_scheme="red",
                      on_click=AdminModelsState.retire(row.id), custom_attrs=testid("model-retire")),
        ),
        spacing="2",
    )  # fmt: skip


def _model_row(row: ModelRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row.name, size="2", weight="medium", custom_attrs=testid("model-name")),
                rx.code(row.litellm_model, size="1", variant="ghost"),
                spacing="1",
            )
        ),
        rx.table.cell(rx.badge(row.kind, variant="outline", custom_attrs=testid("model-kind"))),
        rx.table.cell(_reach(row)),
        rx.table.cell(rx.text(row.context_window, size="2")),
        rx.table.cell(_status(row)),
        rx.table.cell(rx.vstack(_actions(row), _test_result(row), spacing="1")),
        custom_attrs={**testid("model-row"), "data-model-id": row.id, "data-kind": row.kind},
    )


def _models_table() -> rx.Component:
    return scroll_x(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *(
                        rx.table.column_header_cell(label)
                        for label in ("Model", "Kind", "Base URL and key", "Context", "Status", "")
                    )
                )
            ),
            rx.table.body(rx.foreach(AdminModelsState.models, _model_row)),
            variant="surface",
            width="100%",
            custom_attrs=testid("models-table"),
        ),
        label="Models",
    )


def _field(name: str, label: str, hint: str, **props) -> rx.Component:
    return rx.vstack(
        field_label(label, field_id(name)),
        rx.input(id=field_id(name), name=name, width="100%", custom_attrs=testid(field_id(name)), **props),
        rx.text(hint, size="1", color=rx.color("gray", 10)),
        spacing="1",
        width="100%",
    )  # fmt: skip


def _kind_select() -> rx.Component:
    return rx.vstack(
        rx.text("Kind", size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(
                width="100%", custom_attrs={**testid("model-kind-select"), "aria-label": "Kind"}
            ),
            rx.select.content(*(rx.select.item(kind.title(), value=kind) for kind in KINDS)),
            value=AdminModelsState.new_kind,
            on_change=AdminModelsState.set_new_kind,
        ),
        rx.text("What LumiKB uses it for", size="1", color=rx.color("gray", 10)),
        spacing="1",
        width="100%",
    )


def _add_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Add a model", size="4"),
                rx.text(
                    "LumiKB calls models through LiteLLM. The key stays in an environment variable "
                    "of the server; the registry stores only that variable's name.",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                outcome(AdminModelsState.add_error, error=True, name="model-add-error"),
                rx.grid(
                    _kind_select(),
                    _field("name", "Name", "What people see, e.g. Llama 3.2 (local)", max_length=120),
                    _field("litellm_model", "LiteLLM model", "e.g. ollama/llama3.2 or gpt-4o-mini", max_length=200),
                    _field("base_url", "Base URL", "optional, e.g. http://ollama:11434", max_length=500),
                    _field("api_key_env", "Key variable", "optional: the name of the variable, e.g. OPENAI_API_KEY", max_length=64),
                    _field("context_window", "Context window", "optional, in tokens", type="number", min=1),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.button(rx.icon("plus", size=14), "Add model", type="submit", custom_attrs=testid("model-add")),
                spacing="3",
                align="start",
                width="100%",
            ),
            on_submit=AdminModelsState.add_model,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        margin_top="20px",
        custom_attrs=testid("model-add-card"),
    )  # fmt: skip


def admin_models_page() -> rx.Component:
    return shell(
        page_header("Admin", "Users, access, settings and the audit log.", icon="shield"),
        admin_only(
            admin_tabs("/admin/models"),
            rx.cond(
                AdminModelsState.loaded,
                rx.box(
                    rx.text(
                        "Knowledge base admins choose their chat and embedding models from this "
                        "list only. The default of each kind is used where a knowledge base names "
                        "none; a model in use cannot be retired.",
                        size="2",
                        color=MUTED,
                        margin_bottom="12px",
                    ),
                    outcome(AdminModelsState.error, error=True, name="models-error"),
                    outcome(AdminModelsState.notice, error=False, name="models-notice"),
                    rx.box(_models_table(), margin_top="12px", width="100%"),
                    _add_form(),
                    width="100%",
                    custom_attrs=testid("admin-models"),
                ),
                main_pane_loading(),
            ),
        ),
    )
