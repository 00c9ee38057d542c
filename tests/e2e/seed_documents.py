"""Ready documents for the e2e journeys, ingested in-process through the real pipeline (the
embedded worker and the default embedder) before the server starts: embedded mode locks
DATA_DIR, so the server cannot be running yet."""

from __future__ import annotations

import time

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, User
from lumikb_app.services.documents import documents
from tests.pdf_factory import HANDBOOK_PASSAGE, HANDBOOK_PASSAGE_PAGE, handbook_pdf

READY_TIMEOUT_SECONDS = 300
HANDBOOK_PDF_NAME = "engineering-handbook.pdf"
MARKDOWN_NAME = "onboarding-guide.md"
MARKDOWN_PASSAGE = (
    "Request access to the staging cluster through the service desk; "
    "a team lead approves it within one working day."
)
MARKDOWN = f"""# Onboarding guide

## Laptop setup

Pick up your laptop from IT on the first morning. Full disk encryption is switched on before
you receive it, and the password manager is already installed.

## Access requests

{MARKDOWN_PASSAGE} Production access is never granted in the first month.

## Your first week

Pair with your mentor on a small change and ship it before Friday.
"""
FOREIGN_NAME = "merger-plan.txt"
# Shares the handbook passage's words, so a leak across knowledge bases would show in results.
FOREIGN_TEXT = (
    "Release checklist for the merger: release builds are signed with the hardware key stored "
    "in the vault. Project PELICAN: the acquisition of Northwind closes in March.\n"
)


def seed_documents(user: User, kb_id: str, other: User, foreign_kb_id: str) -> dict[str, object]:
    pdf_id = _upload(user, kb_id, HANDBOOK_PDF_NAME, handbook_pdf())
    markdown_id = _upload(user, kb_id, MARKDOWN_NAME, MARKDOWN.encode())
    foreign_id = _upload(other, foreign_kb_id, FOREIGN_NAME, FOREIGN_TEXT.encode())
    _wait_until_ready([pdf_id, markdown_id, foreign_id])
    return {
        "handbook_pdf_id": pdf_id,
        "handbook_pdf_name": HANDBOOK_PDF_NAME,
        "handbook_passage": HANDBOOK_PASSAGE,
        "handbook_passage_page": HANDBOOK_PASSAGE_PAGE,
        "markdown_doc_id": markdown_id,
        "markdown_doc_name": MARKDOWN_NAME,
        "markdown_passage": MARKDOWN_PASSAGE,
        "foreign_doc_id": foreign_id,
        "foreign_doc_name": FOREIGN_NAME,
    }


def _upload(user: User, kb_id: str, name: str, data: bytes) -> str:
    spool = documents.new_spool(name)
    spool.write(data)
    outcome = documents.accept_upload(user, kb_id, spool)
    assert outcome.document_id, outcome.message
    return outcome.document_id


def _wait_until_ready(document_ids: list[str]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        with get_container().db.session() as session:
            states = {i: session.get(Document, i) for i in document_ids}
        if all(d is not None and d.status == "ready" for d in states.values()):
            return
        failed = {
            d.name: d.error for d in states.values() if d is not None and d.status == "failed"
        }
        if failed or time.monotonic() > deadline:
            details = {d.name: (d.status, d.stage_detail) for d in states.values() if d}
            raise AssertionError(f"seed documents did not become ready: {failed or details}")
        time.sleep(0.2)
