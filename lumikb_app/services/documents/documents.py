"""Documents in a knowledge base: upload, list, retry, delete, download. Every call checks access.

Each public function owns its unit of work (the rule in `lumikb_app.services`); the blob store
is written and read only while none is open. `next_version(session, ...)` is a building block.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.common import new_id
from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.enums import KbRole
from lumikb_app.ports.blobs import BlobNotFound
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import PermissionDenied, can, require
from lumikb_app.services.documents import outbox, pending_blobs, status, versions
from lumikb_app.services.documents.parsing import (
    EMPTY,
    OLE_STORAGE,
    SUPPORTED_TYPES,
    describe_type,
    detect_path_type,
)
from lumikb_app.services.documents.uploads import UploadRejected, UploadSpool
from lumikb_app.services.graph import status as graph_status
from lumikb_app.services.graph.status import DocumentGraphStage
from lumikb_app.services.platform.transactions import read_session, transaction
from lumikb_app.services.platform.unavailable import unavailable_reason

log = logging.getLogger(__name__)

INGEST_JOB = "workers.tasks.ingest_document"
INGEST_FAILURE = "workers.tasks.on_ingest_failure"
NOT_FOUND = "Document not found or you do not have access."
VERSION_CONSTRAINT = "uq_documents_kb_name_version"  # db/tables.py, migration 0009
SORTS = {
    "uploaded": col(Document.created_at).desc(),
    "name": col(Document.name),
    "updated": col(Document.updated_at).desc(),
    "size": col(Document.size_bytes).desc(),
    "status": col(Document.status),
}


@dataclass(frozen=True)
class ListedDocument:
    document: Document  # detached
    uploader: str | None  # the uploader's display name; None when unknown or never recorded
    graph: DocumentGraphStage | None = None  # its graph stage, when the KB's graph is on
    queue_place: int | None = None  # a queued document's place among all waiting ones (1: next)


@dataclass(frozen=True)
class DocumentList:
    documents: list[ListedDocument]
    can_write: bool  # whether the caller may upload, retry and delete here
    graph_on: bool = False  # the KB's knowledge graph is on: ready documents get a graph stage


@dataclass(frozen=True)
class UploadOutcome:
    name: str
    document_id: str | None
    version: int | None
    duplicate_of: str | None
    message: str

    @property
    def stored_id(self) -> str:
        """The document that holds this content: the new one, or the one it duplicates."""
        document_id = self.document_id or self.duplicate_of
        if document_id is None:
            raise ValueError(f"the upload of {self.name} stored no document")
        return document_id


def blob_key(kb_id: str, document_id: str, version: int) -> str:
    return f"kb/{kb_id}/doc/{document_id}/v{version}"


def original_key(doc: Document) -> str:
    """The blob key of the document's original file (every row is written with one)."""
    if doc.blob_key is None:
        raise BlobNotFound(f"document {doc.id} has no stored original")
    return doc.blob_key


def new_spool(filename: str) -> UploadSpool:
    settings = get_container().settings
    spool_dir = settings.DATA_DIR / "uploads"
    spool_dir.mkdir(parents=True, exist_ok=True)
    return UploadSpool(filename, settings.MAX_UPLOAD_MB * 1024 * 1024, spool_dir)


def require_writer(user: User, kb_id: str) -> None:
    with read_session() as session:
        require(session, user, kb_id, KbRole.WRITE)


def enqueue_ingest(document_id: str) -> None:
    get_container().jobs.enqueue(
        INGEST_JOB,
        document_id,
        queue="ingest",
        job_id=f"ingest-{document_id}-{new_id()[:8]}",
        on_failure=INGEST_FAILURE,
    )


def _same_content(session: Session, kb_id: str, sha256: str) -> Document | None:
    return session.exec(
        select(Document).where(
            Document.kb_id == kb_id,
            Document.sha256 == sha256,
            col(Document.status).not_in([S.deleting.value, S.superseded.value]),
        )
    ).first()


def next_version(session: Session, kb_id: str, name: str) -> int:
    latest = session.exec(
        select(func.max(Document.version)).where(Document.kb_id == kb_id, Document.name == name)
    ).one()
    return (latest or 0) + 1


def accept_upload(
    user: User, kb_id: str, spool: UploadSpool, ip: str | None = None
) -> UploadOutcome:
    """Store a finished spool as a new document (or a new version of one) and queue its processing."""
    try:
        spool.finish()
        with read_session() as session:
            require(session, user, kb_id, KbRole.WRITE)
            mime_type = detect_path_type(spool.path, spool.filename)
            _refuse_unreadable(spool.filename, mime_type)
            twin = _same_content(session, kb_id, spool.sha256)
            version = next_version(session, kb_id, spool.filename)
        if twin is not None:
            return UploadOutcome(
                spool.filename, None, None, twin.id,
                f"{spool.filename} is identical to {twin.name} (version {twin.version}); nothing to do.",
            )  # fmt: skip
        return _store(user, kb_id, spool, (version, mime_type), ip)
    finally:
        spool.discard()


