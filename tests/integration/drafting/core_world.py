"""People, KBs and a draft for the editing tests, on SQLite or PostgreSQL.

Alice owns the draft (on Engineering and Finance); Bob reads both KBs; Carol reads Engineering
only; Olga reads nothing. A section is "generated" the way the generation job leaves it: text
whose [n] markers number its sources, status drafted, a version "generated"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import AuditEvent, DraftSection, User
from lumikb_app.domain.drafting import SectionSeed
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.drafting.draft_access import bump
from lumikb_app.services.drafting.drafts import new_draft, sections_of
from lumikb_app.services.drafting.versions import record_version
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import read_session, transaction

PASSWORD = "a long enough secret"
TITLES = ("How are backups made?", "Who may deploy?", "What is the salary review cycle?")


@dataclass
class DraftWorld:
    alice: User  # system admin, owner of the draft
    bob: User  # reads both KBs
    carol: User  # reads Engineering only
    olga: User  # reads nothing
    kb_a: str
    kb_b: str
    draft_id: str
    section_ids: list[str]

    def section(self, index: int = 0) -> DraftSection:
        with read_session() as session:
            found = session.get(DraftSection, self.section_ids[index])
            assert found is not None
            return found


def make_draft_world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> DraftWorld:
    """Call from a fixture that also uses `data_dir`; `request.param`, if any, names the
    database ("sqlite" without one)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("pg_url"))
        reset_container()
    upgrade()
    with get_container().db.session() as s:
        people = [
            create_user(
                s,
                email=f"{name.split()[0].lower()}@x.io",
                display_name=name,
                password=PASSWORD,
                role=role,
            )
            for name, role in (
                ("Alice Example", SystemRole.admin),
                ("Bob Builder", SystemRole.member),
                ("Carol Reader", SystemRole.member),
                ("Olga Outside", SystemRole.member),
            )
        ]
        s.commit()
    alice, bob, carol, olga = people
    kb_a = kbs.create_kb(alice, "Engineering").id
    kb_b = kbs.create_kb(alice, "Finance").id
    for kb_id in (kb_a, kb_b):
        grants.set_grant(alice, kb_id, bob.email, KbRole.READ)
    grants.set_grant(alice, kb_a, carol.email, KbRole.READ)
    with transaction() as session:
        draft = new_draft(
            session,
            alice,
            title="Vendor questionnaire",
            kb_ids=[kb_a, kb_b],
            seeds=[SectionSeed(title) for title in TITLES],
        )
        draft_id = draft.id
    with read_session() as session:
        section_ids = [s.id for s in sections_of(session, draft_id)]
    return DraftWorld(alice, bob, carol, olga, kb_a, kb_b, draft_id, section_ids)


def source(n: int, name: str, kb_name: str = "Engineering") -> dict[str, Any]:
    return {
        "n": n,
        "chunk_id": f"chunk-{name}",
        "document_id": f"doc-{name}",
        "version": 1,
        "document_name": name,
        "kb_id": "kb",
        "kb_name": kb_name,
        "page": None,
        "text": f"passage of {name}",
        "score": 0.5,
        "relevance": 0.7,
        "href": f"/view/{name}",
    }


def generate(
    section_id: str, content: str, sources: list[dict[str, Any]], mode: str = "extractive"
) -> None:
    """Leave the section as the generation job would after writing it."""
    with transaction() as session:
        section = session.get(DraftSection, section_id)
        assert section is not None
        section.content, section.sources, section.mode = content, sources, mode
        section.status, section.generation_state, section.confidence = "drafted", "done", 0.8
        bump(session, section.draft_id, section)
        record_version(session, section, "generated", None)


def audited(action: str) -> list[AuditEvent]:
    with read_session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))
