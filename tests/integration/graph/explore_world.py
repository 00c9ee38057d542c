"""A small deployment for the graph exploration tests: two KBs with ready documents whose
graphs are written through the real graph store (`replace_document`), the way the extraction
job writes them, and accounts with and without a grant.

- "Typing notes" (Ada owns it; Alice may READ it; Carol has no grant): PEP 484 and TypeVar
  (community 0, "Type hints"), Guido van Rossum and asyncio (community 1, "People and
  runtimes"), chained PEP 484 - TypeVar - Guido van Rossum - asyncio, plus FILLERS terms
  mentioned less often; a second, superseded document also mentions TypeVar.
- "Bob's private notes" (Bob's): another TypeVar, and a word nobody else may see (SECRET).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import Chunk, Document, GraphCommunity, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.graph import (
    CO_OCCURS,
    REFERENCES,
    DocumentGraph,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.settings import Settings
from tests.integration.documents.ingest_helpers import upload_bytes, wait_until_settled

PASSWORD = "a long enough secret"
SECRET = "Zanzibarian"
FILLERS = 12
FILLER_NAMES = [f"term{chr(ord('A') + i)}" for i in range(FILLERS)]  # none a prefix of another
TYPING = (
    "# PEP 484 notes\n\n"
    "PEP 484 introduced TypeVar for generic functions. "
    "Guido van Rossum wrote much of TypeVar's first design. "
    "Guido van Rossum also worked on asyncio in its early days.\n\n"
    + " ".join(f"Filler {name} appears here." for name in FILLER_NAMES)
    + "\n"
)
OLD_TYPING = "# Old notes\n\nAn older page about TypeVar that was replaced.\n"
PRIVATE = f"# Private\n\nBob's TypeVar trick is called {SECRET} and nobody else may know.\n"


@dataclass
class ExploreWorld:
    ada: User  # owns the typing KB
    alice: User  # READ on the typing KB
    carol: User  # no grant anywhere
    bob: User  # owns the private KB
    kb: str
    kb_name: str
    private_kb: str
    doc: str  # the typing notes (its stable id)
    old_doc: str  # superseded, still mentions TypeVar
    ids: dict[str, str]  # entity key -> id in the typing KB
    private_ids: dict[str, str]  # entity key -> id in the private KB


def _users() -> dict[str, User]:
    with get_container().db.session() as session:
        made = {
            name: auth.create_user(
                session, email=f"{name}@x.io", display_name=name.title(), password=PASSWORD
            )
            for name in ("ada", "alice", "carol", "bob")
        }
        session.commit()
        for user in made.values():
            session.refresh(user)
            session.expunge(user)
    return made


def _chunk(document_id: str) -> Chunk:
    with get_container().db.session() as session:
        chunk = session.exec(
            select(Chunk).where(Chunk.document_id == document_id).order_by(Chunk.ordinal)
        ).first()
        assert chunk is not None
        session.expunge(chunk)
        return chunk


def graph_of(
    chunk: Chunk, names: dict[str, str], relations: list[tuple[str, str, str]]
) -> DocumentGraph:
    """Entities (name -> type) mentioned wherever their name occurs in the chunk, and relations
    (source name, target name, type) stated by the chunk's first sentence naming both."""
    entities = [
        EntityDraft(entity_key(n), n, type=t, description=f"About {n}.") for n, t in names.items()
    ]
    mentions = []
    for name in names:
        start = chunk.text.find(name)
        while start >= 0:
            mentions.append(MentionDraft(entity_key(name), chunk.id, start, start + len(name)))
            start = chunk.text.find(name, start + 1)
    drafts = [
        RelationDraft(
            entity_key(a), entity_key(b), kind, chunk.id, evidence=_sentence(chunk.text, a, b)
        )
        for a, b, kind in relations
    ]
    return DocumentGraph(entities=entities, mentions=mentions, relations=drafts)


def _sentence(text: str, a: str, b: str) -> str:
    sentences = re.split(r"(?<=\.)\s+|\n+", text)
    return next((s.strip() for s in sentences if a in s and b in s), "")


def _keys_to_ids(kb_id: str, names: list[str]) -> dict[str, str]:
    found = get_container().graph.entities_by_keys([kb_id], [entity_key(n) for n in names])
    return {e.key: e.id for e in found}


def build() -> ExploreWorld:
    users = _users()
    kb = kbs.create_kb(users["ada"], "Typing notes").id
    private = kbs.create_kb(users["bob"], "Bob's private notes").id
    grants.set_grant(users["ada"], kb, users["alice"].email, KbRole.READ)
    doc = upload_bytes(users["ada"], kb, "pep-484-notes.md", TYPING.encode()).stored_id
    old = upload_bytes(users["ada"], kb, "old-notes.md", OLD_TYPING.encode()).stored_id
    mine = upload_bytes(users["bob"], private, "private.md", PRIVATE.encode()).stored_id
    assert {d.status for d in wait_until_settled([doc, old, mine]).values()} == {"ready"}
    store = get_container().graph
    typing = {
        "PEP 484": "pep",
        "TypeVar": "code",
        "Guido van Rossum": "person",
        "asyncio": "library",
    }
    fillers = dict.fromkeys(FILLER_NAMES, "term")
    chain = [
        ("PEP 484", "TypeVar", REFERENCES),
        ("Guido van Rossum", "TypeVar", CO_OCCURS),
        ("Guido van Rossum", "asyncio", CO_OCCURS),
    ]
    store.replace_document(kb, doc, graph_of(_chunk(doc), typing | fillers, chain))
    store.replace_document(kb, old, graph_of(_chunk(old), {"TypeVar": "code"}, []))
    store.replace_document(
        private,
        mine,
        graph_of(
            _chunk(mine), {"TypeVar": "code", SECRET: "term"}, [("TypeVar", SECRET, CO_OCCURS)]
        ),
    )
    ids = _keys_to_ids(kb, [*typing, *fillers])
    store.set_communities(
        kb, {ids[entity_key(n)]: 0 if n in ("PEP 484", "TypeVar") else 1 for n in typing}
    )
    with get_container().db.session() as session:
        session.add(
            GraphCommunity(
                kb_id=kb, number=0, title="Type hints", summary="PEP 484 and TypeVar.", size=2
            )
        )
        session.add(
            GraphCommunity(
                kb_id=kb,
                number=1,
                title="People and runtimes",
                summary="Guido and asyncio.",
                size=2,
            )
        )
        session.add(GraphCommunity(kb_id=private, number=0, title=f"{SECRET} club", size=2))
        old_row = session.get_one(Document, old)
        old_row.status = "superseded"  # an older version: its passages are not shown
        session.add(old_row)
        session.commit()
    return ExploreWorld(
        users["ada"], users["alice"], users["carol"], users["bob"], kb, "Typing notes", private,
        doc, old, ids, _keys_to_ids(private, ["TypeVar", SECRET]),
    )  # fmt: skip


def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExploreWorld]:
    """The world on an embedded deployment (SQLite, qdrant-edge, the SQL graph store)."""
    with pytest.MonkeyPatch.context() as env:
        for name in Settings.model_fields:
            env.delenv(name, raising=False)
        env.setenv("DATA_DIR", str(tmp_path_factory.mktemp("graph-explore") / "data"))
        env.setenv("LUMIKB_ENV", "test")
        reset_container()
        from lumikb_app.db.migrate import upgrade

        upgrade()
        embedder = FakeEmbedder()
        env.setattr(get_container(), "embedder_for", lambda model: embedder)
        try:
            yield build()
        finally:
            reset_container()
