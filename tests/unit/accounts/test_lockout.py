"""Lockout: 5 failures lock an account for 15 minutes, 20 failures block an address, and the
answers never reveal whether an account exists."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from lumikb_app.api.app import create_api
from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import AuditEvent, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth, users
from lumikb_app.services.accounts.auth import (
    LOCKED_MESSAGE,
    LOGIN_FAILED_MESSAGE,
    AuthError,
    LockedOut,
)
from lumikb_app.services.platform.transactions import transaction

pytestmark = pytest.mark.unit

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery"
WRONG = "not the password at all"
IP = "10.0.0.1"


@pytest.fixture
def ada(migrated) -> User:
    with transaction() as session:
        user = auth.create_user(
            session, email=EMAIL, display_name="Ada Lovelace", password=PASSWORD
        )
        session.flush()
        session.expunge(user)
    return user


def _attempt(email: str, password: str, ip: str = IP) -> str:
    """The outcome of one login: "ok", or the exception class and message the user would see."""
    try:
        auth.login(email, password, ip=ip)
    except LockedOut as error:
        return f"LockedOut: {error}"
    except AuthError as error:
        return f"AuthError: {error}"
    return "ok"


def _shift_clock(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    later = utcnow() + delta
    monkeypatch.setattr("lumikb_app.services.accounts.auth.utcnow", lambda: later)


FAILED = f"AuthError: {LOGIN_FAILED_MESSAGE}"
LOCKED = f"LockedOut: {LOCKED_MESSAGE}"


def test_five_failures_lock_the_account_even_for_the_right_password(ada):
    answers = [_attempt(EMAIL, WRONG) for _ in range(5)]
    assert answers == [FAILED] * 4 + [LOCKED]
    assert _attempt(EMAIL, PASSWORD) == LOCKED
    assert _attempt(EMAIL, PASSWORD, ip="10.9.9.9") == LOCKED  # the account, not the address
    with get_container().db.session() as session:
        locked = session.exec(select(User).where(User.email == EMAIL)).one()
        assert locked.locked_until is not None
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions.count("login.failed") == 5
    assert actions.count("account.locked") == 1
    assert "login.ok" not in actions


def test_an_unknown_email_gets_the_same_answers_in_the_same_sequence(ada):
    attempts = [WRONG] * 6 + [PASSWORD]
    known = [_attempt(EMAIL, password) for password in attempts]
    unknown = [_attempt("nobody@example.com", password, ip="10.0.0.2") for password in attempts]
    assert known == unknown
    assert known == [FAILED] * 4 + [LOCKED] * 3


def test_the_lock_ends_after_15_minutes(ada, monkeypatch):
    for _ in range(5):
        _attempt(EMAIL, WRONG)
    assert _attempt(EMAIL, PASSWORD) == LOCKED
    _shift_clock(monkeypatch, timedelta(minutes=14))
    assert _attempt(EMAIL, PASSWORD) == LOCKED
    _shift_clock(monkeypatch, timedelta(minutes=16))
    assert _attempt(EMAIL, PASSWORD) == "ok"


def test_a_success_resets_the_count(ada):
    for _ in range(4):
        assert _attempt(EMAIL, WRONG) == FAILED
    assert _attempt(EMAIL, PASSWORD) == "ok"
    for _ in range(4):
        assert _attempt(EMAIL, WRONG) == FAILED
    assert _attempt(EMAIL, PASSWORD) == "ok"


def test_an_admin_unlock_lets_the_user_in_again(ada):
    for _ in range(5):
        _attempt(EMAIL, WRONG)
    with transaction() as session:
        admin = auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password=None,
            role=SystemRole.admin,
        )
    users.unlock(admin, ada.id)
    assert _attempt(EMAIL, PASSWORD) == "ok"


def test_twenty_failures_from_one_address_block_it_with_the_same_message(ada):
    for n in range(20):
        # Different addresses, never 5 on one account: only the per-IP limit can trigger.
        assert _attempt(f"guess{n}@example.com", WRONG, ip="10.6.6.6") == FAILED
    assert _attempt(EMAIL, PASSWORD, ip="10.6.6.6") == LOCKED
    assert _attempt("someone@example.com", WRONG, ip="10.6.6.6") == LOCKED
    assert _attempt(EMAIL, PASSWORD, ip="10.7.7.7") == "ok"


def test_the_address_block_ends_after_15_minutes(ada, monkeypatch):
    for n in range(20):
        _attempt(f"guess{n}@example.com", WRONG, ip="10.6.6.6")
    assert _attempt(EMAIL, PASSWORD, ip="10.6.6.6") == LOCKED
    _shift_clock(monkeypatch, timedelta(minutes=16))
    assert _attempt(EMAIL, PASSWORD, ip="10.6.6.6") == "ok"


# The login route: a lockout lands on /login?error=locked, the same for unknown accounts.

ORIGIN = "http://testserver"


@pytest.fixture
def client(migrated) -> Iterator[TestClient]:
    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


def _post_login(client: TestClient, email: str, password: str):
    return client.post(
        "/auth/login", data={"email": email, "password": password}, headers={"Origin": ORIGIN}
    )


def test_the_route_sends_a_lockout_to_the_locked_message(client, ada):
    for email in (EMAIL, "nobody@example.com"):
        locations = [_post_login(client, email, WRONG).headers["location"] for _ in range(5)]
        assert locations == ["/login?error=1"] * 4 + ["/login?error=locked"]
        locked = _post_login(client, email, PASSWORD)
        assert locked.status_code == 303
        assert locked.headers["location"] == "/login?error=locked"
        assert "set-cookie" not in locked.headers
    with TestClient(create_api(), client=("127.0.0.1", 40000)) as local:  # /metrics: loopback
        metrics = local.get("/metrics").text
    assert 'lumikb_logins_total{outcome="locked"}' in metrics
