"""Graph store at 10k entities / 50k relations, built the way extraction builds it (one
replace_document per document), on the embedded SQL store (SQLite) and on FalkorDB.

Usage: python -m bench.graph_traversal [ENTITIES]   (default 10_000; ~5 relations per entity)

The corpus: documents of 32 chunks, each chunk mentioning a few of its document's own rare
entities and several drawn by a Zipf law from the whole vocabulary (a handful of hubs
everyone mentions, a long tail), related by co-occurrence with their neighbours in the chunk;
a second KB of noise (a fifth of the size) shares the keys. Rows:

- build: every document through replace_document (total, and per document p50/p95);
- one PEP-sized document (60 chunks, 600 mentions, ~1,650 relations) replaced: new, then again;
- 2-hop neighbourhood, limit 200, from random seeds and from hub seeds: the store (hop by hop,
  stopping at the limit), next to the single recursive CTE over all hops it replaced (the
  baseline, SQLite only), the store again once two composite indexes on graph_relations
  ((source_id, target_id) and (target_id, source_id), not in the schema: a proposal) exist,
  and the same call on FalkorDB;
- find_entities (a prefix, and empty text: the most mentioned), mentions_of (limit 200) and
  relations_of (limit 12, as graph retrieval asks per seed), for tail entities and hubs.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, text
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import summary  # noqa: E402
from lumikb_app.adapters import graph_document as gd  # noqa: E402
from lumikb_app.adapters.sql_database import SqlDatabase  # noqa: E402
from lumikb_app.adapters.sql_graph import SqlGraphStore  # noqa: E402
from lumikb_app.domain.graph import (  # noqa: E402
    CO_OCCURS,
    DocumentGraph,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.ports.graph import GraphStore  # noqa: E402
from tests.integration.graph.graph_targets import falkordb_server, falkordb_store  # noqa: E402

KB, NOISE_KB = "kb-bench", "kb-noise"
RARE_PER_DOC, CHUNKS, RARE_PER_CHUNK, POPULAR_PER_CHUNK, WINDOW = 50, 32, 2, 8, 1
ZIPF = 1.1
RUNS, SEEDS = 200, 20

Corpus = list[tuple[str, DocumentGraph]]


@dataclass
class Samples:
    """Wall-clock and this process's CPU time per call, in ms. SQLite works inside this
    process, so its CPU time is what the call costs on an idle machine; FalkorDB's work is
    in its server, so only its wall-clock means anything."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def __add__(self, other: Samples) -> Samples:
        return Samples(self.wall + other.wall, self.cpu + other.cpu)

    def text(self, *, cpu: bool) -> str:
        shown = summary(self.wall)
        if cpu:
            ordered = sorted(self.cpu)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            shown += f"   cpu p50 {statistics.median(ordered):6.2f} p95 {p95:6.2f}"
        return shown


def timed(fn: Callable[[], object], runs: int) -> Samples:
    samples = Samples()
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.cpu.append((time.process_time() - cpu) * 1000)
        samples.wall.append((time.perf_counter() - wall) * 1000)
    return samples


def corpus(entities: int, tag: str, seed: int) -> Corpus:
    rng = random.Random(seed)
    keys = [f"entity {i}" for i in range(entities)]
    cum = list(itertools.accumulate(1 / (i + 1) ** ZIPF for i in range(entities)))
    docs = []
    for d in range(max(1, entities // RARE_PER_DOC)):
        rare = keys[d * RARE_PER_DOC : (d + 1) * RARE_PER_DOC]
        doc_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tag}/{d}"))
        chunks = [
            rare[(c * RARE_PER_CHUNK) % len(rare) :][:RARE_PER_CHUNK]
            + rng.choices(keys, cum_weights=cum, k=POPULAR_PER_CHUNK)
            for c in range(CHUNKS)
        ]
        docs.append((doc_id, document(doc_id, chunks)))
    return docs


def document(doc_id: str, chunks: list[list[str]], window: int = WINDOW) -> DocumentGraph:
    graph = DocumentGraph()
    seen: set[str] = set()
    for c, picked in enumerate(chunks):
        chunk_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc_id}/{c}"))
        picked = list(dict.fromkeys(picked))
        for i, key in enumerate(picked):
            if key not in seen:
                seen.add(key)
                graph.entities.append(EntityDraft(key, key.title(), "term"))
            graph.mentions.append(MentionDraft(key, chunk_id, 20 * i, 20 * i + len(key)))
            for other in picked[i + 1 : i + 1 + window]:
                evidence = f"{key} goes with {other}."
                graph.relations.append(RelationDraft(key, other, CO_OCCURS, chunk_id, evidence))
    return graph


