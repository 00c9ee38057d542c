"""Search result rows, and the rows grouped by document: each document once, at the rank of its
best passage, with its other passages behind "N more passages in this document".

No `from __future__ import annotations` here: Reflex reads these dataclasses' field types at
run time to type the page's vars.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class SnippetPart:
    text: str
    mark: bool = False


@dataclass
class ResultView:
    """One passage as a result row: where it is, the snippet in parts, and why it matched."""

    chunk_id: str
    document_id: str
    document_name: str
    kb_name: str
    page_label: str
    section: str  # the passage's heading path, "Install › Requirements" ("" without headings)
    parts: list[SnippetPart]
    relevance_label: str  # "Relevance 82%"
    weak: bool  # a weak match (state.retrieval.search.WEAK_RELEVANCE): shown muted
    why: str
    href: str


@dataclass
class DocumentGroup:
    document_id: str
    best: ResultView
    more: list[ResultView] = field(default_factory=list)
    more_label: str = ""  # "2 more passages in this document" ("" when there are none)


def more_label(count: int) -> str:
    if count < 1:
        return ""
    return f"{count} more passage{'s' * (count != 1)} in this document"


def group_by_document(results: Sequence[ResultView]) -> list[DocumentGroup]:
    """Results in rank order become one group per document, ordered by each document's best
    passage; inside a group the passages keep their rank order."""
    groups: dict[str, DocumentGroup] = {}
    for result in results:
        group = groups.get(result.document_id)
        if group is None:
            groups[result.document_id] = DocumentGroup(result.document_id, result)
        else:
            group.more.append(result)
    for group in groups.values():
        group.more_label = more_label(len(group.more))
    return list(groups.values())


def took_label(passages: int, documents: int, took_ms: float) -> str:
    """ "7 passages in 3 documents · 120 ms": what the search found and how long it took."""
    found = f"{passages} passage{'s' * (passages != 1)}"
    if passages:
        found += f" in {documents} document{'s' * (documents != 1)}"
    return f"{found} · {took_ms:.0f} ms"
