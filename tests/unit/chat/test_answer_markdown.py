"""The Markdown an answer's segments become in the browser (ui/components/chat/answer_markdown.py),
run in Node as the page runs it: each citation a link carrying its segment, a marker inside a code
block left as code, and nothing in a segment able to break out of the link."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse

import pytest

from lumikb_app.ui.components.chat.answer_markdown import CITE_TITLE, join_js

pytestmark = pytest.mark.unit

NODE = shutil.which("node")


def _joined(segments: list[dict]) -> str:
    if NODE is None:
        pytest.skip("node is not installed")
    expression = join_js("SEGS")
    script = f"const SEGS = JSON.parse(process.argv[1]); process.stdout.write({expression});"
    done = subprocess.run(
        [NODE, "-e", script, json.dumps(segments)], capture_output=True, text=True, check=True
    )
    return done.stdout


def _cite(n: int, **extra) -> dict:
    return {
        "text": str(n),
        "n": n,
        "href": f"/view/doc-{n}?chunk=c{n}&page=2",
        "document_name": f"doc {n}.md",
        "where": "KB · Page 2",
        "passage": 'A "quoted" passage (with parens) and a ] bracket.',
        **extra,
    }


def test_a_citation_becomes_a_link_whose_title_carries_its_segment():
    text = _joined([{"text": "Builds are signed.", "n": 0}, _cite(1)])

    assert text.startswith('Builds are signed.[1](</view/doc-1?chunk=c1&page=2> "')
    assert text.endswith('")')
    title = text.split(' "', 1)[1][: -len('")')]
    assert title.startswith(CITE_TITLE)
    encoded = title[len(CITE_TITLE) :]
    assert not set(encoded) & set('"<>\n\\')  # nothing that ends the title or the link
    carried = json.loads(urllib.parse.unquote(encoded))
    assert carried["document_name"] == "doc 1.md"
    assert carried["passage"] == 'A "quoted" passage (with parens) and a ] bracket.'


def test_a_marker_inside_a_code_block_stays_code():
    text = _joined(
        [
            {"text": "Run:\n\n```python\nkeys", "n": 0},
            _cite(1),
            {"text": "\n```\n", "n": 0},
            _cite(2),
        ]
    )

    assert "```python\nkeys[1]\n```" in text
    assert text.rstrip().endswith('")') and "[2](</view/doc-2" in text


def test_a_link_never_follows_an_exclamation_mark_as_an_image():
    text = _joined([{"text": "Signed!", "n": 0}, _cite(1)])

    assert "![1]" not in text and text.startswith("Signed!\u200b[1](")
