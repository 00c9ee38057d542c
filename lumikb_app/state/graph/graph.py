"""Graph page state: one KB's graph, loaded progressively.

The page opens on the most mentioned entities of the KB chosen (`?kb=` in the address, else the
first the user may read); clicking an entity shows its panel and adds its neighbours to the
drawn graph; the search box finds entities by name; the type and community filters reload the
top entities. Every service call runs off the event loop in a background event, and a
generation number drops an answer that a newer request replaced. While the KB's graph is being
extracted, a watcher re-reads its status every few seconds and redraws when it settles.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.graph import explore
from lumikb_app.services.graph import status as graph_status
from lumikb_app.services.knowledge_bases import kbs as kb_service
from lumikb_app.state.graph import graph_views as views
from lumikb_app.state.graph.graph_views import (
    CommunityView,
    LinkView,
    NodeView,
    PassageView,
    RelationView,
)
from lumikb_app.state.shell import NOT_FOUND_MESSAGE, ShellState

log = logging.getLogger(__name__)

ROUTE = "/graph"
ALL = "all"
TOP_ENTITIES = 150
NEIGHBOURS = 60
SEARCH_RESULTS = 12
LEGEND_SIZE = 8
WATCH_SECONDS = 3.0
WATCH_LIMIT_SECONDS = 30 * 60
UNAVAILABLE = "The graph is unavailable right now. Try again in a moment."


@dataclass(frozen=True)
class _Loaded:
    """Everything the page shows about a KB's graph before anything is clicked."""

    overview: explore.GraphOverview
    status: graph_status.GraphKbStatus
    can_manage: bool


def _load(user: User, kb_id: str, types: list[str], community: int | None) -> _Loaded:
    found = explore.overview(user, kb_id, limit=TOP_ENTITIES, types=types, community=community)
    status = graph_status.kb_status(user, kb_id)
    return _Loaded(found, status, kb_service.my_role(user, kb_id) == KbRole.ADMIN)


def _settled(status: graph_status.GraphKbStatus) -> bool:
    """Nothing more to wait for: no document is being extracted, and the communities of the
    entities found are computed (a job after extraction settles)."""
    if status.mode == "off":
        return True
    return status.documents_extracting == 0 and (status.communities > 0 or not status.entities)


