"""Permission-matrix recipes for drafting (services/drafting/*, the drafting routes and the
drafting pages' handlers). Drafts come from draft_world.py; each call gets a fresh one, so rows
run in any order. The role's account owns the draft unless the row says otherwise:
`[shared for viewing]` / `[shared for editing]` is a draft of root's the account is a member of,
`[another account's]` the stranger's draft, which no one else may touch."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from lumikb_app.db.tables import User
from lumikb_app.services.chat import chat
from lumikb_app.services.drafting import (
    comments,
    draft_creation,
    draft_summaries,
    drafts,
    exports,
    generation,
    members,
    questionnaire_import,
    section_answer,
    sections,
    templates,
    versions,
)
from tests.integration.accounts.access_levels import Role
from tests.integration.accounts.access_world import QUESTION, World
from tests.integration.accounts.draft_world import (
    built_in_template,
    draft_for,
    first_section,
    foreign_draft,
    kb_template,
    new_comment,
    new_version,
    own_draft,
    shared_draft,
    with_proposal,
)
from tests.integration.accounts.drafting_handlers import HANDLER_LOADS

RouteRecipe = Callable[[World, Role], httpx.Response]
SECTION_TEXT = "Two clerks sign the seal [1]."
BASE_URL = "http://testserver"
QUESTIONNAIRE = b"ID,Question,Answer\nQ1,How is the ledger sealed every night?,\n"


def _own_section(w, u) -> str:
    return first_section(own_draft(w, u))


def _save(u, section_id: str) -> object:
    return sections.save_section(u, section_id, SECTION_TEXT, 1)


def _template_fields(**changes) -> dict:
    return {
        "name": f"Ledger review {uuid.uuid4().hex[:8]}",
        "description": "Reviewed each quarter",
        "sections": [{"title": "Seal", "instruction": "How is it sealed?"}],
        "answer_length": "short",
        "tone": "formal",
        **changes,
    }


DRAFTS = {
    "drafting.drafts.list_drafts": lambda w, u: w.shows_kb(
        drafts.list_drafts(u) if own_draft(w, u) else None
    ),
    "drafting.drafts.list_drafts [another account's]": lambda w, u: w.shows_foreign(
        drafts.list_drafts(u) if foreign_draft(w) else None
    ),
    "drafting.drafts.open_draft": lambda w, u: drafts.open_draft(u, own_draft(w, u)),
    "drafting.drafts.open_draft [another account's]": lambda w, u: drafts.open_draft(
        u, foreign_draft(w)
    ),
    "drafting.drafts.changes_since": lambda w, u: drafts.changes_since(u, own_draft(w, u), 0),
    "drafting.drafts.changes_since [another account's]": lambda w, u: drafts.changes_since(
        u, foreign_draft(w), 0
    ),
    "drafting.drafts.rename_draft": lambda w, u: drafts.rename_draft(u, own_draft(w, u), "New"),
    "drafting.drafts.rename_draft [shared for viewing]": lambda w, u: drafts.rename_draft(
        u, shared_draft(w, u, "view"), "New"
    ),
    "drafting.drafts.delete_draft": lambda w, u: drafts.delete_draft(u, own_draft(w, u)),
    "drafting.drafts.delete_draft [shared for editing]": lambda w, u: drafts.delete_draft(
        u, shared_draft(w, u, "edit")
    ),
    "drafting.questionnaire_import.preview_questionnaire": lambda w, u: (
        questionnaire_import.preview_questionnaire(u, "ledger.csv", QUESTIONNAIRE)
    ),
    "drafting.questionnaire_import.create_from_questionnaire": lambda w, u: (
        questionnaire_import.create_from_questionnaire(
            u, "Ledger questions", [w.kb], "ledger.csv", QUESTIONNAIRE
        )
    ),
    "drafting.draft_creation.create_draft": lambda w, u: draft_creation.create_draft(
        u, "Ledger checklist", [w.kb], built_in_template()
    ),
    "drafting.draft_creation.create_draft [from the KB's template]": lambda w, u: (
        draft_creation.create_draft(u, "Ledger checklist", [w.kb], kb_template(w))
    ),
    "drafting.draft_summaries.draft_summaries": lambda w, u: w.shows_kb(
        draft_summaries.draft_summaries(u) if own_draft(w, u) else None
    ),
    "drafting.draft_summaries.draft_summaries [another account's]": lambda w, u: w.shows_foreign(
        draft_summaries.draft_summaries(u) if foreign_draft(w) else None
    ),
    "drafting.draft_summaries.draft_outline": lambda w, u: draft_summaries.draft_outline(
        u, own_draft(w, u)
    ),
    "drafting.draft_summaries.draft_outline [another account's]": lambda w, u: (
        draft_summaries.draft_outline(u, foreign_draft(w))
    ),
}

SECTIONS = {
    "drafting.sections.start_editing": lambda w, u: sections.start_editing(u, _own_section(w, u)),
    "drafting.sections.start_editing [shared for viewing]": lambda w, u: sections.start_editing(
        u, first_section(shared_draft(w, u, "view"))
    ),
    "drafting.sections.start_editing [shared for editing]": lambda w, u: sections.start_editing(
        u, first_section(shared_draft(w, u, "edit"))
    ),
    "drafting.sections.stop_editing": lambda w, u: sections.stop_editing(u, _own_section(w, u)),
    "drafting.sections.save_section": lambda w, u: _save(u, _own_section(w, u)),
    "drafting.sections.save_section [shared for viewing]": lambda w, u: _save(
        u, first_section(shared_draft(w, u, "view"))
    ),
    "drafting.sections.save_section [another account's]": lambda w, u: _save(
        u, first_section(foreign_draft(w))
    ),
    "drafting.sections.set_reviewed": lambda w, u: sections.set_reviewed(
        u, _own_section(w, u), True
    ),
    "drafting.sections.set_reviewed [shared for viewing]": lambda w, u: sections.set_reviewed(
        u, first_section(shared_draft(w, u, "view")), True
    ),
    "drafting.sections.mark_all_reviewed": lambda w, u: sections.mark_all_reviewed(
        u, own_draft(w, u)
    ),
    "drafting.sections.mark_all_reviewed [shared for viewing]": lambda w, u: (
        sections.mark_all_reviewed(u, shared_draft(w, u, "view"))
    ),
    "drafting.sections.editing_now": lambda w, u: sections.editing_now(u, own_draft(w, u)),
    "drafting.sections.editing_now [another account's]": lambda w, u: sections.editing_now(
        u, foreign_draft(w)
    ),
}

GENERATION = {
    "drafting.generation.start_generation": lambda w, u: generation.start_generation(
        u, own_draft(w, u)
    ),
    "drafting.generation.start_generation [shared for viewing]": lambda w, u: (
        generation.start_generation(u, shared_draft(w, u, "view"))
    ),
    "drafting.generation.regenerate_section": lambda w, u: generation.regenerate_section(
        u, _own_section(w, u), "Shorter"
    ),
    "drafting.generation.regenerate_section [shared for viewing]": lambda w, u: (
        generation.regenerate_section(u, first_section(shared_draft(w, u, "view")), "Shorter")
    ),
    "drafting.generation.accept_proposal": lambda w, u: generation.accept_proposal(
        u, with_proposal(own_draft(w, u))
    ),
    "drafting.generation.accept_proposal [shared for viewing]": lambda w, u: (
        generation.accept_proposal(u, with_proposal(shared_draft(w, u, "view")))
    ),
    "drafting.generation.reject_proposal": lambda w, u: generation.reject_proposal(
        u, with_proposal(own_draft(w, u))
    ),
    "drafting.generation.cancel_generation": lambda w, u: generation.cancel_generation(
        u, own_draft(w, u)
    ),
    "drafting.generation.cancel_generation [another account's]": lambda w, u: (
        generation.cancel_generation(u, foreign_draft(w))
    ),
}

HISTORY = {
    "drafting.versions.section_history": lambda w, u: versions.section_history(
        u, _own_section(w, u)
    ),
    "drafting.versions.section_history [another account's]": lambda w, u: versions.section_history(
        u, first_section(foreign_draft(w))
    ),
    "drafting.versions.draft_history": lambda w, u: versions.draft_history(u, own_draft(w, u)),
    "drafting.versions.draft_history [another account's]": lambda w, u: versions.draft_history(
        u, foreign_draft(w)
    ),
    "drafting.versions.restore_version": lambda w, u: versions.restore_version(
        u, new_version(own_draft(w, u), w.root)
    ),
    "drafting.versions.restore_version [shared for viewing]": lambda w, u: versions.restore_version(
        u, new_version(shared_draft(w, u, "view"), w.root)
    ),
    "drafting.comments.add_comment": lambda w, u: comments.add_comment(
        u, _own_section(w, u), "Check the seal."
    ),
    "drafting.comments.add_comment [shared for viewing]": lambda w, u: comments.add_comment(
        u, first_section(shared_draft(w, u, "view")), "Check the seal."
    ),
    "drafting.comments.add_comment [another account's]": lambda w, u: comments.add_comment(
        u, first_section(foreign_draft(w)), "Check the seal."
    ),
    "drafting.comments.list_comments": lambda w, u: comments.list_comments(u, own_draft(w, u)),
    "drafting.comments.list_comments [another account's]": lambda w, u: comments.list_comments(
        u, foreign_draft(w)
    ),
    "drafting.comments.delete_comment": lambda w, u: comments.delete_comment(
        u, new_comment(shared_draft(w, u, "view"), u)
    ),
    "drafting.comments.delete_comment [another member's]": lambda w, u: comments.delete_comment(
        u, new_comment(shared_draft(w, u, "edit"), w.root)
    ),
}

SHARING = {
    "drafting.members.list_members": lambda w, u: members.list_members(u, own_draft(w, u)),
    "drafting.members.list_members [another account's]": lambda w, u: members.list_members(
        u, foreign_draft(w)
    ),
    "drafting.members.share_draft": lambda w, u: members.share_draft(
        u, own_draft(w, u), w.new_member(w.kb).email, "edit"
    ),
    "drafting.members.share_draft [shared for editing]": lambda w, u: members.share_draft(
        u, shared_draft(w, u, "edit"), w.new_member(w.kb).email, "view"
    ),
    "drafting.members.unshare_draft": lambda w, u: members.unshare_draft(
        u, *_with_member(w, own_draft(w, u))
    ),
    "drafting.members.unshare_draft [shared for editing]": lambda w, u: members.unshare_draft(
        u, *_with_member(w, shared_draft(w, u, "edit"))
    ),
}


def _with_member(w: World, draft_id: str) -> tuple[str, str]:
    """The draft with a new member (who reads its KB), shared by root's hand: (draft, member)."""
    from lumikb_app.container import get_container
    from lumikb_app.db.tables import DraftMember

    member = w.new_member(w.kb)
    with get_container().db.session() as session:
        session.add(DraftMember(draft_id=draft_id, user_id=member.id, role="view"))
        session.commit()
    return draft_id, member.id


