"""Permission-matrix recipes for the drafting pages' Reflex handlers: each runs the handler as
the role's browser would (its session cookie, the page's route, straight past the event guard)
on a fresh draft (draft_world.py) and answers what the test compares with the handler's row: a
load's page content, or whether the action took effect in the database. The role's account owns
the draft; without a session the draft is root's, which the call must leave untouched."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import (
    Draft,
    DraftComment,
    DraftMember,
    DraftSection,
    DraftSectionVersion,
    DraftTemplate,
    User,
)
from lumikb_app.services.accounts.auth import COOKIE_NAME
from lumikb_app.services.drafting import questionnaire_import
from tests.integration.accounts.access_levels import Role
from tests.integration.accounts.access_world import World
from tests.integration.accounts.draft_world import (
    built_in_template,
    draft_for,
    first_section,
    kb_template,
    new_comment,
    new_version,
    with_proposal,
)
from tests.reflex_states import signed_in_state

HandlerRecipe = Callable[[World, Role], Awaitable[object]]
QUESTIONNAIRE = b"ID,Question,Answer\nQ1,How is the ledger sealed every night?,\n"
WATCH_SECONDS = 1.0  # the watcher reads every 0.5 s and never ends on its own while followed


def _account(w: World, role: Role) -> User:
    return w.root if role is Role.ANONYMOUS else w.user(role)


def _page(w: World, role: Role, state_class: type, draft_id: str = "") -> Any:
    """The state of the role's browser tab on the draft's page (or /drafts)."""
    path, route = (f"/drafts/{draft_id}", {"draft_id": draft_id}) if draft_id else ("/drafts", {})
    token = w.sessions.get(role, "")
    root = signed_in_state(state_class.get_root_state(), token, path, **route)
    root.router = type(root.router).from_router_data(  # with the address the browser shows
        {"headers": {"cookie": f"{COOKIE_NAME}={token}"}, "pathname": path, "asPath": path,
         "query": route}
    )  # fmt: skip
    return root.get_substate(state_class.get_full_name().split("."))


async def _run(
    w: World, role: Role, state_class: type, handler: str, *args: Any, draft_id: str = "",
    setup: Callable[[Any], None] | None = None,
) -> Any:  # fmt: skip
    """The handler run for the role's browser on the draft's page (or /drafts)."""
    state = _page(w, role, state_class, draft_id)
    if setup is not None:
        setup(state)
    await getattr(state_class, handler).fn(state, *args)
    return state


def _row(table: type, row_id: str) -> Any:
    with get_container().db.session() as session:
        return session.get(table, row_id)


def _titled(title: str) -> bool:
    with get_container().db.session() as session:
        return session.exec(select(Draft).where(Draft.title == title)).first() is not None


def _locked(w: World, role: Role) -> str:
    """A draft whose first section the role's account is editing (root's without a session)."""
    draft_id = draft_for(w, role)
    with get_container().db.session() as session:
        section = session.get_one(DraftSection, first_section(draft_id))
        section.lock_user_id = _account(w, role).id
        section.lock_expires_at = utcnow() + timedelta(minutes=5)
        session.add(section)
        session.commit()
    return draft_id


def _queued(w: World, role: Role) -> str:
    draft_id = draft_for(w, role)
    with get_container().db.session() as session:
        section = session.get_one(DraftSection, first_section(draft_id))
        section.generation_state = "queued"
        session.add(section)
        session.commit()
    return draft_id


def _with_member(w: World, draft_id: str) -> str:
    member = w.new_member(w.kb)
    with get_container().db.session() as session:
        session.add(DraftMember(draft_id=draft_id, user_id=member.id, role="view"))
        session.commit()
    return member.id


def _member_role(draft_id: str, user_id: str) -> str | None:
    with get_container().db.session() as session:
        query = select(DraftMember.role).where(
            DraftMember.draft_id == draft_id, DraftMember.user_id == user_id
        )
        return session.exec(query).first()


def _restored(section_id: str) -> bool:
    with get_container().db.session() as session:
        query = select(DraftSectionVersion).where(
            DraftSectionVersion.section_id == section_id,
            col(DraftSectionVersion.change) == "restored",
        )
        return session.exec(query).first() is not None


# -- the drafts page, the new-draft dialog and the import ---------------------------------------


def _drafts_list():
    from lumikb_app.state.drafting.drafts_list import DraftsListState

    return DraftsListState


async def _load_drafts(w: World, role: Role) -> object:
    draft_for(w, role)
    state = await _run(w, role, _drafts_list(), "load_drafts")
    return state.draft_rows


async def _rename(w: World, role: Role) -> bool:
    draft_id, title = draft_for(w, role), f"Renamed {uuid.uuid4().hex[:8]}"

    def setup(state):
        state.rename_draft_id = draft_id

    await _run(w, role, _drafts_list(), "rename_draft", {"title": title}, setup=setup)
    return _row(Draft, draft_id).title == title


async def _delete(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    await _run(w, role, _drafts_list(), "confirm_delete_draft", draft_id)
    return _row(Draft, draft_id) is None


async def _open_new(w: World, role: Role) -> object:
    from lumikb_app.state.drafting.draft_create import NewDraftState

    kb_template(w)
    state = await _run(w, role, NewDraftState, "open_new_draft")
    return state.template_choices


async def _create_new(w: World, role: Role) -> bool:
    from lumikb_app.state.drafting.draft_create import NewDraftState

    title, template_id = f"Made {uuid.uuid4().hex[:8]}", built_in_template()

    def setup(state):
        state.new_draft_template_id, state.new_draft_kb_ids = template_id, [w.kb]

    await _run(w, role, NewDraftState, "create_new_draft", {"title": title}, setup=setup)
    return _titled(title)


async def _create_import(w: World, role: Role) -> bool:
    from lumikb_app.state.drafting.questionnaire_import import ImportState

    title = f"Imported {uuid.uuid4().hex[:8]}"
    preview = questionnaire_import.preview_questionnaire(w.root, "ledger.csv", QUESTIONNAIRE)

    def setup(state):
        state._show_preview(preview, QUESTIONNAIRE)
        state.import_title, state.import_kb_ids = title, [w.kb]

    await _run(w, role, ImportState, "create_from_import", setup=setup)
    return _titled(title)


async def _receive(w: World, role: Role) -> bool:
    """The import's upload: a preview for any signed-in person, of their own file."""
    from lumikb_app.state.drafting.questionnaire_import import ImportState
    from tests.integration.drafting.page_states import Stream

    state = _page(w, role, ImportState)
    ImportState.open_import.fn(state)
    ImportState.import_upload_started.fn(state)
    await ImportState.receive_questionnaire.fn(state, Stream(("ledger.csv", QUESTIONNAIRE)))
    return state.import_question_count == 1 and not state.import_error