def _community_arg(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 6 else None


class GraphState(ShellState):
    kb_id: str = ""
    kb_name: str = ""
    graph_mode: str = ""  # off | fast | llm; "" until loaded
    can_manage: bool = False
    loading: bool = False
    loaded: bool = False
    error: str = ""
    entity_count: int = 0
    relation_count: int = 0
    extracting: bool = False
    extract_label: str = ""
    extract_progress: int = 0  # percent
    failed_label: str = ""
    nodes: list[NodeView] = []
    links: list[LinkView] = []
    communities: list[CommunityView] = []
    types: list[str] = []
    type_filter: str = ALL
    community_filter: str = ALL
    query: str = ""
    results: list[NodeView] = []
    searched: str = ""
    selected_id: str = ""
    detail_loading: bool = False
    detail_name: str = ""
    detail_type: str = ""
    detail_description: str = ""
    detail_aliases: str = ""
    detail_community: str = ""
    detail_color: str = ""
    detail_mentions: int = 0
    relations: list[RelationView] = []
    passages: list[PassageView] = []
    _generation: int = 0
    _watching: bool = False

    @rx.var
    def graph_data(self) -> dict[str, list[dict]]:
        return views.graph_data(self.nodes, self.links)

    @rx.var
    def fit_key(self) -> str:
        """Changes with what the top entities were drawn for (the drawing is fitted anew)."""
        return f"{self.kb_id}|{self.type_filter}|{self.community_filter}|{self.loaded}"

    @rx.var
    def legend(self) -> list[CommunityView]:
        return self.communities[:LEGEND_SIZE]

    @rx.var
    def legend_more(self) -> str:
        more = len(self.communities) - LEGEND_SIZE
        return f"and {more} more (choose them in the filter)" if more > 0 else ""

    @rx.var
    def shown_label(self) -> str:
        shown = len(self.nodes)
        return f"{shown} of {self.entity_count} entities" if self.entity_count else ""

    @rx.var
    def settings_href(self) -> str:
        return f"/kb/{self.kb_id}/settings" if self.kb_id else "/"

    # -- page load and KB choice --------------------------------------------------------------

    @rx.event
    def load(self):
        """on_load after the sidebar: the KB named in the address, else the first readable."""
        wanted = self.router.url.query_parameters.get("kb", "")[: explore.MAX_ID_CHARS]
        readable = [kb.id for kb in self.kbs]
        self.kb_id = wanted or (readable[0] if readable else "")
        self._reset_graph()
        self.type_filter = self.community_filter = ALL
        return GraphState.refresh if self.kb_id else None

    @rx.event
    def choose_kb(self, kb_id: str):
        self.kb_id = kb_id[: explore.MAX_ID_CHARS]
        self._reset_graph()
        self.type_filter = self.community_filter = ALL
        url = f"{ROUTE}?kb={self.kb_id}"
        return [
            rx.call_script(
                f"window.history.replaceState(window.history.state, '', {json.dumps(url)})"
            ),
            GraphState.refresh,
        ]

    @rx.event
    def set_type_filter(self, value: str):
        self.type_filter = value if value in self.types else ALL
        return GraphState.refresh

    @rx.event
    def set_community_filter(self, value: str):
        known = {c.number for c in self.communities}
        self.community_filter = value if value in known else ALL
        return GraphState.refresh

    def _reset_graph(self) -> None:
        self.kb_name, self.graph_mode, self.can_manage, self.error = "", "", False, ""
        self.loaded, self.entity_count, self.relation_count = False, 0, 0
        self.extracting, self.extract_label, self.extract_progress, self.failed_label = (
            False, "", 0, ""
        )  # fmt: skip
        self.nodes, self.links, self.communities, self.types = [], [], [], []
        self.query, self.results, self.searched = "", [], ""
        self._clear_detail()

    def _clear_detail(self) -> None:
        self.selected_id, self.detail_loading = "", False
        self.detail_name = self.detail_type = self.detail_description = ""
        self.detail_aliases = self.detail_community = self.detail_color = ""
        self.detail_mentions, self.relations, self.passages = 0, [], []

    @rx.event(background=True)
    async def refresh(self):
        """Draw the top entities (of the filters) and the KB's graph status."""
        async with self:
            self._generation += 1
            generation, kb_id = self._generation, self.kb_id
            types = [] if self.type_filter == ALL else [self.type_filter]
            community = _community_arg(self.community_filter)
            self.loading, self.error = True, ""
            user = await self.current_user()
        loaded, error = None, ""
        try:
            if user is None:
                raise PermissionDenied(NOT_FOUND_MESSAGE)
            loaded = await asyncio.to_thread(_load, user, kb_id, types, community)
        except PermissionDenied:
            error = NOT_FOUND_MESSAGE
        except explore.GraphInputError as bad:
            error = str(bad)
        except Exception:
            log.exception("graph overview failed")
            error = UNAVAILABLE
        async with self:
            if generation != self._generation:
                return None
            self.loading, self.error = False, error
            if loaded is None:
                self._reset_graph()
                self.error = error
                return None
            self._show(loaded)
            if not _settled(loaded.status) and not self._watching:
                return GraphState.watch_extraction
        return None

    def _show(self, loaded: _Loaded) -> None:
        found, status = loaded.overview, loaded.status
        self.kb_name, self.graph_mode, self.can_manage = (
            found.kb_name,
            found.graph_mode,
            loaded.can_manage,
        )
        self.entity_count, self.relation_count = found.entity_count, found.relation_count
        self.nodes = [views.node_view(n) for n in found.nodes]
        self.links = [views.link_view(e) for e in found.edges]
        self.communities = [views.community_view(c) for c in found.communities]
        self.types = list(found.types)
        self._show_status(status)
        self.loaded = True

    def _show_status(self, status: graph_status.GraphKbStatus) -> None:
        self.extracting = status.mode != "off" and status.documents_extracting > 0
        self.extract_progress = round(status.extracting_progress * 100)
        done, ready = status.documents_done, status.documents_ready
        self.extract_label = (
            f"Extracting entities from {status.documents_extracting} document"
            f"{'s' * (status.documents_extracting != 1)}: {done} of {ready} done"
            if self.extracting
            else ""
        )
        failed = status.documents_failed
        self.failed_label = (
            f"Extraction failed for {failed} document{'s' * (failed != 1)}"
            + (f" ({status.failed[0].name}: {status.failed[0].error})" if status.failed else "")
            if failed
            else ""
        )

    @rx.event(background=True)
    async def watch_extraction(self):
        """While the KB's graph is being extracted (or its communities computed): its status
        every few seconds, and the graph redrawn once it settles (stops when the browser leaves
        the page or the KB)."""
        async with self:
            if self._watching:
                return None
            self._watching, kb_id = True, self.kb_id
        started = time.monotonic()
        try:
            while time.monotonic() - started < WATCH_LIMIT_SECONDS:
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    if self.kb_id != kb_id or self.router.url.path.rstrip("/") != ROUTE:
                        return None
                    user = await self.current_user()
                if user is None:
                    return None
                status = await asyncio.to_thread(graph_status.kb_status, user, kb_id)
                async with self:
                    if self.kb_id != kb_id:
                        return None
                    self._show_status(status)
                    if _settled(status):
                        return GraphState.refresh
                    self.entity_count = status.entities
        except PermissionDenied:
            return None
        finally:
            async with self:
                self._watching = False
        return None

    # -- search, select, expand ---------------------------------------------------------------

    @rx.event
    def set_query(self, value: str):
        self.query = value[: explore.MAX_QUERY_CHARS]
        return GraphState.run_search

    @rx.event(background=True)
    async def run_search(self):
        async with self:
            query, kb_id = self.query.strip(), self.kb_id
            if not query or not kb_id:
                self.results, self.searched = [], ""
                return
            user = await self.current_user()
        try:
            if user is None:
                raise PermissionDenied(NOT_FOUND_MESSAGE)
            found = await asyncio.to_thread(
                explore.search_entities, user, kb_id, query, limit=SEARCH_RESULTS
            )
        except (PermissionDenied, explore.GraphInputError):
            found = []
        async with self:
            if self.query.strip() == query and self.kb_id == kb_id:
                self.results, self.searched = [views.node_view(n) for n in found], query

    @rx.event
    def select_entity(self, entity_id: str):
        """A node, a search result or a related entity was clicked: its panel, and its
        neighbours added to the drawn graph."""
        self.selected_id = entity_id[: explore.MAX_ID_CHARS]
        self.detail_loading = True
        self.results, self.query, self.searched = [], "", ""
        return [GraphState.load_detail, GraphState.expand_selected]

    @rx.event
    def clear_selection(self):
        self._clear_detail()

    @rx.event(background=True)
    async def load_detail(self):
        async with self:
            entity_id, kb_id = self.selected_id, self.kb_id
            user = await self.current_user()
        try:
            if user is None or not entity_id:
                raise PermissionDenied(NOT_FOUND_MESSAGE)
            detail = await asyncio.to_thread(explore.entity_detail, user, kb_id, entity_id)
        except (PermissionDenied, explore.EntityNotFound):
            detail, error = None, explore.ENTITY_NOT_FOUND
        except Exception:
            log.exception("graph entity detail failed")
            detail, error = None, UNAVAILABLE
        async with self:
            if (self.selected_id, self.kb_id) != (entity_id, kb_id):
                return
            if detail is None:
                self._clear_detail()
                self.error = error
                return
            self._show_detail(detail)

    def _show_detail(self, detail: explore.EntityDetail) -> None:
        node = views.node_view(detail.node)
        self.detail_loading, self.error = False, ""
        self.detail_name, self.detail_type, self.detail_color = node.name, node.type, node.color
        self.detail_mentions, self.detail_description = node.mentions, detail.description
        self.detail_aliases = ", ".join(detail.aliases)
        self.detail_community = detail.community.title if detail.community else ""
        self.relations = [views.relation_view(r) for r in detail.relations]
        self.passages = [views.passage_view(p) for p in detail.passages]

    @rx.event
    def expand_more(self):
        """Two hops around the selected entity instead of one."""
        return GraphState.expand_two_hops if self.selected_id else None

    @rx.event(background=True)
    async def expand_selected(self):
        await self._expand(hops=1)

    @rx.event(background=True)
    async def expand_two_hops(self):
        await self._expand(hops=2)

    async def _expand(self, hops: int) -> None:
        async with self:
            entity_id, kb_id = self.selected_id, self.kb_id
            user = await self.current_user()
        try:
            if user is None or not entity_id:
                raise PermissionDenied(NOT_FOUND_MESSAGE)
            found = await asyncio.to_thread(
                explore.neighbours, user, kb_id, entity_id, hops=hops, limit=NEIGHBOURS
            )
        except (PermissionDenied, explore.EntityNotFound):
            return
        except Exception:
            log.exception("graph neighbours failed")
            return
        async with self:
            if self.kb_id == kb_id:
                self.nodes, self.links = views.merged(self.nodes, self.links, found)
