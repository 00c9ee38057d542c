"""The graph's status where people look for it: the KB settings card (kb_status), the graph stage
of each document in the documents listing, and the mode switch. On SQLite and PostgreSQL, with
graph_extractions rows and a graph written as the extraction job would write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Chunk, Document, GraphExtraction, User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.domain.graph import DocumentGraph, EntityDraft, MentionDraft, RelationDraft
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput, create_user
from lumikb_app.services.documents import documents
from lumikb_app.services.graph import graph_mode, status
from lumikb_app.services.knowledge_bases import kb_config, kbs

pytestmark = pytest.mark.integration

FINISHED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _user(email: str) -> User:
    with get_container().db.session() as session:
        user = create_user(session, email=email, display_name=email, password="long enough pw",
                           role=SystemRole.member)  # fmt: skip
        session.commit()
        session.refresh(user)
        return user


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, monkeypatch):
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    request.getfixturevalue("data_dir")
    if url:
        monkeypatch.setenv("DATABASE_URL", url)
        reset_container()
    upgrade()
    admin, reader, stranger = _user("admin@x.io"), _user("reader@x.io"), _user("nobody@x.io")
    kb_id = kbs.create_kb(admin, "Python PEPs").id
    grants.set_grant(admin, kb_id, reader.email, KbRole.READ)
    kb_config.update_settings(admin, kb_id, {"graph_mode": "llm", "graph_retrieval": True})
    return admin, reader, stranger, kb_id


def _document(kb_id: str, name: str, status_: str = "ready", chunks: int = 0) -> str:
    with get_container().db.session() as session:
        doc = Document(kb_id=kb_id, name=name, status=status_, chunk_count=chunks, progress=1.0)
        session.add(doc)
        session.flush()
        for ordinal in range(chunks):
            session.add(Chunk(document_id=doc.id, kb_id=kb_id, ordinal=ordinal, text="x" * 400,
                              char_start=0, char_end=400))  # fmt: skip
        session.commit()
        return doc.id


def _stage(document_id: str, kb_id: str, **values) -> None:
    with get_container().db.session() as session:
        session.add(GraphExtraction(document_id=document_id, kb_id=kb_id, **values))
        session.commit()


def _graph(kb_id: str, document_id: str, names: list[str]) -> None:
    """What the job writes for a document: entities, a mention each, a chain of relations."""
    keys = [name.lower() for name in names]
    get_container().graph.replace_document(
        kb_id,
        document_id,
        DocumentGraph(
            entities=[EntityDraft(key, name) for key, name in zip(keys, names, strict=True)],
            mentions=[MentionDraft(key, "c1", 0, 5) for key in keys],
            relations=[
                RelationDraft(a, b, "CO_OCCURS", "c1") for a, b in zip(keys, keys[1:], strict=False)
            ],
        ),
    )


def _seed(kb_id: str) -> dict[str, str]:
    done = _document(kb_id, "pep-0484.md", chunks=4)
    failed = _document(kb_id, "pep-0572.md", chunks=2)
    running = _document(kb_id, "pep-0008.md", chunks=10)
    waiting = _document(kb_id, "pep-0020.md", chunks=1)  # ready, no stage written yet
    old = _document(kb_id, "pep-0001.md", status_="superseded", chunks=3)
    parsing = _document(kb_id, "pep-0257.md", status_="parsing")
    _stage(done, kb_id, mode="llm", state="ready", chunks_total=4, chunks_done=4, chunks_failed=1,
           progress=1.0, detail="3 entities, 2 relations", tokens=1200,
           finished_at=FINISHED - timedelta(hours=1))  # fmt: skip
    _stage(failed, kb_id, mode="llm", state="failed", chunks_total=2, chunks_done=1,
           chunks_failed=1, error="The model did not answer in 60 s", tokens=300)  # fmt: skip
    _stage(running, kb_id, mode="llm", state="extracting", chunks_total=10, chunks_done=4,
           progress=0.38, eta_seconds=3.2, tokens=500)  # fmt: skip
    _stage(old, kb_id, mode="llm", state="ready", chunks_total=3, chunks_done=3, chunks_failed=2,
           tokens=9000, finished_at=FINISHED)  # fmt: skip
    _graph(kb_id, done, ["PEP 484", "TypeVar", "Guido van Rossum"])
    store = get_container().graph
    ids = {
        e.key: e.id
        for e in store.entities_by_keys([kb_id], ["pep 484", "typevar", "guido van rossum"])
    }
    store.set_communities(kb_id, {ids["pep 484"]: 0, ids["typevar"]: 0, ids["guido van rossum"]: 1})
    return {"done": done, "failed": failed, "running": running, "waiting": waiting,
            "old": old, "parsing": parsing}  # fmt: skip


def test_the_status_card_counts_the_current_documents_and_the_kbs_own_graph(world):
    admin, reader, _, kb_id = world
    _seed(kb_id)
    other_kb = kbs.create_kb(admin, "Other").id  # a same-named entity elsewhere is not counted
    _graph(other_kb, _document(other_kb, "elsewhere.md"), ["PEP 484", "asyncio"])

    found = status.kb_status(reader, kb_id)

    assert (found.mode, found.retrieval) == ("llm", True)
    assert (found.entities, found.relations, found.mentions) == (3, 2, 3)
    assert found.communities == 2
    assert (found.documents_ready, found.documents_done) == (4, 1)  # old and parsing don't count
    assert found.documents_extracting == 1 and found.extracting_progress == pytest.approx(0.4)
    assert (found.chunks_failed, found.documents_failed) == (2, 1)  # 1 + 1; the old version's 2 not
    assert [(f.name, f.error) for f in found.failed] == [
        ("pep-0572.md", "The model did not answer in 60 s")
    ]
    assert found.last_extracted_at == FINISHED - timedelta(hours=1)
    assert found.tokens == 2000  # 1200 + 300 + 500; the superseded version's 9000 are gone
    assert status.kb_status(admin, other_kb).entities == 2


def test_a_kb_without_a_graph_says_so(world):
    admin, _, _, _ = world
    empty = kbs.create_kb(admin, "Empty").id
    found = status.kb_status(admin, empty)
    assert (found.mode, found.entities, found.documents_ready, found.documents_done) == (
        "off", 0, 0, 0,
    )  # fmt: skip
    assert found.last_extracted_at is None and found.failed == [] and found.tokens == 0


def test_no_grant_gets_nothing_of_the_kb_and_looks_like_an_unknown_kb(world):
    admin, reader, stranger, kb_id = world
    _seed(kb_id)
    with pytest.raises(PermissionDenied) as forbidden:
        status.kb_status(stranger, kb_id)
    with pytest.raises(PermissionDenied) as unknown:
        status.kb_status(stranger, "00000000-0000-0000-0000-000000000000")
    assert str(forbidden.value) == str(unknown.value)
    for refused in (stranger, reader):  # a reader may see the card, not run the estimate
        with pytest.raises(PermissionDenied):
            status.extraction_estimate(refused, kb_id)
        with pytest.raises(PermissionDenied):
            graph_mode.set_mode(refused, kb_id, "off")
        with pytest.raises(PermissionDenied):
            graph_mode.reextract(refused, kb_id)
    assert kb_config.get_settings(admin, kb_id).graph_mode == "llm"


def test_the_documents_listing_gives_each_ready_document_its_graph_stage(world):
    _, reader, _, kb_id = world
    ids = _seed(kb_id)
    listed = documents.list_documents(reader, kb_id)
    stages = {item.document.id: item.graph for item in listed.documents}

    assert listed.graph_on
    assert stages[ids["done"]].state == "ready" and stages[ids["done"]].chunks_failed == 1
    assert stages[ids["failed"]].error == "The model did not answer in 60 s"
    running = stages[ids["running"]]
    assert (running.state, running.chunks_done, running.chunks_total, running.eta_seconds) == (
        "extracting", 4, 10, 3.2,
    )  # fmt: skip
    assert stages[ids["waiting"]] == status.WAITING and stages[ids["waiting"]].working
    assert stages[ids["parsing"]] is None  # not ready yet: its processing stage shows instead


def test_with_the_graph_off_no_document_has_a_graph_stage(world):
    admin, reader, _, kb_id = world
    ids = _seed(kb_id)
    graph_mode.set_mode(admin, kb_id, "off")
    listed = documents.list_documents(reader, kb_id)
    assert not listed.graph_on
    assert all(item.graph is None for item in listed.documents)
    assert status.kb_status(reader, kb_id).entities == 3  # turning it off keeps the graph
    assert ids  # seeded


def test_the_estimate_counts_the_current_passages(world):
    admin, _, _, kb_id = world
    _seed(kb_id)
    found = status.extraction_estimate(admin, kb_id)
    assert found.chunks == 4 + 2 + 10 + 1  # the superseded version's 3 are not read again
    assert found.calls >= 1 and found.input_tokens > 17 * 100 and found.output_tokens > 0
    assert found.cost_usd is None  # no model in this registry: no price


def test_the_language_model_mode_needs_a_model_and_bad_modes_change_nothing(world):
    admin, _, _, _ = world
    kb_id = kbs.create_kb(admin, "No model here").id
    with pytest.raises(InvalidInput, match="Admin → Models"):
        graph_mode.set_mode(admin, kb_id, "llm")
    with pytest.raises(InvalidInput):
        graph_mode.set_mode(admin, kb_id, "everything")
    with pytest.raises(InvalidInput, match="on first"):
        graph_mode.reextract(admin, kb_id)
    assert kb_config.get_settings(admin, kb_id).graph_mode == "off"
    assert graph_mode.set_mode(admin, kb_id, "fast") == graph_mode.ModeChange("fast", 0)
    assert graph_mode.set_retrieval(admin, kb_id, True) is True
    settings = kb_config.get_settings(admin, kb_id)
    assert (settings.graph_mode, settings.graph_retrieval) == ("fast", True)
