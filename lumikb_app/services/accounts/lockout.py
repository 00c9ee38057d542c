"""Sign-in lockout: 5 failures on one account in 15 minutes lock it for 15 minutes (an unknown
account answers exactly the same), and 20 failures from one client address block that address.

Checking the count and recording a failure are one step: each attempt first locks the guard row
of its account, then of its address (always in that order, so two attempts never wait on each
other in a circle), and holds them until it commits. On PostgreSQL the upsert locks the row; on
SQLite it is the transaction's first write, which takes the database's write lock. Parallel
guesses therefore record no more failures than the limit.

The address rule counts real clients only: never an unknown address, nor one of
TRUSTED_PROXIES (a proxy that did not say for whom it forwarded), or one attacker behind the
proxy would lock everyone out. A refused attempt is recorded too (without checking the
password), so an admin's unlock of an account can lift the block of the address its owner is
stuck behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import LoginAttempt, LoginGuard, User
from lumikb_app.domain.network import is_trusted
from lumikb_app.services.accounts import audit

MAX_ACCOUNT_FAILURES = 5
MAX_IP_FAILURES = 20
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt, with its guard rows locked (see `hold`)."""

    address: str
    ip: str
    # When an admin last lifted this address's block; None if the address rule does not apply.
    ip_reset_at: datetime | None
    ip_counts: bool


def address_rule_applies(ip: str) -> bool:
    return bool(ip) and not is_trusted(ip, get_container().settings.trusted_proxies)


def _lock_guard(session: Session, key: str) -> LoginGuard:
    """Create or touch the guard row of `key`; the row stays locked until the commit."""
    now = utcnow()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(LoginGuard).values(key=key, updated_at=now)
    session.execute(upsert.on_conflict_do_update(index_elements=["key"], set_={"updated_at": now}))
    return session.get_one(LoginGuard, key, populate_existing=True)


def hold(session: Session, address: str, ip: str) -> Attempt:
    """Lock the account's guard, then the address's: the first statement of the transaction."""
    _lock_guard(session, f"email:{address}")
    if not address_rule_applies(ip):
        return Attempt(address, ip, None, ip_counts=False)
    guard = _lock_guard(session, f"ip:{ip}")
    return Attempt(address, ip, guard.reset_at, ip_counts=True)


def _failures(session: Session, since: datetime, *, email: str = "", ip: str = "") -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            col(LoginAttempt.succeeded).is_(False),
            col(LoginAttempt.refused).is_(False),
            LoginAttempt.created_at >= since,
        )
    )
    query = (
        query.where(LoginAttempt.email == email) if email else query.where(LoginAttempt.ip == ip)
    )
    return session.exec(query).one()


def _address_blocked(session: Session, attempt: Attempt, now: datetime) -> bool:
    if not attempt.ip_counts:
        return False
    since = max(now - LOCKOUT_WINDOW, attempt.ip_reset_at or now - LOCKOUT_WINDOW)
    return _failures(session, since, ip=attempt.ip) >= MAX_IP_FAILURES


def is_locked(session: Session, attempt: Attempt, user: User | None) -> bool:
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        return True
    if _address_blocked(session, attempt, now):
        return True
    # Unknown addresses lock the same way, so the answer never reveals whether an account exists.
    return (
        user is None
        and _failures(session, now - LOCKOUT_WINDOW, email=attempt.address) >= MAX_ACCOUNT_FAILURES
    )


def record_refusal(session: Session, attempt: Attempt) -> None:
    session.add(LoginAttempt(email=attempt.address, ip=attempt.ip, refused=True))


def record_failure(session: Session, attempt: Attempt, user: User | None) -> bool:
    """Store the failure; lock the account when it reaches the limit. True if now locked."""
    address, ip = attempt.address, attempt.ip
    session.add(LoginAttempt(email=address, ip=ip, succeeded=False))
    session.flush()
    audit.record(session, "login.failed", actor=user, ip=ip, target=address[:255])
    window_start = utcnow() - LOCKOUT_WINDOW
    if user is None:
        # Answer "locked" on the same attempt a real account would, so the sequence reveals nothing.
        return _failures(session, window_start, email=address) >= MAX_ACCOUNT_FAILURES
    since = max(window_start, user.failures_reset_at or window_start)
    if _failures(session, since, email=address) < MAX_ACCOUNT_FAILURES:
        return False
    user.locked_until = utcnow() + LOCKOUT_DURATION
    session.add(user)
    audit.record(session, "account.locked", actor=user, ip=ip, target=user.email)
    return True


def lift_address_blocks(session: Session, email: str) -> list[str]:
    """Lift the block of every blocked address that tried this account in the window (its owner
    may be stuck behind one); the addresses lifted."""
    _lock_guard(session, f"email:{email}")  # the order every sign-in attempt locks in
    now = utcnow()
    tried = session.exec(
        select(LoginAttempt.ip)
        .where(LoginAttempt.email == email, LoginAttempt.created_at >= now - LOCKOUT_WINDOW)
        .distinct()
    )
    lifted = []
    for ip in sorted(ip for ip in tried if address_rule_applies(ip)):
        guard = _lock_guard(session, f"ip:{ip}")
        if _address_blocked(session, Attempt(email, ip, guard.reset_at, ip_counts=True), now):
            guard.reset_at = now
            session.add(guard)
            lifted.append(ip)
    return lifted
