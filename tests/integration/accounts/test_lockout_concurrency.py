"""Parallel wrong guesses never record more failures than the lockout limits, on SQLite and on
PostgreSQL: counting and recording a failure are one step (services/accounts/lockout.py).
Before, 16 parallel guesses recorded 16 failures against a limit of 5."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import col, func, select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import LoginAttempt, User
from lumikb_app.services.accounts import auth, lockout
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.settings import Settings

pytestmark = pytest.mark.integration

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"
WRONG = "not the password at all"


@pytest.fixture
def deployment(database_url: str, tmp_path, monkeypatch) -> Iterator[str]:
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_container()
    upgrade()
    with transaction() as session:
        auth.create_user(session, email=EMAIL, display_name="Ada", password=PASSWORD)
    yield database_url
    reset_container()


def _attempt(email: str, password: str, ip: str) -> str:
    try:
        auth.login(email, password, ip=ip)
    except auth.LockedOut:
        return "locked"
    except auth.AuthError:
        return "failed"
    return "ok"


def _failures(**where: str) -> int:
    query = select(func.count()).select_from(LoginAttempt)
    query = query.where(
        col(LoginAttempt.succeeded).is_(False), col(LoginAttempt.refused).is_(False)
    )
    for name, value in where.items():
        query = query.where(getattr(LoginAttempt, name) == value)
    with get_container().db.session() as session:
        return session.exec(query).one()


def _in_parallel(calls: list[tuple[str, str, str]]) -> list[str]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda call: _attempt(*call), calls))


def test_sixteen_parallel_guesses_record_five_failures(deployment):
    answers = _in_parallel([(EMAIL, WRONG, "10.0.0.1")] * 16)

    assert _failures(email=EMAIL) == lockout.MAX_ACCOUNT_FAILURES
    assert answers.count("failed") == lockout.MAX_ACCOUNT_FAILURES - 1
    assert answers.count("locked") == 16 - answers.count("failed")
    with get_container().db.session() as session:
        assert session.exec(select(User).where(User.email == EMAIL)).one().locked_until
    assert _attempt(EMAIL, PASSWORD, "10.0.0.1") == "locked"


def test_parallel_guesses_from_one_address_record_twenty_failures(deployment):
    calls = [(f"guess{n}@example.com", WRONG, "10.6.6.6") for n in range(40)]
    answers = _in_parallel(calls)

    assert _failures(ip="10.6.6.6") == lockout.MAX_IP_FAILURES
    assert answers.count("failed") + answers.count("locked") == 40
    assert _attempt(EMAIL, PASSWORD, "10.6.6.6") == "locked"
    assert _attempt(EMAIL, PASSWORD, "10.7.7.7") == "ok"
