"""`python -m workers.main`: an RQ worker process for the ingest, graph and default queues.

Production only: it needs REDIS_URL, and every store on a server (services/platform/deployment.py).
In embedded mode the app runs jobs on its own worker thread, and a separate worker could not see
its in-process queue.
"""

import argparse
import logging
import sys
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from lumikb_app.ports.jobs import QUEUES
from lumikb_app.services.platform.deployment import multiprocess_problem
from lumikb_app.services.platform.logging_setup import configure_from_settings
from lumikb_app.services.platform.telemetry import serve_worker_metrics
from lumikb_app.settings import SettingsError, get_settings
from workers.recovery import (
    JOB_MONITORING_INTERVAL,
    MAINTENANCE_INTERVAL,
    RecoveringWorker,
)

log = logging.getLogger(__name__)

NO_REDIS_MESSAGE = (
    "REDIS_URL is not set: nothing to work on. Without REDIS_URL LumiKB runs in embedded mode, "
    "where the app executes jobs on its own worker thread. Set REDIS_URL (e.g. "
    "redis://localhost:6379/0) for the app and this worker to share a Redis queue."
)


def build_worker(
    redis_url: str,
    maintenance_interval: int = MAINTENANCE_INTERVAL,
    job_monitoring_interval: int = JOB_MONITORING_INTERVAL,
) -> RecoveringWorker:
    # Maintenance is when RQ finds jobs abandoned by a killed worker and retries them. An idle
    # worker only gets to it when its blocking dequeue times out (worker_ttl - 15 s), so keep that
    # no longer than the interval.
    return RecoveringWorker(
        list(QUEUES),
        connection=Redis.from_url(redis_url),
        maintenance_interval=maintenance_interval,
        worker_ttl=max(30, maintenance_interval + 15),
        job_monitoring_interval=job_monitoring_interval,
    )


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m workers.main", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit once the queues are empty")
    parser.add_argument(
        "--maintenance-interval",
        type=int,
        default=MAINTENANCE_INTERVAL,
        metavar="SECONDS",
        help="how often to look for jobs abandoned by a dead worker and check the periodic "
        f"schedules (default {MAINTENANCE_INTERVAL})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, *, check_deployment: bool = True) -> int:
    """Run a worker. `check_deployment=False` is for tests that guarantee by themselves that
    only one process at a time opens an embedded store."""
    args = _arguments(argv)
    try:
        settings = get_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if not settings.REDIS_URL:
        print(NO_REDIS_MESSAGE, file=sys.stderr)
        return 2
    problem = multiprocess_problem(settings) if check_deployment else None
    if problem:
        print(problem, file=sys.stderr)
        return 2
    configure_from_settings()
    serve_worker_metrics(settings)
    serve(settings.REDIS_URL, args.maintenance_interval, burst=args.burst)
    return 0


def serve(redis_url: str, maintenance_interval: int, *, burst: bool = False) -> None:
    """Work until asked to stop. RQ waits for Redis while idle, but a worker busy when Redis goes
    away quits: then wait for Redis to answer again and start a new worker, instead of exiting
    and leaving it to a restart policy to retry in a loop."""
    while True:
        try:
            build_worker(redis_url, maintenance_interval).work(
                burst=burst, with_scheduler=True, logging_level="INFO"
            )
            return
        except (RedisConnectionError, RedisTimeoutError) as error:
            log.error("lost Redis (%s); starting again once it answers", error)
        _wait_for_redis(redis_url)


def _wait_for_redis(redis_url: str, pause_seconds: float = 2) -> None:
    while True:
        try:
            with Redis.from_url(redis_url, socket_timeout=2) as client:
                client.ping()
                return
        except (RedisConnectionError, RedisTimeoutError):
            time.sleep(pause_seconds)


if __name__ == "__main__":
    sys.exit(main())
