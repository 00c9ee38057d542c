"""render_blocks: a parsed document as formatted HTML, the passage marked, nothing executable.

Each test parses a real file with the app's parser (the blocks the viewer renders are the ones
ingest chunked), renders it, and reads the HTML back with a standard HTML parser."""

from __future__ import annotations

import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lumikb_app.domain.documents import ParsedDocument
from lumikb_app.services.documents.parsing import HTML, MARKDOWN, RST, parse
from lumikb_app.services.documents.render_blocks import PASSAGE_ID, Range, render

pytestmark = pytest.mark.unit

MARKDOWN_GUIDE = """# Release guide

## Tagging

Sign the tag as follows:

```sh
git tag -s v1.2.3
```

- build the wheel
- upload it
  - to the test index first
- announce it

1. first
2. second

| Step | Owner |
|------|-------|
| tag  | lead  |
"""
RST_GUIDE = """Encoding
========

Declare it like this::

    # -*- coding: utf-8 -*-

* one item
* another item
"""
HTML_GUIDE = """<html><body><h1>Notes</h1><p>Intro text.</p>
<pre>x = 1 &lt; 2</pre><ul><li>alpha</li><li>beta</li></ul></body></html>"""
HOSTILE_MARKDOWN = """# Hostile <script>alert('md')</script>

<script>alert('block')</script>

<img src=x onerror="alert('img')">

[click](javascript:alert('link')) and <a href="javascript:alert(2)">raw</a>

```html
<script>alert('code')</script><img src=x onerror=alert(3)>
```

| <b onmouseover=alert(4)>cell</b> | two |
|---|---|
| javascript:alert(5) | <iframe src="https://example.com"></iframe> |
"""
HOSTILE_HTML = """<html><body><h1 onclick="alert(1)">Title</h1>
<p>Text <script>alert('s')</script><img src=x onerror=alert(2)></p>
<pre>&lt;script&gt;alert('pre')&lt;/script&gt;</pre>
<p><a href="javascript:alert(3)">link</a> <svg onload=alert(4)></svg></p>
<ul><li><iframe src="javascript:alert(5)"></iframe>item</li></ul></body></html>"""
ALLOWED_TAGS = {"h2", "h3", "h4", "h5", "h6", "p", "pre", "code", "ul", "ol", "li", "br"}
ALLOWED_TAGS |= {"table", "thead", "tbody", "tr", "th", "td", "mark", "div"}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each kind of element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br",):
            self.open.append(f"#{dict(attrs)['id']}" if dict(attrs).get("id") else tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1].startswith(("#", tag)), f"</{tag}> in {self.open}"
        self.open.pop()

    def handle_data(self, data):
        for key in set(self.open):  # text by element (or #id), nested ones included
            self.text[key] = self.text.get(key, "") + data


def parsed(source: str, mime: str, name: str) -> ParsedDocument:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(source, encoding="utf-8")
        return parse(path, mime)


def elements(html: str) -> Elements:
    reader = Elements()
    reader.feed(html)
    reader.close()
    assert reader.open == [], f"unclosed: {reader.open}"
    return reader


def passage_of(document: ParsedDocument, first: str, last: str) -> Range:
    full = document.full_text
    return Range(full.index(first), full.index(last) + len(last))


def test_markdown_headings_code_lists_and_tables_become_their_elements():
    document = parsed(MARKDOWN_GUIDE, MARKDOWN, "guide.md")
    page = elements(render(document.spans, Range(0, 0)))
    tags = [tag for tag, _ in page.tags]
    assert page.text["h2"] == "Release guide" and page.text["h3"] == "Tagging"
    assert page.text["pre"] == "git tag -s v1.2.3" and page.text["code"] == "git tag -s v1.2.3"
    assert tags.count("ul") == 2 and tags.count("ol") == 1  # the nested list is a list
    assert "to the test index first" in page.text["ul"] and page.text["ol"] == "firstsecond"
    assert page.text["th"] == "StepOwner" and page.text["td"] == "taglead"
    assert "mark" not in tags and "div" in tags  # the table's scroll box, no passage container


def test_rst_and_html_render_their_literal_blocks_as_code():
    rst = elements(render(parsed(RST_GUIDE, RST, "enc.rst").spans, Range(0, 0)))
    assert rst.text["h2"] == "Encoding" and rst.text["pre"] == "# -*- coding: utf-8 -*-"
    assert rst.text["li"] == "one itemanother item"
    html = elements(render(parsed(HTML_GUIDE, HTML, "notes.html").spans, Range(0, 0)))
    assert html.text["h2"] == "Notes" and html.text["pre"] == "x = 1 < 2"
    assert html.text["li"] == "alphabeta"


def test_the_passage_is_marked_exactly_inside_one_container_around_the_blocks_it_touches():
    document = parsed(MARKDOWN_GUIDE, MARKDOWN, "guide.md")
    passage = passage_of(document, "as follows:", "upload it")
    page = elements(render(document.spans, passage))
    containers = [attrs for tag, attrs in page.tags if attrs.get("id") == PASSAGE_ID]
    assert containers == [
        {"class": "cited", "id": PASSAGE_ID, "data-testid": "highlighted-passage"}
    ]
    assert page.text["mark"] == "as follows:git tag -s v1.2.3build the wheelupload it"
    cited = page.text[f"#{PASSAGE_ID}"]
    assert "Sign the tag " in cited and "announce it" in cited
    assert "Release guide" not in cited and "Step" not in cited


def test_a_passage_inside_one_paragraph_marks_only_its_words():
    document = parsed(MARKDOWN_GUIDE, MARKDOWN, "guide.md")
    start = document.full_text.index("tag as")
    page = elements(render(document.spans, Range(start, start + len("tag as"))))
    assert page.text["mark"] == "tag as" and page.text["p"] == "Sign the tag as follows:"


@pytest.mark.parametrize(
    ("source", "mime", "name"),
    [(HOSTILE_MARKDOWN, MARKDOWN, "hostile.md"), (HOSTILE_HTML, HTML, "hostile.html")],
)
def test_a_hostile_document_comes_out_as_text_without_script_handlers_or_links(source, mime, name):
    document = parsed(source, mime, name)
    html = render(document.spans, Range(0, len(document.full_text)))
    page = elements(html)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS  # no script, img, a, iframe, svg
    attributes = {name for _, attrs in page.tags for name in attrs}
    assert attributes <= {"class", "id", "data-testid"}  # no on*=, href or src
    assert "<script" not in html and "<img" not in html and "<a " not in html


def test_script_shown_in_a_code_block_is_escaped_text():
    document = parsed(HOSTILE_MARKDOWN, MARKDOWN, "hostile.md")
    html = render(document.spans, Range(0, 0))
    assert "&lt;script&gt;alert(&#x27;code&#x27;)&lt;/script&gt;" in html
    assert elements(html).text["pre"].startswith("<script>alert('code')</script>")
