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
        s.commit()
    kb_a = kbs.create_kb(admin, "KB A").id
    kb_b = kbs.create_kb(admin, "KB B").id
    grants.set_grant(admin, kb_a, reader.email, KbRole.READ)
    grants.set_grant(admin, kb_b, writer.email, KbRole.WRITE)
    return World(admin, reader, writer, kb_a, kb_b)


def _entry_points(w: World) -> dict[str, Callable]:
    """name -> fn(actor); each is what a UI or API call would do, in its own unit of work.

    The entry points run in this order for one actor, so each leaves what the next expects
    (an admin removes a grant it had just set, deactivates a user and so on)."""
    return {
        "get_kb(A)": lambda u: kbs.get_kb(u, w.kb_a),
        "get_kb(B)": lambda u: kbs.get_kb(u, w.kb_b),
        "update_kb(A)": lambda u: kbs.update_kb(u, w.kb_a, name="KB A", description="d"),
        "update_kb(B)": lambda u: kbs.update_kb(u, w.kb_b, name="KB B", description="d"),
        "list_members(A)": lambda u: grants.list_members(u, w.kb_a),
        "list_members(B)": lambda u: grants.list_members(u, w.kb_b),
        "set_grant(A)": lambda u: grants.set_grant(u, w.kb_a, "writer@x.io", KbRole.READ),
        "set_grant(B)": lambda u: grants.set_grant(u, w.kb_b, "reader@x.io", KbRole.READ),
        "remove_grant(A)": lambda u: grants.remove_grant(u, w.kb_a, w.reader.id),
        "remove_grant(B)": lambda u: grants.remove_grant(u, w.kb_b, w.writer.id),
        "list_users": lambda u: users.list_users(u),
        "admin_create_user": lambda u: users.admin_create_user(
            u, email="new@x.io", display_name="N", password=PASSWORD, role=SystemRole.member
        ),
        "set_active": lambda u: users.set_active(u, w.writer.id, False),
        "set_role": lambda u: users.set_role(u, w.writer.id, SystemRole.admin),
        "unlock": lambda u: users.unlock(u, w.writer.id),
        "create_reset_link": lambda u: users.create_reset_link(u, w.writer.id, "http://x"),
        "set_self_registration": lambda u: users.set_self_registration(u, True),
        "audit.search": lambda u: audit.search(u, audit.AuditFilter()),
        "audit.actions": lambda u: audit.actions(u),
        "audit.export_csv": lambda u: "".join(audit.export_csv(u, audit.AuditFilter())),
    }


# A system admin may call everything; members only read the KB they hold a grant on.
MEMBER_ALLOWED = {"reader": {"get_kb(A)"}, "writer": {"get_kb(B)"}}


@pytest.mark.parametrize("who", ["admin", "reader", "writer"])
def test_every_entry_point_allows_exactly_what_the_role_permits(world, who):
    actor = getattr(world, who)
    points = _entry_points(world)
    allowed = set(points) if who == "admin" else MEMBER_ALLOWED[who]
    for name, call in points.items():
        if name in allowed:
            call(actor)  # must not raise
        else:
            with pytest.raises(PermissionDenied):
                call(actor)


@pytest.mark.parametrize(
    ("who", "expected"), [("admin", {"KB A", "KB B"}), ("reader", {"KB A"}), ("writer", {"KB B"})]
)
def test_listings_hold_only_readable_kbs(world, who, expected):
    assert {kb.name for kb in kbs.list_kbs(getattr(world, who))} == expected


def test_a_deactivated_user_loses_every_kb(world):
    reader = users.set_active(world.admin, world.reader.id, False)
    assert kbs.list_kbs(reader) == []
    with pytest.raises(PermissionDenied):
        kbs.get_kb(reader, world.kb_a)


def test_an_unknown_kb_id_looks_exactly_like_a_forbidden_one(world):
    with pytest.raises(PermissionDenied) as unknown:
        kbs.get_kb(world.reader, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(PermissionDenied) as forbidden:
        kbs.get_kb(world.reader, world.kb_b)
    assert str(unknown.value) == str(forbidden.value)
