"""The home page's figures and archived list, on SQLite and PostgreSQL: each KB card counts its
documents (not their versions, nor one being deleted) and says when it last changed, in a fixed
number of queries whatever the number of KBs; the archived list holds only the KBs the caller
administers (all of them for a system admin, never one being deleted), and restoring one brings it
back to the lists, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from lumikb_app.container import reset_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import AuditEvent, Document, User
from lumikb_app.domain.enums import DocumentStatus, KbRole, SystemRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.knowledge_bases import kb_archive, kb_overview, kbs
from lumikb_app.services.platform.transactions import read_session, transaction
from tests.statement_counter import counted_statements

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class People:
    root: User  # a system admin
    owner: User  # creates the KBs: their ADMIN
    reader: User
    outsider: User


@pytest.fixture
def people(data_dir, database_url, monkeypatch) -> People:
    monkeypatch.setenv("DATABASE_URL", database_url)
    reset_container()
    upgrade(database_url)
    made = []
    with transaction() as session:
        for email, role in [
            ("root@example.com", SystemRole.admin),
            ("owner@example.com", SystemRole.member),
            ("reader@example.com", SystemRole.member),
            ("outsider@example.com", SystemRole.member),
        ]:
            user = auth.create_user(
                session, email=email, display_name=email[:5], password=None, role=role
            )
            made.append(user)
        session.flush()
        for user in made:
            session.refresh(user)
            session.expunge(user)
    return People(*made)


def _document(kb_id: str, name: str, status: DocumentStatus, *, version: int = 1,
              stable_id: str = "", age: timedelta = timedelta(0)) -> str:  # fmt: skip
    with transaction() as session:
        doc = Document(
            kb_id=kb_id, name=name, status=status.value, version=version, stable_id=stable_id,
            updated_at=utcnow() - age,
        )  # fmt: skip
        session.add(doc)
        session.flush()
        return doc.stable_id


def test_a_card_counts_documents_not_versions_and_says_when_it_last_changed(people):
    handbook = kbs.create_kb(people.owner, "Handbook")
    empty = kbs.create_kb(people.owner, "Empty")
    old = timedelta(days=3)
    guide = _document(handbook.id, "guide.md", DocumentStatus.superseded, age=old)
    _document(handbook.id, "guide.md", DocumentStatus.ready, version=2, stable_id=guide, age=old)
    _document(handbook.id, "faq.md", DocumentStatus.failed, age=old)
    _document(handbook.id, "gone.md", DocumentStatus.deleting)  # its change is not activity
    newest = _document(handbook.id, "notes.md", DocumentStatus.queued, age=timedelta(hours=1))

    cards = {card.name: card for card in kb_overview.kb_overviews(people.owner)}

    assert list(cards) == ["Empty", "Handbook"]  # by name
    assert cards["Handbook"].documents == 3  # guide (2 versions), faq, notes
    assert cards["Empty"].documents == 0
    with read_session() as session:
        notes = session.exec(select(Document).where(Document.stable_id == newest)).one()
        created = session.get_one(type(handbook), handbook.id).updated_at
    # the newest document change, unless the KB itself changed later (here: made just now)
    assert cards["Handbook"].last_activity == max(notes.updated_at, created)
    assert cards["Empty"].last_activity == empty.updated_at


def test_the_cards_show_only_readable_kbs_and_take_the_same_queries_for_one_kb_or_six(people):
    first = kbs.create_kb(people.owner, "KB 0")
    _document(first.id, "a.md", DocumentStatus.ready)
    with counted_statements() as one:
        kb_overview.kb_overviews(people.owner)
    for n in range(1, 6):
        kb = kbs.create_kb(people.owner, f"KB {n}")
        _document(kb.id, f"{n}.md", DocumentStatus.ready)
        _document(kb.id, f"{n}-b.md", DocumentStatus.ready)
    with counted_statements() as six:
        cards = kb_overview.kb_overviews(people.owner)

    assert [card.documents for card in cards] == [1, 2, 2, 2, 2, 2]
    assert len(six) == len(one) <= 2  # no query per KB
    grants.set_grant(people.owner, first.id, people.reader.email, KbRole.READ)
    assert [card.name for card in kb_overview.kb_overviews(people.reader)] == ["KB 0"]
    assert kb_overview.kb_overviews(people.outsider) == []
    assert len(kb_overview.kb_overviews(people.root)) == 6


def test_the_archived_list_holds_only_kbs_the_caller_administers(people):
    shared = kbs.create_kb(people.owner, "Shared, archived")
    grants.set_grant(people.owner, shared.id, people.reader.email, KbRole.WRITE)
    _document(shared.id, "kept.md", DocumentStatus.ready)
    others = kbs.create_kb(people.outsider, "Someone else's, archived")
    active = kbs.create_kb(people.owner, "Still active")
    kbs.set_archived(people.owner, shared.id, True)
    kbs.set_archived(people.outsider, others.id, True)

    owned = kb_archive.archived_kbs(people.owner)
    assert [(kb.name, kb.documents) for kb in owned] == [("Shared, archived", 1)]
    assert owned[0].archived_at is not None
    assert kb_archive.archived_kbs(people.reader) == []  # WRITE is not enough to restore
    assert {kb.name for kb in kb_archive.archived_kbs(people.root)} == {
        "Shared, archived",
        "Someone else's, archived",
    }
    assert active.id not in {kb.kb_id for kb in kb_archive.archived_kbs(people.root)}
    # an archived KB leaves the cards, for everyone
    assert "Shared, archived" not in {c.name for c in kb_overview.kb_overviews(people.reader)}


def test_restoring_brings_a_kb_back_audited_and_only_its_admins_may(people):
    kb = kbs.create_kb(people.owner, "Old projects")
    grants.set_grant(people.owner, kb.id, people.reader.email, KbRole.READ)
    kbs.set_archived(people.owner, kb.id, True)

    with pytest.raises(PermissionDenied):
        kb_archive.restore_kb(people.reader, kb.id)
    with pytest.raises(PermissionDenied):
        kb_archive.restore_kb(people.outsider, kb.id)
    assert [c.name for c in kb_archive.archived_kbs(people.owner)] == ["Old projects"]

    kb_archive.restore_kb(people.owner, kb.id, ip="10.0.0.4")

    assert kb_archive.archived_kbs(people.owner) == []
    assert [c.name for c in kb_overview.kb_overviews(people.reader)] == ["Old projects"]
    with read_session() as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "kb.restored")).one()
    assert (audited.actor_id, audited.kb_id, audited.ip) == (people.owner.id, kb.id, "10.0.0.4")
    with pytest.raises(kb_archive.NotRestorable, match="not archived"):
        kb_archive.restore_kb(people.owner, kb.id)


def test_a_kb_being_deleted_is_neither_listed_nor_restorable(people):
    kb = kbs.create_kb(people.owner, "Deleted")
    kbs.delete_kb(people.owner, kb.id)  # archived while its purge waits in the outbox
    assert kb_archive.archived_kbs(people.owner) == []
    assert kb_archive.archived_kbs(people.root) == []
    with pytest.raises(kb_archive.NotRestorable):
        kb_archive.restore_kb(people.owner, kb.id)
