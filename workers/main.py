"""`python -m workers.main`: an RQ worker process for the ingest, graph and default queues.

Production only: it needs REDIS_URL. In embedded mode the app runs jobs on its
own worker thread, and a separate worker could not see its in-process queue.
"""

import argparse
import sys

from redis import Redis
from rq import Worker

from lumikb_app.ports.jobs import QUEUES
from lumikb_app.services.platform.logging_setup import configure_from_settings
from lumikb_app.settings import SettingsError, get_settings

NO_REDIS_MESSAGE = (
    "REDIS_URL is not set: nothing to work on. Without REDIS_URL LumiKB runs in embedded mode, "
    "where the app executes jobs on its own worker thread. Set REDIS_URL (e.g. "
    "redis://localhost:6379/0) for the app and this worker to share a Redis queue."
)


def build_worker(redis_url: str, maintenance_interval: int = 600) -> Worker:
    # Maintenance is when RQ finds jobs abandoned by a killed worker and retries them. An idle
    # worker only gets to it when its blocking dequeue times out (worker_ttl - 15 s), so keep that
    # shorter than the interval.
    return Worker(
        list(QUEUES),
        connection=Redis.from_url(redis_url),
        maintenance_interval=maintenance_interval,
        worker_ttl=min(420, max(30, maintenance_interval + 15)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.main", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit once the queues are empty")
    parser.add_argument(
        "--maintenance-interval",
        type=int,
        default=600,
        metavar="SECONDS",
        help="how often to look for jobs abandoned by a dead worker (default 600)",
    )
    args = parser.parse_args(argv)
    try:
        redis_url = get_settings().REDIS_URL
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if not redis_url:
        print(NO_REDIS_MESSAGE, file=sys.stderr)
        return 2
    configure_from_settings()
    build_worker(redis_url, args.maintenance_interval).work(
        burst=args.burst, with_scheduler=True, logging_level="INFO"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
