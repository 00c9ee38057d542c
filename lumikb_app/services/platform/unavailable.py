"""Whether an error means a backend is unreachable, and the message to show for it.

The API answers such errors 503 with the message (api/app.py) and the UI shows it in a toast
(state/backend_errors.py). Adapters raise ports.unavailable errors themselves where they can;
the database and Redis drivers' own connection errors are recognised here.
"""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from lumikb_app.ports.unavailable import BackendUnavailable, CacheUnavailable, DatabaseUnavailable

RETRY_AFTER_SECONDS = 5
# The error types that may mean an outage (the API's 503 handlers are installed for these).
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    BackendUnavailable,
    DBAPIError,
    PoolTimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
)
_CHAIN_DEPTH = 5  # how far down __cause__/__context__ to look (a handler may wrap the error)


def unavailable_reason(error: BaseException) -> str | None:
    """The message for people if `error`, or an error it was raised from, means a backend
    cannot be reached; None for any other error."""
    seen: BaseException | None = error
    for _ in range(_CHAIN_DEPTH):
        if seen is None:
            return None
        if reason := _reason(seen):
            return reason
        seen = seen.__cause__ or seen.__context__
    return None


def _reason(error: BaseException) -> str | None:
    if isinstance(error, BackendUnavailable):
        return str(error)
    if isinstance(error, OperationalError | PoolTimeoutError):
        return DatabaseUnavailable.message
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return DatabaseUnavailable.message
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        return CacheUnavailable.message
    return None
