"""How each row of the permission table is called for one account: the smallest real call, with
arguments from the world (access_world.World). A `shows(...)` row's recipe answers whether the
result holds anything of the KB (or of another account)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import ChatMessage, User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID, ModelKind
from lumikb_app.services.accounts import access, api_tokens, audit, grants, users
from lumikb_app.services.chat import (
    admission,
    chat,
    chat_suggestions,
    chat_turns,
    conversation_export,
    conversation_tools,
    conversations,
)
from lumikb_app.services.documents import bulk, details, documents, reconcile, viewer
from lumikb_app.services.graph import extraction, graph_mode
from lumikb_app.services.graph import status as graph_status
from lumikb_app.services.knowledge_bases import kb_archive, kb_config, kb_creation, kb_overview, kbs
from lumikb_app.services.models import choices, connection, registry
from lumikb_app.services.platform import admin_dashboard, admin_jobs, admin_system
from lumikb_app.services.retrieval import eval_graph, evaluation, search
from lumikb_app.services.retrieval.eval_inputs import CorpusDocument
from tests.integration.accounts.access_levels import Role
from tests.integration.accounts.access_world import (
    FOREIGN_TITLE,
    PASSWORD,
    QUESTION,
    SECRET,
    World,
)
from tests.integration.accounts.drafting_recipes import HANDLER_LOADS as DRAFT_HANDLER_LOADS
from tests.integration.accounts.drafting_recipes import ROUTE_CALLS as DRAFT_ROUTE_CALLS
from tests.integration.accounts.drafting_recipes import SERVICE_CALLS as DRAFT_SERVICE_CALLS
from tests.integration.accounts.graph_recipes import HANDLER_LOADS as GRAPH_HANDLER_LOADS
from tests.integration.accounts.graph_recipes import ROUTE_CALLS as GRAPH_ROUTE_CALLS
from tests.integration.accounts.graph_recipes import SERVICE_CALLS as GRAPH_SERVICE_CALLS
from tests.model_registry import register
from tests.reflex_states import signed_in_state

Recipe = Callable[[World, User], object]
RouteRecipe = Callable[[World, Role], httpx.Response]


def _upload(w: World, u: User, kb_id: str) -> object:
    spool = documents.new_spool(f"upload-{uuid.uuid4().hex[:8]}.md")
    spool.write(f"A note {uuid.uuid4().hex}.".encode())
    return documents.accept_upload(u, kb_id, spool)


def _download(w: World, u: User) -> bytes:
    _, blocks = documents.open_original(u, w.doc)
    return b"".join(blocks)


def _corpus_ids(w: World, u: User) -> bool:
    try:
        return w.shows_kb(evaluation.existing_corpus_ids(u, w.kb))
    except evaluation.EvaluationInputError:  # "does not exist", as for a missing KB
        return False


def _eval_ingest(w: World, u: User) -> object:
    note = CorpusDocument("c1", "c1.md", f"An evaluation note {uuid.uuid4().hex}.".encode())
    return evaluation.ingest(u, w.new_kb(), [note], on_progress=lambda progress: None)


def _graph_kb(w: World) -> str:
    """A scratch KB with the graph on (no documents, so nothing is extracted)."""
    kb_id = w.new_kb()
    kb_config.update_settings(w.root, kb_id, {"graph_mode": "fast"})
    return kb_id


CORPUS = {"q1": QUESTION}
SAMPLE_JOBS = "tests.integration.platform.sample_jobs"


def _failed_job() -> str:
    """A job that really failed in the deployment's queue (no retries)."""
    jobs = get_container().jobs
    job_id = jobs.enqueue(f"{SAMPLE_JOBS}.fail", "for the matrix", retries=0)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        failed = {j.id for q in jobs.queue_status() for j in q.jobs if j.registry == "failed"}
        if job_id in failed:
            return job_id
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not fail in time")


def _archived_kb(w: World) -> str:
    kb_id = w.new_kb()
    kbs.set_archived(w.root, kb_id, True)
    return kb_id


def _asked(w: World, owner: User) -> tuple[str, str]:
    """A new conversation of `owner` with one question: (conversation id, question id)."""
    conversation_id = w.new_conversation(owner, asked=True)
    with get_container().db.session() as session:
        question = session.exec(
            select(ChatMessage).where(ChatMessage.conversation_id == conversation_id)
        ).one()
        return conversation_id, question.id


