"""The admin console's services on SQLite and PostgreSQL: the dashboard's figures, usage per
model from the day's counts, restoring an archived KB (audited; a KB being deleted is not
offered), and job ids that are malformed or unknown refused with a clear message."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import AuditEvent, Document
from lumikb_app.domain.enums import DocumentStatus, SystemRole
from lumikb_app.ports.jobs import NoSuchJob
from lumikb_app.services.accounts import auth
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform import admin_dashboard, admin_jobs, admin_system, usage
from lumikb_app.services.platform.transactions import read_session, transaction
from tests.integration.platform.job_helpers import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(data_dir, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_container()
    upgrade(database_url)
    with get_container().db.session() as session:
        user = auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password="a long enough secret",
            role=SystemRole.admin,
        )
        session.commit()
        session.refresh(user)
        return user


def _document(kb_id: str, name: str, status: DocumentStatus, size: int, error: str = "") -> None:
    with transaction() as session:
        session.add(
            Document(
                kb_id=kb_id,
                name=name,
                status=status.value,
                size_bytes=size,
                error=error or None,
                chunk_count=4,
                page_count=2,
            )
        )


def test_the_dashboard_counts_storage_failures_and_todays_searches(admin):
    handbook = kbs.create_kb(admin, "Handbook")
    _document(handbook.id, "a.md", DocumentStatus.ready, 1000)
    _document(handbook.id, "b.pdf", DocumentStatus.failed, 500, "The file is encrypted.")
    _document(handbook.id, "old.md", DocumentStatus.deleting, 9999)
    usage.flush()
    usage.note("search")
    usage.note("search")
    usage.note("chat")
    usage.flush()

    found = admin_dashboard.dashboard(admin, 14)
    assert found.totals.documents == 2 and found.totals.kbs == 1 and found.totals.users == 1
    assert [(kb.name, kb.documents, kb.bytes) for kb in found.storage] == [("Handbook", 2, 1500)]
    assert len(found.days) == 14 and found.days[-1].day == usage.today()
    assert (found.days[-1].searches, found.days[-1].chats) >= (2, 1)
    assert (found.days[-1].documents_ready, found.days[-1].passages_ready) == (1, 4)
    assert [(f.name, f.kb_name, f.error) for f in found.failed] == [
        ("b.pdf", "Handbook", "The file is encrypted.")
    ]
    with pytest.raises(admin_dashboard.BadPeriod, match="14 or 30 days"):
        admin_dashboard.dashboard(admin, 7)


def test_usage_per_model_adds_up_the_days_calls(admin):
    usage.flush()
    usage.model_call("llm", "gpt-4o-mini", True, 100, 20, 0.002)
    usage.model_call("llm", "gpt-4o-mini", False)
    usage.model_call("embedding", "fake/hash", True)
    usage.note("search")  # not a model: left out
    usage.flush()
    rows = {row.model: row for row in admin_system.usage_by_model(admin)}
    assert set(rows) == {"gpt-4o-mini", "fake/hash"}
    gpt = rows["gpt-4o-mini"]
    assert (gpt.calls, gpt.errors, gpt.prompt_tokens, gpt.completion_tokens) == (2, 1, 100, 20)
    assert gpt.cost_usd == pytest.approx(0.002)


def test_an_archived_kb_is_restored_and_audited_but_a_deleted_one_is_not_offered(admin):
    archived = kbs.create_kb(admin, "Old projects")
    deleted = kbs.create_kb(admin, "Gone")
    kbs.set_archived(admin, archived.id, True)
    kbs.delete_kb(admin, deleted.id)  # archived while it is purged
    assert [kb.name for kb in admin_system.archived_kbs(admin)] == ["Old projects"]

    admin_system.restore_kb(admin, archived.id, ip="10.0.0.9")
    assert admin_system.archived_kbs(admin) == []
    assert archived.id in {kb.id for kb in kbs.list_kbs(admin)}
    with read_session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "kb.restored")).one()
    assert (event.kb_id, event.ip) == (archived.id, "10.0.0.9")
    with pytest.raises(admin_system.NotRestorable, match="not archived"):
        admin_system.restore_kb(admin, archived.id)


@pytest.mark.parametrize("job_id", ["", "a b", "../../etc", "x" * 200, "job;drop"])
def test_a_malformed_job_id_is_refused_before_the_queue_sees_it(admin, job_id):
    with pytest.raises(admin_jobs.BadJobId, match="not a job id"):
        admin_jobs.requeue_job(admin, job_id)
    with pytest.raises(admin_jobs.BadJobId, match="not a job id"):
        admin_jobs.cancel_job(admin, job_id)


def test_an_unknown_job_is_refused_and_nothing_is_audited(admin):
    with pytest.raises(NoSuchJob, match="No job has the id 'ingest-unknown'"):
        admin_jobs.requeue_job(admin, "ingest-unknown")
    with read_session() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action.like("job.%"))).all() == []


def test_system_status_names_every_backend_with_its_mode_and_the_workers(admin, database_url):
    jobs = get_container().jobs  # starts the worker threads, which register within a second
    wait_until(lambda: len(jobs.workers()) == 2, 20, "the worker threads to register")
    found = asyncio.run(admin_system.system_status(admin))
    assert {b.name for b in found.backends} == {
        "database",
        "vectors",
        "blobs",
        "graph",
        "jobs",
        "cache",
    }
    database = next(b for b in found.backends if b.name == "database")
    engine = "sqlite 3." if database_url.startswith("sqlite") else "postgresql 1"
    assert database.ok and database.version.startswith(engine)
    assert found.workers and all(w.last_heartbeat is not None for w in found.workers)
