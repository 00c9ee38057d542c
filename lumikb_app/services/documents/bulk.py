"""Bulk actions on the documents of one KB: delete or retry several at once.

Each document goes through the same use case as one row's button (`delete_document`,
`retry_document`), one by one, each in its own unit of work, so a document that cannot be acted
on does not stop the others: the outcome says which succeeded and why the rest did not. The
caller needs WRITE on the KB before anything happens; a list longer than MAX_BULK, or naming a
document of another KB, changes nothing for those documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import col, select

from lumikb_app.db.tables import Document, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts.access import PermissionDenied, require
from lumikb_app.services.documents import documents
from lumikb_app.services.documents.uploads import UploadRejected
from lumikb_app.services.platform.transactions import read_session
from lumikb_app.services.platform.unavailable import unavailable_reason

MAX_BULK = 100


class BulkRefused(ValueError):
    """The request as a whole is refused (too many documents); nothing was done."""


@dataclass(frozen=True)
class BulkOutcome:
    done: tuple[str, ...]  # names of the documents acted on
    refused: tuple[tuple[str, str], ...]  # (name, why) of the others

    def summary(self, verb: str) -> str:
        """'3 documents deleted.' / '2 documents retried; 1 could not be: a.pdf: why.'"""
        count = len(self.done)
        said = f"{count} document{'s' if count != 1 else ''} {verb}"
        if not self.refused:
            return said + "."
        reasons = "; ".join(f"{name}: {why}" for name, why in self.refused[:3])
        more = f" (and {len(self.refused) - 3} more)" if len(self.refused) > 3 else ""
        text = f"{said}; {len(self.refused)} could not be: {reasons}{more}"
        return text if text.endswith(".") else text + "."


def delete_documents(
    user: User, kb_id: str, document_ids: list[str], ip: str | None = None
) -> BulkOutcome:
    return _each(
        user, kb_id, document_ids, lambda doc_id: documents.delete_document(user, doc_id, ip)
    )


def retry_documents(
    user: User, kb_id: str, document_ids: list[str], ip: str | None = None
) -> BulkOutcome:
    return _each(
        user, kb_id, document_ids, lambda doc_id: documents.retry_document(user, doc_id, ip)
    )


def _each(
    user: User, kb_id: str, document_ids: list[str], act: Callable[[str], None]
) -> BulkOutcome:
    wanted = list(dict.fromkeys(str(i)[:64] for i in document_ids))
    if len(wanted) > MAX_BULK:
        raise BulkRefused(f"Select at most {MAX_BULK} documents at a time.")
    with read_session() as session:
        require(session, user, kb_id, KbRole.WRITE)
        names = dict(
            session.exec(
                select(Document.id, Document.name).where(
                    col(Document.id).in_(wanted), Document.kb_id == kb_id
                )
            ).all()
        )
    done: list[str] = []
    refused: list[tuple[str, str]] = []
    for document_id in wanted:
        name = names.get(document_id)
        if name is None:
            refused.append((document_id[:12], documents.NOT_FOUND))
            continue
        try:
            act(document_id)
        except (PermissionDenied, UploadRejected) as error:
            refused.append((name, str(error)))
        except Exception as error:
            reason = unavailable_reason(error)
            if reason is None:
                raise
            refused.append((name, reason))
        else:
            done.append(name)
    return BulkOutcome(tuple(done), tuple(refused))
