"""The documents page's service parts: a document's detail panel (versions, who, when, status
history), queued documents' places in the ingest line, and bulk delete and retry, with access:
an outsider gets nothing, a READ member cannot act, a writer's bulk action reports each result.

Embedded deployment; ingest jobs and outbox dispatches are recorded instead of run.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, KbGrant, KnowledgeBase, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import bulk, details, documents, outbox
from lumikb_app.state.documents import document_panel

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


@pytest.fixture
def team(migrated, monkeypatch) -> tuple[str, str, dict[str, User]]:
    """Two KBs: Wendy writes in both, Rae reads the first, Otto has no grant."""
    monkeypatch.setattr(documents, "enqueue_ingest", lambda document_id: None)
    monkeypatch.setattr(outbox, "dispatch", lambda events: None)
    with get_container().db.session() as session:
        people = {
            name: auth.create_user(
                session, email=f"{name}@example.com", display_name=name.title(), password=PASSWORD
            )
            for name in ("wendy", "rae", "otto")
        }
        kbs = [KnowledgeBase(name=n, created_by=people["wendy"].id) for n in ("Handbook", "Ops")]
        session.add_all(kbs)
        session.flush()
        for kb in kbs:
            session.add(KbGrant(kb_id=kb.id, user_id=people["wendy"].id, role=KbRole.WRITE))
        session.add(KbGrant(kb_id=kbs[0].id, user_id=people["rae"].id, role=KbRole.READ))
        session.commit()
        return kbs[0].id, kbs[1].id, people


def upload(user: User, kb_id: str, name: str, text: str) -> str:
    spool = documents.new_spool(name)
    spool.write(text.encode())
    return documents.accept_upload(user, kb_id, spool).stored_id


def settle(document_id: str, status: str, **values) -> None:
    with get_container().db.session() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.status = status
        for key, value in values.items():
            setattr(doc, key, value)
        session.add(doc)
        session.commit()


def statuses(kb_id: str) -> dict[str, str]:
    with get_container().db.session() as session:
        return {
            d.name: d.status for d in session.exec(select(Document).where(Document.kb_id == kb_id))
        }


# -- the detail panel ------------------------------------------------------------------------------


def test_the_detail_panel_shows_every_version_who_uploaded_it_and_what_happened(team):
    kb_id, _, people = team
    first = upload(people["wendy"], kb_id, "guide.md", "# Guide\n\nFirst edition.\n")
    settle(first, "ready", chunk_count=3, page_count=None, steps_done=["chunks", "index"])
    second = upload(people["wendy"], kb_id, "guide.md", "# Guide\n\nSecond edition.\n")
    settle(second, "failed", error="The document contains no text.", attempts=1)
    documents.retry_document(people["wendy"], second)  # audited: who retried, what had failed
    settle(second, "failed", error="The embedder timed out.", attempts=2)

    found = details.document_details(people["rae"], second)  # a READ member may look

    assert found.name == "guide.md" and found.shown.version == 2
    assert [(v.version, v.status, v.uploaded_by, v.current) for v in found.versions] == [
        (2, "failed", "Wendy", False),
        (1, "ready", "Wendy", True),
    ]
    assert found.error == "The embedder timed out."
    said = [entry.what for entry in found.history]
    assert "Version 1 uploaded by Wendy" in said and "Version 2 uploaded by Wendy" in said
    assert "Ready: 3 passages searchable" in said
    assert "Failed: The embedder timed out." in said
    assert "Retried by Wendy after it failed: The document contains no text." in said
    times = [entry.at for entry in found.history]
    assert times == sorted(times, reverse=True)  # newest first

    view, versions, history = document_panel.panel(found)
    assert (view.version, view.status, view.attempts) == ("v2", "failed", "2")
    assert [v.version for v in versions] == ["v2", "v1"] and versions[1].passages == "3"
    assert all(" by Wendy" in v.uploaded for v in versions)
    assert {h.kind for h in history} >= {"uploaded", "ready", "failed", "retried"}


def test_a_user_without_a_grant_gets_nothing_of_a_document(team):
    kb_id, _, people = team
    doc = upload(people["wendy"], kb_id, "secret.md", "# Secret\n\nPlans.\n")
    for asked in (doc, "no-such-document"):
        with pytest.raises(PermissionDenied) as refused:
            details.document_details(people["otto"], asked)
        assert str(refused.value) == documents.NOT_FOUND  # missing and forbidden look alike


# -- the ingest line -------------------------------------------------------------------------------


def test_queued_documents_show_their_place_in_the_line_across_every_kb(team):
    kb_id, ops_id, people = team
    upload(people["wendy"], ops_id, "runbook.md", "# Runbook\n\nRestart it.\n")  # first in line
    for name in ("a.md", "b.md", "c.md"):
        upload(people["wendy"], kb_id, name, f"# {name}\n\nText of {name}.\n")
    settle(
        next(
            i.document.id
            for i in documents.list_documents(people["wendy"], kb_id).documents
            if i.document.name == "a.md"
        ),
        "parsing",
    )  # a.md left the line: the others move up

    listed = documents.list_documents(people["rae"], kb_id, sort="name").documents
    assert [(i.document.name, i.queue_place) for i in listed] == [
        ("a.md", None),
        ("b.md", 2),
        ("c.md", 3),
    ]
    assert [document_panel.queue_label(p) for p in (1, 2, 3, 11, 22)] == [
        "next in line",
        "2nd in line",
        "3rd in line",
        "11th in line",
        "22nd in line",
    ]


# -- bulk actions ----------------------------------------------------------------------------------


def test_a_read_member_cannot_bulk_delete_or_retry_and_nothing_changes(team):
    kb_id, _, people = team
    doc = upload(people["wendy"], kb_id, "keep.md", "# Keep\n\nStays.\n")
    settle(doc, "failed", error="boom.")
    for act in (bulk.delete_documents, bulk.retry_documents):
        with pytest.raises(PermissionDenied):
            act(people["rae"], kb_id, [doc])
        with pytest.raises(PermissionDenied):
            act(people["otto"], kb_id, [doc])
    assert statuses(kb_id) == {"keep.md": "failed"}


def test_a_bulk_delete_acts_on_each_document_and_says_which_could_not_be(team):
    kb_id, ops_id, people = team
    ids = [upload(people["wendy"], kb_id, f"{n}.md", f"# {n}\n\nText {n}.\n") for n in "xyz"]
    elsewhere = upload(people["wendy"], ops_id, "other.md", "# Other\n\nNot here.\n")

    outcome = bulk.delete_documents(people["wendy"], kb_id, [ids[0], ids[1], elsewhere, ids[0]])

    assert outcome.done == ("x.md", "y.md")
    assert len(outcome.refused) == 1 and outcome.refused[0][1] == documents.NOT_FOUND
    assert outcome.summary("deleted").startswith("2 documents deleted; 1 could not be: ")
    assert statuses(kb_id) == {"x.md": "deleting", "y.md": "deleting", "z.md": "queued"}
    assert statuses(ops_id) == {"other.md": "queued"}  # another KB's document is untouched


def test_a_bulk_retry_queues_the_failed_ones_and_explains_the_rest(team):
    kb_id, _, people = team
    failed = upload(people["wendy"], kb_id, "failed.md", "# F\n\nText f.\n")
    settle(failed, "failed", error="The embedder timed out.")
    working = upload(people["wendy"], kb_id, "working.md", "# W\n\nText w.\n")

    outcome = bulk.retry_documents(people["wendy"], kb_id, [failed, working])

    assert outcome.done == ("failed.md",)
    assert outcome.refused == (("working.md", "Only a failed document can be retried."),)
    assert outcome.summary("queued again") == (
        "1 document queued again; 1 could not be: "
        "working.md: Only a failed document can be retried."
    )
    assert statuses(kb_id) == {"failed.md": "queued", "working.md": "queued"}


def test_a_bulk_request_over_the_limit_changes_nothing(team):
    kb_id, _, people = team
    doc = upload(people["wendy"], kb_id, "one.md", "# One\n\nText.\n")
    too_many = [doc] + [f"id-{n}" for n in range(bulk.MAX_BULK)]
    with pytest.raises(bulk.BulkRefused, match=f"at most {bulk.MAX_BULK}"):
        bulk.delete_documents(people["wendy"], kb_id, too_many)
    assert statuses(kb_id) == {"one.md": "queued"}


def test_a_version_line_names_only_the_figures_it_has(team):
    kb_id, _, people = team
    doc = upload(people["wendy"], kb_id, "manual.md", "# Manual\n\nRead me.\n")
    settle(doc, "ready", chunk_count=1, page_count=None)
    _, (line,), _ = document_panel.panel(details.document_details(people["wendy"], doc))
    assert line.summary == "ready · 19 B · 1 passage"
    settle(doc, "ready", chunk_count=18, page_count=4)
    _, (line,), _ = document_panel.panel(details.document_details(people["wendy"], doc))
    assert line.summary == "ready · 19 B · 4 pages · 18 passages"
