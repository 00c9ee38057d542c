"""A team deployment really runs multi-process: two web processes (Reflex's production backend on
Granian) and two `python -m workers.main` workers, sharing PostgreSQL, Redis (RQ and Reflex's
UI state) and S3 (moto). Sign-in on one web process, the same tab's UI state on the other; an
upload on one web process ingested by a worker from the blob it stored.

No Qdrant server can run on this machine: QDRANT_HOST points at a closed port, so ingestion stops
at indexing with the reason, and search shows its error. Writing and reading vectors through the
Qdrant server adapter across processes stays untested here (its contract suite runs against
qdrant-client's local mode)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import httpx
import pytest
from moto.server import ThreadedMotoServer
from rq import Queue, Worker
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Chunk, Document
from tests.e2e.reflex_socket import ROOT_STATE, ReflexSocket, run, session_cookie
from tests.integration.documents.ingest_helpers import writer_and_kb
from tests.integration.platform.private_redis import PrivateRedis, free_port, wait_for
from tests.integration.platform.worker_processes import server_env, start_web, start_worker, stop

pytestmark = pytest.mark.integration

PASSWORD = "long enough pw"  # writer_and_kb's account
HYDRATED = r'"is_hydrated_rx_state_": true'


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        return error.code == 503  # serving; the Qdrant server it names is not there
    except OSError:
        return False


@pytest.fixture
def team(data_dir, pg_url, tmp_path, monkeypatch):
    redis = PrivateRedis(tmp_path)
    redis.start()
    s3_port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    env = server_env(
        redis_url=redis.url,
        database_url=pg_url,
        data_dir=data_dir,
        MINIO_ENDPOINT=f"127.0.0.1:{s3_port}",
        MINIO_ACCESS_KEY="testing",
        MINIO_SECRET_KEY="testing",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_container()
    upgrade()
    ports = [free_port(), free_port()]
    processes = [start_web(env, port, tmp_path / f"web-{port}.log") for port in ports]
    processes += [start_worker(env, tmp_path / "workers.log") for _ in range(2)]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_for(lambda url=url: _answers(url), 180, f"the web process at {url}")
        connection = redis.client()
        wait_for(lambda: len(Worker.all(connection=connection)) == 2, 60, "two RQ workers")
        yield urls, connection
    finally:
        for process in processes:
            stop(process)
        s3.stop()
        redis.stop()
        reset_container()


def _full_name(state_path: str) -> str:
    from lumikb_app.state.documents.documents import DocumentsState
    from lumikb_app.state.retrieval.search import SearchState

    states = {"search": SearchState, "documents": DocumentsState}
    return states[state_path].get_full_name()


async def _until(tab: ReflexSocket, pattern: str, timeout: float = 60) -> str:
    """The JSON of the first update matching the regular expression `pattern`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        update = json.dumps(await tab.next_update(timeout))
        if re.search(pattern, update):
            return update
    raise AssertionError(f"no {pattern!r} within {timeout} s")


def test_sign_in_on_one_web_process_and_the_same_tab_continues_on_the_other(team):
    (web_a, web_b), _ = team
    writer_and_kb()
    search = _full_name("search")
    cookie = session_cookie(web_a, "writer@example.com", PASSWORD)

    async def journey() -> tuple[str, str]:
        async with ReflexSocket(web_a, cookie) as tab_a:
            await tab_a.send(f"{ROOT_STATE}.hydrate_and_load", {}, "/search")
            await _until(tab_a, HYDRATED)
            await tab_a.send(f"{search}.set_query", {"value": "team deployment"}, "/search")
            # The search fails (no Qdrant server) and says so.
            on_a = await _until(tab_a, r'"error_rx_state_": "[^"]+"')
            token = tab_a.token
        tab_b = ReflexSocket(web_b, cookie)
        tab_b.token = token  # the same browser tab, its next connection landing on web B
        async with tab_b:
            await tab_b.send(f"{ROOT_STATE}.hydrate_and_load", {}, "/search")
            on_b = await _until(tab_b, '"user_email_rx_state_"')  # the full state snapshot
        return on_a, on_b

    on_a, on_b = run(journey())
    assert '"searching_rx_state_": false' in on_a
    assert '"query_rx_state_": "team deployment"' in on_b  # state written by A, read by B
    # Signed in on B with the session made on A: the session state A wrote, read back by B.
    assert '"user_email_rx_state_": "writer@example.com"' in on_b
    assert '"signed_in_rx_state_": true' in on_b


def test_an_upload_on_one_web_process_is_ingested_by_a_worker_up_to_the_missing_qdrant(team):
    (web_a, web_b), connection = team
    user, kb_id = writer_and_kb()
    upload = f"{_full_name('documents')}.receive_upload"
    cookie = session_cookie(web_a, "writer@example.com", PASSWORD)
    text = "# Team notes\n\n" + "Every process shares PostgreSQL, Redis and S3.\n\n" * 40

    async def upload_on_a() -> int:
        async with ReflexSocket(web_a, cookie) as tab:
            page = {"kb_id": kb_id}  # the /kb/[kb_id] route's argument
            await tab.send(f"{ROOT_STATE}.hydrate_and_load", {}, f"/kb/{kb_id}", page)
            await _until(tab, HYDRATED)
            response = httpx.post(
                f"{web_a}/_upload",
                files={"files": ("team-notes.md", text.encode(), "text/markdown")},
                data={"__reflex_event_args": json.dumps({"batch_id": "team1"})},
                headers={
                    "Origin": web_a, "Cookie": f"lumikb_session={cookie}",
                    "Reflex-Client-Token": tab.token, "Reflex-Event-Handler": upload,
                },
                timeout=60,
            )  # fmt: skip
            await _until(tab, r"team-notes\.md")  # the upload board names the file it stored
            return response.status_code

    assert run(upload_on_a()) in (200, 202)
    container = get_container()

    def retrying() -> Document | None:
        with container.db.session() as session:
            doc = session.exec(select(Document).where(Document.kb_id == kb_id)).first()
        return doc if doc is not None and doc.stage_detail.startswith("Retrying") else None

    wait_for(retrying, 180, "a worker to take the upload as far as indexing")
    doc = retrying()
    assert "Connection refused" in doc.stage_detail  # the reason: the Qdrant server is not there
    with container.db.session() as session:
        chunks = session.exec(select(Chunk).where(Chunk.document_id == doc.id)).all()
    assert chunks  # parsed and chunked by a worker from the blob web A stored in S3
    ingest = Queue("ingest", connection=connection)

    def pending_ingest_jobs() -> set[str]:
        # The stage says "Retrying" just before RQ files the retry, which may be running again.
        registries = (ingest.scheduled_job_registry, ingest.started_job_registry)
        return {job for r in registries for job in r.get_job_ids()} | set(ingest.job_ids)

    wait_for(pending_ingest_jobs, 30, "RQ to file the ingest job's retry")
    assert len(pending_ingest_jobs()) == 1  # one job, retried, not one per process
    # Both web processes schedule the periodic reconcile at start-up: one run is scheduled.
    reconciles = Queue("default", connection=connection).scheduled_job_registry.get_job_ids()
    assert [job for job in reconciles if job.startswith("reconcile-")] == ["reconcile-periodic"]