def _refuse_unreadable(name: str, mime_type: str) -> None:
    """A file no parser reads is refused before anything is stored, so the upload list never
    says it was added. (An OLE file may be an encrypted DOCX: ingestion tells which, in words.)"""
    if mime_type == EMPTY:
        raise UploadRejected(f"{name} is empty; there is nothing to add.")
    if mime_type not in SUPPORTED_TYPES and mime_type != OLE_STORAGE:
        raise UploadRejected(
            f"{name} was not added: this file type is not supported: {describe_type(mime_type)}."
        )


def _store(
    user: User, kb_id: str, spool: UploadSpool, kind: tuple[int, str], ip: str | None
) -> UploadOutcome:
    """Blob first (no unit of work open), then the row; the blob goes again if the row fails,
    and the outbox discards it if the process dies in between (pending_blobs)."""
    version, mime_type = kind
    document_id = new_id()
    key = blob_key(kb_id, document_id, version)
    blobs = get_container().blobs
    announced = pending_blobs.announce(key)
    try:
        with spool.path.open("rb") as stream:
            blobs.put(key, stream, length=spool.size, content_type=mime_type)
        with _same_version_refused(spool.filename), transaction() as session:
            require(session, user, kb_id, KbRole.WRITE)
            if next_version(session, kb_id, spool.filename) != version:
                raise UploadRejected(same_moment(spool.filename))
            stable_id = versions.family_of(session, kb_id, spool.filename) or document_id
            session.add(
                Document(
                    id=document_id, kb_id=kb_id, name=spool.filename, mime_type=mime_type, size_bytes=spool.size,
                    sha256=spool.sha256, version=version, blob_key=key, uploaded_by=user.id,
                    stable_id=stable_id,
                )
            )  # fmt: skip
            audit.record(
                session, "document.uploaded", actor=user, ip=ip, kb_id=kb_id, target=spool.filename,
                details={"document_id": document_id, "version": version, "bytes": spool.size},
            )  # fmt: skip
            pending_blobs.claim(session, announced)
    except BaseException:
        _unstore(key, announced)
        raise
    _queue_stored(document_id)
    return UploadOutcome(
        spool.filename,
        document_id,
        version,
        None,
        f"{spool.filename} uploaded (version {version}).",
    )


def _queue_stored(document_id: str) -> None:
    """The document is stored (committed): a queue that cannot be reached now does not make
    the upload fail; reconcile's requeue_lost queues the document once it is back."""
    try:
        enqueue_ingest(document_id)
    except Exception as error:
        if unavailable_reason(error) is None:
            raise
        log.warning("document %s stored, not queued yet (%s); reconcile will", document_id, error)


def _unstore(key: str, announced: int) -> None:
    """Undo a blob whose row was not written. If that fails too (the store or the database is
    down, often why the row was not written), the announcement stays pending and reconcile
    deletes the blob later; the caller still sees the first error, not this one."""
    try:
        get_container().blobs.delete(key)
        pending_blobs.withdraw(announced)
    except Exception:
        log.warning("could not undo the upload of %s now; reconcile will", key, exc_info=True)


def same_moment(name: str) -> str:
    return f"Another version of {name} arrived at the same moment; upload it again."


@contextmanager
def _same_version_refused(name: str) -> Iterator[None]:
    """The unique (KB, name, version) constraint refused the row: another upload of the same
    name committed this version first."""
    try:
        yield
    except IntegrityError as exc:
        if not version_clash(exc):
            raise
        raise UploadRejected(same_moment(name)) from None


def version_clash(exc: IntegrityError) -> bool:
    """Whether the row was refused by the unique (KB, name, version) constraint."""
    message = str(exc.orig)
    return VERSION_CONSTRAINT in message or "documents.kb_id, documents.name" in message


