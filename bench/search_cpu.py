"""CPU per search on real PEPs, with a cProfile summary of where it goes.

Usage: python -m bench.search_cpu [--docs 120] [--data-dir DIR] [--queries 64] [--top 15]

Ingests `--docs` PEPs (those peps-eval asks about first) through the real pipeline with the
built-in embedding model into an embedded deployment under DIR (kept, so a second run reuses it:
pass the same DIR to compare before/after a change). Then it asks distinct questions (peps-eval's,
then variants of them, so the result cache never answers) and prints the process CPU ms per
search as the search page runs it (p50/p95/mean), wall ms, and the top functions by cumulative time under cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import bench_admin, deployment  # noqa: E402

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
VARIANTS = ("", " in Python", " explained", " please, with an example", " and why")


def pep_paths(count: int) -> list[Path]:
    wanted = {
        line.split("\t")[1]
        for line in (CORPORA / "peps-eval" / "qrels.tsv").read_text().splitlines()[1:]
    }
    paths = sorted((CORPORA / "peps").glob("*.rst"))
    first = [p for p in paths if p.stem in wanted]
    return (first + [p for p in paths if p.stem not in wanted])[:count]


def questions(count: int) -> list[str]:
    lines = (CORPORA / "peps-eval" / "queries.jsonl").read_text().splitlines()
    base = [json.loads(line)["text"] for line in lines if line.strip()]
    return [q + v for v in VARIANTS for q in base][:count]


def seeded_user(docs: int):
    """The bench admin, after ingesting the PEPs if this DATA_DIR has none yet."""
    from sqlmodel import select

    from lumikb_app.container import get_container
    from lumikb_app.db.tables import User

    with get_container().db.session() as session:
        user = session.exec(select(User)).first()
        if user is not None:
            session.expunge(user)
            return user
        user = bench_admin(session)
    ingest_peps(user, pep_paths(docs))
    return user


def ingest_peps(user, paths: list[Path]) -> str:
    """A new "PEPs" knowledge base of `user` holding `paths`, once all of them have settled."""
    from lumikb_app.services.documents import documents
    from lumikb_app.services.knowledge_bases import kbs

    kb_id = kbs.create_kb(user, "PEPs").id
    started = time.perf_counter()
    ids = []
    for path in paths:
        spool = documents.new_spool(path.name)
        spool.write(path.read_bytes())
        ids.append(documents.accept_upload(user, kb_id, spool).document_id)
    _wait_ready(ids)
    print(f"ingested {len(ids)} PEPs in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return kb_id


def _wait_ready(ids: list[str]) -> None:
    from sqlmodel import col, func, select

    from lumikb_app.container import get_container
    from lumikb_app.db.tables import Document

    while True:
        with get_container().db.session() as session:
            settled = session.exec(
                select(func.count()).where(
                    col(Document.id).in_(ids), col(Document.status).in_(["ready", "failed"])
                )
            ).one()
        print(f"\r  settled {settled}/{len(ids)}", end="", file=sys.stderr, flush=True)
        if settled == len(ids):
            print(file=sys.stderr)
            return
        time.sleep(2)


def shown(search, user, question: str, limit: int) -> None:
    """One search as the search page runs it: the passages, then each one's snippet and
    highlights (state/retrieval/search.py: result_view)."""
    for passage in search.search(user, question, limit=limit).passages:
        search.highlight_spans(search.snippet(passage), passage.matched_terms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=120)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--queries", type=int, default=64)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--limit", type=int, default=20, help="results asked for (the UI's 20)")
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bench-search-cpu-")
    deployment(data_dir)
    user = seeded_user(args.docs)
    from lumikb_app.services.retrieval import search

    search.search(user, "warm up the search path")  # model load, first queries
    cpu, wall = [], []
    profile = cProfile.Profile()
    for question in questions(args.queries):
        started, started_cpu = time.perf_counter(), time.process_time()
        profile.enable()
        shown(search, user, question, args.limit)
        profile.disable()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(args.top)
    stats.print_stats(r"retrieval/(snippets|passages|search)\.py", args.top)
    print(out.getvalue())
    ordered = sorted(cpu)
    print(
        f"CPU ms per search (under cProfile): mean {statistics.mean(cpu):.1f}  "
        f"p50 {statistics.median(cpu):.1f}  p95 {ordered[int(0.95 * (len(ordered) - 1))]:.1f}  "
        f"wall mean {statistics.mean(wall):.1f} ms  (n={len(cpu)}, DATA_DIR {data_dir})"
    )
    cpu = []
    for question in questions(args.queries):
        started_cpu = time.process_time()
        shown(search, user, question + " again", args.limit)
        cpu.append((time.process_time() - started_cpu) * 1000)
    ordered = sorted(cpu)
    print(
        f"CPU ms per search (no profiler):    mean {statistics.mean(cpu):.1f}  "
        f"p50 {statistics.median(cpu):.1f}  p95 {ordered[int(0.95 * (len(ordered) - 1))]:.1f}"
    )


if __name__ == "__main__":
    main()
