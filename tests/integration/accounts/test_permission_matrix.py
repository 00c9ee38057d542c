"""Every service entry point x three users: allowed calls work, the rest raise PermissionDenied,
and listings never include a KB the user cannot read. Runs on SQLite and PostgreSQL."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import audit, grants, users
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.knowledge_bases import kbs

pytestmark = pytest.mark.integration
PASSWORD = "a long enough secret"


@dataclass
class World:
    admin: User
    reader: User  # READ on A
    writer: User  # WRITE on B
    kb_a: str
    kb_b: str


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    if request.param == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("pg_url"))
        reset_container()
    upgrade()
    with get_container().db.session() as s:
        admin = create_user(
            s, email="admin@x.io", display_name="A", password=PASSWORD, role=SystemRole.admin
        )
        reader = create_user(s, email="reader@x.io", display_name="R", password=PASSWORD)
        writer = create_user(s, email="writer@x.io", display_name="W", password=PASSWORD)
        kb_a = kbs.create_kb(s, admin, "KB A").id
        kb_b = kbs.create_kb(s, admin, "KB B").id
        grants.set_grant(s, admin, kb_a, reader.email, KbRole.READ)
        grants.set_grant(s, admin, kb_b, writer.email, KbRole.WRITE)
        s.commit()
    return World(admin, reader, writer, kb_a, kb_b)


def _entry_points(w: World) -> dict[str, Callable]:
    """name -> fn(session, actor); each is what a UI or API call would do."""
    return {
        "get_kb(A)": lambda s, u: kbs.get_kb(s, u, w.kb_a),
        "get_kb(B)": lambda s, u: kbs.get_kb(s, u, w.kb_b),
        "update_kb(A)": lambda s, u: kbs.update_kb(s, u, w.kb_a, name="KB A", description="d"),
        "update_kb(B)": lambda s, u: kbs.update_kb(s, u, w.kb_b, name="KB B", description="d"),
        "list_members(A)": lambda s, u: grants.list_members(s, u, w.kb_a),
        "list_members(B)": lambda s, u: grants.list_members(s, u, w.kb_b),
        "set_grant(A)": lambda s, u: grants.set_grant(s, u, w.kb_a, "writer@x.io", KbRole.READ),
        "set_grant(B)": lambda s, u: grants.set_grant(s, u, w.kb_b, "reader@x.io", KbRole.READ),
        "remove_grant(A)": lambda s, u: grants.remove_grant(s, u, w.kb_a, w.reader.id),
        "remove_grant(B)": lambda s, u: grants.remove_grant(s, u, w.kb_b, w.writer.id),
        "list_users": lambda s, u: users.list_users(s, u),
        "admin_create_user": lambda s, u: users.admin_create_user(
            s, u, email="new@x.io", display_name="N", password=PASSWORD, role=SystemRole.member
        ),
        "set_active": lambda s, u: users.set_active(s, u, w.writer.id, False),
        "set_role": lambda s, u: users.set_role(s, u, w.writer.id, SystemRole.admin),
        "unlock": lambda s, u: users.unlock(s, u, w.writer.id),
        "create_reset_link": lambda s, u: users.create_reset_link(s, u, w.writer.id, "http://x"),
        "set_self_registration": lambda s, u: users.set_self_registration(s, u, True),
        "audit.search": lambda s, u: audit.search(s, u, audit.AuditFilter()),
        "audit.actions": lambda s, u: audit.actions(s, u),
        "audit.export_csv": lambda s, u: "".join(audit.export_csv(s, u, audit.AuditFilter())),
    }


# A system admin may call everything; members only read the KB they hold a grant on.
MEMBER_ALLOWED = {"reader": {"get_kb(A)"}, "writer": {"get_kb(B)"}}


@pytest.mark.parametrize("who", ["admin", "reader", "writer"])
def test_every_entry_point_allows_exactly_what_the_role_permits(world, who):
    actor = getattr(world, who)
    points = _entry_points(world)
    allowed = set(points) if who == "admin" else MEMBER_ALLOWED[who]
    for name, call in points.items():
        with get_container().db.session() as session:
            if name in allowed:
                call(session, actor)  # must not raise
            else:
                with pytest.raises(PermissionDenied):
                    call(session, actor)
            session.rollback()


@pytest.mark.parametrize(
    ("who", "expected"), [("admin", {"KB A", "KB B"}), ("reader", {"KB A"}), ("writer", {"KB B"})]
)
def test_listings_hold_only_readable_kbs(world, who, expected):
    with get_container().db.session() as session:
        assert {kb.name for kb in kbs.list_kbs(session, getattr(world, who))} == expected


def test_a_deactivated_user_loses_every_kb(world):
    with get_container().db.session() as session:
        users.set_active(session, world.admin, world.reader.id, False)
        session.commit()
        reader = session.get(User, world.reader.id)
        assert kbs.list_kbs(session, reader) == []
        with pytest.raises(PermissionDenied):
            kbs.get_kb(session, reader, world.kb_a)


def test_an_unknown_kb_id_looks_exactly_like_a_forbidden_one(world):
    with get_container().db.session() as session:
        with pytest.raises(PermissionDenied) as unknown:
            kbs.get_kb(session, world.reader, "00000000-0000-0000-0000-000000000000")
        with pytest.raises(PermissionDenied) as forbidden:
            kbs.get_kb(session, world.reader, world.kb_b)
    assert str(unknown.value) == str(forbidden.value)