def pep_sized(entities: int, seed: int) -> DocumentGraph:
    """60 chunks of 10 mentions, 30 co-occurrences each: 600 mentions, ~1,650 relations."""
    rng = random.Random(seed)
    cum = list(itertools.accumulate(1 / (i + 1) ** ZIPF for i in range(entities)))
    keys = [f"entity {i}" for i in range(entities)]
    chunks = [list(dict.fromkeys(rng.choices(keys, cum_weights=cum, k=40)))[:10] for _ in range(60)]
    return document(f"pep-{seed}", chunks, window=4)


def build(store: GraphStore, docs: Corpus, kb: str) -> Samples:
    per_doc = Samples()
    for doc_id, graph in docs:
        per_doc += timed(lambda d=doc_id, g=graph: store.replace_document(kb, d, g), 1)
    return per_doc


# The single recursive CTE the SQL store walked with before (all hops, then the limit).
_CTE = text(
    """
    WITH RECURSIVE walk(id, depth) AS (
        SELECT CAST(e.id AS TEXT), 0 FROM graph_entities e
        WHERE e.kb_id = :kb_id AND e.id IN :seeds
      UNION
        SELECT CAST(CASE WHEN r.source_id = w.id THEN r.target_id ELSE r.source_id END AS TEXT),
               w.depth + 1
        FROM walk w
        JOIN graph_relations r ON (r.source_id = w.id OR r.target_id = w.id)
        WHERE w.depth < :hops AND r.kb_id || '' = :kb_id
    )
    SELECT e.id FROM (SELECT id, MIN(depth) AS depth FROM walk GROUP BY id) nearest
    JOIN graph_entities e ON e.id = nearest.id
    WHERE e.kb_id = :kb_id
    ORDER BY nearest.depth, e.id
    LIMIT :limit
    """
).bindparams(bindparam("seeds", expanding=True))


def cte_walk(db: SqlDatabase, store: SqlGraphStore, seed: str) -> None:
    with db.engine.connect() as conn:
        params = {"kb_id": KB, "seeds": [seed], "hops": 2, "limit": 200}
        ids = list(conn.execute(_CTE, params).scalars())
    store.neighbourhood(KB, ids, hops=0, limit=200)  # those entities and the relations among them


def cycling(items: list[str]) -> Callable[[], str]:
    it = itertools.cycle(items)
    return lambda: next(it)


@contextmanager
def falkordb(workdir: Path) -> Iterator[GraphStore]:
    with falkordb_server(workdir) as port, falkordb_store(port) as store:
        yield store


