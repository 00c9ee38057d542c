"""The viewer on documents that went through the real pipeline (embedded worker, default
embedder): every passage of a real PDF is found on its pages, and a text document is shown
exactly as it was parsed, to readers only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import viewer
from lumikb_app.services.documents.documents import NOT_FOUND
from lumikb_app.services.documents.parsing import RST, parse
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import (
    upload_path,
    wait_until_settled,
    writer_and_kb,
)

pytestmark = pytest.mark.integration

PDF_SAMPLE = CORPORA / "pdf-samples" / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
PEP = CORPORA / "peps" / "pep-0257.rst"


@pytest.fixture
def ingested(migrated):
    user, kb_id = writer_and_kb()
    ids = [upload_path(user, kb_id, path).document_id for path in (PDF_SAMPLE, PEP)]
    docs = wait_until_settled(ids)
    assert all(d.status == "ready" for d in docs.values()), [d.error for d in docs.values()]
    return user, ids


def _chunks(document_id: str) -> list[Chunk]:
    with get_container().db.session() as session:
        return list(
            session.exec(
                select(Chunk).where(Chunk.document_id == document_id).order_by(Chunk.ordinal)
            )
        )


def test_every_passage_of_a_real_pdf_is_boxed_on_each_of_its_pages(ingested):
    user, (pdf_id, _) = ingested
    chunks = _chunks(pdf_id)
    assert any(c.page_start != c.page_end for c in chunks)  # some run over a page break
    for cited in chunks:
        for page in range(cited.page_start, cited.page_end + 1):
            view = viewer.open_document(user, pdf_id, cited.id, page)
            assert view.page == page and view.boxes, (cited.ordinal, page)
        outside = cited.page_end % view.page_count + 1
        if not cited.page_start <= outside <= cited.page_end:
            assert viewer.open_document(user, pdf_id, cited.id, outside).boxes == []


def test_a_text_document_is_shown_exactly_as_parsed_and_only_to_readers(ingested):
    user, (_, pep_id) = ingested
    full_text = parse(PEP, RST).full_text
    for cited in _chunks(pep_id)[::2]:
        shown = viewer.open_document(user, pep_id, cited.id).text
        assert shown.passage == cited.text
        assert shown.before + shown.passage + shown.after == full_text
    with get_container().db.session() as session:
        stranger = auth.create_user(
            session, email="stranger@example.com", display_name="S", password="long enough pw"
        )
        session.commit()
    for document_id in ingested[1]:
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            viewer.open_document(stranger, document_id)
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            viewer.render_page_png(stranger, document_id, 1)
