"""Administering accounts (services/users.py) on the embedded database: who may, and what it does."""

import hashlib
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import AuditEvent, PasswordReset, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import audit, auth, lockout, users
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.passwords import WeakPasswordError
from lumikb_app.services.platform.transactions import transaction

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
BASE_URL = "http://kb.example.test"


@pytest.fixture
def people(migrated) -> dict[str, User]:
    with transaction() as session:
        admin = auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password=PASSWORD,
            role=SystemRole.admin,
        )
        member = auth.create_user(
            session, email="mia@example.com", display_name="Mia", password=PASSWORD
        )
        other = auth.create_user(
            session, email="otto@example.com", display_name="Otto", password=PASSWORD
        )
    return {"admin": admin, "member": member, "other": other}


def _user(email: str) -> User | None:
    with get_container().db.session() as session:
        return session.exec(select(User).where(User.email == email)).first()


def _actions() -> list[str]:
    with get_container().db.session() as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all())


# --- only administrators ---------------------------------------------------------------------

ADMIN_ONLY_CALLS = {
    "list_users": lambda actor, target: users.list_users(actor, ""),
    "admin_create_user": lambda actor, target: users.admin_create_user(
        actor,
        email="new@example.com",
        display_name="New",
        password=PASSWORD,
        role=SystemRole.member,
    ),
    "deactivate": lambda actor, target: users.set_active(actor, target.id, False),
    "reactivate": lambda actor, target: users.set_active(actor, target.id, True),
    "set_role": lambda actor, target: users.set_role(actor, target.id, SystemRole.admin),
    "unlock": lambda actor, target: users.unlock(actor, target.id),
    "create_reset_link": lambda actor, target: users.create_reset_link(actor, target.id, BASE_URL),
    "set_self_registration": lambda actor, target: users.set_self_registration(actor, True),
    "audit_search": lambda actor, target: audit.search(actor, audit.AuditFilter()),
    "audit_actions": lambda actor, target: audit.actions(actor),
    "audit_export": lambda actor, target: audit.export_csv(actor, audit.AuditFilter()),
}


@pytest.mark.parametrize("call", ADMIN_ONLY_CALLS.values(), ids=ADMIN_ONLY_CALLS.keys())
def test_a_member_is_refused_every_admin_function_and_nothing_changes(people, call):
    before = _actions()
    with pytest.raises(PermissionDenied):
        call(people["member"], people["other"])
    assert _actions() == before
    other = _user("otto@example.com")
    assert other.is_active and other.system_role == SystemRole.member.value
    assert _user("new@example.com") is None
    assert not users.self_registration_enabled()
    with get_container().db.session() as session:
        assert session.exec(select(PasswordReset)).first() is None


def test_a_deactivated_admin_is_refused_too(people):
    users.set_role(people["admin"], people["member"].id, SystemRole.admin)
    users.set_active(people["admin"], people["member"].id, False)
    with pytest.raises(PermissionDenied):
        users.list_users(_user("mia@example.com"), "")


@pytest.mark.parametrize("call", ADMIN_ONLY_CALLS.values(), ids=ADMIN_ONLY_CALLS.keys())
def test_an_admin_may_call_every_admin_function(people, call):
    call(people["admin"], people["other"])


# --- listing and creating ----------------------------------------------------------------------


def test_list_users_searches_email_and_name(people):
    everyone = users.list_users(people["admin"], "")
    by_name = users.list_users(people["admin"], "  otT ")
    by_email = users.list_users(people["admin"], "MIA@")
    assert [u.email for u in everyone] == [
        "mia@example.com",
        "otto@example.com",
        "root@example.com",
    ]
    assert [u.email for u in by_name] == ["otto@example.com"]
    assert [u.email for u in by_email] == ["mia@example.com"]


def test_an_admin_creates_a_user_who_can_sign_in(people):
    created = users.admin_create_user(
        people["admin"],
        email=" Reader@Example.com ",
        display_name="  Reader  ",
        password=PASSWORD,
        role=SystemRole.member,
        ip="10.1.2.3",
    )
    assert created.email == "reader@example.com" and created.display_name == "Reader"
    assert auth.user_for_token(auth.login("reader@example.com", PASSWORD).token).id == created.id
    with get_container().db.session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.created")).all()[
            -1
        ]
    assert (event.actor_email, event.target, event.ip) == (
        "root@example.com",
        "reader@example.com",
        "10.1.2.3",
    )


