"""A new password shuts every other way in: changing it keeps only the session that changed it,
a reset keeps none, both revoke every API token, and only the newest reset link works, once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import api_tokens, auth, users
from lumikb_app.services.platform.transactions import transaction

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
BASE_URL = "http://kb.example.test"


@pytest.fixture
def people(migrated):
    with transaction() as session:
        admin = auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password=PASSWORD,
            role=SystemRole.admin,
        )
        mia = auth.create_user(
            session, email="mia@example.com", display_name="Mia", password=PASSWORD
        )
        otto = auth.create_user(
            session, email="otto@example.com", display_name="Otto", password=PASSWORD
        )
    return admin, mia, otto


def _sign_in(email: str = "mia@example.com", password: str = PASSWORD) -> str:
    return auth.login(email, password).token


def _token_of(link: str) -> str:
    return link.split("token=", 1)[1]


def _last_audit(action: str) -> AuditEvent:
    with get_container().db.session() as session:
        return session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
        ).first()


def test_changing_the_password_signs_out_every_other_session_and_revokes_every_token(people):
    _, mia, otto = people
    here, laptop, phone = _sign_in(), _sign_in(), _sign_in()
    script, _ = api_tokens.create_token(mia, "backup script")
    ci, _ = api_tokens.create_token(mia, "ci", 30)
    ottos_session, (ottos_token, _) = (
        _sign_in("otto@example.com"),
        api_tokens.create_token(otto, "otto's"),
    )

    users.change_password(mia, PASSWORD, NEW_PASSWORD, current_session=here)

    assert auth.user_for_token(here).id == mia.id  # the tab that changed it stays signed in
    assert auth.user_for_token(laptop) is None and auth.user_for_token(phone) is None
    assert api_tokens.authenticate(script) is None and api_tokens.authenticate(ci) is None
    assert api_tokens.list_tokens(mia) == []
    assert auth.user_for_token(ottos_session).id == otto.id  # nobody else is touched
    assert api_tokens.authenticate(ottos_token).id == otto.id
    assert _last_audit("password.changed").details == {
        "sessions_revoked": 2,
        "api_tokens_revoked": 2,
    }


def test_a_wrong_current_password_changes_nothing(people):
    _, mia, _ = people
    here, laptop = _sign_in(), _sign_in()
    script, _ = api_tokens.create_token(mia, "backup script")
    with pytest.raises(auth.InvalidInput, match="not correct"):
        users.change_password(mia, "not my password", NEW_PASSWORD, current_session=here)
    assert auth.user_for_token(laptop).id == mia.id
    assert api_tokens.authenticate(script).id == mia.id
    assert _sign_in()


def test_without_a_current_session_a_change_signs_out_every_session(people):
    _, mia, _ = people
    laptop = _sign_in()
    users.change_password(mia, PASSWORD, NEW_PASSWORD, current_session="not a token")
    assert auth.user_for_token(laptop) is None


def test_a_reset_signs_out_every_session_and_revokes_every_token(people):
    admin, mia, _ = people
    laptop = _sign_in()
    script, _ = api_tokens.create_token(mia, "backup script")
    link = users.create_reset_link(admin, mia.id, BASE_URL)
    users.reset_password(_token_of(link), NEW_PASSWORD)
    assert auth.user_for_token(laptop) is None
    assert api_tokens.authenticate(script) is None
    assert _last_audit("password.reset").details == {
        "sessions_revoked": 1,
        "api_tokens_revoked": 1,
    }


def test_a_new_reset_link_invalidates_the_older_one(people):
    admin, mia, _ = people
    older = _token_of(users.create_reset_link(admin, mia.id, BASE_URL))
    newer = _token_of(users.create_reset_link(admin, mia.id, BASE_URL))
    with pytest.raises(auth.InvalidInput, match="invalid, expired or already used"):
        users.reset_password(older, NEW_PASSWORD)
    assert _sign_in(password=PASSWORD)  # the refused link changed nothing
    users.reset_password(newer, NEW_PASSWORD)
    assert _sign_in(password=NEW_PASSWORD)


def test_using_a_reset_link_or_changing_the_password_invalidates_every_outstanding_link(people):
    admin, mia, otto = people
    ottos = _token_of(users.create_reset_link(admin, otto.id, BASE_URL))
    first = _token_of(users.create_reset_link(admin, mia.id, BASE_URL))
    users.reset_password(first, NEW_PASSWORD)
    with pytest.raises(auth.InvalidInput):
        users.reset_password(first, "yet another passphrase")

    outstanding = _token_of(users.create_reset_link(admin, mia.id, BASE_URL))
    users.change_password(mia, NEW_PASSWORD, PASSWORD)
    with pytest.raises(auth.InvalidInput):
        users.reset_password(outstanding, "yet another passphrase")
    assert _sign_in(password=PASSWORD)
    users.reset_password(ottos, NEW_PASSWORD)  # someone else's link still works
    assert _sign_in("otto@example.com", NEW_PASSWORD)
