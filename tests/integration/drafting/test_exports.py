"""export_draft on a real draft: whoever may view it gets each format with the draft's
sections, KBs and absolute links, the export is audited; others are refused, a bad format or
"original" for a draft not imported from a questionnaire changes nothing; a questionnaire comes
back as the same workbook with its answers."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from lumikb_app.domain.drafting import NOT_COVERED_TEXT, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import exports, members, questionnaire_import
from lumikb_app.services.drafting.drafts import open_draft
from tests.conftest import CORPORA
from tests.integration.drafting.core_world import (
    DraftWorld,
    audited,
    generate,
    make_draft_world,
    source,
)

BASE_URL = "https://kb.example.com"
ANSWER = "Backups run nightly [1] and are kept for 30 days [2]."


@pytest.fixture
def world(request, data_dir, monkeypatch) -> DraftWorld:
    world = make_draft_world(request, monkeypatch)
    sources = [source(1, "backups.md"), source(2, "retention.pdf", "Finance")]
    generate(world.section_ids[0], ANSWER, sources)
    generate(world.section_ids[1], NOT_COVERED_TEXT, [], mode="not_covered")
    return world


def test_the_owner_exports_word_pdf_and_markdown_and_each_is_audited(world):
    word = exports.export_draft(world.alice, world.draft_id, "docx", BASE_URL, ip="10.0.0.1")
    assert word.filename == "vendor-questionnaire.docx" and word.data[:2] == b"PK"
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs]
    assert paragraphs[:2] == ["Vendor questionnaire", paragraphs[1]]
    assert paragraphs[1].startswith("Drafted from Engineering, Finance · exported")
    assert "How are backups made?" in paragraphs
    assert "Backups run nightly and are kept for 30 days." in paragraphs

    pdf = exports.export_draft(world.alice, world.draft_id, "pdf", BASE_URL)
    assert pdf.media_type == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "retention.pdf (Finance)" in " ".join(text.split())

    markdown = exports.export_draft(world.alice, world.draft_id, "md", BASE_URL).data.decode()
    assert "Backups run nightly[^1] and are kept for 30 days[^2]." in markdown
    assert f"[^1]: backups.md (Engineering). <{BASE_URL}/view/backups.md>" in markdown
    assert "**Not covered — left for a person to answer.**" in markdown
    assert "## What is the salary review cycle?" in markdown
    assert "Not answered yet" in markdown.split("## What is the salary review cycle?")[1]

    events = audited("draft.export")
    assert [e.details["format"] for e in events] == ["docx", "pdf", "md"]
    assert events[0].target == world.draft_id and events[0].ip == "10.0.0.1"


def test_a_viewer_may_export_and_someone_not_shared_with_may_not(world):
    members.share_draft(world.alice, world.draft_id, world.bob.email, "view")
    assert exports.export_draft(world.bob, world.draft_id, "md", BASE_URL).data
    with pytest.raises(PermissionDenied):
        exports.export_draft(world.olga, world.draft_id, "md", BASE_URL)
    with pytest.raises(PermissionDenied):
        exports.export_draft(world.carol, world.draft_id, "docx", BASE_URL)
    assert len(audited("draft.export")) == 1


def test_a_bad_format_or_original_of_a_template_draft_is_refused(world):
    with pytest.raises(DraftInputError, match="docx, pdf, md or original"):
        exports.export_draft(world.alice, world.draft_id, "exe", BASE_URL)
    with pytest.raises(DraftInputError, match="imported from a questionnaire"):
        exports.export_draft(world.alice, world.draft_id, "original", BASE_URL)
    assert audited("draft.export") == []


def test_a_questionnaire_comes_back_as_the_same_workbook_with_its_answers(world):
    data = (CORPORA / "questionnaire" / "peps-questionnaire.xlsx").read_bytes()
    draft = questionnaire_import.create_from_questionnaire(
        world.alice, "PEP questionnaire", [world.kb_a], "peps-questionnaire.xlsx", data
    )
    first = open_draft(world.alice, draft.id).sections[0]
    generate(first.id, "Flat is better than nested [1].", [source(1, "pep-0020.txt")])
    filled = exports.export_draft(world.alice, draft.id, "original", BASE_URL)
    assert filled.filename == "peps-questionnaire-answered.xlsx"
    assert filled.media_type.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(filled.data)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any(c.startswith("Flat is better than nested [1].") for c in cells)
    assert any(f"{BASE_URL}/view/pep-0020.txt" in c for c in cells)
    word = exports.export_draft(world.alice, draft.id, "docx", BASE_URL)
    headings = [
        p.text
        for p in docx.Document(io.BytesIO(word.data)).paragraphs
        if p.style.name == "Heading 2"
    ]
    assert headings[0] == f"Q01 – {first.title}"