TEMPLATES = {
    "drafting.templates.list_templates": lambda w, u: w.shows_kb(
        templates.list_templates(u) if kb_template(w) else None
    ),
    "drafting.templates.template_entries": lambda w, u: w.shows_kb(
        templates.template_entries(u) if kb_template(w) else None
    ),
    "drafting.templates.get_template": lambda w, u: templates.get_template(u, kb_template(w)),
    "drafting.templates.get_template [built in]": lambda w, u: templates.get_template(
        u, built_in_template()
    ),
    "drafting.templates.template_versions": lambda w, u: templates.template_versions(
        u, kb_template(w)
    ),
    "drafting.templates.template_scopes": lambda w, u: w.shows_kb(templates.template_scopes(u)),
    "drafting.templates.create_template": lambda w, u: templates.create_template(
        u, **_template_fields(kb_id=w.kb)
    ),
    "drafting.templates.create_template [for everyone]": lambda w, u: templates.create_template(
        u, **_template_fields()
    ),
    "drafting.templates.update_template": lambda w, u: templates.update_template(
        u, kb_template(w), **_template_fields()
    ),
    "drafting.templates.update_template [built in]": lambda w, u: templates.update_template(
        u, built_in_template(), **_template_fields()
    ),
    "drafting.templates.archive_template": lambda w, u: templates.archive_template(
        u, kb_template(w)
    ),
    "drafting.templates.restore_template": lambda w, u: templates.restore_template(
        u, kb_template(w, archived=True)
    ),
}