def timings(store: GraphStore, randoms: list[str], hubs: list[str]) -> dict[str, Samples]:
    nxt, hub = cycling(randoms), cycling(hubs)
    prefix = cycling([f"entity {i}" for i in range(1, 99)])
    return {
        "2-hop, random seed": timed(
            lambda: store.neighbourhood(KB, [nxt()], hops=2, limit=200), RUNS
        ),
        "2-hop, hub seed": timed(lambda: store.neighbourhood(KB, [hub()], hops=2), RUNS // 4),
        "find_entities prefix": timed(lambda: store.find_entities([KB], prefix()), RUNS // 2),
        "find_entities empty text": timed(lambda: store.find_entities([KB], ""), RUNS // 4),
        "mentions_of random, 200": timed(lambda: store.mentions_of([KB], [nxt()]), RUNS // 2),
        "mentions_of hub, 200": timed(lambda: store.mentions_of([KB], [hub()]), RUNS // 4),
        "relations_of random, 12": timed(
            lambda: store.relations_of([KB], nxt(), limit=12), RUNS // 2
        ),
        "relations_of hub, 12": timed(lambda: store.relations_of([KB], hub(), limit=12), RUNS // 4),
    }


def pep_timings(store: GraphStore, entities: int) -> tuple[Samples, Samples]:
    new, again = Samples(), Samples()
    for seed in range(5):
        graph = pep_sized(entities, seed)
        doc_id = f"pep-{seed}"
        new += timed(lambda g=graph, d=doc_id: store.replace_document(KB, d, g), 1)
        again += timed(lambda g=graph, d=doc_id: store.replace_document(KB, d, g), 1)
        store.delete_document(KB, doc_id)
    return new, again


def main(entities: int = 10_000) -> None:
    docs, noise = corpus(entities, "bench", 7), corpus(entities // 5, "noise", 8)
    rows = [gd.document_rows(d, g) for d, g in docs]
    print(
        f"== graph traversal: {len(docs)} documents, "
        f"{sum(len(r.mentions) for r in rows):,} mentions, "
        f"{sum(len(r.relations) for r in rows):,} relations in one KB, plus {len(noise)} noise "
        f"documents in another =="
    )
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        db = SqlDatabase(f"sqlite:///{tmp}/graph.sqlite3")
        SQLModel.metadata.create_all(db.engine)
        sql = SqlGraphStore(db)
        sql_build = build(sql, docs, KB)
        build(sql, noise, NOISE_KB)
        stats = sql.stats(KB)
        print(
            f"built: {stats.entities:,} entities, {stats.relations:,} relations, "
            f"{stats.mentions:,} mentions (SQLite)"
        )
        top = sql.find_entities([KB], "", limit=SEEDS)
        hubs = [e.id for e in top]
        print(
            f"hubs: the top {SEEDS} have {top[-1].mentions}..{top[0].mentions} mentions, "
            f"{len(sql.relations_of([KB], hubs[0], limit=100_000)):,} relations at most"
        )
        keys = rng.sample(range(entities), RUNS)
        randoms = [gd.entity_id(KB, f"entity {i}") for i in keys]
        results = {"SQLite": timings(sql, randoms, hubs)}
        nxt, hub = cycling(randoms), cycling(hubs)
        baseline = {
            "2-hop, random seed": timed(lambda: cte_walk(db, sql, nxt()), RUNS),
            "2-hop, hub seed": timed(lambda: cte_walk(db, sql, hub()), RUNS // 4),
        }
        with db.engine.begin() as conn:  # what a composite index pair would give (proposed)
            for name, columns in (("st", "source_id, target_id"), ("ts", "target_id, source_id")):
                conn.execute(text(f"CREATE INDEX bench_{name} ON graph_relations ({columns})"))
        indexed = {
            "2-hop, random seed": timed(lambda: sql.neighbourhood(KB, [nxt()], hops=2), RUNS),
            "2-hop, hub seed": timed(lambda: sql.neighbourhood(KB, [hub()], hops=2), RUNS // 4),
        }
        sql_pep = pep_timings(sql, entities)
        db.close()
        with falkordb(Path(tmp)) as falkor:
            falkor_build = build(falkor, docs, KB)
            build(falkor, noise, NOISE_KB)
            results["FalkorDB"] = timings(falkor, randoms, hubs)
            falkor_pep = pep_timings(falkor, entities)

    builds = {"SQLite": sql_build, "FalkorDB": falkor_build}
    report(builds, {"SQLite": sql_pep, "FalkorDB": falkor_pep}, results, baseline, indexed)


def report(
    builds: dict[str, Samples],
    peps: dict[str, tuple[Samples, Samples]],
    results: dict[str, dict[str, Samples]],
    baseline: dict[str, Samples],
    indexed: dict[str, Samples],
) -> None:
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs while it ran)")
    for engine, per_doc in builds.items():
        total = sum(per_doc.wall) / 1000
        shown = per_doc.text(cpu=engine == "SQLite")
        print(f"build, {engine:9} total {total:6.1f} s, per document  {shown}")
    for engine, (new, again) in peps.items():
        print(f"PEP-sized document, {engine}: new    {new.text(cpu=engine == 'SQLite')}")
        print(f"PEP-sized document, {engine}: again  {again.text(cpu=engine == 'SQLite')}")
    for row in results["SQLite"]:
        for engine, samples in results.items():
            print(f"{row:26} {engine:9} {samples[row].text(cpu=engine == 'SQLite')}")
        if row in baseline:
            print(f"{row:26} {'CTE':9} {baseline[row].text(cpu=True)}   (baseline)")
            print(f"{row:26} {'SQLite+ix':9} {indexed[row].text(cpu=True)}   (proposed indexes)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
