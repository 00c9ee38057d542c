"""Personal API tokens: a person creates them for scripts, sees each once, and revokes them.

Only the SHA-256 of a token is stored; the short prefix lets people tell their tokens apart.
A token acts as its owner with exactly the owner's access, and stops working at once when it
is revoked, expires, or the owner is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ApiToken, User
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import PermissionDenied, require_active
from lumikb_app.services.platform.transactions import transaction

TOKEN_PREFIX = "lkb_"
PREFIX_LENGTH = 12  # "lkb_" and 8 random characters: enough to tell tokens apart, useless to guess
MAX_NAME_LENGTH = 120
MAX_ACTIVE_TOKENS = 20
MAX_EXPIRY_DAYS = 3650
LAST_USED_RESOLUTION = timedelta(minutes=1)
NOT_FOUND = "API token not found."


class TokenInputError(ValueError):
    """The token name, expiry or count is not acceptable; the message is meant for a person."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TokenInputError("Give the token a name, so you know later what it is for.")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenInputError(f"The token name must be at most {MAX_NAME_LENGTH} characters.")
    return name


# What the account page offers: its value -> days until the token expires (None: never).
EXPIRY_CHOICES: dict[str, int | None] = {"30": 30, "90": 90, "365": 365, "never": None}


def expiry_from_choice(choice: object) -> int | None:
    """The days for one of EXPIRY_CHOICES; anything else ("-5", "1.5", "abc", "") is refused
    rather than read as "never"."""
    if not isinstance(choice, str) or choice not in EXPIRY_CHOICES:
        raise TokenInputError("Choose when the token expires: 30 days, 90 days, 1 year or never.")
    return EXPIRY_CHOICES[choice]


def _check_expiry(days: int | None) -> None:
    if days is None:
        return
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise TokenInputError(f"Expiry must be between 1 and {MAX_EXPIRY_DAYS} days, or never.")


def _active(query):
    now = utcnow()
    return query.where(
        col(ApiToken.revoked_at).is_(None),
        (col(ApiToken.expires_at).is_(None)) | (col(ApiToken.expires_at) > now),
    )


def is_active(token: ApiToken) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > utcnow())


def create_token(
    user: User, name: str, expires_in_days: int | None = None, *, ip: str | None = None
) -> tuple[str, ApiToken]:
    """A new token for `user`. The plaintext is returned here and never again."""
    require_active(user)
    name = clean_name(name)
    _check_expiry(expires_in_days)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction() as session:
        count_query = select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)
        if session.exec(_active(count_query)).one() >= MAX_ACTIVE_TOKENS:
            raise TokenInputError(
                f"You already have {MAX_ACTIVE_TOKENS} active tokens. Revoke one you no longer use."
            )
        token = ApiToken(
            user_id=user.id,
            name=name,
            prefix=plaintext[:PREFIX_LENGTH],
            token_hash=hash_token(plaintext),
            expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        session.add(token)
        session.flush()
        audit.record(
            session,
            "api_token.created",
            actor=user,
            ip=ip,
            target=name,
            details={"token_id": token.id, "prefix": token.prefix, "expires_at": token.expires_at},
        )
    return plaintext, token


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that are not revoked (expired ones too, so they can be cleaned up), newest first."""
    require_active(user)
    with get_container().db.session() as session:
        return list(
            session.exec(
                select(ApiToken)
                .where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
                .order_by(col(ApiToken.created_at).desc())
            )
        )


def revoke_token(user: User, token_id: str, *, ip: str | None = None) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's is "not found", like a missing one."""
    require_active(user)
    with transaction() as session:
        token = session.get(ApiToken, (token_id or "")[:36])
        if token is None or token.user_id != user.id or token.revoked_at is not None:
            raise PermissionDenied(NOT_FOUND)
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(
            session,
            "api_token.revoked",
            actor=user,
            ip=ip,
            target=token.name,
            details={"token_id": token.id, "prefix": token.prefix},
        )
    return token


def revoke_all_tokens(session: Session, user_id: str) -> int:
    """Revoke every token of the user that still works (a password change or reset); how many."""
    tokens = list(session.exec(_active(select(ApiToken).where(ApiToken.user_id == user_id))))
    for token in tokens:
        token.revoked_at = utcnow()
        session.add(token)
    return len(tokens)


def authenticate(token: str | None) -> User | None:
    """The active owner of a valid token, or None (unknown, revoked, expired, deactivated owner)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 256:
        return None
    with get_container().db.session() as session:
        row = session.exec(
            select(ApiToken, User)
            .join(User, col(User.id) == ApiToken.user_id)
            .where(ApiToken.token_hash == hash_token(token))
        ).first()
        if row is None:
            return None
        record, user = row
        if not is_active(record) or not user.is_active:
            return None
        now = utcnow()
        # Written at most once a minute, so a busy script does not turn every call into a write.
        if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
            record.last_used_at = now
            session.add(record)
            session.commit()
        return user
