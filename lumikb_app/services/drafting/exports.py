"""Export a draft as a file a person can send: Word (DOCX), PDF, Markdown, or, for a draft
imported from a questionnaire, that same file with the answers and sources filled in.

Anyone who may view the draft may export it; every export is audited ("draft.export"). Links
to the cited passages are absolute: `base_url` (the address the app is reached at) plus each
source's viewer path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Draft, DraftSection, KnowledgeBase, User
from lumikb_app.domain.drafting import DraftInputError, SourceKind
from lumikb_app.services.accounts import audit
from lumikb_app.services.drafting import (
    export_docx,
    export_markdown,
    export_pdf,
    questionnaire_export,
)
from lumikb_app.services.drafting.draft_access import require_draft
from lumikb_app.services.drafting.drafts import sections_of
from lumikb_app.services.drafting.export_blocks import ExportDocument, build_document
from lumikb_app.services.platform.transactions import read_session, transaction

FORMATS = ("docx", "pdf", "md", "original")
FILENAME_CHARS = 60
QUESTIONNAIRE_MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": export_docx.MEDIA_TYPE,
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    data: bytes


def export_draft(
    user: User, draft_id: str, fmt: str, base_url: str, ip: str | None = None
) -> ExportFile:
    """The draft as `fmt` ("docx", "pdf", "md" or "original"), for anyone who may view it."""
    if fmt not in FORMATS:
        raise DraftInputError("Choose a format: docx, pdf, md or original.")
    with read_session() as session:
        draft = require_draft(session, user, draft_id).draft
        sections = sections_of(session, draft_id)
        kb_names = _kb_names(session, draft.kb_ids)
        session.expunge_all()  # read after the session closes; nothing is written back
    if fmt == "original":
        exported = _original(draft, sections, base_url)
    else:
        exported = _rendered(fmt, _document(draft, sections, kb_names, base_url), draft.title)
    with transaction() as session:
        details = {"format": fmt, "filename": exported.filename, "bytes": len(exported.data)}
        audit.record(session, "draft.export", actor=user, ip=ip, target=draft_id, details=details)
    return exported


def _document(
    draft: Draft, sections: list[DraftSection], kb_names: list[str], base_url: str
) -> ExportDocument:
    subtitle = f"Drafted from {', '.join(kb_names)} · exported {utcnow():%Y-%m-%d %H:%M} UTC"
    questionnaire = draft.source_kind == SourceKind.questionnaire.value
    return build_document(draft.title, subtitle, sections, base_url, questionnaire)


def _rendered(fmt: str, document: ExportDocument, title: str) -> ExportFile:
    stem = _slug(title)
    if fmt == "docx":
        return ExportFile(f"{stem}.docx", export_docx.MEDIA_TYPE, export_docx.render_docx(document))
    if fmt == "pdf":
        return ExportFile(f"{stem}.pdf", export_pdf.MEDIA_TYPE, export_pdf.render_pdf(document))
    markdown = export_markdown.render_markdown(document)
    return ExportFile(f"{stem}.md", export_markdown.MEDIA_TYPE, markdown)


def _original(draft: Draft, sections: list[DraftSection], base_url: str) -> ExportFile:
    """The imported questionnaire, read from the blob store, with the answers filled in."""
    record = draft.questionnaire or {}
    key, fmt = record.get("blob_key"), record.get("format")
    if draft.source_kind != SourceKind.questionnaire.value or not key or not fmt:
        raise DraftInputError(
            "Only a draft imported from a questionnaire can be exported in its original format."
        )
    original = b"".join(get_container().blobs.get(str(key)))
    mapping = record.get("mapping") or {}
    data = questionnaire_export.fill_questionnaire(fmt, original, mapping, sections, base_url)
    name = PurePosixPath(str(record.get("filename") or f"questionnaire.{fmt}"))
    filename = f"{_slug(name.stem)}-answered{name.suffix or '.' + fmt}"
    return ExportFile(
        filename, QUESTIONNAIRE_MEDIA_TYPES.get(str(fmt), "application/octet-stream"), data
    )


def _kb_names(session: Session, kb_ids: list[str]) -> list[str]:
    query = select(KnowledgeBase.id, KnowledgeBase.name).where(col(KnowledgeBase.id).in_(kb_ids))
    names = dict(session.exec(query).all())
    return [names[kb_id] for kb_id in kb_ids if kb_id in names]


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:FILENAME_CHARS].strip("-")
    return slug or "draft"
