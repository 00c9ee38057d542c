"""Backend health for /health and /metrics: each backend probed on a bounded pool, with a timeout.

At most one probe per backend runs at a time. A caller that comes while one is still running
waits for that same probe (up to the timeout) instead of starting another, so a hung backend
holds one pool thread however often /health is called, and the pool (one thread per backend)
never queues. A probe without an answer in time is reported as failed.

The full report (errors, latencies, modes) is for administrators and the log; anyone else
sees the status and each backend's ok (api/platform/health.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from lumikb_app.container import Container, get_container

BACKENDS = ("database", "vectors", "blobs", "graph", "jobs", "cache")
CHECK_TIMEOUT_SECONDS = 3.0

log = logging.getLogger(__name__)
_pool = ThreadPoolExecutor(max_workers=len(BACKENDS), thread_name_prefix="health")
_lock = threading.Lock()
_running: dict[str, tuple[Future[dict], float]] = {}  # backend -> (probe, started at)


def _adapter(container: Container, backend: str):
    return container.db if backend == "database" else getattr(container, backend)


def _probe(container: Container, backend: str) -> dict:
    started = time.perf_counter()
    try:
        _adapter(container, backend).health()
        error = None
    except Exception as exc:  # a health check reports any failure instead of raising it
        error = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("health check of %s failed: %s", backend, error)
    return {
        "ok": error is None,
        "error": error,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _probe_of(container: Container, backend: str) -> tuple[Future[dict], float]:
    """The running probe of `backend`, or a new one if none is running."""
    with _lock:
        running = _running.get(backend)
        if running is None or running[0].done():
            running = (_pool.submit(_probe, container, backend), time.monotonic())
            _running[backend] = running
        return running


def _outcome(backend: str, probe: Future[dict], started: float) -> dict:
    if probe.done() and not probe.cancelled():
        return probe.result()
    waited = time.monotonic() - started
    log.warning("health check of %s has not answered for %.1f s", backend, waited)
    return {"ok": False, "error": f"no answer after {waited:.0f} s", "latency_ms": None}


async def check_all(container: Container | None = None) -> dict:
    """Every backend's health; waits on the event loop, never on a thread of its own."""
    container = container or get_container()
    embedded = container.settings.embedded_services
    probes = {name: _probe_of(container, name) for name in BACKENDS}
    waiting = [asyncio.wrap_future(probe) for probe, _ in probes.values()]
    await asyncio.wait(waiting, timeout=CHECK_TIMEOUT_SECONDS)
    backends = {
        name: {"mode": "embedded" if embedded[name] else "server", **_outcome(name, *probe)}
        for name, probe in probes.items()
    }
    all_ok = all(b["ok"] for b in backends.values())
    return {
        "status": "ok" if all_ok else "degraded",
        "mode": "embedded" if all(embedded.values()) else "production",
        "single_process": any(embedded[name] for name in ("vectors", "jobs")),
        "backends": backends,
    }
