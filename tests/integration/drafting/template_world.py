"""People and KBs for the template tests: a system admin, an admin, a writer and a reader of
Engineering, a reader of Finance only, and someone with no grant."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import col, func, select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import AuditEvent, DraftTemplate, DraftTemplateVersion, User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.knowledge_bases import kbs

PASSWORD = "a long enough secret"
SECTIONS = [
    {"title": "Overview", "instruction": "Two sentences on what the service does."},
    {"title": "Backups", "instruction": "When backups run and how long they are kept."},
]


@dataclass
class TemplateWorld:
    sysadmin: User
    kb_admin: User  # ADMIN of Engineering
    writer: User  # WRITE on Engineering
    reader: User  # READ on Engineering
    finance: User  # READ on Finance only
    outsider: User  # no grant
    eng: str
    fin: str


def make_template_world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Call from a fixture that also uses `data_dir`; `request.param` names the database."""
    if request.param == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("pg_url"))
        reset_container()
    upgrade()
    people = {}
    with get_container().db.session() as s:
        for name in ("sysadmin", "kb_admin", "writer", "reader", "finance", "outsider"):
            role = SystemRole.admin if name == "sysadmin" else SystemRole.member
            people[name] = create_user(
                s,
                email=f"{name.replace('_', '')}@x.io",
                display_name=name.replace("_", " ").title(),
                password=PASSWORD,
                role=role,
            )
        s.commit()
    admin = people["sysadmin"]
    eng, fin = kbs.create_kb(admin, "Engineering").id, kbs.create_kb(admin, "Finance").id
    for name, kb, role in (
        ("kb_admin", eng, KbRole.ADMIN),
        ("writer", eng, KbRole.WRITE),
        ("reader", eng, KbRole.READ),
        ("finance", fin, KbRole.READ),
    ):
        grants.set_grant(admin, kb, people[name].email, role)
    return TemplateWorld(**people, eng=eng, fin=fin)


def counts() -> tuple[int, int, int]:
    """Templates, template versions and audit events stored: a refused call changes none."""
    with get_container().db.session() as s:
        return tuple(  # type: ignore[return-value]
            s.exec(select(func.count()).select_from(table)).one()
            for table in (DraftTemplate, DraftTemplateVersion, AuditEvent)
        )


def audit_rows(action_prefix: str = "draft.template") -> list[AuditEvent]:
    with get_container().db.session() as s:
        query = (
            select(AuditEvent)
            .where(col(AuditEvent.action).startswith(action_prefix))
            .order_by(col(AuditEvent.seq))
        )
        return list(s.exec(query))
