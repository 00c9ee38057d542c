"""Who may create knowledge bases: everyone (the default) or administrators only.

An admin setting stored like self-registration (`app_settings`), changed with an audit row;
`create_kb` asks `require_may_create` inside its own transaction."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import AppSetting, User
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import (
    PermissionDenied,
    is_admin,
    require_active,
    require_admin,
)
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.platform.transactions import read_session, transaction

KB_CREATION = "kb_creation"


class KbCreation(StrEnum):
    everyone = "everyone"
    admins = "admins"


def _policy(session: Session) -> KbCreation:
    setting = session.get(AppSetting, KB_CREATION)
    return (
        KbCreation.admins if setting and setting.value == KbCreation.admins else KbCreation.everyone
    )


def kb_creation_policy() -> KbCreation:
    with read_session() as session:
        return _policy(session)


def may_create_kbs(user: User) -> bool:
    """Whether the new-KB button is shown to this user (create_kb checks again)."""
    with read_session() as session:
        return _allowed(session, user)


def _allowed(session: Session, user: User) -> bool:
    return user.is_active and (is_admin(user) or _policy(session) is KbCreation.everyone)


def require_may_create(session: Session, user: User) -> None:
    require_active(user)
    if not _allowed(session, user):
        raise PermissionDenied("Only administrators can create knowledge bases here.")


def set_kb_creation_policy(actor: User, policy: str, ip: str | None = None) -> KbCreation:
    require_admin(actor)
    try:
        wanted = KbCreation(policy)
    except ValueError:
        raise InvalidInput("Choose who may create knowledge bases: everyone or admins.") from None
    with transaction() as session:
        setting = session.get(AppSetting, KB_CREATION) or AppSetting(key=KB_CREATION)
        before = _policy(session)
        setting.value, setting.updated_by, setting.updated_at = wanted.value, actor.id, utcnow()
        session.add(setting)
        audit.record(
            session, "settings.changed", actor=actor, ip=ip, target=KB_CREATION,
            details={KB_CREATION: wanted.value, "before": before.value},
        )  # fmt: skip
    return wanted
