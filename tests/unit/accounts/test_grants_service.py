"""Per-KB grants (the members panel's service): who may change them, the last ADMIN, and the audit."""

from dataclasses import dataclass

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, KbGrant, User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import audit, auth, grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import transaction

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class World:
    owner: User  # created the KB, so its ADMIN
    reader: User
    writer: User
    outsider: User
    sysadmin: User
    kb_id: str


def _user(session, email: str, role: SystemRole = SystemRole.member) -> User:
    return auth.create_user(
        session, email=email, display_name=email.split("@")[0].title(), password=None, role=role
    )


@pytest.fixture
def world(migrated) -> World:
    with transaction() as session:
        owner = _user(session, "owner@example.com")
        reader = _user(session, "reader@example.com")
        writer = _user(session, "writer@example.com")
        outsider = _user(session, "outsider@example.com")
        sysadmin = _user(session, "root@example.com", SystemRole.admin)
        for user in (owner, reader, writer, outsider, sysadmin):
            session.refresh(user)
            session.expunge(user)
    kb = kbs.create_kb(owner, "Team Notes", "Shared notes.")
    grants.set_grant(owner, kb.id, reader.email, KbRole.READ)
    grants.set_grant(owner, kb.id, writer.email, KbRole.WRITE)
    return World(owner, reader, writer, outsider, sysadmin, kb.id)


def _roles(kb_id: str) -> dict[str, KbRole]:
    with get_container().db.session() as session:
        rows = session.exec(
            select(KbGrant, User)
            .join(User, User.id == KbGrant.user_id)
            .where(KbGrant.kb_id == kb_id)
        )
        return {user.email: KbRole(grant.role) for grant, user in rows}


def _audit(action: str) -> list[AuditEvent]:
    with get_container().db.session() as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )


def test_the_creator_is_admin_and_lists_the_members(world):
    members = grants.list_members(world.owner, world.kb_id)
    assert [(m.email, m.role) for m in members] == [
        ("owner@example.com", KbRole.ADMIN),
        ("reader@example.com", KbRole.READ),
        ("writer@example.com", KbRole.WRITE),
    ]


def test_a_kb_admin_adds_changes_and_removes_a_grant_with_an_audit_row_each(world):
    added = grants.set_grant(
        world.owner, world.kb_id, " Outsider@Example.com ", KbRole.READ, ip="10.1.2.3"
    )
    assert added.email == "outsider@example.com" and added.role == KbRole.READ
    assert _roles(world.kb_id)["outsider@example.com"] == KbRole.READ

    grants.set_grant(world.owner, world.kb_id, world.outsider.email, KbRole.WRITE)
    assert _roles(world.kb_id)["outsider@example.com"] == KbRole.WRITE

    grants.remove_grant(world.owner, world.kb_id, world.outsider.id)
    assert "outsider@example.com" not in _roles(world.kb_id)

    added_rows = [e for e in _audit("grant.added") if e.target == "outsider@example.com"]
    changed_rows = _audit("grant.changed")
    removed_rows = _audit("grant.removed")
    assert len(added_rows) == 1 and len(changed_rows) == 1 and len(removed_rows) == 1
    assert added_rows[0].actor_id == world.owner.id
    assert added_rows[0].kb_id == world.kb_id
    assert added_rows[0].ip == "10.1.2.3"
    assert added_rows[0].details == {"role": [None, "READ"]}
    assert changed_rows[0].details == {"role": ["READ", "WRITE"]}
    assert removed_rows[0].target == "outsider@example.com"


def test_a_system_admin_manages_grants_on_any_kb(world):
    grants.set_grant(world.sysadmin, world.kb_id, world.outsider.email, KbRole.ADMIN)
    assert _roles(world.kb_id)["outsider@example.com"] == KbRole.ADMIN


@pytest.mark.parametrize("who", ["reader", "writer", "outsider"])
def test_read_and_write_members_and_outsiders_cannot_manage_grants(world, who):
    actor = getattr(world, who)
    before = _roles(world.kb_id)
    with pytest.raises(PermissionDenied):
        grants.list_members(actor, world.kb_id)
    with pytest.raises(PermissionDenied):
        grants.set_grant(actor, world.kb_id, world.outsider.email, KbRole.ADMIN)
    with pytest.raises(PermissionDenied):
        grants.set_grant(actor, world.kb_id, actor.email, KbRole.ADMIN)
    with pytest.raises(PermissionDenied):
        grants.remove_grant(actor, world.kb_id, world.owner.id)
    assert _roles(world.kb_id) == before


def test_a_kb_keeps_its_last_admin(world):
    with pytest.raises(InvalidInput, match="at least one administrator"):
        grants.set_grant(world.owner, world.kb_id, world.owner.email, KbRole.READ)
    with pytest.raises(InvalidInput, match="at least one administrator"):
        grants.remove_grant(world.owner, world.kb_id, world.owner.id)
    assert _roles(world.kb_id)["owner@example.com"] == KbRole.ADMIN

    # With a second ADMIN, the first may step down.
    grants.set_grant(world.owner, world.kb_id, world.reader.email, KbRole.ADMIN)
    grants.set_grant(world.owner, world.kb_id, world.owner.email, KbRole.WRITE)
    assert _roles(world.kb_id)["owner@example.com"] == KbRole.WRITE
    assert _roles(world.kb_id)["reader@example.com"] == KbRole.ADMIN


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No user with this email"),
        ("not an email", "valid email"),
        ("<script>@x.com", "valid email"),
        ("", "valid email"),
    ],
)
def test_an_unknown_or_malformed_email_is_a_clear_error(world, email, message):
    with pytest.raises(InvalidInput, match=message):
        grants.set_grant(world.owner, world.kb_id, email, KbRole.READ)


def test_removing_someone_without_a_grant_is_a_clear_error(world):
    with pytest.raises(InvalidInput, match="no access to remove"):
        grants.remove_grant(world.owner, world.kb_id, world.outsider.id)


def test_an_unknown_role_is_refused(world):
    with pytest.raises(ValueError):
        grants.set_grant(world.owner, world.kb_id, world.outsider.email, 7)


def test_a_change_that_fails_after_its_audit_row_leaves_neither_grant_nor_row(world, monkeypatch):
    """Each grant change is one unit of work: the grant and its audit row commit together."""
    events_before = len(_audit("grant.added"))

    class Boom(Exception):
        pass

    record = audit.record

    def record_then_fail(*args, **kwargs):
        record(*args, **kwargs)
        raise Boom

    monkeypatch.setattr(audit, "record", record_then_fail)
    with pytest.raises(Boom):
        grants.set_grant(world.owner, world.kb_id, world.outsider.email, KbRole.READ)
    with pytest.raises(Boom):
        grants.remove_grant(world.owner, world.kb_id, world.reader.id)
    monkeypatch.undo()
    assert "outsider@example.com" not in _roles(world.kb_id)
    assert len(_audit("grant.added")) == events_before
    assert _roles(world.kb_id)["reader@example.com"] == KbRole.READ
    assert _audit("grant.removed") == []


def test_a_removed_member_loses_access_at_once(world):
    grants.remove_grant(world.owner, world.kb_id, world.reader.id)
    assert [kb.id for kb in kbs.list_kbs(world.reader)] == []
    with pytest.raises(PermissionDenied):
        kbs.get_kb(world.reader, world.kb_id)