SERVICE_CALLS: dict[str, Recipe] = {
    "accounts.access.is_admin": lambda w, u: access.is_admin(u),
    "accounts.access.require_admin": lambda w, u: access.require_admin(u),
    "accounts.access.require_active": lambda w, u: access.require_active(u),
    "accounts.api_tokens.create_token": lambda w, u: api_tokens.create_token(u, "script"),
    "accounts.api_tokens.list_tokens": lambda w, u: api_tokens.list_tokens(u),
    "accounts.api_tokens.list_tokens [another account's]": lambda w, u: w.shows_foreign(
        api_tokens.list_tokens(u)
    ),
    "accounts.api_tokens.revoke_token": lambda w, u: api_tokens.revoke_token(u, w.new_token(u)),
    "accounts.api_tokens.revoke_token [another account's]": lambda w, u: api_tokens.revoke_token(
        u, w.new_token(w.stranger)
    ),
    "accounts.audit.search": lambda w, u: audit.search(u, audit.AuditFilter()),
    "accounts.audit.actions": lambda w, u: audit.actions(u),
    "accounts.audit.export_csv": lambda w, u: "".join(audit.export_csv(u, audit.AuditFilter())),
    "accounts.grants.list_members": lambda w, u: grants.list_members(u, w.kb),
    "accounts.grants.set_grant": lambda w, u: grants.set_grant(
        u, w.kb, w.new_user().email, KbRole.READ
    ),
    "accounts.grants.remove_grant": lambda w, u: grants.remove_grant(
        u, w.kb, w.new_member(w.kb).id
    ),
    "accounts.users.list_users": lambda w, u: users.list_users(u),
    "accounts.users.admin_create_user": lambda w, u: users.admin_create_user(
        u,
        email=f"{uuid.uuid4().hex[:10]}@x.io",
        display_name="Made",
        password=PASSWORD,
        role=SystemRole.member,
    ),
    "accounts.users.set_active": lambda w, u: users.set_active(u, w.new_user().id, False),
    "accounts.users.set_role": lambda w, u: users.set_role(u, w.new_user().id, SystemRole.admin),
    "accounts.users.unlock": lambda w, u: users.unlock(u, w.new_user().id),
    "accounts.users.create_reset_link": lambda w, u: users.create_reset_link(
        u, w.new_user().id, "http://testserver"
    ),
    "accounts.users.set_self_registration": lambda w, u: users.set_self_registration(u, False),
    "accounts.users.change_password": lambda w, u: users.change_password(
        u, PASSWORD, PASSWORD, current_session=w.session_of(u)
    ),
    "chat.admission.admit": lambda w, u: admission.admit(u).release(),
    "chat.chat.ask": lambda w, u: w.shows_kb(list(chat.ask(u, w.new_conversation(u), QUESTION))),
    "chat.chat.ask [another account's conversation]": lambda w, u: list(
        chat.ask(u, w.foreign_conversation, QUESTION)
    ),
    "chat.chat.regenerate": lambda w, u: w.shows_kb(
        list(chat.regenerate(u, w.new_conversation(u, asked=True)))
    ),
    "chat.chat.regenerate [another account's conversation]": lambda w, u: list(
        chat.regenerate(u, w.foreign_conversation)
    ),
    "chat.chat_turns.start_turn": lambda w, u: chat_turns.start_turn(
        u, w.new_conversation(u), QUESTION
    ),
    "chat.chat_turns.start_turn [another account's conversation]": lambda w, u: (
        chat_turns.start_turn(u, w.foreign_conversation, QUESTION)
    ),
    "chat.chat_turns.turn_to_redo": lambda w, u: chat_turns.turn_to_redo(
        u, w.new_conversation(u, asked=True)
    ),
    "chat.chat_turns.turn_to_redo [another account's conversation]": lambda w, u: (
        chat_turns.turn_to_redo(u, w.foreign_conversation)
    ),
    "chat.conversations.list_conversations": lambda w, u: conversations.list_conversations(u),
    "chat.conversations.list_conversations [another account's]": lambda w, u: w.shows_foreign(
        conversations.list_conversations(u)
    ),
    "chat.conversations.get_conversation": lambda w, u: conversations.get_conversation(
        u, w.new_conversation(u)
    ),
    "chat.conversations.get_conversation [another account's]": lambda w, u: (
        conversations.get_conversation(u, w.foreign_conversation)
    ),
    "chat.conversations.create_conversation": lambda w, u: conversations.create_conversation(u),
    "chat.conversations.create_conversation [limited to the KB]": lambda w, u: (
        conversations.create_conversation(u, kb_ids=[w.kb])
    ),
    "chat.conversations.rename_conversation": lambda w, u: conversations.rename_conversation(
        u, w.new_conversation(u), "Renamed"
    ),
    "chat.conversations.rename_conversation [another account's]": lambda w, u: (
        conversations.rename_conversation(u, w.new_conversation(w.stranger), "Renamed")
    ),
    "chat.conversations.delete_conversation": lambda w, u: conversations.delete_conversation(
        u, w.new_conversation(u)
    ),
    "chat.conversations.delete_conversation [another account's]": lambda w, u: (
        conversations.delete_conversation(u, w.new_conversation(w.stranger))
    ),
    "chat.conversations.list_messages": lambda w, u: conversations.list_messages(
        u, w.new_conversation(u, asked=True)
    ),
    "chat.conversations.list_messages [another account's]": lambda w, u: (
        conversations.list_messages(u, w.foreign_conversation)
    ),
    "chat.conversations.rate_message": lambda w, u: conversations.rate_message(
        u, w.new_answer(u), 1
    ),
    "chat.conversations.rate_message [another account's]": lambda w, u: conversations.rate_message(
        u, w.new_answer(w.stranger), -1, "not mine to rate"
    ),
    "chat.conversation_tools.set_scope": lambda w, u: conversation_tools.set_scope(
        u, w.new_conversation(u), []
    ),
    "chat.conversation_tools.set_scope [limited to the KB]": lambda w, u: (
        conversation_tools.set_scope(u, w.new_conversation(u), [w.kb])
    ),
    "chat.conversation_tools.set_scope [another account's]": lambda w, u: (
        conversation_tools.set_scope(u, w.foreign_conversation, [])
    ),
    "chat.conversation_tools.search_conversations": lambda w, u: (
        conversation_tools.search_conversations(u, "Mine")
    ),
    "chat.conversation_tools.search_conversations [another account's]": lambda w, u: (
        w.shows_foreign(conversation_tools.search_conversations(u, FOREIGN_TITLE))
    ),
    "chat.conversation_tools.drop_from_question": lambda w, u: (
        conversation_tools.drop_from_question(u, *_asked(w, u))
    ),
    "chat.conversation_tools.drop_from_question [another account's]": lambda w, u: (
        conversation_tools.drop_from_question(u, *_asked(w, w.stranger))
    ),
    "chat.conversation_export.export_markdown": lambda w, u: conversation_export.export_markdown(
        u, w.new_conversation(u, asked=True)
    ),
    "chat.conversation_export.export_markdown [another account's]": lambda w, u: (
        conversation_export.export_markdown(u, w.foreign_conversation)
    ),
    "chat.chat_suggestions.suggested_questions": lambda w, u: any(
        "ledger" in question or "handbook" in question
        for question in chat_suggestions.suggested_questions(u)
    ),
    "documents.documents.require_writer": lambda w, u: documents.require_writer(u, w.kb),
    "documents.documents.accept_upload": lambda w, u: _upload(w, u, w.kb),
    "documents.documents.list_documents": lambda w, u: documents.list_documents(u, w.kb),
    "documents.documents.delete_document": lambda w, u: documents.delete_document(
        u, w.new_document()
    ),
    "documents.documents.retry_document": lambda w, u: documents.retry_document(
        u, w.new_document(failed=True)
    ),
    "documents.documents.open_original": _download,
    "documents.details.document_details": lambda w, u: details.document_details(u, w.doc),
    "documents.bulk.delete_documents": lambda w, u: bulk.delete_documents(
        u, w.kb, [w.new_document()]
    ),
    "documents.bulk.retry_documents": lambda w, u: bulk.retry_documents(
        u, w.kb, [w.new_document(failed=True)]
    ),
    "documents.reconcile.run_now": lambda w, u: reconcile.run_now(u),
    "platform.admin_dashboard.dashboard": lambda w, u: admin_dashboard.dashboard(u),
    "platform.admin_jobs.queue_status": lambda w, u: admin_jobs.queue_status(u),
    "platform.admin_jobs.requeue_job": lambda w, u: admin_jobs.requeue_job(u, _failed_job()),
    "platform.admin_jobs.cancel_job": lambda w, u: admin_jobs.cancel_job(
        u, get_container().jobs.schedule(3600, f"{SAMPLE_JOBS}.ping", "later")
    ),
    "platform.admin_system.system_status": lambda w, u: asyncio.run(admin_system.system_status(u)),
    "platform.admin_system.usage_by_model": lambda w, u: admin_system.usage_by_model(u),
    "platform.admin_system.archived_kbs": lambda w, u: admin_system.archived_kbs(u),
    "platform.admin_system.restore_kb": lambda w, u: admin_system.restore_kb(u, _archived_kb(w)),
    "documents.viewer.open_document": lambda w, u: viewer.open_document(u, w.doc),
    "documents.viewer.render_page_png": lambda w, u: viewer.render_page_png(u, w.pdf, 1),
    "graph.extraction.queue_kb": lambda w, u: extraction.queue_kb(u, _graph_kb(w)),
    "graph.extraction.retry_document": lambda w, u: extraction.retry_document(u, w.doc),
    "graph.graph_mode.set_mode": lambda w, u: graph_mode.set_mode(u, w.new_kb(), "fast"),
    "graph.graph_mode.set_retrieval": lambda w, u: graph_mode.set_retrieval(u, w.new_kb(), False),
    "graph.graph_mode.reextract": lambda w, u: graph_mode.reextract(u, _graph_kb(w)),
    "graph.status.kb_status": lambda w, u: graph_status.kb_status(u, w.kb),
    "graph.status.extraction_estimate": lambda w, u: graph_status.extraction_estimate(u, w.kb),
    "knowledge_bases.kb_config.get_settings": lambda w, u: kb_config.get_settings(u, w.kb),
    "knowledge_bases.kb_config.ready_documents": lambda w, u: kb_config.ready_documents(u, w.kb),
    "knowledge_bases.kb_config.update_settings": lambda w, u: kb_config.update_settings(
        u, w.new_kb(), {"top_k": 5}
    ),
    "knowledge_bases.kbs.create_kb": lambda w, u: kbs.create_kb(u, "Made by the matrix"),
    "knowledge_bases.kbs.update_kb": lambda w, u: kbs.update_kb(
        u, w.new_kb(), name="Renamed", description="changed"
    ),
    "knowledge_bases.kbs.set_archived": lambda w, u: kbs.set_archived(u, w.new_kb(), True),
    "knowledge_bases.kbs.delete_kb": lambda w, u: kbs.delete_kb(u, w.new_kb()),
    "knowledge_bases.kbs.list_kbs": lambda w, u: w.shows_kb(kbs.list_kbs(u)),
    "knowledge_bases.kb_overview.kb_overviews": lambda w, u: w.shows_kb(
        kb_overview.kb_overviews(u)
    ),
    "knowledge_bases.kb_archive.archived_kbs": lambda w, u: (
        _archived_kb(w) in {kb.kb_id for kb in kb_archive.archived_kbs(u)}
    ),
    "knowledge_bases.kb_archive.restore_kb": lambda w, u: kb_archive.restore_kb(u, _archived_kb(w)),
    "knowledge_bases.kbs.get_kb": lambda w, u: kbs.get_kb(u, w.kb),
    "knowledge_bases.kbs.my_role": lambda w, u: kbs.my_role(u, w.kb) is not None,
    "knowledge_bases.kb_creation.may_create_kbs": lambda w, u: kb_creation.may_create_kbs(u),
    "knowledge_bases.kb_creation.set_kb_creation_policy": lambda w, u: (
        kb_creation.set_kb_creation_policy(u, "everyone")
    ),
    "models.choices.choices": lambda w, u: choices.choices(u, ModelKind.chat),
    "models.connection.check_connection": lambda w, u: connection.check_connection(
        u, register(ModelKind.chat, "fake/instant", name=f"Matrix {uuid.uuid4().hex[:8]}")
    ),
    "models.registry.list_models": lambda w, u: registry.list_models(u),
    "models.registry.add_model": lambda w, u: registry.add_model(
        u, kind="chat", name=f"Matrix {uuid.uuid4().hex[:8]}", litellm_model=f"m/{uuid.uuid4().hex}"
    ),
    "models.registry.set_default": lambda w, u: registry.set_default(u, BUILTIN_EMBEDDER_ID),
    "models.registry.retire_model": lambda w, u: registry.retire_model(
        u, register(ModelKind.chat, f"m/{uuid.uuid4().hex}")
    ),
    "retrieval.eval_graph.turn_on": lambda w, u: eval_graph.turn_on(u, w.new_kb(), "fast"),
    "retrieval.evaluation.create_eval_kb": lambda w, u: evaluation.create_eval_kb(u, "matrix"),
    "retrieval.evaluation.ingest": _eval_ingest,
    "retrieval.evaluation.existing_corpus_ids": _corpus_ids,
    "retrieval.evaluation.run_queries": lambda w, u: w.shows_kb(
        evaluation.run_queries(u, w.kb, CORPUS, {w.doc: [SECRET]})[0]
    ),
    "retrieval.evaluation.evaluate": lambda w, u: w.shows_kb(
        evaluation.evaluate(u, w.kb, CORPUS, {"q1": {SECRET: 1.0}}, {w.doc: [SECRET]}).rankings
    ),
    "retrieval.evaluation.delete_eval_kb": lambda w, u: evaluation.delete_eval_kb(
        u, w.new_kb(), wait_seconds=0
    ),
    "retrieval.search.search": lambda w, u: w.shows_kb(search.search(u, QUESTION).passages),
    **GRAPH_SERVICE_CALLS,
    **DRAFT_SERVICE_CALLS,
}


