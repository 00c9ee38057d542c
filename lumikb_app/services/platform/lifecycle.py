"""Migrate the schema; open the backends when the app starts, close them when it stops.

Embedded mode is one process by design: opening the vector store takes its lock here, so a
second app on the same DATA_DIR stops at start-up with a clear message instead of failing later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from lumikb_app.container import get_container, reset_container
from lumikb_app.domain.models import BUILTIN_EMBEDDER
from lumikb_app.services.platform import usage
from lumikb_app.services.platform.logging_setup import configure_from_settings

log = logging.getLogger(__name__)


class SecondProcessRefused(SystemExit):
    pass


def migrate_database() -> None:
    """Apply every pending schema migration (the CLI's `migrate` and `eval`)."""
    from lumikb_app.db.migrate import upgrade

    upgrade()


def open_backends() -> None:
    from lumikb_app.services.platform.deployment import refuse_unworkable

    container = get_container()
    refuse_unworkable(container.settings)  # before any store opens: one message, then exit
    try:
        container.vectors  # noqa: B018  (takes the embedded store's lock)
    except RuntimeError as exc:
        if container.settings.embedded_services["vectors"]:
            raise SecondProcessRefused(f"LumiKB cannot start: {exc}") from None
        raise
    container.jobs  # noqa: B018  (embedded: starts the in-process RQ worker thread)


RECONCILE_EVERY_SECONDS = 600


def resume_work() -> None:
    """Embedded jobs live in memory: after a restart, queue again what was in flight.
    In both modes, make sure the periodic reconcile is scheduled."""
    from datetime import timedelta

    from lumikb_app.services.documents import reconcile

    container = get_container()
    if container.jobs.embedded:
        requeued = reconcile.requeue_stuck(stuck_after=timedelta(0))
        reconcile.redispatch_outbox(grace=timedelta(0))
        if requeued:
            log.warning(
                "resumed %d document(s) that were processing when the app stopped", requeued
            )
    container.jobs.schedule(
        RECONCILE_EVERY_SECONDS,
        reconcile.RECONCILE_JOB,
        RECONCILE_EVERY_SECONDS,
        job_id="reconcile-periodic",
    )


def restore_reconcile(job_id: str) -> None:
    """Queue a reconcile run now, when none is waiting (workers/recovery.py): it re-queues what
    Redis lost and schedules the next run itself. No retries: a failed run is noticed missing
    and queued again by a later maintenance."""
    from lumikb_app.services.documents import reconcile

    get_container().jobs.enqueue(
        reconcile.RECONCILE_JOB, RECONCILE_EVERY_SECONDS, job_id=job_id, retries=0
    )


def warm_up_models() -> None:
    """Load the built-in embedder and run one query, so the first search does not pay for it."""
    try:
        get_container().embedder_for(BUILTIN_EMBEDDER).embed_query("warm up")
    except Exception as exc:  # a cold first search is better than a failed start
        log.warning("could not warm up the default embedder: %s", exc)


@asynccontextmanager
async def backends_lifespan() -> AsyncIterator[None]:
    configure_from_settings()
    open_backends()
    resume_work()
    threading.Thread(target=warm_up_models, name="warm-up-models", daemon=True).start()
    log.info("backends open: %s", get_container().settings.embedded_services)
    try:
        yield
    finally:
        usage.stop()  # the last counts, while the database is still open
        reset_container()
