"""The Reflex app: theme, pages, and the FastAPI routes (health, metrics, auth) via api_transformer."""

import reflex as rx

from lumikb_app.api.app import api
from lumikb_app.services.platform.lifecycle import backends_lifespan
from lumikb_app.state.accounts.account import AccountState
from lumikb_app.state.accounts.admin_audit import AdminAuditState
from lumikb_app.state.accounts.admin_users import AdminUsersState
from lumikb_app.state.accounts.login import LoginState
from lumikb_app.state.accounts.public_forms import RegisterState, ResetPasswordState
from lumikb_app.state.backend_errors import on_backend_error
from lumikb_app.state.chat.chat import ChatState
from lumikb_app.state.documents.documents import DocumentsState
from lumikb_app.state.documents.viewer import ViewerState
from lumikb_app.state.drafting.comments import CommentsState
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.drafts_list import DraftsListState
from lumikb_app.state.drafting.history import HistoryState
from lumikb_app.state.drafting.members import MembersState
from lumikb_app.state.drafting.templates_admin import TemplatesState
from lumikb_app.state.event_guard import EventGuard
from lumikb_app.state.graph.graph import GraphState
from lumikb_app.state.knowledge_bases.home import HomeState
from lumikb_app.state.knowledge_bases.kb_creation import KbCreationState
from lumikb_app.state.knowledge_bases.kb_graph import KbGraphState
from lumikb_app.state.knowledge_bases.kb_settings import KbManageLinkState, KbSettingsState
from lumikb_app.state.models.admin_models import AdminModelsState
from lumikb_app.state.platform.admin_console import AdminConsoleState
from lumikb_app.state.retrieval.search import SearchState
from lumikb_app.state.session import AppState
from lumikb_app.state.shell import KbPageState
from lumikb_app.ui.pages.accounts.account import account_page
from lumikb_app.ui.pages.accounts.admin_audit import admin_audit_page
from lumikb_app.ui.pages.accounts.admin_users import admin_users_page
from lumikb_app.ui.pages.accounts.login import login_page
from lumikb_app.ui.pages.accounts.register import register_page
from lumikb_app.ui.pages.accounts.reset_password import reset_password_page
from lumikb_app.ui.pages.chat.chat import chat_page
from lumikb_app.ui.pages.documents.viewer import viewer_page
from lumikb_app.ui.pages.drafting.draft import draft_page
from lumikb_app.ui.pages.drafting.drafts import drafts_page
from lumikb_app.ui.pages.drafting.templates import templates_page
from lumikb_app.ui.pages.graph.graph import graph_page
from lumikb_app.ui.pages.knowledge_bases.home import home_page
from lumikb_app.ui.pages.knowledge_bases.kb import kb_page
from lumikb_app.ui.pages.knowledge_bases.kb_settings import kb_settings_page
from lumikb_app.ui.pages.models.admin_models import admin_models_page
from lumikb_app.ui.pages.platform.admin_console import admin_console_page
from lumikb_app.ui.pages.platform.admin_home import admin_home_page
from lumikb_app.ui.pages.platform.not_found import not_found_page
from lumikb_app.ui.pages.retrieval.search import search_page
from lumikb_app.ui.theme import GLOBAL_STYLE

# Validates the session and fills the sidebar (state/session.py): one event, one thread hop.
SIGNED_IN = [AppState.check_session]

# The Radix theme itself is installed by RadixThemesPlugin in rxconfig.py (the 0.10 way).
app = rx.App(style=GLOBAL_STYLE, api_transformer=api, backend_exception_handler=on_backend_error)
app.register_lifespan_task(backends_lifespan)
# Every event passes the guard first: sign-in unless public, bounded and typed arguments.
app.add_middleware(EventGuard())

app.add_page(login_page, route="/login", title="Sign in · LumiKB", on_load=LoginState.prepare)
app.add_page(
    home_page,
    route="/",
    title="LumiKB",
    on_load=[*SIGNED_IN, KbCreationState.load_may_create, HomeState.load_home],
)
app.add_page(
    search_page, route="/search", title="Search · LumiKB", on_load=[*SIGNED_IN, SearchState.load]
)
app.add_page(chat_page, route="/chat", title="Chat · LumiKB", on_load=[*SIGNED_IN, ChatState.load])
app.add_page(
    viewer_page,
    route="/view/[document_id]",
    title="Document · LumiKB",
    on_load=[*SIGNED_IN, ViewerState.load],
)
app.add_page(
    drafts_page,
    route="/drafts",
    title="Drafts · LumiKB",
    on_load=[*SIGNED_IN, DraftsListState.load_drafts],
)
app.add_page(
    templates_page,
    route="/drafts/templates",
    title="Templates · Drafts · LumiKB",
    on_load=[*SIGNED_IN, TemplatesState.load_templates],
)
app.add_page(
    draft_page,
    route="/drafts/[draft_id]",
    title="Draft · LumiKB",
    on_load=[
        *SIGNED_IN,
        DraftEditorState.load_draft,
        MembersState.load_members,
        CommentsState.load_comments,
        HistoryState.load_history,
    ],
)
app.add_page(
    graph_page, route="/graph", title="Graph · LumiKB", on_load=[*SIGNED_IN, GraphState.load]
)
app.add_page(
    admin_home_page,
    route="/admin",
    title="Admin · LumiKB",
    on_load=[*SIGNED_IN, KbCreationState.load_kb_creation],
)
app.add_page(
    admin_console_page,
    route="/admin/console",
    title="Console · Admin · LumiKB",
    on_load=[*SIGNED_IN, AdminConsoleState.load_console],
)
app.add_page(
    admin_models_page,
    route="/admin/models",
    title="Models · Admin · LumiKB",
    on_load=[*SIGNED_IN, AdminModelsState.load_models],
)
app.add_page(
    admin_users_page,
    route="/admin/users",
    title="Users · Admin · LumiKB",
    on_load=[*SIGNED_IN, AdminUsersState.load_users],
)
app.add_page(
    admin_audit_page,
    route="/admin/audit",
    title="Audit log · Admin · LumiKB",
    on_load=[*SIGNED_IN, AdminAuditState.load_audit],
)
app.add_page(
    kb_page,
    route="/kb/[kb_id]",
    title="Knowledge base · LumiKB",
    on_load=[
        *SIGNED_IN,
        KbPageState.load_kb,
        KbManageLinkState.load_can_manage,
        DocumentsState.load_documents,
    ],
)
app.add_page(
    kb_settings_page,
    route="/kb/[kb_id]/settings",
    title="Knowledge base settings · LumiKB",
    on_load=[*SIGNED_IN, KbSettingsState.load_settings, KbGraphState.load_graph],
)
app.add_page(
    account_page,
    route="/account",
    title="Your account · LumiKB",
    on_load=[*SIGNED_IN, AccountState.clear_messages],
)
# Public pages: no session needed.
app.add_page(
    reset_password_page,
    route="/reset-password",
    title="Reset password · LumiKB",
    on_load=ResetPasswordState.prepare,
)
app.add_page(
    register_page,
    route="/register",
    title="Create an account · LumiKB",
    on_load=RegisterState.prepare,
)
# Any other address: "Page not found" inside the shell, with the way home.
app.add_page(not_found_page, route="404", title="Page not found · LumiKB", on_load=SIGNED_IN)
