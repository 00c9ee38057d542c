"""Administering accounts: list, create, (de)activate, roles, unlock, reset links, self-service.

Each public function is one use case with its own unit of work; it returns detached rows."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, or_, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import AppSetting, PasswordReset, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import api_tokens, audit, lockout
from lumikb_app.services.accounts.access import PermissionDenied, require_active, require_admin
from lumikb_app.services.accounts.auth import (
    InvalidInput,
    create_user,
    revoke_all_sessions,
    session_id,
)
from lumikb_app.services.accounts.passwords import hash_password, verify_password
from lumikb_app.services.platform.transactions import read_session, transaction

RESET_LIFETIME = timedelta(hours=1)
SELF_REGISTRATION = "self_registration"
INVALID_RESET = "This reset link is invalid, expired or already used."


def list_users(actor: User, query: str = "", *, limit: int = 200) -> list[User]:
    require_admin(actor)
    statement = select(User).order_by(User.email).limit(limit)
    if query.strip():
        pattern = f"%{query.strip().lower()[:100]}%"
        statement = statement.where(
            or_(col(User.email).like(pattern), col(User.display_name).ilike(pattern))
        )
    with read_session() as session:
        return list(session.exec(statement))


def is_locked(user: User) -> bool:
    """Whether sign-in is refused for now after too many failures (an admin can unlock it)."""
    return bool(user.locked_until and user.locked_until > utcnow())


def _target(session: Session, actor: User, user_id: str) -> User:
    require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput("No such user.")
    return user


def admin_create_user(
    actor: User,
    *,
    email: str,
    display_name: str,
    password: str,
    role: SystemRole,
    ip: str | None = None,
) -> User:
    require_admin(actor)
    with transaction() as session:
        return create_user(
            session,
            email=email,
            display_name=display_name,
            password=password,
            role=role,
            actor=actor,
            ip=ip,
        )


def set_active(actor: User, user_id: str, active: bool, ip: str | None = None) -> User:
    with transaction() as session:
        user = _target(session, actor, user_id)
        if user.id == actor.id and not active:
            raise InvalidInput("You cannot deactivate your own account.")
        user.is_active, user.updated_at = active, utcnow()
        session.add(user)
        if not active:
            revoke_all_sessions(session, user.id)
        audit.record(
            session,
            "user.reactivated" if active else "user.deactivated",
            actor=actor,
            ip=ip,
            target=user.email,
        )
        return user


def set_role(actor: User, user_id: str, role: SystemRole, ip: str | None = None) -> User:
    with transaction() as session:
        user = _target(session, actor, user_id)
        if user.id == actor.id and role != SystemRole.admin:
            raise InvalidInput("You cannot remove your own administrator role.")
        before = user.system_role
        user.system_role, user.updated_at = SystemRole(role).value, utcnow()
        session.add(user)
        audit.record(
            session,
            "user.changed",
            actor=actor,
            ip=ip,
            target=user.email,
            details={"role": [before, user.system_role]},
        )
        return user


def unlock(actor: User, user_id: str, ip: str | None = None) -> User:
    """End the account's lockout, and lift the block of any address that tried it recently
    (its owner may be stuck behind one)."""
    with transaction() as session:
        user = _target(session, actor, user_id)
        lifted = lockout.lift_address_blocks(session, user.email)
        user.locked_until, user.failures_reset_at = None, utcnow()
        session.add(user)
        details = {"addresses_unblocked": lifted} if lifted else None
        audit.record(
            session, "user.unlocked", actor=actor, ip=ip, target=user.email, details=details
        )
        return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expire_reset_links(session: Session, user_id: str) -> None:
    """Every reset link of the user that could still be used stops working."""
    now = utcnow()
    for reset in session.exec(
        select(PasswordReset).where(
            PasswordReset.user_id == user_id,
            col(PasswordReset.used_at).is_(None),
            col(PasswordReset.expires_at) > now,
        )
    ):
        reset.expires_at = now
        session.add(reset)


def _sign_out_everywhere(session: Session, user: User, keep_session: str | None = None) -> dict:
    """After a password change or reset: other sessions, API tokens and reset links stop."""
    _expire_reset_links(session, user.id)
    return {
        "sessions_revoked": revoke_all_sessions(session, user.id, keep=keep_session),
        "api_tokens_revoked": api_tokens.revoke_all_tokens(session, user.id),
    }


def create_reset_link(actor: User, user_id: str, base_url: str, ip: str | None = None) -> str:
    """A one-time link, shown once to the admin; only its hash is stored and nothing logs it.
    Any earlier link for the same person stops working."""
    token = secrets.token_urlsafe(32)
    with transaction() as session:
        user = _target(session, actor, user_id)
        _expire_reset_links(session, user.id)
        session.add(
            PasswordReset(
                user_id=user.id,
                token_hash=_token_hash(token),
                created_by=actor.id,
                expires_at=utcnow() + RESET_LIFETIME,
            )
        )
        audit.record(session, "password.reset_link_created", actor=actor, ip=ip, target=user.email)
    return f"{base_url.rstrip('/')}/reset-password?token={token}"


def reset_password(token: str, new_password: str, ip: str | None = None) -> User:
    with transaction() as session:
        reset = session.exec(
            select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token or ""))
        ).first()
        if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
            raise InvalidInput(INVALID_RESET)
        user = session.get(User, reset.user_id)
        if user is None or not user.is_active:
            raise InvalidInput(INVALID_RESET)
        user.password_hash, user.updated_at = hash_password(new_password), utcnow()
        user.locked_until, user.failures_reset_at = None, utcnow()
        reset.used_at = utcnow()
        session.add_all([user, reset])
        revoked = _sign_out_everywhere(session, user)
        audit.record(
            session, "password.reset", actor=user, ip=ip, target=user.email, details=revoked
        )
        return user


def change_password(
    user: User, old: str, new: str, ip: str | None = None, *, current_session: str | None = None
) -> None:
    """Change the user's own password. Every other session (all but `current_session`, the
    token of the one making the change), every API token and every reset link stops working."""
    require_active(user)
    with transaction() as session:
        stored = session.get(User, user.id)
        if stored is None or not verify_password(stored.password_hash, old):
            raise InvalidInput("Your current password is not correct.")
        stored.password_hash, stored.updated_at = hash_password(new), utcnow()
        session.add(stored)
        revoked = _sign_out_everywhere(session, stored, session_id(current_session))
        audit.record(
            session,
            "password.changed",
            actor=stored,
            ip=ip,
            target=stored.email,
            details=revoked,
        )


def _registration_on(session: Session) -> bool:
    setting = session.get(AppSetting, SELF_REGISTRATION)
    return bool(setting and setting.value)


def self_registration_enabled() -> bool:
    with read_session() as session:
        return _registration_on(session)


def set_self_registration(actor: User, enabled: bool, ip: str | None = None) -> None:
    require_admin(actor)
    with transaction() as session:
        setting = session.get(AppSetting, SELF_REGISTRATION) or AppSetting(key=SELF_REGISTRATION)
        setting.value, setting.updated_by, setting.updated_at = bool(enabled), actor.id, utcnow()
        session.add(setting)
        audit.record(
            session,
            "settings.changed",
            actor=actor,
            ip=ip,
            details={SELF_REGISTRATION: bool(enabled)},
        )


def register(*, email: str, display_name: str, password: str, ip: str | None = None) -> User:
    with transaction() as session:
        if not _registration_on(session):
            raise PermissionDenied(
                "Self-registration is turned off. Ask an administrator for an account."
            )
        return create_user(
            session, email=email, display_name=display_name, password=password, ip=ip
        )
