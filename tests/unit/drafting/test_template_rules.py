"""What a template may hold, checked before anything is stored, and the built-in templates
themselves passing the same checks."""

from __future__ import annotations

import pytest

from lumikb_app.domain.drafting import MAX_INSTRUCTION, DraftInputError
from lumikb_app.services.drafting.built_in_templates import BUILT_IN_TEMPLATES
from lumikb_app.services.drafting.template_rules import (
    clean_kb_id,
    clean_sections,
    template_fields,
)

KEYS = ["rfp_response", "security_questionnaire", "checklist", "gap_analysis", "executive_summary"]


def test_the_five_built_in_templates_pass_the_rules_a_custom_one_must_pass():
    assert [t.key for t in BUILT_IN_TEMPLATES] == KEYS
    assert len({t.name for t in BUILT_IN_TEMPLATES}) == 5
    for t in BUILT_IN_TEMPLATES:
        fields = template_fields(
            t.name, t.description, t.section_dicts(), t.answer_length.value, t.tone.value
        )
        assert fields.sections == t.section_dicts()  # already clean: stored as written
        assert 5 <= len(fields.sections) <= 15
        assert all(40 < len(s["instruction"]) <= MAX_INSTRUCTION for s in fields.sections)


def test_sections_are_trimmed_and_an_instruction_may_be_left_out():
    cleaned = clean_sections(
        [{"title": "  Scope \n and  criteria "}, {"title": "Gaps", "instruction": " A table. "}]
    )
    assert cleaned == [
        {"title": "Scope and criteria", "instruction": ""},
        {"title": "Gaps", "instruction": "A table."},
    ]
    assert clean_sections(({"title": "One", "instruction": None},)) == [
        {"title": "One", "instruction": ""}
    ]


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        (None, "list of titles and instructions"),
        (b"Overview", "list of titles and instructions"),
        ({"title": "A"}, "list of titles and instructions"),
        ([{"title": "A"}, {"title": "B", "instruction": 5}], "Section 2's title and instruction"),
        ([{"title": "Risks"}, {"title": " risks "}], "Two sections are titled “risks”"),
        ([{"title": "A\ud800"}], "cannot be stored"),
    ],
)
def test_sections_that_cannot_be_stored_are_refused_with_the_section_named(sections, message):
    with pytest.raises(DraftInputError, match=message):
        clean_sections(sections)


def test_answer_length_and_tone_are_closed_choices_and_a_scope_is_none_or_an_id():
    fields = template_fields("Plan", None, [{"title": "A"}], "long", "persuasive")
    assert (fields.description, fields.answer_length, fields.tone) == ("", "long", "persuasive")
    with pytest.raises(DraftInputError, match="Answer length must be one of"):
        template_fields("Plan", "", [{"title": "A"}], "LONG", "plain")
    assert clean_kb_id(None) is None
    for bad in ("", "k" * 37, 3, ["kb"]):
        with pytest.raises(DraftInputError, match="one knowledge base"):
            clean_kb_id(bad)