def _get(path: str) -> RouteRecipe:
    return lambda w, role: w.request(role, "GET", path)


def _login(w: World, role: Role) -> httpx.Response:
    form = {"email": w.stranger.email, "password": PASSWORD}
    return w.request(role, "POST", "/auth/login", data=form)


def _logout(w: World, role: Role) -> httpx.Response:
    return w.request(role, "POST", "/auth/logout", session=w.fresh_session(role))


def _messages(conversation: Callable[[World, Role], str]) -> RouteRecipe:
    def recipe(w: World, role: Role) -> httpx.Response:
        return w.request(role, "GET", f"/api/v1/conversations/{conversation(w, role)}/messages")

    return recipe


ROUTE_CALLS: dict[str, RouteRecipe] = {
    "GET /health": _get("/health"),
    "GET /metrics": _get("/metrics"),
    "GET /api/openapi.json": _get("/api/openapi.json"),
    "GET /api/docs": _get("/api/docs"),
    "GET /api/docs/assets/{name}": _get("/api/docs/assets/swagger-ui.css"),
    "POST /auth/login": _login,
    "POST /auth/logout": _logout,
    "GET /auth/oidc/login": _get("/auth/oidc/login"),
    "GET /auth/oidc/callback": _get("/auth/oidc/callback?code=x&state=y"),
    "GET /api/admin/audit.csv": _get("/api/admin/audit.csv"),
    "GET /api/documents/{document_id}/download": lambda w, role: w.request(
        role, "GET", f"/api/documents/{w.doc}/download"
    ),
    "GET /api/documents/{document_id}/pages/{page}.png": lambda w, role: w.request(
        role, "GET", f"/api/documents/{w.pdf}/pages/1.png"
    ),
    "POST /api/v1/search": lambda w, role: w.request(
        role, "POST", "/api/v1/search", json={"query": QUESTION}
    ),
    "GET /api/v1/kbs": _get("/api/v1/kbs"),
    "GET /api/v1/conversations": _get("/api/v1/conversations"),
    "GET /api/v1/conversations/{conversation_id}/messages": _messages(
        lambda w, role: w.own_conversation(role)
    ),
    "GET /api/v1/conversations/{conversation_id}/messages [another account's]": _messages(
        lambda w, role: w.foreign_conversation
    ),
    "POST /api/v1/chat": lambda w, role: w.request(
        role, "POST", "/api/v1/chat", json={"question": QUESTION}
    ),
    "GET /api/v1/models": _get("/api/v1/models"),
    "PUT /api/v1/kbs/{kb_id}/models": lambda w, role: w.request(
        role, "PUT", f"/api/v1/kbs/{w.kb}/models", json={"chat_model": ""}
    ),
    **GRAPH_ROUTE_CALLS,
    **DRAFT_ROUTE_CALLS,
}


