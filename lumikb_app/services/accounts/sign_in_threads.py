"""The threads that check passwords and look sessions up, apart from asyncio's default pool.

`asyncio.to_thread` shares one pool (cores + 4 threads) with every search and upload. Under load
it is full of searches of a few hundred ms each, and a session lookup of a few ms, which every
page load and every event makes, waited behind them; a sign-in waited twice. Here each kind of
work has threads of its own: session and API token lookups (short, mostly SQL) on four, and
password checks (argon2id, which releases the GIL) on two, so a crowd signing in at once uses
at most two cores' worth of hashing and 2 x 19 MiB of memory, and only sign-ins wait for it.
Each call runs in a copy of the caller's context (log request id), as `asyncio.to_thread` does.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="session-lookup")
_PASSWORDS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-check")


async def _run(
    pool: ThreadPoolExecutor, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(pool, call)


async def lookup(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a session or API token lookup off the event loop."""
    return await _run(_LOOKUPS, fn, *args, **kwargs)


async def check_password(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a sign-in (its password check) off the event loop."""
    return await _run(_PASSWORDS, fn, *args, **kwargs)
