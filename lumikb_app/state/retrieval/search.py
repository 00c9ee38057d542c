"""Search page state: the query and filters (kept in the URL), and the results shown.

Searches run as background events, so typing never queues behind a slow search; a generation
number drops the answer of a search that a newer one has replaced.
"""

import asyncio
import dataclasses
import json
import logging
from urllib.parse import urlencode

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.retrieval import (
    Passage,
    SearchInputError,
    SearchResponse,
    page_label,
    relevance_percent,
)
from lumikb_app.domain.search_page import RESULTS_PER_SEARCH
from lumikb_app.services.retrieval import search as search_service
from lumikb_app.state.retrieval import kb_filter
from lumikb_app.state.retrieval.result_groups import (
    DocumentGroup,
    ResultView,
    SnippetPart,
    group_by_document,
    took_label,
)
from lumikb_app.state.shell import ShellState

log = logging.getLogger(__name__)

ALL = "all"  # the filter value for "every type" (Radix needs a value)
PAGE_LIMIT = RESULTS_PER_SEARCH  # the same number the REST API returns by default
SECTION_SEPARATOR = " › "
__all__ = ["DocumentGroup", "ResultView", "SearchState", "SnippetPart", "result_view"]
UNAVAILABLE = "Search is unavailable right now. Try again in a moment."
DOC_TYPE_OPTIONS: list[tuple[str, str]] = list(search_service.DOC_TYPES.items())


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
    return " · ".join(reasons) or ("Keyword match" if passage.keyword else "Weak match")


WEAK_RELEVANCE = 0.35  # below this a match is weak (the bands chat's confidence uses too)


def relevance_label(passage: Passage) -> str:
    """The passage's calibrated relevance (0..1, absolute: the same figure means the same
    evidence in every search) as a percentage a person can read; never the fused score, which
    only orders one result list (its best passage is always near 1)."""
    return f"Relevance {relevance_percent(passage.relevance)}%"


def section_label(passage: Passage) -> str:
    return SECTION_SEPARATOR.join(h.strip() for h in passage.heading_path if h.strip())


MAX_BACK_QUERY = 500  # the viewer keeps at most this much of the query for "Back to results"


def result_href(passage: Passage, query: str = "") -> str:
    """The passage in the viewer; with the query, the viewer offers "Back to results". The
    parameters go before page and version, where the viewer's own page links put them."""
    href = passage.viewer_href
    if not query.strip():
        return href
    back = urlencode({"from": "search", "q": query.strip()[:MAX_BACK_QUERY]})
    start, page, rest = href.partition("&page=")
    return f"{start}&{back}{page}{rest}"


def without_heading_lines(passage: Passage) -> Passage:
    """The passage without the heading lines it opens with: the section path shows them apart,
    so the snippet starts with what the section says. A passage of headings only stays whole."""
    headings = {h.strip() for h in passage.heading_path if h.strip()}
    text = passage.text
    while headings:
        first, newline, rest = text.lstrip().partition("\n")
        if not newline or first.strip() not in headings:
            break
        text = rest
    left = text.strip()
    return dataclasses.replace(passage, text=text) if left and left not in headings else passage


def result_view(passage: Passage, max_chars: int = 320, query: str = "") -> ResultView:
    text = search_service.snippet(without_heading_lines(passage), max_chars)
    spans = search_service.highlight_spans(text, passage.matched_terms)
    return ResultView(
        chunk_id=passage.chunk_id,
        document_id=passage.document_id,
        document_name=passage.document_name,
        kb_name=passage.kb_name,
        page_label=page_label(passage.page_start, passage.page_end),
        section=section_label(passage),
        parts=snippet_parts(text, spans),
        relevance_label=relevance_label(passage),
        weak=passage.relevance < WEAK_RELEVANCE,
        why=why_label(passage),
        href=result_href(passage, query),
    )


GRAPH_OPTIONS = (("default", "Graph: KB default"), ("on", "Graph: on"), ("off", "Graph: off"))
_GRAPH_SWITCH = {"on": True, "off": False}


def run_search(
    user: User,
    query: str,
    kb_ids: list[str] | None = None,
    doc_type: str = ALL,
    limit: int = PAGE_LIMIT,
    graph: str = "default",
) -> SearchResponse:
    """`kb_ids` empty or None: every KB the user may read."""
    return search_service.search(
        user,
        query,
        kb_ids=kb_ids or None,
        doc_types=None if doc_type == ALL else [doc_type],
        limit=limit,
        graph=_GRAPH_SWITCH.get(graph),
    )


