"""Open the backends when the app starts, close them when it stops.

Embedded mode is one process by design: opening the vector store takes its lock here, so a
second app on the same DATA_DIR stops at start-up with a clear message instead of failing later.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lumikb_app.container import get_container, reset_container

log = logging.getLogger(__name__)


class SecondProcessRefused(SystemExit):
    pass


def open_backends() -> None:
    container = get_container()
    try:
        container.vectors  # noqa: B018  (takes the embedded store's lock)
    except RuntimeError as exc:
        if container.settings.embedded_services["vectors"]:
            raise SecondProcessRefused(f"LumiKB cannot start: {exc}") from None
        raise
    container.jobs  # noqa: B018  (embedded: starts the in-process RQ worker thread)


@asynccontextmanager
async def backends_lifespan() -> AsyncIterator[None]:
    open_backends()
    log.info("backends open: %s", get_container().settings.embedded_services)
    try:
        yield
    finally:
        reset_container()
