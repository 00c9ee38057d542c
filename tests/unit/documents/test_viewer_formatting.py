"""services.viewer: Markdown, reStructuredText and HTML documents come formatted, the passage
marked; plain text stays plain; a document that no longer parses as it was chunked falls back
to its plain text; the parse is kept for the next view."""

from __future__ import annotations

import io
from html import unescape

import pytest

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document
from lumikb_app.domain.documents import BLOCK_SEPARATOR
from lumikb_app.services.accounts import auth
from lumikb_app.services.documents import viewer, viewer_cache
from lumikb_app.services.documents.parsing import HTML, MARKDOWN, RST, TEXT, processes
from lumikb_app.services.knowledge_bases import kbs
from tests.unit.documents.test_viewer_service import PASSWORD, chunk_with, store_document

pytestmark = pytest.mark.unit

GUIDE = """# Release guide

## Tagging

Sign the tag as follows:

```sh
git tag -s v1.2.3
```

## Announcing

- write the notes
- post them
"""
RST_GUIDE = "Encoding\n========\n\nDeclare it like this::\n\n    # -*- coding: utf-8 -*-\n"
HTML_GUIDE = "<html><body><h1>Notes</h1><p>Keep <b>this</b>.</p><pre>x &lt; 2</pre></body></html>"


@pytest.fixture
def owner(migrated):
    with get_container().db.session() as session:
        user = auth.create_user(session, email="o@example.com", display_name="O", password=PASSWORD)
        session.commit()
    return user


@pytest.fixture
def kb_id(owner) -> str:
    viewer_cache._parses.clear()
    return kbs.create_kb(owner, "Guides").id


def test_a_markdown_document_is_formatted_with_the_cited_passage_marked(owner, kb_id):
    doc_id = store_document(owner, kb_id, "guide.md", GUIDE.encode(), MARKDOWN)
    cited = chunk_with(doc_id, "git tag -s")
    html = viewer.open_document(owner, doc_id, cited.id).text.html
    cited_part, rest = html.split('<div class="cited" id="cited-passage"', 1)[1].split("</div>", 1)
    assert "<h3><mark>Tagging</mark></h3>" in cited_part and "<pre><code><mark>" in cited_part
    marks = [part.split("</mark>", 1)[0] for part in cited_part.split("<mark>")[1:]]
    assert unescape("".join(marks)) == cited.text.replace(BLOCK_SEPARATOR, "")  # exactly it
    assert "<h3>Announcing</h3>" in rest and "<mark>" not in rest
    assert "<li>write the notes</li>" in html


@pytest.mark.parametrize(
    ("name", "source", "mime", "expected"),
    [
        ("enc.rst", RST_GUIDE, RST, "<pre><code># -*- coding: utf-8 -*-</code></pre>"),
        ("notes.html", HTML_GUIDE, HTML, "<pre><code>x &lt; 2</code></pre>"),
    ],
)
def test_rst_and_html_documents_are_formatted_too(owner, kb_id, name, source, mime, expected):
    doc_id = store_document(owner, kb_id, name, source.encode(), mime)
    assert expected in viewer.open_document(owner, doc_id).text.html


def test_plain_text_stays_plain(owner, kb_id):
    doc_id = store_document(owner, kb_id, "notes.txt", b"# not a heading\n\nplain words\n", TEXT)
    view = viewer.open_document(owner, doc_id)
    assert view.text.html == "" and "plain words" in view.text.after


def test_an_original_that_no_longer_matches_its_passages_shows_the_plain_text(owner, kb_id):
    doc_id = store_document(owner, kb_id, "guide.md", GUIDE.encode(), MARKDOWN)
    cited = chunk_with(doc_id, "git tag -s")
    with get_container().db.session() as session:
        key = session.get_one(Document, doc_id).blob_key
    changed = GUIDE.replace("Sign the tag", "Sign the annotated tag").encode()
    get_container().blobs.put(key, io.BytesIO(changed), length=len(changed))
    view = viewer.open_document(owner, doc_id, cited.id)
    assert view.text.html == "" and view.text.passage == cited.text


def test_the_parse_is_kept_for_the_next_view_until_the_version_is_forgotten(
    owner, kb_id, monkeypatch
):
    doc_id = store_document(owner, kb_id, "guide.md", GUIDE.encode(), MARKDOWN)
    parses = []
    real_parse = processes.parse
    monkeypatch.setattr(processes, "parse", lambda *a, **k: parses.append(a) or real_parse(*a, **k))
    first = viewer.open_document(owner, doc_id).text.html
    assert viewer.open_document(owner, doc_id).text.html == first and len(parses) == 1
    viewer_cache.forget(doc_id)
    assert viewer.open_document(owner, doc_id).text.html == first and len(parses) == 2
