"""First administrator: from LUMIKB_ADMIN_EMAIL / LUMIKB_ADMIN_PASSWORD (containers, read once)
or from `python -m lumikb_app create-admin` (an operator at the machine, so no acting user)."""

from __future__ import annotations

import logging

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts.auth import InvalidInput, count_users, create_user
from lumikb_app.services.accounts.passwords import WeakPasswordError
from lumikb_app.services.platform.transactions import transaction

log = logging.getLogger(__name__)


def create_admin(email: str, password: str, display_name: str | None = None) -> User:
    """A system administrator with a password; the display name defaults to the part before @."""
    with transaction() as session:
        return create_user(
            session,
            email=email,
            display_name=display_name or email.split("@")[0],
            password=password,
            role=SystemRole.admin,
        )


def bootstrap_admin() -> str | None:
    """Create the configured admin when no account exists yet; return its email if created."""
    settings = get_container().settings
    if not (settings.LUMIKB_ADMIN_EMAIL and settings.LUMIKB_ADMIN_PASSWORD):
        return None
    if count_users():
        return None
    try:
        user = create_admin(settings.LUMIKB_ADMIN_EMAIL, settings.LUMIKB_ADMIN_PASSWORD)
    except (InvalidInput, WeakPasswordError) as exc:
        raise SystemExit(f"LUMIKB_ADMIN_EMAIL/LUMIKB_ADMIN_PASSWORD: {exc}") from None
    log.warning("Created the first administrator %s from LUMIKB_ADMIN_EMAIL.", user.email)
    return user.email
