"""Reflex configuration. Values come from lumikb_app.settings (the one settings object)."""

import reflex as rx

from lumikb_app.services.platform.deployment import multiprocess_problem
from lumikb_app.settings import get_settings
from lumikb_app.ui.theme import theme

settings = get_settings()
if problem := multiprocess_problem(settings):
    # Here, before `reflex run` starts its web workers, so each does not fail in turn.
    raise SystemExit(problem)

config = rx.Config(
    app_name="lumikb_app",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # LumiKB's own database is lumikb_app.db (SQLModel + Alembic); Reflex's is not used.
    db_url=None,
    frontend_port=3000,
    backend_port=3000,
    # Several backend workers share UI state through Redis in production. One process otherwise,
    # in memory: the disk manager lists and stats every tab's pickle on the event loop each time it
    # writes (12% of the server's time at 100 users), and a restarted app rebuilds a tab's state
    # from the session cookie and the page's on_load anyway.
    redis_url=settings.REDIS_URL,
    state_manager_mode="redis" if settings.REDIS_URL else "memory",
    # Credentialed CORS answers only for ALLOWED_ORIGINS (Reflex's default "*" echoed every
    # Origin). Unset, Reflex hands socket.io an empty list, which turns socket.io's own Origin
    # check off: api/origin_guard.py refuses foreign websocket handshakes in every case.
    cors_allowed_origins=settings.allowed_origins,
    plugins=[rx.plugins.RadixThemesPlugin(theme=theme())],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
