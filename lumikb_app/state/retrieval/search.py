"""Search page state: the query and filters (kept in the URL), and the results shown.

Searches run as background events, so typing never queues behind a slow search; a generation
number drops the answer of a search that a newer one has replaced.
"""

import asyncio
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.retrieval import Passage, SearchInputError, SearchResponse, page_label
from lumikb_app.services.retrieval import search as search_service
from lumikb_app.state.shell import ShellState

log = logging.getLogger(__name__)

ALL = "all"  # the filter value for "every knowledge base" / "every type" (Radix needs a value)
PAGE_LIMIT = 20
UNAVAILABLE = "Search is unavailable right now. Try again in a moment."
DOC_TYPE_OPTIONS: list[tuple[str, str]] = list(search_service.DOC_TYPES.items())


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
    parts: list[SnippetPart]
    score_label: str
    why: str
    href: str


def snippet_parts(text: str, spans: list[tuple[int, int]]) -> list[SnippetPart]:
    """The text cut at the highlighted ranges: plain and marked parts, in order."""
    parts, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            continue
        if start > position:
            parts.append(SnippetPart(text[position:start]))
        parts.append(SnippetPart(text[start:end], mark=True))
        position = end
    if position < len(text):
        parts.append(SnippetPart(text[position:]))
    return parts


def why_label(passage: Passage) -> str:
    reasons = []
    if passage.matched_terms:
        reasons.append("Matched: " + ", ".join(passage.matched_terms))
    if passage.semantic:
        reasons.append("semantic match" if reasons else "Semantic match: similar meaning")
    if passage.via:
        reasons.append(f"via the graph: {passage.via}")
    return " · ".join(reasons) or "Keyword match"


def result_view(passage: Passage, max_chars: int = 320) -> ResultView:
    text = search_service.snippet(passage, max_chars)
    spans = search_service.highlight_spans(text, passage.matched_terms)
    return ResultView(
        chunk_id=passage.chunk_id,
        document_id=passage.document_id,
        document_name=passage.document_name,
        kb_name=passage.kb_name,
        page_label=page_label(passage.page_start, passage.page_end),
        parts=snippet_parts(text, spans),
        score_label=f"{passage.score:.2f}",
        why=why_label(passage),
        href=passage.viewer_href,
    )


GRAPH_OPTIONS = (("default", "Graph: KB default"), ("on", "Graph: on"), ("off", "Graph: off"))
_GRAPH_SWITCH = {"on": True, "off": False}


def run_search(
    user: User,
    query: str,
    kb_id: str = ALL,
    doc_type: str = ALL,
    limit: int = PAGE_LIMIT,
    graph: str = "default",
) -> SearchResponse:
    return search_service.search(
        user,
        query,
        kb_ids=None if kb_id == ALL else [kb_id],
        doc_types=None if doc_type == ALL else [doc_type],
        limit=limit,
        graph=_GRAPH_SWITCH.get(graph),
    )


def _views(
    user: User, query: str, kb_id: str, doc_type: str, limit: int, graph: str, max_chars: int
) -> tuple[list[ResultView], str, float]:
    """The search and its result rows, off the event loop: snippets and highlights tokenise."""
    response = run_search(user, query, kb_id, doc_type, limit, graph)
    return [result_view(p, max_chars) for p in response.passages], "", response.took_ms


async def search_views(
    user: User | None,
    query: str,
    kb_id: str = ALL,
    doc_type: str = ALL,
    limit: int = PAGE_LIMIT,
    max_chars: int = 320,
    graph: str = "default",
) -> tuple[list[ResultView], str, float]:
    """The result rows, the message to show instead ("" when none) and the search's time in ms;
    the search page and the quick-search palette both answer through this."""
    try:
        if user is None:
            raise SearchInputError("Your session has ended. Sign in again to search.")
        return await asyncio.to_thread(
            _views, user, query, kb_id, doc_type, limit, graph, max_chars
        )
    except SearchInputError as exc:
        return [], str(exc), 0.0
    except Exception:
        log.exception("search failed")
        return [], UNAVAILABLE, 0.0


class SearchState(ShellState):
    query: str = ""
    kb_filter: str = ALL
    type_filter: str = ALL
    graph_filter: str = "default"  # default | on | off: graph fusion for this search
    results: list[ResultView] = []
    searched_query: str = ""  # the query the results shown answer ("" before any search)
    searching: bool = False
    error: str = ""
    took_label: str = ""
    _generation: int = 0

    @rx.event
    def load(self):
        """on_load: take the query and filters from the URL and search when there is a query."""
        params = self.router.url.query_parameters
        self.query = params.get("q", "")
        self.kb_filter = params.get("kb") or ALL
        self.type_filter = params.get("type") or ALL
        if self.type_filter not in search_service.DOC_TYPES:
            self.type_filter = ALL
        self.results, self.searched_query, self.error = [], "", ""
        return SearchState.search

    @rx.event
    def set_query(self, value: str):
        self.query = value
        return [self._sync_url(), SearchState.search]

    @rx.event
    def submit(self, form_data: dict):
        self.query = str(form_data.get("q", self.query))
        return [self._sync_url(), SearchState.search]

    @rx.event
    def set_kb_filter(self, value: str):
        self.kb_filter = value or ALL
        return [self._sync_url(), SearchState.search]

    @rx.event
    def set_type_filter(self, value: str):
        self.type_filter = value or ALL
        return [self._sync_url(), SearchState.search]

    @rx.event
    def set_graph_filter(self, value: str):
        self.graph_filter = value if value in _GRAPH_SWITCH else "default"
        return SearchState.search

    def _sync_url(self):
        """Keep ?q=&kb=&type= in the address bar (shareable, reloadable) without a navigation."""
        params = {"q": self.query.strip()}
        params.update({"kb": self.kb_filter} if self.kb_filter != ALL else {})
        params.update({"type": self.type_filter} if self.type_filter != ALL else {})
        url = "/search?" + urlencode(params) if params["q"] else "/search"
        return rx.call_script(
            f"window.history.replaceState(window.history.state, '', {json.dumps(url)})"
        )

    @rx.event(background=True)
    async def search(self):
        async with self:
            self._generation += 1
            generation, query = self._generation, self.query.strip()
            kb_id, doc_type, graph = self.kb_filter, self.type_filter, self.graph_filter
            if not query:
                self.results, self.searched_query, self.error = [], "", ""
                self.searching = False
                return
            self.searching = True
            user = await self.current_user()
        results, error, took_ms = await search_views(user, query, kb_id, doc_type, graph=graph)
        took = (
            "" if error else f"{len(results)} passage{'s' * (len(results) != 1)} · {took_ms:.0f} ms"
        )
        async with self:
            if generation != self._generation:
                return  # a newer search replaced this one
            self.results, self.error, self.took_label = results, error, took
            self.searched_query, self.searching = query, False
