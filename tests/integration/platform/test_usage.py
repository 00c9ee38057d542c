"""Usage counting (services/platform/usage.py): counts add up in `usage_daily` on SQLite and
PostgreSQL, however many buffers (processes) flush into the same row, and nothing is lost when a
flush fails."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from lumikb_app.adapters.rq_jobs import RedisJobQueue
from lumikb_app.container import reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import UsageDaily
from lumikb_app.services.platform import usage
from lumikb_app.services.platform.transactions import read_session
from tests.integration.platform.job_helpers import (
    flushed_redis,
    running_worker,
    status,
    wait_until,
    worker_env,
)

SAMPLE_JOBS = "tests.integration.platform.sample_jobs"

pytestmark = pytest.mark.integration


@pytest.fixture
def usage_db(data_dir, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_container()
    upgrade(database_url)
    usage.flush()  # counts other tests left in this process's buffer land here, not in ours
    with read_session() as session:
        for row in session.exec(select(UsageDaily)):
            session.delete(row)
        session.commit()
    yield
    reset_container()


def _rows() -> dict[tuple[str, str], UsageDaily]:
    with read_session() as session:
        return {(r.kind, r.model): r for r in session.exec(select(UsageDaily))}


def _count(buffer: usage.UsageBuffer, kind: str, model: str, times: int, **amounts) -> None:
    key = usage._Key(usage.today(), kind, model)
    for _ in range(times):
        buffer.add(key, calls=1, **amounts)


def test_two_flushers_add_to_the_same_row_instead_of_overwriting(usage_db):
    first, second = usage.UsageBuffer(), usage.UsageBuffer()
    _count(first, "llm", "gpt-4o-mini", 3, prompt_tokens=10, completion_tokens=5, cost_usd=0.5)
    _count(second, "llm", "gpt-4o-mini", 4, prompt_tokens=10, errors=1)
    first.flush()  # the row exists now; the second flusher must add to it
    second.flush()
    _count(first, "llm", "gpt-4o-mini", 2)
    _count(second, "search", "", 7)
    threads = [threading.Thread(target=buffer.flush) for buffer in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = _rows()
    llm = rows[("llm", "gpt-4o-mini")]
    assert (llm.calls, llm.errors, llm.prompt_tokens, llm.completion_tokens) == (9, 4, 70, 15)
    assert llm.cost_usd == pytest.approx(1.5)
    assert rows[("search", "")].calls == 7
    assert llm.day == usage.today()


def test_note_is_counted_once_flushed_and_a_flush_writes_nothing_twice(usage_db):
    usage.note("search")
    usage.note("search")
    usage.model_call("embedding", "fake/embed", ok=False)
    assert ("search", "") not in _rows()  # only in memory until a flush
    usage.flush()
    usage.flush()
    rows = _rows()
    assert rows[("search", "")].calls == 2
    assert (rows[("embedding", "fake/embed")].calls, rows[("embedding", "fake/embed")].errors) == (
        1,
        1,
    )


def test_a_failed_flush_keeps_its_counts_for_the_next_one(usage_db, monkeypatch):
    buffer = usage.UsageBuffer()
    _count(buffer, "chat", "", 2)

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    with monkeypatch.context() as patch:
        patch.setattr(usage, "transaction", broken)
        with pytest.raises(RuntimeError):
            buffer.flush()
    buffer.flush()
    assert _rows()[("chat", "")].calls == 2


REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own, flushed before and after


@pytest.fixture
def worker_on_postgres(pg_url, tmp_path):
    """A real `python -m workers.main` on Redis and a migrated PostgreSQL database."""
    upgrade(pg_url)
    env = worker_env(REDIS_URL, tmp_path / "data", database_url=pg_url)
    with flushed_redis(REDIS_URL), running_worker(env, tmp_path / "worker.log"):
        yield pg_url


def test_a_worker_writes_its_jobs_counts_when_each_job_ends(worker_on_postgres, monkeypatch):
    """RQ runs each job in a forked work horse that exits with os._exit: nothing may wait for
    the 10 s flush there."""
    queue = RedisJobQueue(REDIS_URL)
    job_id = queue.enqueue(f"{SAMPLE_JOBS}.note_model_call", "fake/worker", retries=0)
    wait_until(lambda: status(queue, job_id) == "finished", 60, "the job to finish")
    queue.close()
    monkeypatch.setenv("DATABASE_URL", worker_on_postgres)
    reset_container()
    # RQ marks the job finished just before the work horse writes the counts and exits.
    wait_until(lambda: ("llm", "fake/worker") in _rows(), 10, "the counts to be written")
    row = _rows()[("llm", "fake/worker")]
    assert (row.calls, row.prompt_tokens, row.completion_tokens) == (1, 3, 2)
