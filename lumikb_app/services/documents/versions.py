"""Versions of a document: one id for the document, a number for each version.

Each `documents` row is one version of a file. The versions of a file (same KB, same name)
share `stable_id`: the document id that viewer links, search results, citations and downloads
name, so they keep working when a new version arrives. A citation also names its version, so
it opens exactly the text it cited.

The newest ready version is the current one, the only one searched. When a newer version
becomes ready, older ready ones become `superseded`: their vectors and graph links go (through
the outbox), their row, chunks and original stay readable. Retention: the newest
`DOCUMENT_VERSIONS_KEPT` readable versions of a document are kept, the current one included;
older ones are purged from every store, and a citation to one then says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, User
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts.access import PermissionDenied, require
from lumikb_app.services.documents import outbox, status
from lumikb_app.services.platform.transactions import read_session, transaction

READABLE = (S.ready.value, S.superseded.value)


def kept() -> int:
    return get_container().settings.DOCUMENT_VERSIONS_KEPT


@dataclass(frozen=True)
class Family:
    """The live versions of one document (none being deleted), newest first, detached."""

    stable_id: str
    versions: tuple[Document, ...]

    @property
    def name(self) -> str:
        return self.versions[0].name

    @property
    def current(self) -> Document | None:
        """The newest ready version: what search finds and a link without a version opens."""
        return next((d for d in self.versions if d.status == S.ready.value), None)

    def numbered(self, version: int) -> Document | None:
        return next((d for d in self.versions if d.version == version), None)

    def was_purged(self, version: int) -> bool:
        """A version older than the newest that is gone: the retention rule removed it."""
        return 1 <= version < self.versions[0].version and self.numbered(version) is None


class VersionNotKept(LookupError):
    """A link names a version of a readable document that the retention rule has purged."""

    def __init__(self, family: Family, version: int) -> None:
        current = family.current
        self.stable_id = family.stable_id
        self.current_version = current.version if current else None
        rule = "only the current version" if kept() == 1 else f"the last {kept()} versions"
        super().__init__(
            f"Version {version} of {family.name} is no longer kept: LumiKB keeps {rule} of a "
            "document."
        )


def readable_family(session: Session, user: User, document_id: str) -> Family | None:
    """The document a link names, by its stable id or by the id of one of its versions (links
    made before versions shared an id), when `user` may read its KB; else None."""
    stable_id = _stable_id(session, document_id[:64])
    if stable_id is None:
        return None
    rows = session.exec(
        select(Document)
        .where(Document.stable_id == stable_id, Document.status != S.deleting.value)
        .order_by(col(Document.version).desc())
    ).all()
    if not rows:
        return None
    try:
        require(session, user, rows[0].kb_id, KbRole.READ)
    except PermissionDenied:
        return None
    return Family(stable_id, tuple(rows))


def _stable_id(session: Session, document_id: str) -> str | None:
    named = select(Document.id).where(Document.stable_id == document_id).limit(1)
    if session.exec(named).first() is not None:
        return document_id
    version = session.get(Document, document_id)
    return version.stable_id if version is not None else None


def version_of_chunk(session: Session, family: Family, chunk_id: str | None) -> int | None:
    """The version a cited chunk belongs to, when it is one of the family's kept versions."""
    chunk = session.get(Chunk, chunk_id[:64]) if chunk_id else None
    owner = next((d for d in family.versions if chunk and d.id == chunk.document_id), None)
    return owner.version if owner else None


def family_of(session: Session, kb_id: str, name: str) -> str | None:
    """The stable id of the document a file of this name in this KB is a new version of."""
    return session.exec(
        select(Document.stable_id)
        .where(Document.kb_id == kb_id, Document.name == name, Document.status != S.deleting.value)
        .order_by(col(Document.version).desc())
        .limit(1)
    ).first()


def supersede_older(session: Session, doc: Document) -> list[str]:
    """In the transaction that makes `doc` ready: older ready versions become superseded, older
    unfinished ones are retired, and the retention rule runs. Returns the outbox events."""
    newer_ready = session.exec(
        select(Document.id).where(
            Document.stable_id == doc.stable_id,
            Document.version > doc.version,
            Document.status == S.ready.value,
        )
    ).first()
    if newer_ready is not None:  # an older version finished late: it was never current
        return [_supersede(session, doc), *expire(session, doc.stable_id)]
    older = session.exec(
        select(Document).where(
            Document.stable_id == doc.stable_id,
            Document.version < doc.version,
            col(Document.status).not_in([S.deleting.value, S.superseded.value]),
        )
    ).all()
    events = [
        _supersede(session, old) if old.status == S.ready.value else outbox.retire_document(session, old)
        for old in older
    ]  # fmt: skip
    return events + expire(session, doc.stable_id)


def _supersede(session: Session, doc: Document) -> str:
    status.move(session, doc.id, S.superseded)  # guarded: a version being deleted stays so
    return outbox.add(session, outbox.UNINDEX_VERSION, document_id=doc.id, kb_id=doc.kb_id)


def expire(session: Session, stable_id: str) -> list[str]:
    """Retire the superseded versions of a document past the newest `DOCUMENT_VERSIONS_KEPT`
    readable ones."""
    readable = session.exec(
        select(Document)
        .where(Document.stable_id == stable_id, col(Document.status).in_(READABLE))
        .order_by(col(Document.version).desc())
    ).all()
    return [
        outbox.retire_document(session, old)
        for old in readable[kept() :]
        if old.status == S.superseded.value
    ]


def expire_everywhere() -> int:
    """The retention rule over every document (it may have been lowered); for reconcile."""
    with transaction() as session:
        crowded = session.exec(
            select(Document.stable_id)
            .where(col(Document.status).in_(READABLE))
            .group_by(col(Document.stable_id))
            .having(func.count() > kept())
        ).all()
        events = [event for stable_id in crowded for event in expire(session, stable_id)]
    outbox.dispatch(events)
    return len(events)


def unindex(document_id: str) -> None:
    """Take a superseded version out of search: its vectors in every collection, its graph
    links. Its row, chunks and original stay for the citations that name it."""
    container = get_container()
    with read_session() as session:
        doc = session.get(Document, document_id)
        kb_id = doc.kb_id if doc is not None else None
    if kb_id is None:
        return  # purged already, from every store
    for collection in container.vectors.list_collections():
        container.vectors.delete_document(collection, document_id)
    from lumikb_app.services.graph import extraction  # the graph builds on documents

    extraction.forget_document(kb_id, document_id)
