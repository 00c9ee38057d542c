"""What every export is built from: an answer's Markdown as blocks, its [n] markers numbered
once for the whole document, markers in code left as code, unknown ones dropped."""

from __future__ import annotations

import pytest

from lumikb_app.db.tables import DraftSection
from lumikb_app.services.drafting.export_blocks import Span, build_document
from tests.unit.drafting.export_samples import BASE_URL, document, source

pytestmark = pytest.mark.unit


def _section(content: str, sources) -> DraftSection:
    return DraftSection(draft_id="d", position=0, title="Q", content=content, sources=sources)


def test_citations_are_numbered_for_the_whole_document_in_reading_order():
    built = document()
    assert [[n.number for n in s.notes] for s in built.sections] == [[1, 2], [3, 4], [], []]
    first = built.sections[0].blocks[0].spans
    assert [s.cite for s in first if s.cite] == [1, 1, 2]
    assert [n.where for n in built.notes][:2] == [
        "pep-0008.txt, page 3 (Engineering)",
        "pep-0008.txt, page 4 (Engineering)",
    ]
    assert built.notes[0].link == f"{BASE_URL}/view/doc-pep-0008.txt?chunk=c1&page=3&version=1"


def test_unknown_markers_are_dropped_and_code_keeps_its_brackets():
    sources = [source(1, "a.txt", 1, "c1")]
    content = "Kept [1], dropped [7]. Inline `x[1]` stays.\n\n    indented[1] = code\n"
    (section,) = build_document("T", "", [_section(content, sources)], BASE_URL, False).sections
    paragraph, code = section.blocks
    assert "".join(s.text for s in paragraph.spans) == "Kept, dropped. Inline x[1] stays."
    assert [s.cite for s in paragraph.spans if s.cite] == [1]
    assert Span("x[1]", code=True) in paragraph.spans
    assert (code.kind, code.text) == ("code", "indented[1] = code")
    assert section.text.startswith("Kept[^1], dropped. Inline `x[1]` stays.")
    assert "    indented[1] = code" in section.text


def test_only_web_and_mail_links_are_kept_as_links():
    content = "[site](https://example.com) and [local](javascript:alert(1)) [1]"
    sources = [source(1, "a.txt", None, "c1")]
    (section,) = build_document("T", "", [_section(content, sources)], BASE_URL, False).sections
    spans = section.blocks[0].spans
    assert Span("site", href="https://example.com") in spans
    assert "".join(s.text for s in spans) == "site and [local](javascript:alert(1))"
    assert {s.href for s in spans} == {"https://example.com", ""}


def test_control_characters_never_reach_a_file():
    content = "Bell\x07 and form\x0cfeed [1]"
    sources = [source(1, "a\x00.txt", 2, "c1")]
    built = build_document("Ti\x01tle", "", [_section(content, sources)], BASE_URL, False)
    assert built.title == "Title"
    assert "".join(s.text for s in built.sections[0].blocks[0].spans) == "Bell and formfeed"
    assert built.notes[0].document == "a.txt"
