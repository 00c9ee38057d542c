"""First administrator for containers: LUMIKB_ADMIN_EMAIL / LUMIKB_ADMIN_PASSWORD, read once."""

from __future__ import annotations

import logging

from lumikb_app.container import get_container
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts.auth import InvalidInput, count_users, create_user
from lumikb_app.services.accounts.passwords import WeakPasswordError
from lumikb_app.services.platform.transactions import transaction

log = logging.getLogger(__name__)


def bootstrap_admin() -> str | None:
    """Create the configured admin when no account exists yet; return its email if created."""
    settings = get_container().settings
    if not (settings.LUMIKB_ADMIN_EMAIL and settings.LUMIKB_ADMIN_PASSWORD):
        return None
    try:
        with transaction() as session:
            if count_users(session):
                return None
            user = create_user(
                session,
                email=settings.LUMIKB_ADMIN_EMAIL,
                display_name=settings.LUMIKB_ADMIN_EMAIL.split("@")[0],
                password=settings.LUMIKB_ADMIN_PASSWORD,
                role=SystemRole.admin,
            )
    except (InvalidInput, WeakPasswordError) as exc:
        raise SystemExit(f"LUMIKB_ADMIN_EMAIL/LUMIKB_ADMIN_PASSWORD: {exc}") from None
    log.warning("Created the first administrator %s from LUMIKB_ADMIN_EMAIL.", user.email)
    return user.email