# -- Reflex event handlers that load what a page shows ----------------------------------------
# Each runs the handler as the role's browser would (its session cookie, the page's route) and
# returns what the page then holds for the browser: the test looks for the KB (or another
# account's things) in it.

HandlerRecipe = Callable[[World, Role], Awaitable[object]]


def _load(
    state_class: type, handler: str, path: Callable[[World], str], shown: Callable[[Any], object]
) -> HandlerRecipe:
    async def recipe(w: World, role: Role) -> object:
        page, _, query = path(w).partition("?")
        route = dict(part.split("=", 1) for part in query.split("&") if part)
        root = signed_in_state(
            state_class.get_root_state(), w.sessions.get(role, ""), page, **route
        )  # the whole tree of states, as a browser tab holds it
        state = root.get_substate(state_class.get_full_name().split("."))
        await getattr(state_class, handler).fn(state)
        return shown(state)

    return recipe


def _handler_loads() -> dict[str, HandlerRecipe]:
    from lumikb_app.state.accounts.account import AccountState
    from lumikb_app.state.accounts.admin_audit import AdminAuditState
    from lumikb_app.state.accounts.admin_users import AdminUsersState
    from lumikb_app.state.chat.chat import ChatState
    from lumikb_app.state.documents.documents import DocumentsState
    from lumikb_app.state.documents.viewer import ViewerState
    from lumikb_app.state.knowledge_bases.home import HomeState
    from lumikb_app.state.knowledge_bases.kb_graph import KbGraphState
    from lumikb_app.state.knowledge_bases.kb_settings import KbManageLinkState, KbSettingsState
    from lumikb_app.state.platform.admin_console import AdminConsoleState
    from lumikb_app.state.shell import KbPageState, ShellState

    kb_page = lambda w: f"/kb/{w.kb}?kb_id={w.kb}"  # noqa: E731
    return {
        "ShellState.load_sidebar": _load(ShellState, "load_sidebar", kb_page, lambda s: s.kbs),
        "HomeState.load_home": _load(
            HomeState, "load_home", lambda w: "/", lambda s: (s.cards, s.archived_cards)
        ),
        "KbPageState.load_kb": _load(
            KbPageState, "load_kb", kb_page, lambda s: (s.kb_name, s.kb_description)
        ),
        "KbManageLinkState.load_can_manage": _load(
            KbManageLinkState, "load_can_manage", kb_page, lambda s: s.can_manage
        ),
        "KbSettingsState.load_settings": _load(
            KbSettingsState,
            "load_settings",
            lambda w: f"/kb/{w.kb}/settings?kb_id={w.kb}",
            lambda s: (s.kb_name, s.members, s.settings_form),
        ),
        "KbGraphState.load_graph": _load(
            KbGraphState,
            "load_graph",
            lambda w: f"/kb/{w.kb}/settings?kb_id={w.kb}",
            lambda s: s.graph_loaded,  # figures only: whether the section was filled at all
        ),
        "DocumentsState.load_documents": _load(
            DocumentsState, "load_documents", kb_page, lambda s: s.documents
        ),
        "ViewerState.load": _load(
            ViewerState,
            "load",
            lambda w: f"/view/{w.doc}?document_id={w.doc}",
            lambda s: (s.name, s.kb_name, s.text_before, s.text_passage, s.text_after, s.text_html),
        ),
        "ChatState.load": _load(
            ChatState,
            "load",
            lambda w: f"/chat?c={w.foreign_conversation}",
            lambda s: (s.conversations, s.messages, s.conversation_title),
        ),
        "AccountState.load_tokens": _load(
            AccountState, "load_tokens", lambda w: "/account", lambda s: s.tokens
        ),
        "AdminUsersState.load_users": _load(
            AdminUsersState, "load_users", lambda w: "/admin/users", lambda s: s.users
        ),
        "AdminAuditState.load_audit": _load(
            AdminAuditState, "load_audit", lambda w: "/admin/audit", lambda s: s.rows
        ),
        "AdminConsoleState.load_console": _load(
            AdminConsoleState,
            "load_console",
            lambda w: "/admin/console",
            lambda s: (s.storage, s.failed_documents, s.jobs),
        ),
    }


HANDLER_LOADS = _handler_loads()
HANDLER_LOADS.update(GRAPH_HANDLER_LOADS)
HANDLER_LOADS.update(DRAFT_HANDLER_LOADS)
