"""The Reflex app: theme, pages, and the FastAPI routes (health, metrics, auth) via api_transformer."""

import reflex as rx

from lumikb_app.api.app import api
from lumikb_app.services.lifecycle import backends_lifespan
from lumikb_app.state.login import LoginState
from lumikb_app.state.session import AppState
from lumikb_app.state.shell import KbPageState, ShellState
from lumikb_app.ui.pages.home import home_page
from lumikb_app.ui.pages.kb import kb_page
from lumikb_app.ui.pages.login import login_page
from lumikb_app.ui.pages.placeholders import admin_page, chat_page, graph_page, search_page
from lumikb_app.ui.theme import GLOBAL_STYLE

SIGNED_IN = [AppState.check_session, ShellState.load_sidebar]

# The Radix theme itself is installed by RadixThemesPlugin in rxconfig.py (the 0.10 way).
app = rx.App(style=GLOBAL_STYLE, api_transformer=api)
app.register_lifespan_task(backends_lifespan)

app.add_page(login_page, route="/login", title="Sign in · LumiKB", on_load=LoginState.prepare)
app.add_page(home_page, route="/", title="LumiKB", on_load=SIGNED_IN)
app.add_page(search_page, route="/search", title="Search · LumiKB", on_load=SIGNED_IN)
app.add_page(chat_page, route="/chat", title="Chat · LumiKB", on_load=SIGNED_IN)
app.add_page(graph_page, route="/graph", title="Graph · LumiKB", on_load=SIGNED_IN)
app.add_page(admin_page, route="/admin", title="Admin · LumiKB", on_load=SIGNED_IN)
app.add_page(
    kb_page,
    route="/kb/[kb_id]",
    title="Knowledge base · LumiKB",
    on_load=[*SIGNED_IN, KbPageState.load_kb],
)
