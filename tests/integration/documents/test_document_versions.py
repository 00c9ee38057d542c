"""A document keeps one id across versions (SQLite and PostgreSQL, the real pipeline): a chat
citation opens the version it cited, with word of the newer one; the document's own link opens
the current version; search finds only the current version; once the retention rule purges a
version, its citation says so. Nobody without READ on the KB sees anything of any version."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import Chunk, Document
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat import chat, conversations
from lumikb_app.services.documents import documents, indexing, reconcile, versions, viewer
from lumikb_app.services.documents.documents import NOT_FOUND
from lumikb_app.services.retrieval import search
from tests.integration.documents.ingest_helpers import wait_for
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

NAME = "launch-plan.md"
V1 = "# Launch plan\n\nThe launch code word is alpha. The launch happens on a Monday."
V2 = "# Launch plan\n\nThe launch code word is bravo. The launch happens on a Friday."
V3 = "# Launch plan\n\nThe launch code word is charlie. The launch happens on a Sunday."
QUESTION = "What is the launch code word?"


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    monkeypatch.setenv("DOCUMENT_VERSIONS_KEPT", "2")  # the current version and the one before
    reset_container()
    return make_world(request, monkeypatch)


def _open(user, href: str) -> viewer.DocumentView:
    """What the viewer shows for a link, read as the viewer route reads it."""
    url = urlsplit(href)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    version = int(query["version"]) if "version" in query else None
    return viewer.open_document(
        user, url.path.rsplit("/", 1)[-1], query.get("chunk"), None, version
    )


def _cited_href(world: World) -> dict:
    """Ask chat (extractive mode: no model configured) and read back the stored citation."""
    conversation = conversations.create_conversation(world.reader)
    list(chat.ask(world.reader, conversation.id, QUESTION))
    answer = conversations.list_messages(world.reader, conversation.id)[-1]
    assert answer.citations, answer.content
    return answer.citations[0]


def _vectors(world: World, document_id: str) -> int:
    collection = indexing.collection_for(world.embedder)
    return get_container().vectors.count(collection, document_id=document_id)


def _row(document_id: str) -> Document | None:
    with get_container().db.session() as session:
        return session.get(Document, document_id)


def _chunk_count(document_id: str) -> int:
    with get_container().db.session() as session:
        return len(session.exec(select(Chunk).where(Chunk.document_id == document_id)).all())


def test_a_citation_opens_the_version_it_cited_until_retention_purges_it(world):
    v1 = world.ingest(world.kb_a, NAME, V1)
    citation = _cited_href(world)
    assert (citation["document_id"], citation["version"]) == (v1, 1)
    assert "alpha" in citation["text"]

    v2 = world.ingest(world.kb_a, NAME, V2)
    assert v2 != v1 and _row(v2).stable_id == v1  # one document, two versions

    old = _open(world.reader, citation["href"])
    assert (old.document_id, old.version, old.newer_version) == (v1, 1, 2)
    assert "alpha" in old.passage.text and "alpha" in old.text.passage
    assert "bravo" not in old.text.before + old.text.passage + old.text.after
    current = _open(world.reader, f"/view/{v1}")
    assert (current.version, current.newer_version, current.version_id) == (2, None, v2)
    assert "bravo" in current.text.after and "alpha" not in current.text.after

    # Search finds the current version only; the old one's vectors go, its text stays.
    found = search.search(world.reader, "launch code word alpha").passages
    assert [(p.document_id, p.version) for p in found] == [(v1, 2)]
    assert all("alpha" not in p.text for p in found)
    wait_for(lambda: _vectors(world, v1) == 0, what="version 1's vectors to go")
    assert _row(v1).status == "superseded" and _chunk_count(v1) > 0
    listed = documents.list_documents(world.admin, world.kb_a).documents
    assert [(d.document.name, d.document.version) for d in listed] == [(NAME, 2)]

    # The originals: the document's link downloads the current one, a version's its own.
    assert b"".join(documents.open_original(world.reader, v1)[1]) == V2.encode()
    assert b"".join(documents.open_original(world.reader, v1, 1)[1]) == V1.encode()

    # A third version: with two kept, version 1 is purged and its citation says so.
    v3 = world.ingest(world.kb_a, NAME, V3)
    wait_for(lambda: _row(v1) is None, what="version 1 to be purged")
    assert _row(v2).status == "superseded" and _row(v3).stable_id == v1
    with pytest.raises(versions.VersionNotKept) as gone:
        _open(world.reader, citation["href"])
    assert str(gone.value) == (
        f"Version 1 of {NAME} is no longer kept: LumiKB keeps the last 2 versions of a document."
    )
    assert (gone.value.stable_id, gone.value.current_version) == (v1, 3)
    assert _open(world.reader, f"/view/{v1}").version == 3
    assert _open(world.reader, f"/view/{v1}?version=2").newer_version == 3


def test_no_version_of_a_document_opens_for_someone_without_read_on_its_kb(world):
    v1 = world.ingest(world.kb_a, NAME, V1)
    citation = _cited_href(world)
    v2 = world.ingest(world.kb_a, NAME, V2)
    world.ingest(world.kb_a, NAME, V3)
    wait_for(lambda: _row(v1) is None, what="version 1 to be purged")
    links = [citation["href"], f"/view/{v1}", f"/view/{v1}?version=2", f"/view/{v2}"]
    for href in links:
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            _open(world.outsider, href)  # never "no longer kept": that would confirm it exists
    for version in (None, 2, 3):
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            documents.open_original(world.outsider, v1, version)
    assert search.search(world.outsider, "launch code word").passages == []


def test_a_link_to_any_version_id_from_before_versions_shared_an_id_still_opens(world):
    """Links made before this change name a version's own row id: they open the document."""
    v1 = world.ingest(world.kb_a, NAME, V1)
    v2 = world.ingest(world.kb_a, NAME, V2)
    assert _open(world.reader, f"/view/{v2}").version == 2
    chunk = next(p for p in search.search(world.reader, "bravo").passages if p.version == 2)
    legacy = _open(world.reader, f"/view/{v2}?chunk={chunk.chunk_id}")
    assert (legacy.document_id, legacy.version, legacy.passage.chunk_id) == (v1, 2, chunk.chunk_id)


