"""Who may do what: the roles a caller can have on the knowledge base, and the access levels the
permission table (access_table.py) gives every entry point."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    NONE = "no grant"  # an active account without a grant on the KB
    READ = "READ"
    WRITE = "WRITE"
    KB_ADMIN = "KB ADMIN"
    SYSTEM_ADMIN = "system admin"
    DEACTIVATED = "deactivated"  # was a system admin and the KB's ADMIN
    ANONYMOUS = "not signed in"  # routes and event handlers only: a service always has a user


SERVICE_ROLES = [role for role in Role if role is not Role.ANONYMOUS]


class Access(Enum):
    PUBLIC = "anyone, signed in or not"
    SIGNED_IN = "any active account"
    READ = "READ on the KB or more"
    WRITE = "WRITE on the KB or more"
    KB_ADMIN = "ADMIN on the KB, or a system admin"
    SYSTEM_ADMIN = "a system admin"
    NOBODY = "no one: it belongs to another account"
    UI_ONLY = "no data: changes only what this browser shows"  # event handlers only
    NEVER = "never: the event guard refuses it as an event"  # event handlers only


ACTIVE = {Role.NONE, Role.READ, Role.WRITE, Role.KB_ADMIN, Role.SYSTEM_ADMIN}
ALLOWED: dict[Access, set[Role]] = {
    Access.PUBLIC: set(Role),
    Access.SIGNED_IN: ACTIVE,
    Access.READ: {Role.READ, Role.WRITE, Role.KB_ADMIN, Role.SYSTEM_ADMIN},
    Access.WRITE: {Role.WRITE, Role.KB_ADMIN, Role.SYSTEM_ADMIN},
    Access.KB_ADMIN: {Role.KB_ADMIN, Role.SYSTEM_ADMIN},
    Access.SYSTEM_ADMIN: {Role.SYSTEM_ADMIN},
    Access.NOBODY: set(),
    Access.UI_ONLY: set(Role),
    Access.NEVER: set(),
}


@dataclass(frozen=True)
class Shows:
    """A listing or an answer: any active caller gets one (a deactivated one may be refused),
    and only callers with `access` find the KB's data in it; shows(NOBODY): no caller finds
    anything of another account's in it."""

    access: Access


def shows(access: Access) -> Shows:
    return Shows(access)


Expected = Access | Shows