@pytest.mark.parametrize(
    ("email", "name", "password"),
    [
        ("", "Reader", PASSWORD),
        ("   ", "Reader", PASSWORD),
        ("reader", "Reader", PASSWORD),
        ("x" * 5000 + "@example.com", "Reader", PASSWORD),
        ("<img src=x onerror=alert(1)>@example.com", "Reader", PASSWORD),
        ("<script>alert(1)</script>", "Reader", PASSWORD),
        ("' OR 1=1 --@example.com", "Reader", PASSWORD),
        ("a@b.io'; DROP TABLE users; --", "Reader", PASSWORD),
        ("reader@example.com", "", PASSWORD),
        ("reader@example.com", " \t\n ", PASSWORD),
        ("reader@example.com", "R" * 121, PASSWORD),
        ("reader@example.com", "R" * 100_000, PASSWORD),
        ("reader@example.com", "Reader", "short"),
        ("reader@example.com", "Reader", "p" * 5000),
        ("MIA@example.com", "Mia again", PASSWORD),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(people, email, name, password):
    before = _actions()
    with pytest.raises((auth.InvalidInput, WeakPasswordError)):
        users.admin_create_user(
            people["admin"],
            email=email,
            display_name=name,
            password=password,
            role=SystemRole.member,
        )
    assert auth.count_users() == 3
    assert _actions() == before


@pytest.mark.parametrize(
    "name", ["<b>Eve</b><script>alert(1)</script>", "Robert'); DROP TABLE users; --"]
)
def test_html_and_sql_looking_names_are_stored_as_plain_text(people, name):
    users.admin_create_user(
        people["admin"],
        email="eve@example.com",
        display_name=name,
        password=PASSWORD,
        role=SystemRole.member,
    )
    assert _user("eve@example.com").display_name == name
    assert auth.count_users() == 4
    assert [u.display_name for u in users.list_users(people["admin"], "DROP")] == (
        [name] if "DROP" in name else []
    )


# --- deactivation, roles and self-protection -----------------------------------------------------


def test_deactivation_revokes_sessions_at_once_and_reactivation_allows_sign_in(people):
    token = auth.login("mia@example.com", PASSWORD).token
    assert auth.user_for_token(token) is not None
    users.set_active(people["admin"], people["member"].id, False, ip="10.0.0.1")
    assert auth.user_for_token(token) is None
    with pytest.raises(auth.AuthError):
        auth.login("mia@example.com", PASSWORD)
    users.set_active(people["admin"], people["member"].id, True)
    assert auth.user_for_token(token) is None  # the old session stays revoked
    assert auth.user_for_token(auth.login("mia@example.com", PASSWORD).token) is not None
    assert {"user.deactivated", "user.reactivated"} <= set(_actions())


def test_role_changes_are_audited_with_before_and_after(people):
    users.set_role(people["admin"], people["member"].id, SystemRole.admin)
    assert _user("mia@example.com").system_role == "admin"
    with get_container().db.session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.changed")).one()
    assert event.target == "mia@example.com"
    assert event.details == {"role": ["member", "admin"]}


def test_an_admin_cannot_deactivate_or_demote_themselves(people):
    admin = people["admin"]
    before = _actions()
    with pytest.raises(auth.InvalidInput, match="your own account"):
        users.set_active(admin, admin.id, False)
    with pytest.raises(auth.InvalidInput, match="your own administrator"):
        users.set_role(admin, admin.id, SystemRole.member)
    stored = _user("root@example.com")
    assert stored.is_active and stored.system_role == "admin"
    assert _actions() == before


def test_an_unknown_user_id_is_refused(people):
    with pytest.raises(auth.InvalidInput, match="No such user"):
        users.set_active(people["admin"], "no-such-id", False)


# --- lockout and unlock --------------------------------------------------------------------------


def test_unlock_clears_a_lockout(people):
    for _ in range(lockout.MAX_ACCOUNT_FAILURES - 1):
        with pytest.raises(auth.AuthError) as failed:
            auth.login("mia@example.com", "not the password", ip="10.9.9.9")
        assert not isinstance(failed.value, auth.LockedOut)
    with pytest.raises(auth.LockedOut):
        auth.login("mia@example.com", "not the password", ip="10.9.9.9")
    with pytest.raises(auth.LockedOut, match="Try again in 15 minutes"):
        auth.login("mia@example.com", PASSWORD, ip="10.9.9.9")
    assert _user("mia@example.com").locked_until > utcnow()

    users.unlock(people["admin"], people["member"].id)
    assert _user("mia@example.com").locked_until is None
    assert auth.user_for_token(auth.login("mia@example.com", PASSWORD, ip="10.9.9.9").token)
    assert {"login.failed", "account.locked", "user.unlocked", "login.ok"} <= set(_actions())


# --- reset links -----------------------------------------------------------------------------------


def _reset_link(people) -> str:
    return users.create_reset_link(
        people["admin"], people["member"].id, BASE_URL + "/", ip="10.0.0.1"
    )


def _token_of(link: str) -> str:
    assert link.startswith(f"{BASE_URL}/reset-password?token=")
    return link.split("token=", 1)[1]


def test_a_reset_link_works_once(people):
    old_session = auth.login("mia@example.com", PASSWORD).token
    token = _token_of(_reset_link(people))
    users.reset_password(token, NEW_PASSWORD)
    assert auth.user_for_token(old_session) is None
    with pytest.raises(auth.AuthError):
        auth.login("mia@example.com", PASSWORD)
    assert auth.login("mia@example.com", NEW_PASSWORD)
    with pytest.raises(auth.InvalidInput, match="already used"):
        users.reset_password(token, "yet another passphrase")
    assert auth.login("mia@example.com", NEW_PASSWORD)


def test_a_reset_link_expires_after_one_hour(people, monkeypatch):
    token = _token_of(_reset_link(people))
    with get_container().db.session() as session:
        reset = session.exec(select(PasswordReset)).one()
        lifetime = reset.expires_at - reset.created_at
    assert timedelta(minutes=59) < lifetime <= timedelta(hours=1, seconds=1)
    later = utcnow() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    with pytest.raises(auth.InvalidInput, match="expired"):
        users.reset_password(token, NEW_PASSWORD)
    monkeypatch.undo()
    assert auth.login("mia@example.com", PASSWORD)


def test_a_wrong_or_empty_reset_token_is_refused(people):
    _reset_link(people)
    for token in ("", "not-the-token", "x" * 10_000):
        with pytest.raises(auth.InvalidInput):
            users.reset_password(token, NEW_PASSWORD)


def test_the_reset_token_is_stored_hashed_and_never_logged(people, migrated: Path, caplog):
    caplog.set_level(logging.DEBUG)
    token = _token_of(_reset_link(people))
    assert token not in caplog.text
    with get_container().db.session() as session:
        reset = session.exec(select(PasswordReset)).one()
        events = session.exec(select(AuditEvent)).all()
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in reset.token_hash
    assert all(token not in audit.canonical(event) for event in events)
    get_container().db.close()
    for path in migrated.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


# --- self-registration -----------------------------------------------------------------------------


def _register(email: str = "walkin@example.com") -> User:
    return users.register(email=email, display_name="Walk In", password=PASSWORD)


def test_self_registration_is_off_by_default_and_refused(people):
    assert users.self_registration_enabled() is False
    with pytest.raises(PermissionDenied, match="turned off"):
        _register()
    assert _user("walkin@example.com") is None


def test_self_registration_turned_on_works_and_off_again_refuses(people):
    users.set_self_registration(people["admin"], True, ip="10.0.0.1")
    assert users.self_registration_enabled() is True
    created = _register()
    assert created.system_role == SystemRole.member.value
    assert auth.login("walkin@example.com", PASSWORD)
    users.set_self_registration(people["admin"], False)
    with pytest.raises(PermissionDenied):
        _register("second@example.com")
    with get_container().db.session() as session:
        changes = session.exec(
            select(AuditEvent).where(AuditEvent.action == "settings.changed")
        ).all()
    assert [event.details for event in changes] == [
        {"self_registration": True},
        {"self_registration": False},
    ]