# -- the templates page -----------------------------------------------------------------------


def _templates_state():
    from lumikb_app.state.drafting.templates_admin import TemplatesState

    return TemplatesState


async def _load_templates(w: World, role: Role) -> object:
    kb_template(w)
    state = await _run(w, role, _templates_state(), "load_templates")
    return state.template_cards


async def _save_template(w: World, role: Role) -> bool:
    from lumikb_app.state.drafting.template_cards import SectionDraft

    name = f"Ledger review {uuid.uuid4().hex[:8]}"

    def setup(state):
        state.editor_template_id, state.editor_scope, state.editor_name = "", w.kb, name
        state.editor_length, state.editor_tone = "medium", "neutral"
        state.editor_sections = [SectionDraft("k1", "Seal", "How is it sealed?")]

    await _run(w, role, _templates_state(), "save_template", setup=setup)
    with get_container().db.session() as session:
        return (
            session.exec(select(DraftTemplate).where(DraftTemplate.name == name)).first()
            is not None
        )


async def _archive_template(w: World, role: Role) -> bool:
    template_id = kb_template(w)
    await _run(w, role, _templates_state(), "confirm_archive_template", template_id)
    return _row(DraftTemplate, template_id).archived_at is not None


async def _restore_template(w: World, role: Role) -> bool:
    template_id = kb_template(w, archived=True)
    await _run(w, role, _templates_state(), "restore_template", template_id)
    return _row(DraftTemplate, template_id).archived_at is None


async def _template_versions(w: World, role: Role) -> bool:
    state = await _run(w, role, _templates_state(), "show_versions", kb_template(w))
    return bool(state.versions_open and state.version_rows)


# -- the draft page ---------------------------------------------------------------------------


def _editor():
    from lumikb_app.state.drafting.draft_editor import DraftEditorState

    return DraftEditorState


def _section_edit():
    from lumikb_app.state.drafting.section_edit import SectionEditState

    return SectionEditState


async def _load_draft(w: World, role: Role) -> object:
    draft_id = draft_for(w, role)
    state = await _run(w, role, _editor(), "load_draft", draft_id=draft_id)
    return (state.draft_title, state.sections)


