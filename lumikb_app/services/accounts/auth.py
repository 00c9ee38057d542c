"""Accounts and sessions: password login, signed session tokens, server-side revocation."""

from __future__ import annotations

import functools
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
from lumikb_app.services.accounts import audit, lockout
from lumikb_app.services.accounts.passwords import hash_password, upgraded_hash, verify_password
from lumikb_app.services.platform.transactions import read_session, transaction

COOKIE_NAME = "lumikb_session"
LOGIN_FAILED_MESSAGE = "Invalid email or password."
LOCKED_MESSAGE = "Too many failed sign-in attempts. Try again in 15 minutes."
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


def _stored_hash(address: str) -> str | None:
    with read_session() as session:
        user = session.exec(select(User).where(User.email == address)).first()
        return user.password_hash if user else None


def login(
    email: str, password: str, *, ip: str | None = None, user_agent: str | None = None
) -> SessionToken:
    ip = (ip or "")[:64]
    try:
        address = normalize_email(email)
    except InvalidInput:
        address = email.strip().lower()[:254]
    # The slow hash check runs before the lockout rows are locked, for every attempt alike.
    stored_hash = _stored_hash(address)
    password_ok = verify_password(stored_hash, password)
    # Older parameters: hash again now, outside the transaction (it holds the write lock).
    rehashed = upgraded_hash(stored_hash, password) if password_ok else None
    with transaction() as session:
        attempt = lockout.hold(session, address, ip)
        user = session.exec(select(User).where(User.email == address)).first()
        if lockout.is_locked(session, attempt, user):
            lockout.record_refusal(session, attempt)
            session.commit()
            raise LockedOut(LOCKED_MESSAGE)
        unchanged = user is not None and user.password_hash == stored_hash
        if not (user and user.is_active and password_ok and unchanged):
            locked = lockout.record_failure(session, attempt, user)
            session.commit()
            raise LockedOut(LOCKED_MESSAGE) if locked else AuthError(LOGIN_FAILED_MESSAGE)
        session.add(LoginAttempt(email=address, ip=ip, succeeded=True))
        user.failures_reset_at, user.locked_until = utcnow(), None
        if rehashed:
            user.password_hash = rehashed
        session.add(user)
        issued = _issue(session, user, ip, user_agent)
        audit.record(session, "login.ok", actor=user, ip=ip, target=user.email)
        return issued


@functools.lru_cache(maxsize=4096)
def _signed_claims(token: str, secret: str, algorithm: str) -> dict | None:
    """The claims of a token whose signature is valid (a pure function of its arguments: every
    page load and event checks the same token again, so the signature is checked once)."""
    try:
        return dict(jwt.decode(token, OctKey.import_key(secret), algorithms=[algorithm]).claims)
    except (JoseError, ValueError):
        return None


def _claims(token: str) -> dict | None:
    settings = get_container().settings
    claims = _signed_claims(token, settings.JWT_SECRET, settings.JWT_ALGORITHM)
    if claims is None:
        return None
    try:  # expiry is checked at every call, against the clock
        jwt.JWTClaimsRegistry(exp={"essential": True}, sid={"essential": True}).validate(claims)
    except (JoseError, ValueError):
        return None
    return dict(claims)


def user_for_token(token: str | None) -> User | None:
    """The active user behind a session token, or None if it is invalid, expired or revoked."""
    claims = _claims(token) if token else None
    if not claims:
        return None
    with read_session() as session:
        row = session.exec(
            select(User, UserSession.revoked_at, UserSession.expires_at)
            .join(UserSession, col(User.id) == UserSession.user_id)
            .where(UserSession.id == claims["sid"], User.id == claims["sub"])
        ).first()
        if row is None:
            return None
        user, revoked_at, expires_at = row
        if revoked_at or expires_at <= utcnow() or not user.is_active:
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
