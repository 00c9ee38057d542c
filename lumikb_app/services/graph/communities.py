"""Communities of a KB's graph: Louvain on its weighted relations, each with a title and summary.

`schedule(kb_id)` is what the extraction job calls after each document: it queues one recompute
per KB per time slot, so a burst of documents costs one recompute, never one per document.
`recompute(kb_id)` is that job: numbers by size (the largest is 0), written on the entities by
the graph store, and one `graph_communities` row each, replaced in one transaction. Entities
with no relation belong to no community. The title names the most mentioned entities; the
summary is extractive, or written by the extraction model for the largest communities when the
KB extracts with one (the model is called before the transaction opens).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
from sqlmodel import col, delete, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import GraphCommunity, KnowledgeBase
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.ports.graph import Entity, GraphStore
from lumikb_app.services.graph.community_summary import extractive_summary, model_summaries
from lumikb_app.services.platform.transactions import read_session, transaction

log = logging.getLogger(__name__)

RECOMPUTE_JOB = "workers.tasks.recompute_communities"
DEBOUNCE_SECONDS = 30
SEED = 13  # Louvain is randomized: a fixed seed gives the same communities for the same graph
TITLE_NAMES = 3
MAX_TITLE = 255
EVIDENCE_LOOKUPS = 50  # communities whose summary quotes their strongest relation


@dataclass(frozen=True)
class Community:
    number: int
    title: str
    summary: str
    size: int


def schedule(kb_id: str, *, delay_seconds: int = DEBOUNCE_SECONDS) -> str:
    """Queue a recompute at the end of the current time slot; the job id names the KB and the
    slot, so every call within one slot (any process) is the same job."""
    slot = int(time.time() // delay_seconds) + 1
    delay = max(1, round(slot * delay_seconds - time.time()))
    return get_container().jobs.schedule(
        delay, RECOMPUTE_JOB, kb_id, queue="graph", job_id=f"graph-communities-{kb_id}-{slot}"
    )


def schedule_quietly(kb_id: str) -> None:
    """After a document left a KB with a graph: recompute its communities in the next slot
    (never fails the caller; the next extraction schedules one anyway)."""
    try:
        settings = _settings(kb_id)
        if settings is not None and settings.graph_mode != "off":
            schedule(kb_id)
    except Exception:
        log.exception("could not schedule the communities of KB %s", kb_id)


def recompute(kb_id: str) -> int:
    """The job: detect, number, describe and store the KB's communities; returns how many."""
    settings = _settings(kb_id)
    if settings is None:
        return 0  # the KB is gone
    graph = get_container().graph
    edges = graph.weighted_edges(kb_id)
    groups = detect(edges)
    entities = {e.id: e for e in graph.get_entities([kb_id], [i for ids in groups for i in ids])}
    members = _numbered(groups, entities)
    graph.set_communities(kb_id, {eid: n for n, ids in enumerate(members) for eid in ids})
    described = _describe(graph, kb_id, members, entities, edges)
    if settings.graph_mode == "llm" and described:
        described = model_summaries(described)
    _store(kb_id, described)
    log.info("graph communities of KB %s: %d", kb_id, len(described))
    return len(described)


def detect(edges: Sequence[tuple[str, str, float]]) -> list[list[str]]:
    """Louvain communities of the weighted graph (entity ids, each list sorted)."""
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for source, target, weight in edges:
        if source != target:
            weights[(min(source, target), max(source, target))] += weight
    network = nx.Graph()
    network.add_weighted_edges_from((s, t, w) for (s, t), w in sorted(weights.items()))
    found = nx.community.louvain_communities(network, weight="weight", seed=SEED)
    return [sorted(ids) for ids in found]


def _numbered(groups: list[list[str]], entities: Mapping[str, Entity]) -> list[list[str]]:
    """Largest first; ties: the more mentioned, then the smallest id (stable across runs)."""

    def mentions(ids: list[str]) -> int:
        return sum(entities[i].mentions for i in ids if i in entities)

    return sorted(groups, key=lambda ids: (-len(ids), -mentions(ids), ids[0]))


def communities_of(kb_id: str) -> list[Community]:
    """The KB's stored communities by number (a building block: no access check)."""
    with read_session() as session:
        rows = session.exec(
            select(GraphCommunity)
            .where(GraphCommunity.kb_id == kb_id)
            .order_by(col(GraphCommunity.number))
        )
        return [Community(r.number, r.title, r.summary, r.size) for r in rows]


def _settings(kb_id: str) -> KbSettings | None:
    with read_session() as session:
        kb = session.get(KnowledgeBase, kb_id)
        return KbSettings.model_validate(kb.settings) if kb is not None else None


def _describe(
    graph: GraphStore,
    kb_id: str,
    members: list[list[str]],
    entities: Mapping[str, Entity],
    edges: Sequence[tuple[str, str, float]],
) -> list[Community]:
    degree, strongest = _inner_links(edges, members)
    described = []
    for number, ids in enumerate(members):
        present = sorted(
            (entities[i] for i in ids if i in entities), key=lambda e: (-e.mentions, e.name)
        )
        if not present:
            continue
        title = ", ".join(e.name for e in present[:TITLE_NAMES])[:MAX_TITLE]
        edge = strongest.get(number) if number < EVIDENCE_LOOKUPS else None
        evidence = _evidence(graph, kb_id, edge) if edge else ""
        summary = extractive_summary(present, degree, evidence)
        described.append(Community(number, title, summary, len(ids)))
    return described


def _inner_links(
    edges: Sequence[tuple[str, str, float]], members: list[list[str]]
) -> tuple[dict[str, int], dict[int, tuple[str, str]]]:
    """Per entity, its relations inside its community; per community, its heaviest pair."""
    number_of = {eid: n for n, ids in enumerate(members) for eid in ids}
    degree: dict[str, int] = defaultdict(int)
    best: dict[int, tuple[float, str, str]] = {}
    for source, target, weight in edges:
        n = number_of.get(source)
        if n is None or n != number_of.get(target) or source == target:
            continue
        degree[source] += 1
        degree[target] += 1
        if n not in best or (weight, source, target) > best[n]:
            best[n] = (weight, source, target)
    return degree, {n: (s, t) for n, (_w, s, t) in best.items()}


def _evidence(graph: GraphStore, kb_id: str, edge: tuple[str, str]) -> str:
    source, target = edge
    for relation in graph.relations_of([kb_id], source, limit=100):
        if {relation.source_id, relation.target_id} == {source, target} and relation.evidence:
            return relation.evidence
    return ""


def _store(kb_id: str, described: list[Community]) -> None:
    with transaction() as session:
        if session.get(KnowledgeBase, kb_id) is None:
            return  # deleted while the job ran: its purge removes the rest
        session.exec(delete(GraphCommunity).where(col(GraphCommunity.kb_id) == kb_id))
        now = utcnow()
        session.add_all(
            GraphCommunity(
                kb_id=kb_id,
                number=c.number,
                title=c.title,
                summary=c.summary,
                size=c.size,
                updated_at=now,
            )  # fmt: skip
            for c in described
        )
