"""Personal API tokens: shown once, stored hashed, revocable, and dead when expired or the owner leaves."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ApiToken, AuditEvent
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import api_tokens, auth, users
from lumikb_app.services.accounts.access import PermissionDenied

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


@pytest.fixture
def people(migrated):
    with get_container().db.session() as session:
        ada = auth.create_user(
            session, email="ada@example.com", display_name="Ada", password=PASSWORD
        )
        bob = auth.create_user(
            session, email="bob@example.com", display_name="Bob", password=PASSWORD
        )
        admin = auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password=PASSWORD,
            role=SystemRole.admin,
        )
        session.commit()
    return ada, bob, admin


def _stored_tokens() -> list[ApiToken]:
    with get_container().db.session() as session:
        return list(session.exec(select(ApiToken)))


def _audit_actions() -> list[str]:
    with get_container().db.session() as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _set(token_id: str, **values) -> None:
    with get_container().db.session() as session:
        row = session.get(ApiToken, token_id)
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def test_a_new_token_works_and_only_its_hash_is_stored(people):
    ada, _, _ = people
    plaintext, token = api_tokens.create_token(ada, "  CI   pipeline ", 30)
    assert plaintext.startswith("lkb_") and len(plaintext) > 40
    assert token.name == "CI pipeline"
    assert plaintext.startswith(token.prefix) and len(token.prefix) < len(plaintext)
    [stored] = _stored_tokens()
    assert stored.token_hash == api_tokens.hash_token(plaintext) != plaintext
    assert plaintext not in {stored.name, stored.prefix, stored.token_hash}
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)
    assert api_tokens.authenticate(plaintext).id == ada.id
    assert [t.id for t in api_tokens.list_tokens(ada)] == [token.id]
    assert _audit_actions()[-1] == "api_token.created"


def test_list_shows_only_your_own_tokens_newest_first(people):
    ada, bob, _ = people
    _, first = api_tokens.create_token(ada, "first")
    _set(first.id, created_at=utcnow() - timedelta(hours=1))
    _, second = api_tokens.create_token(ada, "second")
    api_tokens.create_token(bob, "bob's")
    assert [t.name for t in api_tokens.list_tokens(ada)] == ["second", "first"]
    assert [t.name for t in api_tokens.list_tokens(bob)] == ["bob's"]


def test_a_revoked_token_stops_working_and_leaves_the_list(people):
    ada, _, _ = people
    plaintext, token = api_tokens.create_token(ada, "laptop")
    api_tokens.revoke_token(ada, token.id)
    assert api_tokens.authenticate(plaintext) is None
    assert api_tokens.list_tokens(ada) == []
    assert _audit_actions()[-2:] == ["api_token.created", "api_token.revoked"]
    with pytest.raises(PermissionDenied, match="not found"):
        api_tokens.revoke_token(ada, token.id)


@pytest.mark.parametrize("revoker", ["bob", "admin"])
def test_nobody_else_can_revoke_your_token(people, revoker):
    ada, bob, admin = people
    plaintext, token = api_tokens.create_token(ada, "laptop")
    with pytest.raises(PermissionDenied) as denied:
        api_tokens.revoke_token(bob if revoker == "bob" else admin, token.id)
    with pytest.raises(PermissionDenied) as missing:
        api_tokens.revoke_token(bob, "00000000-0000-0000-0000-000000000000")
    assert str(denied.value) == str(missing.value)
    assert api_tokens.authenticate(plaintext).id == ada.id


def test_an_expired_token_is_refused(people):
    ada, _, _ = people
    plaintext, token = api_tokens.create_token(ada, "short-lived", 1)
    _set(token.id, expires_at=utcnow() - timedelta(seconds=1))
    assert api_tokens.authenticate(plaintext) is None


def test_a_deactivated_owner_token_is_refused_and_works_again_after_reactivation(people):
    ada, _, admin = people
    plaintext, _ = api_tokens.create_token(ada, "script")
    users.set_active(admin, ada.id, False)
    assert api_tokens.authenticate(plaintext) is None
    users.set_active(admin, ada.id, True)
    assert api_tokens.authenticate(plaintext).id == ada.id


@pytest.mark.parametrize(
    "candidate",
    ["", "lkb_", "lkb_not-a-real-token", "Bearer lkb_x", "x" * 5000, None],
)
def test_unknown_tokens_are_refused(people, candidate):
    ada, _, _ = people
    api_tokens.create_token(ada, "real")
    assert api_tokens.authenticate(candidate) is None


def test_last_used_is_written_at_most_once_a_minute(people):
    ada, _, _ = people
    plaintext, token = api_tokens.create_token(ada, "busy script")
    assert token.last_used_at is None
    api_tokens.authenticate(plaintext)
    [stored] = _stored_tokens()
    assert stored.last_used_at is not None
    recent = utcnow() - timedelta(seconds=30)
    _set(token.id, last_used_at=recent)
    api_tokens.authenticate(plaintext)
    assert _stored_tokens()[0].last_used_at == recent
    older = utcnow() - timedelta(minutes=2)
    _set(token.id, last_used_at=older)
    api_tokens.authenticate(plaintext)
    assert _stored_tokens()[0].last_used_at > older


@pytest.mark.parametrize(
    ("name", "days", "message"),
    [
        ("", None, "Give the token a name"),
        ("   ", 30, "Give the token a name"),
        ("x" * 121, None, "at most 120 characters"),
        ("ok", 0, "between 1 and 3650 days"),
        ("ok", -5, "between 1 and 3650 days"),
        ("ok", 3651, "between 1 and 3650 days"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(people, name, days, message):
    ada, _, _ = people
    before = _audit_actions()
    with pytest.raises(api_tokens.TokenInputError, match=message):
        api_tokens.create_token(ada, name, days)
    assert _stored_tokens() == []
    assert _audit_actions() == before


def test_the_account_page_offers_30_90_365_days_or_never():
    offered = {choice: api_tokens.expiry_from_choice(choice) for choice in ("30", "90", "365")}
    assert offered == {"30": 30, "90": 90, "365": 365}
    assert api_tokens.expiry_from_choice("never") is None


@pytest.mark.parametrize("choice", ["-5", "1.5", "abc", "", "0", "3651", " 30", "Never", None, 30])
def test_any_other_expiry_is_refused_instead_of_meaning_never(choice):
    with pytest.raises(api_tokens.TokenInputError, match="Choose when the token expires"):
        api_tokens.expiry_from_choice(choice)


def test_a_name_of_exactly_120_characters_is_fine(people):
    ada, _, _ = people
    _, token = api_tokens.create_token(ada, "n" * 120)
    assert token.name == "n" * 120


def test_at_most_twenty_active_tokens_and_revoking_frees_a_slot(people):
    ada, bob, _ = people
    made = [api_tokens.create_token(ada, f"token {n}")[1] for n in range(20)]
    with pytest.raises(api_tokens.TokenInputError, match="20 active tokens"):
        api_tokens.create_token(ada, "one too many")
    assert len(_stored_tokens()) == 20
    api_tokens.create_token(bob, "bob is not limited by ada")
    api_tokens.revoke_token(ada, made[0].id)
    api_tokens.create_token(ada, "fits again")
    _set(made[1].id, expires_at=utcnow() - timedelta(days=1))
    api_tokens.create_token(ada, "an expired token does not count")
    with get_container().db.session() as session:
        count = session.exec(
            select(func.count()).select_from(ApiToken).where(ApiToken.user_id == ada.id)
        ).one()
    assert count == 22


def test_a_deactivated_user_cannot_create_tokens(people):
    ada, _, admin = people
    ada = users.set_active(admin, ada.id, False)
    with pytest.raises(PermissionDenied):
        api_tokens.create_token(ada, "sneaky")
    assert _stored_tokens() == []
