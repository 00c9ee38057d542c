"""Backend health for /health: each backend's status and whether it runs embedded."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from lumikb_app.container import Container, get_container

BACKENDS = ("database", "vectors", "blobs", "graph", "jobs", "cache")
CHECK_TIMEOUT_SECONDS = 3.0
_pool = ThreadPoolExecutor(max_workers=len(BACKENDS), thread_name_prefix="health")


def _adapter(container: Container, backend: str):
    return container.db if backend == "database" else getattr(container, backend)


def _probe(container: Container, backend: str) -> dict:
    started = time.perf_counter()
    try:
        _adapter(container, backend).health()
        error = None
    except Exception as exc:  # a health check reports any failure instead of raising it
        error = f"{type(exc).__name__}: {exc}"[:300]
    return {
        "ok": error is None,
        "error": error,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def check_all(container: Container | None = None) -> dict:
    container = container or get_container()
    embedded = container.settings.embedded_services
    futures = {name: _pool.submit(_probe, container, name) for name in BACKENDS}
    backends = {}
    for name, future in futures.items():
        try:
            result = future.result(timeout=CHECK_TIMEOUT_SECONDS)
        except FutureTimeout:
            result = {
                "ok": False,
                "error": f"no answer within {CHECK_TIMEOUT_SECONDS:.0f} s",
                "latency_ms": None,
            }
        backends[name] = {"mode": "embedded" if embedded[name] else "server", **result}
    all_ok = all(b["ok"] for b in backends.values())
    return {
        "status": "ok" if all_ok else "degraded",
        "mode": "embedded" if all(embedded.values()) else "production",
        "single_process": any(embedded[name] for name in ("vectors", "jobs")),
        "backends": backends,
    }
