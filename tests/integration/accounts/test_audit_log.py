"""The audit log is append-only and hash-chained, on SQLite and PostgreSQL."""

import csv
import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import audit
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def database(data_dir, database_url: str, monkeypatch):
    """The migrated database of `database_url` as the deployment's own: `verify`, `search` and
    the CSV rows open their own read sessions on it."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_container()
    upgrade(database_url)
    return get_container().db


def _write(db, n: int, actor: User | None = None) -> None:
    with db.session() as session:
        for i in range(n):
            audit.record(
                session,
                "login.ok",
                actor=actor,
                ip="10.0.0.1",
                target=f"user {i}",
                details={"i": i},
            )
        session.commit()


def _tamper(db, sql: str) -> None:
    """What an attacker with direct database access would do: lift the guard, then edit."""
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(
                text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
            )
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        connection.execute(text(sql))


def test_a_fresh_chain_verifies(database):
    _write(database, 5)
    report = audit.verify()
    assert report.intact and report.events == 5
    assert str(report) == "chain intact (5 events)"


@pytest.mark.parametrize(
    "verb", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_the_database_refuses_update_and_delete(database, verb):
    _write(database, 2)
    with pytest.raises((DBAPIError, IntegrityError)), database.engine.begin() as connection:
        connection.execute(text(f"{verb} WHERE seq = 1"))
    assert audit.verify().intact


def test_editing_a_row_is_detected_and_the_row_named(database):
    _write(database, 6)
    _tamper(database, "UPDATE audit_events SET ip = '6.6.6.6' WHERE seq = 4")
    report = audit.verify()
    assert not report.intact and report.broken_seq == 4
    assert "seq=4" in str(report)


def test_deleting_a_row_is_detected(database):
    _write(database, 6)
    _tamper(database, "DELETE FROM audit_events WHERE seq = 3")
    report = audit.verify()
    assert not report.intact and report.broken_seq == 3


def test_an_event_rolls_back_with_its_transaction(database):
    with database.session() as session:
        audit.record(session, "kb.created", target="kb x")
        session.rollback()
    assert audit.verify().events == 0


def test_concurrent_writers_keep_one_unbroken_chain(database):
    def writer(_):
        for _attempt in range(20):
            try:
                _write(database, 1)
                return
            except (IntegrityError, DBAPIError):
                continue  # lost the race for the chain tip; retry on the new tip
        raise AssertionError("could not append")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(writer, range(16)))
    report = audit.verify(batch=5)  # several batches, each its own read
    assert report.intact and report.events == 16


def test_filters_pages_and_streams_csv(database):
    with database.session() as session:
        ada = User(email="ada@example.com", display_name="Ada", system_role="admin")
        session.add(ada)
        session.flush()
        audit.record(session, "login.failed", actor=ada, target='=HYPERLINK("http://evil")')
        audit.record(session, "kb.created", actor=ada, kb_id="kb-1")
        audit.record(session, "login.ok")
        session.commit()
    rows, total = audit.search(ada, audit.AuditFilter(actor="ADA@"), per_page=1)
    assert total == 2 and [r.action for r in rows] == ["kb.created"]
    assert audit.search(ada, audit.AuditFilter(kb_id="kb-1"))[1] == 1
    exported = "".join(audit.csv_rows(audit.AuditFilter(action="login.failed"), batch=1))
    table = list(csv.DictReader(io.StringIO(exported)))
    assert [row["action"] for row in table] == ["login.failed"]
    assert table[0]["target"].startswith("'=")  # a spreadsheet shows it, never runs it


def test_cli_names_the_broken_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    upgrade(url)
    db = SqlDatabase(url)
    _write(db, 3)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "DATA_DIR": str(tmp_path)}

    def run():
        return subprocess.run(
            [sys.executable, "-m", "lumikb_app", "audit", "verify"],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        )

    ok = run()
    assert ok.returncode == 0 and "chain intact (3 events)" in ok.stdout
    _tamper(db, "UPDATE audit_events SET details = '{\"i\": 99}' WHERE seq = 2")
    broken = run()
    assert broken.returncode == 1 and "seq=2" in broken.stdout
    db.close()
