"""Per-KB settings. A change to chunking or the embedding model re-indexes every document in the
background: each gets a new version built with the new settings, and the old version keeps
serving search until the new one is ready, then is retired (the same path as a re-upload)."""

from __future__ import annotations

import tempfile

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from lumikb_app.container import get_container
from lumikb_app.db.common import new_id, utcnow
from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import ModelKind
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import require
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.documents import documents, pending_blobs
from lumikb_app.services.knowledge_bases.settings_messages import validated
from lumikb_app.services.models import choices
from lumikb_app.services.platform.transactions import read_session, transaction

REINDEX_JOB = "workers.tasks.reindex_kb"


def get_settings(user: User, kb_id: str) -> KbSettings:
    with read_session() as session:
        require(session, user, kb_id, KbRole.READ)
        return settings_in(session, kb_id)


def ready_documents(user: User, kb_id: str) -> int:
    """How many documents of the KB are ready (what a re-index rebuilds)."""
    with read_session() as session:
        require(session, user, kb_id, KbRole.READ)
        return count_ready(session, kb_id)


def settings_in(session: Session, kb_id: str) -> KbSettings:
    """The KB's settings (the defaults for a KB that is gone). Building block."""
    kb = session.get(KnowledgeBase, kb_id)
    return KbSettings.model_validate(kb.settings if kb else {})


def count_ready(session: Session, kb_id: str) -> int:
    """How many documents of the KB are ready. Building block."""
    query = select(func.count()).select_from(Document)
    return int(
        session.exec(query.where(Document.kb_id == kb_id, Document.status == S.ready.value)).one()
    )


def _require_registered(session: Session, before: KbSettings, after: KbSettings) -> None:
    """A model a KB newly names must be a live registry entry of its kind (what it already
    names stays valid, even if retired meanwhile)."""
    if after.embedding_model != before.embedding_model:
        choices.require_choosable(session, after.embedding_model, ModelKind.embedding)
    if after.chat_model and after.chat_model != before.chat_model:
        choices.require_choosable(session, after.chat_model, ModelKind.chat)


def update_settings(
    user: User, kb_id: str, values: dict, ip: str | None = None
) -> tuple[KbSettings, bool]:
    """Save new settings; return them and whether a background re-index was started.

    Models are chosen from the registry only. A new embedding model must answer a health probe,
    which runs before the transaction opens."""
    with read_session() as session:
        require(session, user, kb_id, KbRole.ADMIN)
        stored = KbSettings.model_validate(session.get_one(KnowledgeBase, kb_id).settings)
        wanted, probed = validated({**stored.model_dump(), **values}), None
        _require_registered(session, stored, wanted)
        spec = choices.spec_in(session, wanted.embedding_model)
    if wanted.embedding_model != stored.embedding_model and spec is not None:
        get_container().embedder_for(spec).health()  # refuse a dead model
        probed = wanted.embedding_model
    with transaction() as session:
        require(session, user, kb_id, KbRole.ADMIN)
        kb = session.get_one(KnowledgeBase, kb_id)
        before = KbSettings.model_validate(kb.settings)
        after = validated({**before.model_dump(), **values})
        _require_registered(session, before, after)
        if after.embedding_model not in (before.embedding_model, probed):
            # Another admin changed the model since the read above: this one was never probed.
            raise InvalidInput("The settings were changed meanwhile; load the page again.")
        kb.settings, kb.updated_at = after.model_dump(), utcnow()
        reindex = after.index_fingerprint() != before.index_fingerprint()
        if reindex:
            kb.index_version += 1
        session.add(kb)
        audit.record(
            session, "settings.changed", actor=user, ip=ip, kb_id=kb_id, target=kb.name,
            details={"before": before.model_dump(), "after": after.model_dump(), "reindex": reindex},
        )  # fmt: skip
    if reindex:
        get_container().jobs.enqueue(REINDEX_JOB, kb_id, queue="default")
    return after, reindex


def reindex_kb(kb_id: str) -> int:
    """Queue a new version of every live document, built with the KB's current settings."""
    with transaction() as session:
        current = session.exec(
            select(Document).where(Document.kb_id == kb_id, Document.status == S.ready.value)
        ).all()
    queued = [new for doc in current if (new := _new_version(doc)) is not None]
    for document_id in queued:
        documents.enqueue_ingest(document_id)
    return len(queued)


def _new_version(doc: Document) -> str | None:
    """Copy the original to the next version's key, then add its row (the copy runs outside any
    transaction; if the row cannot be stored, the copy is removed again, see pending_blobs).
    None when an upload took that version number meanwhile: it is built with these settings."""
    blobs, document_id = get_container().blobs, new_id()
    with read_session() as session:
        version = documents.next_version(session, doc.kb_id, doc.name)
    key = documents.blob_key(doc.kb_id, document_id, version)
    announced = pending_blobs.announce(key)
    try:
        with tempfile.TemporaryFile() as copy:
            for block in blobs.get(documents.original_key(doc)):
                copy.write(block)
            copy.seek(0)
            blobs.put(key, copy, length=doc.size_bytes, content_type=doc.mime_type)
        with transaction() as session:
            session.add(
                Document(
                    id=document_id, kb_id=doc.kb_id, name=doc.name, mime_type=doc.mime_type, size_bytes=doc.size_bytes,
                    sha256=doc.sha256, version=version, blob_key=key, uploaded_by=doc.uploaded_by,
                    stable_id=doc.stable_id,
                )
            )  # fmt: skip
            pending_blobs.claim(session, announced)
    except BaseException as exc:
        blobs.delete(key)
        pending_blobs.withdraw(announced)
        if isinstance(exc, IntegrityError) and documents.version_clash(exc):
            return None
        raise
    return document_id
