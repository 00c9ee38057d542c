"""Lockout: 5 failures lock an account for 15 minutes, 20 failures block an address, and the
answers never reveal whether an account exists."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from lumikb_app.api.app import create_api
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import AuditEvent, LoginAttempt, User
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
    for module in ("auth", "lockout"):
        monkeypatch.setattr(f"lumikb_app.services.accounts.{module}.utcnow", lambda: later)


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


def _admin() -> User:
    with transaction() as session:
        return auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password=None,
            role=SystemRole.admin,
        )


def _recorded(**where: object) -> list[LoginAttempt]:
    with get_container().db.session() as session:
        query = select(LoginAttempt)
        for name, value in where.items():
            query = query.where(getattr(LoginAttempt, name) == value)
        return list(session.exec(query))


def test_an_admin_unlock_lets_the_user_in_again(ada):
    for _ in range(5):
        _attempt(EMAIL, WRONG)
    users.unlock(_admin(), ada.id)
    assert _attempt(EMAIL, PASSWORD) == "ok"


def test_an_admin_unlock_also_lifts_the_block_of_the_users_address(ada):
    # Someone at the same office address sprays guesses at other accounts: the address is blocked,
    # and Ada, arriving from it with the right password, is turned away too.
    for n in range(20):
        _attempt(f"guess{n}@example.com", WRONG, ip="10.6.6.6")
    assert _attempt(EMAIL, PASSWORD, ip="10.6.6.6") == LOCKED
    assert _attempt(EMAIL, PASSWORD, ip="10.7.7.7") == "ok"  # elsewhere she is fine

    users.unlock(_admin(), ada.id)

    assert _attempt(EMAIL, PASSWORD, ip="10.6.6.6") == "ok"
    with get_container().db.session() as session:
        unlocked = session.exec(
            select(AuditEvent).where(AuditEvent.action == "user.unlocked")
        ).one()
    assert unlocked.details == {"addresses_unblocked": ["10.6.6.6"]}
    # The count starts again from the unlock: 20 new failures block the address again.
    for n in range(20):
        assert _attempt(f"again{n}@example.com", WRONG, ip="10.6.6.6") == FAILED
    assert _attempt(EMAIL, PASSWORD, ip="10.6.6.6") == LOCKED


def test_a_refused_attempt_is_recorded_but_is_not_a_failure(ada):
    for _ in range(5):
        _attempt(EMAIL, WRONG)
    for _ in range(3):
        assert _attempt(EMAIL, PASSWORD) == LOCKED
    assert len(_recorded(email=EMAIL, refused=False, succeeded=False)) == 5
    assert len(_recorded(email=EMAIL, refused=True)) == 3


def test_parallel_guesses_record_no_more_failures_than_the_limit(ada):
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: _attempt(EMAIL, WRONG), range(16)))
    assert answers.count(FAILED) == 4 and answers.count(LOCKED) == 12
    assert len(_recorded(email=EMAIL, refused=False, succeeded=False)) == 5
    assert _attempt(EMAIL, PASSWORD) == LOCKED


# The address rule and TRUSTED_PROXIES: the block applies to the client, never to a proxy.


def test_the_address_of_a_trusted_proxy_is_never_blocked(ada, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    reset_container()
    for n in range(25):  # a proxy that did not say for whom it forwarded
        assert _attempt(f"guess{n}@example.com", WRONG, ip="10.0.0.9") == FAILED
    assert _attempt(EMAIL, PASSWORD, ip="10.0.0.9") == "ok"
    for n in range(20):
        _attempt(f"guess{n}@example.com", WRONG, ip="198.51.100.7")
    assert _attempt(EMAIL, PASSWORD, ip="198.51.100.7") == LOCKED


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


PROXY = ("10.0.0.9", 5000)


def _via_proxy(email: str, password: str, client_address: str):
    with TestClient(create_api(), follow_redirects=False, client=PROXY) as proxy:
        return proxy.post(
            "/auth/login",
            data={"email": email, "password": password},
            headers={"Origin": ORIGIN, "X-Forwarded-For": client_address},
        )


def test_behind_a_trusted_proxy_one_client_cannot_lock_out_the_others(ada, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.9")
    reset_container()
    for n in range(20):
        _via_proxy(f"guess{n}@example.com", WRONG, "198.51.100.7")
    attacker = _via_proxy(EMAIL, PASSWORD, "198.51.100.7")
    assert attacker.headers["location"] == "/login?error=locked"
    colleague = _via_proxy(EMAIL, PASSWORD, "198.51.100.8")
    assert colleague.headers["location"] == "/"
    assert {a.ip for a in _recorded(succeeded=False)} == {"198.51.100.7"}


def test_without_trusted_proxies_a_forged_x_forwarded_for_does_not_escape_the_block(ada):
    for n in range(20):  # a new made-up client address on every guess
        _via_proxy(f"guess{n}@example.com", WRONG, f"203.0.113.{n}")
    assert _via_proxy(EMAIL, PASSWORD, "203.0.113.99").headers["location"] == "/login?error=locked"
    assert {a.ip for a in _recorded(succeeded=False)} == {"10.0.0.9"}
