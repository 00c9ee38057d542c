"""Whether an answer may start now: a free place on the answer pool, and the asker under their
rate limit. The chat page and the REST API both ask here first, before anything is stored.

The limit is CHAT_RATE_LIMIT answers per CHAT_RATE_WINDOW_SECONDS for each person, counted in
the cache (Redis when REDIS_URL is set), so every app process counts against the same number.
The window starts at the person's first answer in it. If the cache cannot be reached the
answer is let through (and the failure logged): chat keeps working, unlimited, until it is back.
"""

from __future__ import annotations

import logging

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.ports.unavailable import CacheUnavailable
from lumikb_app.services.accounts.access import require_active
from lumikb_app.services.chat.answer_pool import ChatRefused, Slot, answer_pool
from lumikb_app.settings import get_settings

log = logging.getLogger(__name__)


class ChatRateLimited(ChatRefused):
    def __init__(self, limit: int, window: int, retry_after: int) -> None:
        super().__init__(
            f"You have reached your limit of {limit} answers in {duration(window)}. "
            f"Try again in {duration(retry_after)}.",
            retry_after,
        )


def admit(user: User) -> Slot:
    """A reserved place for one answer of `user`; ChatBusy or ChatRateLimited when refused.

    Release the place (`Slot.release`) if the answer does not start after all.
    """
    require_active(user)
    slot = answer_pool().reserve()
    try:
        _count_answer(user)
    except BaseException:
        slot.release()
        raise
    return slot


def _count_answer(user: User) -> None:
    settings = get_settings()
    limit, window = settings.CHAT_RATE_LIMIT, settings.CHAT_RATE_WINDOW_SECONDS
    if limit == 0:
        return
    try:
        count, left = get_container().cache.incr(f"chat-answers:{user.id}", window)
    except CacheUnavailable:
        return  # the cache logged its outage once; the answer pool still bounds the load
    except Exception:
        log.exception("the chat rate limit could not be counted; letting the answer through")
        return
    if count > limit:
        raise ChatRateLimited(limit, window, left)


def duration(seconds: int) -> str:
    """'1 second', '45 seconds', '1 minute', '5 minutes': whole minutes when it is some."""
    count, unit = (
        (seconds // 60, "minute") if seconds >= 60 and seconds % 60 == 0 else (seconds, "second")
    )
    return f"{count} {unit}" + ("" if count == 1 else "s")