def test_deleting_the_current_version_deletes_every_kept_version(world):
    v1 = world.ingest(world.kb_a, NAME, V1)
    v2 = world.ingest(world.kb_a, NAME, V2)
    documents.delete_document(world.admin, v2)
    wait_for(lambda: _row(v1) is None and _row(v2) is None, what="both versions to be purged")
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        _open(world.admin, f"/view/{v1}?version=1")


def test_a_version_number_that_never_existed_is_not_found(world):
    v1 = world.ingest(world.kb_a, NAME, V1)
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        _open(world.reader, f"/view/{v1}?version=7")


def test_lowering_the_retention_setting_purges_the_extra_versions_on_the_next_check(
    world, monkeypatch
):
    v1 = world.ingest(world.kb_a, NAME, V1)
    v2 = world.ingest(world.kb_a, NAME, V2)
    assert _row(v1).status == "superseded"  # two kept: the current one and this one
    monkeypatch.setattr(get_container().settings, "DOCUMENT_VERSIONS_KEPT", 1)
    assert reconcile.run_now(world.admin)["old_versions_expired"] == 1
    wait_for(lambda: _row(v1) is None, what="version 1 to be purged")
    assert _row(v2).status == "ready"
    with pytest.raises(
        versions.VersionNotKept, match="keeps only the current version of a document"
    ):
        _open(world.reader, f"/view/{v1}?version=1")
    assert reconcile.run_now(world.admin)["old_versions_expired"] == 0