EXPORTS = {
    "drafting.exports.export_draft": lambda w, u: exports.export_draft(
        u, own_draft(w, u), "docx", BASE_URL
    ),
    "drafting.exports.export_draft [shared for viewing]": lambda w, u: exports.export_draft(
        u, shared_draft(w, u, "view"), "md", BASE_URL
    ),
    "drafting.exports.export_draft [another account's]": lambda w, u: exports.export_draft(
        u, foreign_draft(w), "pdf", BASE_URL
    ),
}

ANSWERS = {
    "drafting.section_answer.write_section": lambda w, u: w.shows_kb(
        section_answer.write_section(u, section_answer.SectionBrief(QUESTION, [w.kb]))
    ),
    "chat.chat.search_passages": lambda w, u: w.shows_kb(chat.search_passages(u, QUESTION, [])),
}

SERVICE_CALLS = {
    **DRAFTS,
    **GENERATION,
    **SECTIONS,
    **HISTORY,
    **SHARING,
    **TEMPLATES,
    **EXPORTS,
    **ANSWERS,
}


def _account(w: World, role: Role) -> User:
    """The role's account; root's when not signed in (whose drafts the request must not reach)."""
    return w.root if role is Role.ANONYMOUS else w.user(role)


def _request(method: str, path: Callable[[World, Role], str], **kwargs) -> RouteRecipe:
    def recipe(w: World, role: Role) -> httpx.Response:
        return w.request(role, method, path(w, role), **kwargs)

    return recipe


