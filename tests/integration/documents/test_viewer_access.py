"""From a search result to the viewer on SQLite and PostgreSQL: the result's link opens the
passage at its page with the passage boxed; READ on another KB, or no grant, gets nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import viewer
from lumikb_app.services.documents.documents import NOT_FOUND
from lumikb_app.services.retrieval import search
from lumikb_app.state.retrieval.search import result_view
from tests.integration.documents.ingest_helpers import upload_bytes, wait_until_settled
from tests.integration.retrieval.search_helpers import World, make_world
from tests.pdf_factory import HANDBOOK_PASSAGE_PAGE, handbook_pdf

pytestmark = pytest.mark.integration

BUDGET = "# Budget\n\nThe salary review budget for next year grows by four percent."


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> tuple[World, str, str]:
    world = make_world(request, monkeypatch)
    outcome = upload_bytes(world.admin, world.kb_a, "handbook.pdf", handbook_pdf())
    handbook = wait_until_settled([outcome.document_id])[outcome.document_id]
    assert handbook.status == "ready", handbook.error
    return world, handbook.id, world.ingest(world.kb_b, "budget.md", BUDGET)


def _open_link(user, href: str) -> viewer.DocumentView:
    url = urlsplit(href)
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    return viewer.open_document(
        user, url.path.rsplit("/", 1)[-1], query.get("chunk"), int(query["page"])
    )


def test_a_search_result_opens_at_its_page_with_the_passage_boxed(world):
    world, handbook_id, _ = world
    response = search.search(world.reader, "hardware key stored in the vault")
    best = response.passages[0]
    assert (best.document_id, best.page) == (handbook_id, HANDBOOK_PASSAGE_PAGE)
    view = _open_link(world.reader, result_view(best).href)
    assert view.page == HANDBOOK_PASSAGE_PAGE and view.boxes
    assert view.passage.chunk_id == best.chunk_id and view.kb_name == "Engineering"
    png = viewer.render_page_png(world.reader, handbook_id, HANDBOOK_PASSAGE_PAGE)
    assert png.startswith(b"\x89PNG")


def test_read_on_one_kb_opens_nothing_in_another_and_no_grant_opens_nothing(world):
    world, handbook_id, budget_id = world
    assert viewer.open_document(world.admin, budget_id).text.after.endswith("four percent.")
    refused = [
        (world.reader, budget_id),
        (world.outsider, budget_id),
        (world.outsider, handbook_id),
    ]
    for user, document_id in refused:
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            viewer.open_document(user, document_id)
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            viewer.render_page_png(user, document_id, 1)
    assert all(
        p.document_id != budget_id for p in search.search(world.reader, "salary budget").passages
    )
