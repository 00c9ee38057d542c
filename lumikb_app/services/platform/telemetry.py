"""Prometheus metrics that services, adapters and workers observe (served by `GET /metrics`).

They live in the process-wide default registry: each web process and each worker answers for
itself, and Prometheus adds them up. Label values are bounded sets (stage names, model strings
of the registry, queue names), never user or document ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram

from lumikb_app.settings import Settings

log = logging.getLogger(__name__)

# Seconds: a search stage takes milliseconds, a chat answer or an ingestion stage up to minutes.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

SEARCH_SECONDS = Histogram(
    "lumikb_search_stage_seconds",
    "Time spent in each stage of a search (embed, vector, keyword, graph, fuse, snippets, total).",
    ["stage"],
    buckets=_BUCKETS,
)
CHAT_SECONDS = Histogram(
    "lumikb_chat_stage_seconds",
    "Time spent in each stage of a chat answer (retrieve, first_token, answer, total).",
    ["stage"],
    buckets=_BUCKETS,
)
INGEST_SECONDS = Histogram(
    "lumikb_ingest_stage_seconds",
    "Time spent in each stage of processing a document (parse, chunk, embed, index, graph).",
    ["stage"],
    buckets=_BUCKETS,
)
JOB_FAILURES = Counter(
    "lumikb_job_failures_total", "Background jobs that failed, by queue and job.", ["queue", "job"]
)
# With PROMETHEUS_MULTIPROC_DIR, gauges of several web processes are combined: the last depth
# read by any of them, and the tabs connected to the live ones added up.
QUEUE_DEPTH = Gauge(
    "lumikb_queue_depth",
    "Jobs waiting in each queue at the last scrape.",
    ["queue", "registry"],
    multiprocess_mode="mostrecent",
)
WEBSOCKET_CONNECTIONS = Gauge(
    "lumikb_websocket_connections",
    "Browser tabs connected to this web process.",
    multiprocess_mode="livesum",
)
LLM_TOKENS = Counter(
    "lumikb_llm_tokens_total", "Tokens sent to and received from models.", ["model", "direction"]
)
LLM_CALLS = Counter("lumikb_llm_calls_total", "Model calls, by outcome.", ["model", "outcome"])


@contextmanager
def timed(histogram: Histogram, stage: str) -> Iterator[None]:
    """Observe how long the block took under `stage` (also when it raises)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        histogram.labels(stage=stage).observe(time.perf_counter() - started)


def observe(histogram: Histogram, stage: str, seconds: float) -> None:
    histogram.labels(stage=stage).observe(seconds)


def model_call(model: str, ok: bool, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
    """One call to a model: its outcome and the tokens it used."""
    LLM_CALLS.labels(model=model, outcome="ok" if ok else "error").inc()
    if prompt_tokens:
        LLM_TOKENS.labels(model=model, direction="prompt").inc(prompt_tokens)
    if completion_tokens:
        LLM_TOKENS.labels(model=model, direction="completion").inc(completion_tokens)


def refresh_queue_depths() -> None:
    """Set the queue depth gauge from the job queue (at each scrape); Redis down leaves the last
    values, and the backend_up gauge says why."""
    from lumikb_app.container import get_container

    try:
        depths = get_container().jobs.depths()
    except Exception as exc:
        log.warning("queue depths not read: %s", type(exc).__name__)
        return
    for (queue, registry), count in depths.items():
        QUEUE_DEPTH.labels(queue=queue, registry=registry).set(count)


def serve_worker_metrics(settings: Settings) -> None:
    """A worker process's /metrics on WORKER_METRICS_PORT: its jobs' stage timings and failures.

    RQ runs each job in a forked process of its own, whose counts reach the worker's answer only
    through PROMETHEUS_MULTIPROC_DIR (settings require it with the port)."""
    if not settings.WORKER_METRICS_PORT or settings.PROMETHEUS_MULTIPROC_DIR is None:
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(settings.PROMETHEUS_MULTIPROC_DIR))
    start_http_server(settings.WORKER_METRICS_PORT, registry=registry)
    log.info("serving worker metrics on port %d", settings.WORKER_METRICS_PORT)
