"""How a worker process recovers from faults, with RQ's own machinery tuned for it.

A worker killed mid-job (kill -9, a lost machine): RQ's StartedJobRegistry keeps the job's
execution alive for `job_monitoring_interval + 60` seconds after its last heartbeat; the next
registry cleanup after that hands it to `Job.retry` (every LumiKB job is enqueued with retries),
and the scheduler puts the retry back on its queue. The defaults (heartbeat every 30 s,
maintenance every 600 s, and an idle worker blocked in its dequeue for worker_ttl - 15 = 405 s)
left a killed job unresumed for 14.5 minutes; with a 5 s heartbeat and 15 s maintenance it
resumes within about 65 + 15 + 5 s, and the dead scheduler's lock (61 s) is taken over by the
next maintenance of a live worker.

Redis restarted without its data: RQ's schedule is gone, so the maintenance also checks that a
reconcile run is waiting, and queues one at once if not (the reconcile re-queues the documents
whose jobs were lost, then schedules its next run as usual).
"""

from __future__ import annotations

import logging
import time

from rq import Queue, Worker

from lumikb_app.adapters import rq_admin
from lumikb_app.services.documents.reconcile import RECONCILE_JOB
from lumikb_app.services.platform import usage
from lumikb_app.services.platform.lifecycle import RECONCILE_EVERY_SECONDS, restore_reconcile

log = logging.getLogger(__name__)

JOB_MONITORING_INTERVAL = 5
MAINTENANCE_INTERVAL = 15
RECONCILE_JOB_PREFIX = "reconcile-"
_RESTORE_LOCK = "lumikb:reconcile-restore-lock"
RESTORE_AT_MOST_EVERY = 300  # seconds: a reconcile that keeps failing is not run every maintenance


def reconcile_waiting(queue: Queue) -> bool:
    """A reconcile run is scheduled, queued or running (its job ids all start alike)."""
    ids = rq_admin.waiting_job_ids(queue)
    return any(job_id.startswith(RECONCILE_JOB_PREFIX) for job_id in ids)


class RecoveringWorker(Worker):
    """An RQ worker whose maintenance also keeps the periodic reconcile scheduled, and whose
    work horse writes its usage counts before it exits."""

    def perform_job(self, job, queue, execution) -> bool:
        """Runs in the work horse, which ends with os._exit: write its usage counts first."""
        try:
            return super().perform_job(job, queue, execution)
        finally:
            usage.stop()

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        try:
            self.keep_reconcile_scheduled()
        except Exception:  # the next maintenance tries again; the worker keeps working
            log.exception("could not check the periodic reconcile schedule")

    def keep_reconcile_scheduled(self) -> None:
        default = Queue("default", connection=self.connection)
        if reconcile_waiting(default):
            return
        # Several workers may notice at once: one of them restores it.
        if not self.connection.set(_RESTORE_LOCK, self.name, nx=True, ex=RESTORE_AT_MOST_EVERY):
            return
        job_id = f"{RECONCILE_JOB_PREFIX}restored-{int(time.time())}"
        restore_reconcile(job_id)
        log.warning(
            "no reconcile run was waiting (Redis lost its data, or the last run died): "
            "queued %s (%s), which schedules the next every %d s",
            job_id,
            RECONCILE_JOB,
            RECONCILE_EVERY_SECONDS,
        )