def list_documents(
    user: User,
    kb_id: str,
    *,
    query: str = "",
    status: str = "",
    sort: str = "updated",
) -> DocumentList:
    """The KB's documents with their uploaders' names (one query), and whether the user may write."""
    statement = (
        select(Document, col(User.display_name))
        .outerjoin(User, col(User.id) == col(Document.uploaded_by))
        .where(Document.kb_id == kb_id)
        .order_by(SORTS.get(sort, SORTS["updated"]))
    )
    if query.strip():
        statement = statement.where(
            col(Document.name).icontains(query.strip()[:200], autoescape=True)
        )
    if status:
        statement = statement.where(Document.status == status)
    else:  # a deleted or replaced version is hidden at once; older versions live on in citations
        statement = statement.where(
            col(Document.status).not_in([S.deleting.value, S.superseded.value])
        )
    with read_session() as session:
        kb = session.get(KnowledgeBase, kb_id)  # held, so require's look at it costs no query
        require(session, user, kb_id, KbRole.READ)
        rows = [ListedDocument(doc, name) for doc, name in session.exec(statement)]
        rows = _with_queue_places(session, kb_id, rows)
        graph_on = kb is not None and graph_status.graph_on(kb)
        if graph_on:
            rows = _with_graph_stages(session, rows)
        return DocumentList(rows, can(session, user, kb_id, KbRole.WRITE), graph_on)


def _with_queue_places(
    session: Session, kb_id: str, rows: list[ListedDocument]
) -> list[ListedDocument]:
    """Queued documents get their place in the ingest line: every KB's waiting documents, in
    the order they were queued (a retry queues again), so the count is the queue's own."""
    if not any(row.document.status == S.queued.value for row in rows):
        return rows
    order = (col(Document.updated_at), col(Document.id))
    waiting = (
        select(
            col(Document.id).label("id"),
            col(Document.kb_id).label("kb_id"),
            func.row_number().over(order_by=order).label("place"),
        )
        .where(Document.status == S.queued.value)
        .subquery()
    )
    places = dict(
        session.exec(select(waiting.c.id, waiting.c.place).where(waiting.c.kb_id == kb_id)).all()
    )
    return [replace(row, queue_place=places.get(row.document.id)) for row in rows]


def _with_graph_stages(session: Session, rows: list[ListedDocument]) -> list[ListedDocument]:
    """Ready documents get their graph stage (waiting, when the job has not written one yet)."""
    ready = [row.document.id for row in rows if row.document.status == S.ready.value]
    stages = graph_status.document_stages(session, ready)
    return [
        replace(row, graph=stages.get(row.document.id, graph_status.WAITING))
        if row.document.status == S.ready.value
        else row
        for row in rows
    ]


def _document_for(session: Session, user: User, document_id: str, role: KbRole) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise PermissionDenied(NOT_FOUND)
    try:
        require(session, user, doc.kb_id, role)
    except PermissionDenied:
        raise PermissionDenied(NOT_FOUND) from None
    return doc


def delete_document(user: User, document_id: str, ip: str | None = None) -> None:
    with transaction() as session:
        doc = _document_for(session, user, document_id, KbRole.WRITE)
        if doc.status == S.deleting.value:
            return
        events = [outbox.retire_document(session, d) for d in [doc, *_kept_older(session, doc)]]
        audit.record(
            session, "document.deleted", actor=user, ip=ip, kb_id=doc.kb_id, target=doc.name,
            details={"document_id": doc.id, "version": doc.version},
        )  # fmt: skip
    outbox.dispatch(events)


def _kept_older(session: Session, doc: Document) -> list[Document]:
    """Deleting the current version deletes the document: its superseded versions go too."""
    if doc.status != S.ready.value:
        return []  # a failed or unfinished newer version goes alone
    return list(
        session.exec(
            select(Document).where(
                Document.stable_id == doc.stable_id, Document.status == S.superseded.value
            )
        )
    )


def retry_document(user: User, document_id: str, ip: str | None = None) -> None:
    with transaction() as session:
        doc = _document_for(session, user, document_id, KbRole.WRITE)
        failed_with = doc.error or ""
        if not status.move(
            session, doc.id, S.queued, only_from={S.failed},
            error=None, progress=0.0, stage_detail="", processing_started_at=None,
        ):  # fmt: skip
            raise UploadRejected("Only a failed document can be retried.")
        audit.record(
            session, "document.retried", actor=user, ip=ip, kb_id=doc.kb_id, target=doc.name,
            details={"document_id": doc.id, "version": doc.version, "error": failed_with[:300]},
        )  # fmt: skip
    enqueue_ingest(document_id)


def open_original(
    user: User, document_id: str, version: int | None = None
) -> tuple[Document, Iterator[bytes]]:
    """The original of the version asked for, else of the current version (else the newest)."""
    with read_session() as session:
        family = versions.readable_family(session, user, document_id)
    if family is None:
        raise PermissionDenied(NOT_FOUND)
    if version is None:
        doc = family.current or family.versions[0]
    elif (numbered := family.numbered(version)) is not None:
        doc = numbered
    else:
        raise PermissionDenied(NOT_FOUND)
    return doc, get_container().blobs.get(original_key(doc))
