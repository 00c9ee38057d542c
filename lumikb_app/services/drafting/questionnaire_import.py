"""Import a questionnaire: preview its tables and a suggested column mapping, then create a
draft with one section per question, keeping the original file to fill in on export.

The original is stored in the blob store before the draft's row is written (no network call
inside a unit of work): an outbox announcement covers a crash in between, and a refused insert
deletes the file again. A file refused by the checks stores nothing at all.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lumikb_app.container import get_container
from lumikb_app.db.common import new_id
from lumikb_app.db.tables import Draft, User
from lumikb_app.domain.drafting import DraftInputError, SectionSeed, SourceKind
from lumikb_app.services.accounts import access
from lumikb_app.services.documents import pending_blobs
from lumikb_app.services.drafting import questionnaire_fidelity, questionnaire_read
from lumikb_app.services.drafting.draft_access import readable_kbs
from lumikb_app.services.drafting.drafts import clean_title, new_draft
from lumikb_app.services.drafting.questionnaire_mapping import (
    MAX_COLUMNS,
    Mapping,
    Table,
    column_letter,
    headers,
    questions,
    suggest_for,
)
from lumikb_app.services.platform.transactions import read_session, transaction

PREVIEW_ROWS = 10
NEW_COLUMN = "(new column)"
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class PreviewColumn:
    index: int
    letter: str
    header: str  # the header row's text, "" without one, NEW_COLUMN for the one after the last


@dataclass(frozen=True)
class PreviewTable:
    name: str
    kind: str  # rows | paragraphs
    columns: list[PreviewColumn]
    rows: list[list[str]]  # the first rows below the header (or from the top)
    row_count: int  # rows below the header
    mapping: dict[str, Any]  # the mapping suggested were this table chosen


@dataclass(frozen=True)
class Preview:
    filename: str
    format: str
    tables: list[PreviewTable]
    mapping: dict[str, Any]  # the suggested mapping (Mapping.to_dict)
    question_count: int  # under the suggested mapping
    problem: str = ""  # why the suggested mapping finds no questions, if it does not
    notes: list[str] = field(default_factory=list)  # what the filled-in copy will not keep


def preview_questionnaire(user: User, filename: str, data: bytes) -> Preview:
    """What the file holds and the mapping we suggest; nothing is stored."""
    access.require_active(user)
    parsed = questionnaire_read.parse(filename, data)
    suggested = parsed.suggested
    try:
        count, problem = len(questions(parsed.tables, suggested)), ""
    except DraftInputError as refused:
        count, problem = 0, str(refused)
    return Preview(
        filename=parsed.filename,
        format=parsed.format.value,
        tables=[_preview_table(table) for table in parsed.tables],
        mapping=suggested.to_dict(),
        question_count=count,
        problem=problem,
        notes=questionnaire_fidelity.notes(parsed.format, data),
    )


def _preview_table(table: Table) -> PreviewTable:
    mapping = suggest_for(table)
    header_row = mapping.header_row
    names = headers(table, header_row)
    columns = [PreviewColumn(i, column_letter(i), names[i]) for i in range(table.width)]
    body = table.rows[header_row : header_row + PREVIEW_ROWS]
    if table.can_grow and table.kind == "rows" and table.width < MAX_COLUMNS:  # a new column
        columns.append(PreviewColumn(table.width, column_letter(table.width), NEW_COLUMN))
        body = [[*row, ""] for row in body]
    return PreviewTable(
        table.name, table.kind, columns, body, len(table.rows) - header_row, mapping.to_dict()
    )


def create_from_questionnaire(
    user: User,
    title: str,
    kb_ids: Sequence[str],
    filename: str,
    data: bytes,
    mapping: Mapping | dict[str, Any] | None = None,
    ip: str | None = None,
) -> Draft:
    """A draft with one section per question of the file (mapping: the person's choice, or
    the suggested one). Everything is checked before the file is stored."""
    access.require_active(user)
    title = clean_title(title)
    parsed = questionnaire_read.parse(filename, data)
    chosen = parsed.suggested if mapping is None else Mapping.from_value(mapping)
    seeds = [
        SectionSeed(title=q.title, ref=q.ref, group=q.group, row=q.row)
        for q in questions(parsed.tables, chosen)
    ]
    with read_session() as session:
        kbs = readable_kbs(session, user, kb_ids)
    draft_id = new_id()
    key = f"drafts/{draft_id}/source/{parsed.filename}"
    record = {
        "blob_key": key,
        "filename": parsed.filename,
        "format": parsed.format.value,
        "mapping": chosen.to_dict(),
    }
    announced = pending_blobs.announce(key)
    try:
        _store(key, data, MEDIA_TYPES[parsed.format.value])
        with transaction() as session:
            draft = new_draft(
                session, user, title=title, kb_ids=kbs, seeds=seeds,
                source_kind=SourceKind.questionnaire, questionnaire=record, ip=ip,
                draft_id=draft_id,
            )  # fmt: skip
            pending_blobs.claim(session, announced)
    except BaseException:
        get_container().blobs.delete(key)
        pending_blobs.withdraw(announced)
        raise
    return draft


def _store(key: str, data: bytes, content_type: str) -> None:
    get_container().blobs.put(key, io.BytesIO(data), length=len(data), content_type=content_type)
