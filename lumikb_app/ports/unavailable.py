"""A backend the request needs cannot be reached: the error every port may raise for it.

Adapters turn their driver's connection errors into one of these, so the API answers 503 with
the message and the UI shows it, instead of a bare 500 or a spinner that never stops.
"""


class BackendUnavailable(Exception):
    """The message is written for the person who asked, and says nothing was changed."""

    message = "A service LumiKB needs is unavailable; try again in a moment."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class DatabaseUnavailable(BackendUnavailable):
    message = "The database is unavailable; try again in a moment."


class CacheUnavailable(BackendUnavailable):
    message = "The cache and job queue (Redis) are unavailable; try again in a moment."


class BlobStoreUnavailable(BackendUnavailable):
    message = "File storage is unavailable; nothing was stored. Try again in a moment."
