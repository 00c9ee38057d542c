"""Accounts and sessions: password login, signed session tokens, server-side revocation."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlmodel import Session, col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import LoginAttempt, User, UserSession
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.passwords import hash_password, verify_password
from lumikb_app.services.platform.transactions import read_session, transaction

COOKIE_NAME = "lumikb_session"
LOGIN_FAILED_MESSAGE = "Invalid email or password."
LOCKED_MESSAGE = "Too many failed sign-in attempts. Try again in 15 minutes."
MAX_ACCOUNT_FAILURES = 5
MAX_IP_FAILURES = 20
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,63}$")
MAX_NAME_LENGTH = 120


class AuthError(Exception):
    """Login refused. The message never says whether the account exists."""


class LockedOut(AuthError):
    """Too many failures for this account or from this address (same wording for unknown accounts)."""


class InvalidInput(ValueError):
    pass


@dataclass(frozen=True)
class SessionToken:
    token: str
    max_age_seconds: int


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise InvalidInput("Enter a valid email address.")
    return email


def clean_display_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Display name is required.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"Display name must be at most {MAX_NAME_LENGTH} characters.")
    return name


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str | None,
    role: SystemRole = SystemRole.member,
    actor: User | None = None,
    ip: str | None = None,
) -> User:
    email = normalize_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise InvalidInput("A user with this email already exists.")
    user = User(
        email=email,
        display_name=clean_display_name(display_name),
        password_hash=hash_password(password) if password else None,
        system_role=role.value,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, "user.created", actor=actor, ip=ip, target=email, details={"role": role.value}
    )
    return user


def count_users() -> int:
    with read_session() as session:
        return session.exec(select(func.count()).select_from(User)).one()


def _key() -> OctKey:
    return OctKey.import_key(get_container().settings.JWT_SECRET)


def _issue(session: Session, user: User, ip: str | None, user_agent: str | None) -> SessionToken:
    settings = get_container().settings
    lifetime = timedelta(minutes=settings.JWT_EXPIRY_MINUTES)
    record = UserSession(
        user_id=user.id,
        expires_at=utcnow() + lifetime,
        ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:255] or None,
    )
    session.add(record)
    now = int(time.time())
    claims = {
        "sub": user.id,
        "sid": record.id,
        "iat": now,
        "exp": now + int(lifetime.total_seconds()),
    }
    token = jwt.encode({"alg": settings.JWT_ALGORITHM}, claims, _key())
    return SessionToken(token=token, max_age_seconds=int(lifetime.total_seconds()))


def _recent_failures(
    session: Session, *, email: str | None = None, ip: str | None = None, since
) -> int:
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.succeeded).is_(False), LoginAttempt.created_at >= since)
    )
    query = (
        query.where(LoginAttempt.email == email)
        if email is not None
        else query.where(LoginAttempt.ip == ip)
    )
    return session.exec(query).one()


def _is_locked(session: Session, user: User | None, address: str, ip: str) -> bool:
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        return True
    if ip and _recent_failures(session, ip=ip, since=now - LOCKOUT_WINDOW) >= MAX_IP_FAILURES:
        return True
    # Unknown addresses lock the same way, so the answer never reveals whether an account exists.
    return (
        user is None
        and _recent_failures(session, email=address, since=now - LOCKOUT_WINDOW)
        >= MAX_ACCOUNT_FAILURES
    )


def _record_failure(session: Session, user: User | None, address: str, ip: str) -> bool:
    """Store the failure; lock the account when it reaches the limit. True if now locked."""
    session.add(LoginAttempt(email=address, ip=ip, succeeded=False))
    session.flush()
    audit.record(session, "login.failed", actor=user, ip=ip, target=address[:255])
    if user is None:
        # Answer "locked" on the same attempt a real account would, so the sequence reveals nothing.
        recent = _recent_failures(session, email=address, since=utcnow() - LOCKOUT_WINDOW)
        return recent >= MAX_ACCOUNT_FAILURES
    since = max(utcnow() - LOCKOUT_WINDOW, user.failures_reset_at or utcnow() - LOCKOUT_WINDOW)
    if _recent_failures(session, email=address, since=since) < MAX_ACCOUNT_FAILURES:
        return False
    user.locked_until = utcnow() + LOCKOUT_DURATION
    session.add(user)
    audit.record(session, "account.locked", actor=user, ip=ip, target=user.email)
    return True


def login(
    email: str, password: str, *, ip: str | None = None, user_agent: str | None = None
) -> SessionToken:
    ip = (ip or "")[:64]
    try:
        address = normalize_email(email)
    except InvalidInput:
        address = email.strip().lower()[:254]
    with transaction() as session:
        user = session.exec(select(User).where(User.email == address)).first()
        locked = _is_locked(session, user, address, ip)
        password_ok = verify_password(user.password_hash if user else None, password)
        if locked:
            raise LockedOut(LOCKED_MESSAGE)
        if not (user and user.is_active and password_ok):
            if _record_failure(session, user, address, ip):
                session.commit()
                raise LockedOut(LOCKED_MESSAGE)
            session.commit()
            raise AuthError(LOGIN_FAILED_MESSAGE)
        session.add(LoginAttempt(email=address, ip=ip, succeeded=True))
        user.failures_reset_at, user.locked_until = utcnow(), None
        session.add(user)
        issued = _issue(session, user, ip, user_agent)
        audit.record(session, "login.ok", actor=user, ip=ip, target=user.email)
        return issued


def _claims(token: str) -> dict | None:
    settings = get_container().settings
    try:
        decoded = jwt.decode(token, _key(), algorithms=[settings.JWT_ALGORITHM])
        jwt.JWTClaimsRegistry(exp={"essential": True}, sid={"essential": True}).validate(
            decoded.claims
        )
    except (JoseError, ValueError):
        return None
    return decoded.claims


def user_for_token(token: str | None) -> User | None:
    """The active user behind a session token, or None if it is invalid, expired or revoked."""
    claims = _claims(token) if token else None
    if not claims:
        return None
    with read_session() as session:
        row = session.exec(
            select(UserSession, User)
            .join(User, col(User.id) == UserSession.user_id)
            .where(UserSession.id == claims["sid"], User.id == claims["sub"])
        ).first()
        if row is None:
            return None
        record, user = row
        if record.revoked_at or record.expires_at <= utcnow() or not user.is_active:
            return None
        return user


def logout(token: str | None, *, ip: str | None = None) -> None:
    claims = _claims(token) if token else None
    if not claims:
        return
    with transaction() as session:
        record = session.get(UserSession, claims["sid"])
        if record and record.revoked_at is None:
            record.revoked_at = utcnow()
            session.add(record)
            user = session.get(User, record.user_id)
            audit.record(session, "logout", actor=user, ip=ip, target=user.email if user else None)


def session_id(token: str | None) -> str | None:
    """The id of the session a valid token names (to keep it when revoking the others)."""
    claims = _claims(token) if token else None
    return str(claims["sid"]) if claims else None


def revoke_all_sessions(session: Session, user_id: str, *, keep: str | None = None) -> int:
    """Revoke every open session of the user, except `keep` (a session id); how many."""
    query = select(UserSession).where(
        UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None)
    )
    if keep:
        query = query.where(UserSession.id != keep)
    records = list(session.exec(query))
    for record in records:
        record.revoked_at = utcnow()
        session.add(record)
    return len(records)