def _listed(draft: Callable[[World, Role], str]) -> RouteRecipe:
    def recipe(w: World, role: Role) -> httpx.Response:
        draft(w, role)
        return w.request(role, "GET", "/api/v1/drafts")

    return recipe


def _new_draft(w: World, role: Role) -> httpx.Response:
    body = {"title": "Ledger checklist", "kb_ids": [w.kb], "template_id": built_in_template()}
    return w.request(role, "POST", "/api/v1/drafts", json=body)


def _import(w: World, role: Role) -> httpx.Response:
    form = {"title": "Ledger questions", "kb_ids": w.kb}
    files = {"file": ("ledger.csv", QUESTIONNAIRE, "text/csv")}
    return w.request(role, "POST", "/api/v1/drafts/questionnaire", data=form, files=files)


def _templates(w: World, role: Role) -> httpx.Response:
    kb_template(w)
    return w.request(role, "GET", "/api/v1/drafting/templates")


def _viewed(w: World, role: Role) -> str:
    return (
        shared_draft(w, _account(w, role), "view")
        if role is not Role.ANONYMOUS
        else draft_for(w, role)
    )


ROUTE_CALLS = {
    "GET /api/v1/drafts": _listed(draft_for),
    "GET /api/v1/drafts [another account's]": _listed(lambda w, role: foreign_draft(w)),
    "POST /api/v1/drafts": _new_draft,
    "POST /api/v1/drafts/questionnaire": _import,
    "GET /api/v1/drafts/{draft_id}": _request(
        "GET", lambda w, role: f"/api/v1/drafts/{draft_for(w, role)}"
    ),
    "GET /api/v1/drafts/{draft_id} [another account's]": _request(
        "GET", lambda w, role: f"/api/v1/drafts/{foreign_draft(w)}"
    ),
    "POST /api/v1/drafts/{draft_id}/generate": _request(
        "POST", lambda w, role: f"/api/v1/drafts/{draft_for(w, role)}/generate"
    ),
    "POST /api/v1/drafts/{draft_id}/generate [shared for viewing]": _request(
        "POST", lambda w, role: f"/api/v1/drafts/{_viewed(w, role)}/generate"
    ),
    "GET /api/v1/drafts/{draft_id}/export": _request(
        "GET", lambda w, role: f"/api/v1/drafts/{draft_for(w, role)}/export?format=md"
    ),
    "GET /api/v1/drafts/{draft_id}/export [another account's]": _request(
        "GET", lambda w, role: f"/api/v1/drafts/{foreign_draft(w)}/export?format=md"
    ),
    "GET /api/drafts/{draft_id}/export": _request(
        "GET", lambda w, role: f"/api/drafts/{draft_for(w, role)}/export?format=docx"
    ),
    "GET /api/drafts/{draft_id}/export [another account's]": _request(
        "GET", lambda w, role: f"/api/drafts/{foreign_draft(w)}/export?format=docx"
    ),
    "GET /api/v1/drafting/templates": _templates,
}

__all__ = ["HANDLER_LOADS", "ROUTE_CALLS", "SERVICE_CALLS"]
