"""The "New draft" dialog: title, template (with its sections count and scope) and the
knowledge bases to draft from (the shared KB picker)."""

import reflex as rx

from lumikb_app.domain.drafting import MAX_BRIEF, MAX_TITLE
from lumikb_app.state.drafting.draft_create import NewDraftState, TemplateOption
from lumikb_app.state.shell import ShellState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import dialog_foot, field_label, labelled_select
from lumikb_app.ui.components.kb_picker import KbPickerIds, KbPickerLook, kb_picker

MUTED = rx.color("gray", 11)


def kb_field(
    *, chosen: rx.Var, label: rx.Var, used: rx.Var, on_pick, on_all, name: str, hint: str = ""
) -> rx.Component:
    """'Draft from' with the KB picker (none ticked: every readable KB) and, under it, the KBs
    that will be used, named."""
    return rx.vstack(
        rx.text("Draft from", size="2", weight="medium", id=f"{name}-label"),
        kb_picker(
            kbs=ShellState.kbs,
            chosen=chosen,
            label=label,
            on_pick=on_pick,
            on_all=on_all,
            ids=KbPickerIds(
                trigger=f"{name}-trigger",
                menu=f"{name}-menu",
                all=f"{name}-all",
                option=f"{name}-option",
            ),  # fmt: skip
            look=KbPickerLook(
                max_label_width="260px",
                heading="Draft from",
                purpose="Knowledge bases to draft from",
            ),
        ),
        rx.text(used, size="1", custom_attrs=testid(f"{name}-used")),
        rx.text(
            hint or "Members you share the draft with must be able to read every one of them.",
            size="1",
            color=MUTED,
        ),
        spacing="1",
        width="100%",
    )


def _template_item(option: TemplateOption) -> rx.Component:
    return rx.select.item(
        option.name + " · " + option.scope, value=option.id, custom_attrs={"data-name": option.name}
    )


def template_select() -> rx.Component:
    summary = rx.text(
        NewDraftState.chosen_template.sections + ". " + NewDraftState.chosen_template.description,
        size="1",
        color=MUTED,
        custom_attrs=testid("new-draft-template-summary"),
    )
    return labelled_select(
        "Template",
        "new-draft-template",
        [rx.foreach(NewDraftState.template_choices, _template_item)],
        value=NewDraftState.new_draft_template_id,
        on_change=NewDraftState.set_new_draft_template,
        note=summary,
        width="100%",
    )


def brief_field() -> rx.Component:
    """What the draft is about: a template's generic headings ("Risks") are searched with it."""
    return rx.vstack(
        field_label("What is it about? (optional)", "new-draft-brief"),
        rx.text_area(
            id="new-draft-brief",
            name="brief",
            placeholder="Our readiness for a SOC 2 audit of the payments service",
            max_length=MAX_BRIEF,
            rows="3",
            width="100%",
            custom_attrs=testid("new-draft-brief"),
        ),
        rx.text(
            "Each section is searched and written about this. Left empty, the title is used.",
            size="1",
            color=MUTED,
        ),
        spacing="1",
        width="100%",
    )


def _actions() -> rx.Component:
    return dialog_foot(
        rx.button(
            "Create draft",
            type="submit",
            loading=NewDraftState.new_draft_busy,
            custom_attrs=testid("new-draft-submit"),
        ),
        margin_top="8px",
    )


def new_draft_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New draft"),
            rx.dialog.description(
                "Its sections come from the template; each is answered from the knowledge "
                "bases you choose, every claim cited.",
                size="2",
                color=MUTED,
                margin_bottom="16px",
            ),
            rx.form(
                rx.vstack(
                    outcome(NewDraftState.new_draft_error, error=True, name="new-draft-error"),
                    field_label("Title", "new-draft-title"),
                    rx.input(
                        id="new-draft-title",
                        name="title",
                        placeholder="e.g. ACME security review 2026",
                        max_length=MAX_TITLE,
                        auto_focus=True,
                        width="100%",
                        custom_attrs=testid("new-draft-title"),
                    ),
                    brief_field(),
                    template_select(),
                    kb_field(
                        chosen=NewDraftState.new_draft_kb_ids,
                        label=NewDraftState.new_draft_kbs_label,
                        used=NewDraftState.new_draft_kbs_used,
                        on_pick=NewDraftState.pick_new_draft_kb,
                        on_all=NewDraftState.pick_all_new_draft_kbs,
                        name="new-draft-kbs",
                    ),
                    _actions(),
                    spacing="3",
                    width="100%",
                ),
                on_submit=NewDraftState.create_new_draft,
                reset_on_submit=False,
                custom_attrs=testid("new-draft-form"),
            ),
            max_width="520px",
            custom_attrs=testid("new-draft-dialog"),
        ),
        open=NewDraftState.new_draft_open,
        on_open_change=NewDraftState.new_draft_dialog_changed,
    )