async def _watch(w: World, role: Role) -> bool:
    """The page's live watcher, started on a page that has applied none of the draft's
    changes yet: it reads them (as the session's person) only for someone who may."""
    draft_id = draft_for(w, role)
    state = _page(w, role, _editor(), draft_id)
    state.open_draft_id, state.draft_loaded = draft_id, True
    with _tab_open(state.router.session.client_token), contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_editor().watch_draft.fn(state), WATCH_SECONDS)
    return bool(state.progress) and not state.draft_error


@contextlib.contextmanager
def _tab_open(tab: str) -> Iterator[None]:
    """The tab counted as open, as while a browser shows the page: the watcher stops once
    the app's websocket namespace no longer holds the tab (without one, nothing is served
    and every tab counts as open)."""
    from lumikb_app.lumikb_app import app

    serving = app._event_namespace
    app._event_namespace = None
    try:
        yield
    finally:
        app._event_namespace = serving


async def _generate(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    await _run(w, role, _editor(), "generate", "", draft_id=draft_id, setup=_opened(draft_id))
    return bool(_row(Draft, draft_id).generation)


async def _stop(w: World, role: Role) -> bool:
    draft_id = _queued(w, role)
    await _run(w, role, _editor(), "stop_generation", draft_id=draft_id, setup=_opened(draft_id))
    return _row(DraftSection, first_section(draft_id)).generation_state == "idle"


def _opened(draft_id: str) -> Callable[[Any], None]:
    def setup(state):
        state.open_draft_id = draft_id

    return setup


async def _regenerate(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    section_id = first_section(draft_id)

    def setup(state):
        state.open_draft_id, state.regen_id = draft_id, section_id

    await _run(
        w, role, _editor(), "regenerate", {"instruction": "Shorter"}, draft_id=draft_id, setup=setup
    )
    return bool(_row(Draft, draft_id).generation)


async def _proposal(w: World, role: Role, handler: str) -> bool:
    draft_id = draft_for(w, role)
    section_id = with_proposal(draft_id)
    await _run(w, role, _editor(), handler, section_id, draft_id=draft_id, setup=_opened(draft_id))
    return not _row(DraftSection, section_id).proposal


async def _set_reviewed(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    section_id = first_section(draft_id)
    await _run(w, role, _editor(), "set_reviewed", section_id, True, draft_id=draft_id)
    return _row(DraftSection, section_id).status == "reviewed"


async def _mark_all(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    await _run(w, role, _editor(), "mark_all_reviewed", draft_id=draft_id, setup=_opened(draft_id))
    return _row(DraftSection, first_section(draft_id)).status == "reviewed"


async def _start_edit(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    section_id = first_section(draft_id)
    await _run(w, role, _section_edit(), "start_edit", section_id, draft_id=draft_id)
    return _row(DraftSection, section_id).lock_user_id == _account(w, role).id


async def _save_edit(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    section_id, text = first_section(draft_id), f"Edited {uuid.uuid4().hex[:8]}."

    def setup(state):
        state.open_draft_id, state.edit_id, state._edit_base = draft_id, section_id, 1

    await _run(
        w, role, _section_edit(), "save_edit", {"content": text}, draft_id=draft_id, setup=setup
    )
    return _row(DraftSection, section_id).content == text


async def _cancel_edit(w: World, role: Role) -> bool:
    draft_id = _locked(w, role)
    section_id = first_section(draft_id)

    def setup(state):
        state.open_draft_id, state.edit_id = draft_id, section_id

    await _run(w, role, _section_edit(), "cancel_edit", draft_id=draft_id, setup=setup)
    return _row(DraftSection, section_id).lock_user_id is None


# -- the draft page's side panels -------------------------------------------------------------


def _panel(name: str):
    from lumikb_app.state.drafting.comments import CommentsState
    from lumikb_app.state.drafting.history import HistoryState
    from lumikb_app.state.drafting.members import MembersState

    return {"members": MembersState, "comments": CommentsState, "history": HistoryState}[name]


async def _load_members(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    state = await _run(w, role, _panel("members"), "load_members", draft_id=draft_id)
    return bool(state.member_rows)


async def _share(w: World, role: Role) -> bool:
    draft_id, person = draft_for(w, role), w.new_member(w.kb)

    def setup(state):
        state.members_of, state.share_role = draft_id, "view"

    await _run(
        w, role, _panel("members"), "share", {"email": person.email}, draft_id=draft_id, setup=setup
    )
    return _member_role(draft_id, person.id) == "view"


async def _change_role(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    member_id = _with_member(w, draft_id)
    panel = _panel("members")
    state = await _run(w, role, panel, "load_members", draft_id=draft_id)
    await panel.change_member_role.fn(state, member_id, "edit")
    return _member_role(draft_id, member_id) == "edit"


async def _unshare(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    member_id = _with_member(w, draft_id)
    await _run(
        w,
        role,
        _panel("members"),
        "unshare",
        member_id,
        draft_id=draft_id,
        setup=_of("members_of", draft_id),
    )
    return _member_role(draft_id, member_id) is None


def _of(field: str, draft_id: str) -> Callable[[Any], None]:
    def setup(state):
        setattr(state, field, draft_id)

    return setup


async def _load_comments(w: World, role: Role, handler: str) -> bool:
    draft_id = draft_for(w, role)
    new_comment(draft_id, w.root)
    args = (first_section(draft_id),) if handler == "show_section_comments" else ()
    state = await _run(w, role, _panel("comments"), handler, *args, draft_id=draft_id)
    return bool(state.comment_rows)


async def _add_comment(w: World, role: Role) -> bool:
    draft_id, body = draft_for(w, role), f"Check {uuid.uuid4().hex[:8]}."
    section_id = first_section(draft_id)

    def setup(state):
        state.comments_of, state.comments_section = draft_id, section_id

    await _run(
        w, role, _panel("comments"), "add_comment", {"body": body}, draft_id=draft_id, setup=setup
    )
    with get_container().db.session() as session:
        return (
            session.exec(select(DraftComment).where(DraftComment.body == body)).first() is not None
        )


async def _delete_comment(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    comment_id = new_comment(draft_id, _account(w, role))
    await _run(
        w,
        role,
        _panel("comments"),
        "delete_comment",
        comment_id,
        draft_id=draft_id,
        setup=_of("comments_of", draft_id),
    )
    return _row(DraftComment, comment_id) is None


async def _load_history(w: World, role: Role, handler: str) -> bool:
    draft_id = draft_for(w, role)
    new_version(draft_id, w.root)
    args = (first_section(draft_id),) if handler == "show_section_history" else ()
    state = await _run(w, role, _panel("history"), handler, *args, draft_id=draft_id)
    return bool(state.version_rows)


async def _restore_version(w: World, role: Role) -> bool:
    draft_id = draft_for(w, role)
    version_id = new_version(draft_id, w.root)
    await _run(
        w,
        role,
        _panel("history"),
        "confirm_restore_version",
        version_id,
        draft_id=draft_id,
        setup=_of("history_of", draft_id),
    )
    return _restored(first_section(draft_id))


HANDLER_LOADS: dict[str, HandlerRecipe] = {
    "DraftsListState.load_drafts": _load_drafts,
    "DraftsListState.rename_draft": _rename,
    "DraftsListState.confirm_delete_draft": _delete,
    "NewDraftState.open_new_draft": _open_new,
    "NewDraftState.create_new_draft": _create_new,
    "ImportState.receive_questionnaire": _receive,
    "ImportState.create_from_import": _create_import,
    "TemplatesState.load_templates": _load_templates,
    "TemplatesState.save_template": _save_template,
    "TemplatesState.confirm_archive_template": _archive_template,
    "TemplatesState.restore_template": _restore_template,
    "TemplatesState.show_versions": _template_versions,
    "DraftEditorState.load_draft": _load_draft,
    "DraftEditorState.watch_draft": _watch,
    "DraftEditorState.generate": _generate,
    "DraftEditorState.stop_generation": _stop,
    "DraftEditorState.regenerate": _regenerate,
    "DraftEditorState.accept_proposal": lambda w, role: _proposal(w, role, "accept_proposal"),
    "DraftEditorState.reject_proposal": lambda w, role: _proposal(w, role, "reject_proposal"),
    "DraftEditorState.set_reviewed": _set_reviewed,
    "DraftEditorState.mark_all_reviewed": _mark_all,
    "SectionEditState.start_edit": _start_edit,
    "SectionEditState.save_edit": _save_edit,
    "SectionEditState.cancel_edit": _cancel_edit,
    "MembersState.load_members": _load_members,
    "MembersState.share": _share,
    "MembersState.change_member_role": _change_role,
    "MembersState.unshare": _unshare,
    "CommentsState.load_comments": lambda w, role: _load_comments(w, role, "load_comments"),
    "CommentsState.show_section_comments": lambda w, role: _load_comments(
        w, role, "show_section_comments"
    ),
    "CommentsState.add_comment": _add_comment,
    "CommentsState.delete_comment": _delete_comment,
    "HistoryState.load_history": lambda w, role: _load_history(w, role, "load_history"),
    "HistoryState.show_section_history": lambda w, role: _load_history(
        w, role, "show_section_history"
    ),
    "HistoryState.confirm_restore_version": _restore_version,
}