def _views(
    user: User,
    query: str,
    kb_ids: list[str] | None,
    doc_type: str,
    limit: int,
    graph: str,
    max_chars: int,
) -> tuple[list[ResultView], str, float]:
    """The search and its result rows, off the event loop: snippets and highlights tokenise."""
    response = run_search(user, query, kb_ids, doc_type, limit, graph)
    views = [result_view(p, max_chars, response.query) for p in response.passages]
    return views, "", response.took_ms


async def search_views(
    user: User | None,
    query: str,
    kb_ids: list[str] | None = None,
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
            _views, user, query, kb_ids, doc_type, limit, graph, max_chars
        )
    except SearchInputError as exc:
        return [], str(exc), 0.0
    except Exception:
        log.exception("search failed")
        return [], UNAVAILABLE, 0.0


class SearchState(ShellState):
    query: str = ""
    kb_filter: list[str] = []  # the chosen KBs; none: every KB the user may read
    type_filter: str = ALL
    graph_filter: str = "default"  # default | on | off: graph fusion for this search
    groups: list[DocumentGroup] = []
    searched_query: str = ""  # the query the results shown answer ("" before any search)
    searching: bool = False
    error: str = ""
    took_label: str = ""
    _generation: int = 0

    @rx.var
    def kb_filter_label(self) -> str:
        return kb_filter.filter_label(self.kb_filter, {kb.id: kb.name for kb in self.kbs})

    def _readable(self, chosen: list[str]) -> list[str]:
        """Only KBs the user may read (the sidebar's list, once loaded; the service checks
        again, so an id that is no longer readable finds nothing either way)."""
        if not self.kbs:
            return chosen
        return kb_filter.readable_choice(chosen, (kb.id for kb in self.kbs))

    @rx.event
    def load(self):
        """on_load: take the query and filters from the URL and search when there is a query."""
        params = self.router.url.query_parameters
        self.query = params.get("q", "")
        self.kb_filter = self._readable(kb_filter.parse_kb_param(params.get("kb", "")))
        self.type_filter = params.get("type") or ALL
        if self.type_filter not in search_service.DOC_TYPES:
            self.type_filter = ALL
        self.groups, self.searched_query, self.error = [], "", ""
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
    def set_kb_checked(self, kb_id: str, checked: bool):
        """Add a KB to the filter or take it out; a KB the user may not read is never added."""
        if checked and not self._readable([kb_id]):
            return None
        self.kb_filter = kb_filter.toggled(self.kb_filter, kb_id, checked)[: kb_filter.MAX_CHOSEN]
        return [self._sync_url(), SearchState.search]

    @rx.event
    def clear_kb_filter(self):
        if not self.kb_filter:  # "All knowledge bases" unticked while it is the choice
            return None
        self.kb_filter = []
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
        url = search_url(self.query, self.kb_filter, self.type_filter)
        return rx.call_script(
            f"window.history.replaceState(window.history.state, '', {json.dumps(url)})"
        )

    @rx.event(background=True)
    async def search(self):
        async with self:
            self._generation += 1
            generation, query = self._generation, self.query.strip()
            kb_ids, doc_type, graph = list(self.kb_filter), self.type_filter, self.graph_filter
            if not query:
                self.groups, self.searched_query, self.error = [], "", ""
                self.searching = False
                return
            self.searching = True
            user = await self.current_user()
        results, error, took_ms = await search_views(user, query, kb_ids, doc_type, graph=graph)
        groups = group_by_document(results)
        took = "" if error else took_label(len(results), len(groups), took_ms)
        async with self:
            if generation != self._generation:
                return  # a newer search replaced this one
            self.groups, self.error, self.took_label = groups, error, took
            self.searched_query, self.searching = query, False


def search_url(query: str, kb_ids: list[str], doc_type: str = ALL) -> str:
    """The search page for this query and these filters ("/search" without a query)."""
    params = {"q": query.strip()}
    params.update({"kb": kb_filter.kb_param(kb_ids)} if kb_ids else {})
    params.update({"type": doc_type} if doc_type != ALL else {})
    return "/search?" + urlencode(params) if params["q"] else "/search"
