"""Retrieval evaluation: ingest a corpus into a knowledge base, run every query through the
search service the app uses, and score the documents by their best passage.

`python -m lumikb_app eval` drives it. A throwaway KB is created for the corpus (top-k raised to
the search maximum so ten documents can be ranked) and deleted afterwards; or an existing KB is
reused, whose documents map to corpus ids by file name without extension.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.domain.enums import DocumentStatus, SystemRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.accounts import auth
from lumikb_app.services.documents import documents
from lumikb_app.services.documents.uploads import UploadRejected
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform import seed
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.services.retrieval import eval_metrics as metrics
from lumikb_app.services.retrieval import search
from lumikb_app.services.retrieval.eval_inputs import CorpusDocument, EvaluationInputError

EVAL_USER_EMAIL = "retrieval-eval@lumikb.local"
SEARCH_LIMIT = search.MAX_LIMIT  # passages per query: the search service's maximum
PURGE_WAIT_SECONDS = 120.0


@dataclass
class EvalReport:
    metrics: dict[str, float]
    latency_p50_ms: float
    latency_p95_ms: float
    queries: int
    documents: int
    failed_documents: int = 0
    kb_id: str = ""
    rankings: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            **{name: round(value, 4) for name, value in self.metrics.items()},
            "latency_p50_ms": round(self.latency_p50_ms, 1),
            "latency_p95_ms": round(self.latency_p95_ms, 1),
            "queries": self.queries,
            "documents": self.documents,
            "failed_documents": self.failed_documents,
            "kb_id": self.kb_id,
        }


def eval_user(*, create: bool = True) -> User:
    """An active system administrator (may read every KB); created, without a password, if none
    exists and `create` is true."""
    with transaction() as session:
        admin = session.exec(
            select(User)
            .where(User.system_role == SystemRole.admin.value, User.is_active)
            .order_by(col(User.created_at))
        ).first()
        if admin is None and not create:
            raise EvaluationInputError("There is no administrator account to search as.")
        if admin is None:
            admin = auth.create_user(
                session,
                email=EVAL_USER_EMAIL,
                display_name="Retrieval evaluation",
                password=None,
                role=SystemRole.admin,
            )
        session.expunge(admin)
        return admin


def create_eval_kb(user: User, corpus_name: str, graph_mode: str = "off") -> str:
    name = f"Retrieval evaluation: {corpus_name} ({utcnow():%Y-%m-%d %H:%M:%S})"
    description = "Created by `lumikb eval`."
    settings = KbSettings.model_validate({"top_k": SEARCH_LIMIT, "graph_mode": graph_mode})
    return kbs.create_kb(user, name[: kbs.MAX_KB_NAME], description, settings=settings).id


def ingest(
    user: User,
    kb_id: str,
    corpus: Sequence[CorpusDocument],
    on_progress: Callable[[seed.SeedProgress], None],
) -> tuple[dict[str, list[str]], int]:
    """Upload every corpus document and wait until all are processed.
    Returns document id -> corpus ids, and the number of documents that failed."""
    corpus_ids: dict[str, list[str]] = {}
    rejected = 0
    for item in corpus:
        spool = documents.new_spool(item.filename)
        try:
            spool.write(item.content)
            outcome = documents.accept_upload(user, kb_id, spool)
        except UploadRejected:
            rejected += 1
            continue
        corpus_ids.setdefault(outcome.stored_id, []).append(item.corpus_id)
    final = seed.wait(list(corpus_ids), on_progress)
    from lumikb_app.services.documents.reconcile import optimize_collections

    optimize_collections()  # build the search index once after the bulk load
    return corpus_ids, final.failed + rejected


def existing_corpus_ids(user: User, kb_id: str) -> dict[str, list[str]]:
    """Ready documents of a KB the user may read -> corpus id (file name without extension)."""
    from lumikb_app.services.accounts import access

    with get_container().db.session() as session:
        if kb_id not in access.readable_kb_ids(session, user):
            raise EvaluationInputError(f"Knowledge base {kb_id} does not exist.")
        rows = session.exec(
            select(Document.stable_id, Document.name).where(
                Document.kb_id == kb_id, Document.status == DocumentStatus.ready.value
            )
        ).all()
    if not rows:
        raise EvaluationInputError(f"Knowledge base {kb_id} has no ready documents.")
    return {document_id: [Path(name).stem] for document_id, name in rows}


def run_queries(
    user: User,
    kb_id: str,
    queries: dict[str, str],
    corpus_ids: dict[str, list[str]],
    limit: int = SEARCH_LIMIT,
    graph: bool | None = None,
) -> tuple[dict[str, list[str]], list[float]]:
    """Each query's corpus ids, best first (by their best passage), and its latency in ms."""
    search.search(user, "warm up the embedding model", kb_ids=[kb_id], limit=1, graph=graph)
    rankings, latencies = {}, []
    for qid, text in queries.items():
        started = time.perf_counter()
        response = search.search(user, text, kb_ids=[kb_id], limit=limit, graph=graph)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = metrics.unique_in_order([p.document_id for p in response.passages])
        rankings[qid] = [cid for doc in ranked for cid in corpus_ids.get(doc, [])]
    return rankings, latencies


def evaluate(
    user: User,
    kb_id: str,
    queries: dict[str, str],
    qrels: dict[str, dict[str, float]],
    corpus_ids: dict[str, list[str]],
    limit: int = SEARCH_LIMIT,
    graph: bool | None = None,
) -> EvalReport:
    """`graph`: fuse the KB's graph in (True), leave it out (False), or the KB's default."""
    judged = {qid: text for qid, text in queries.items() if qid in qrels}
    if not judged:
        raise EvaluationInputError("No query has relevance judgements in the qrels file.")
    rankings, latencies = run_queries(user, kb_id, judged, corpus_ids, limit, graph)
    return EvalReport(
        metrics=metrics.score_run(rankings, {qid: qrels[qid] for qid in judged}),
        latency_p50_ms=metrics.percentile(latencies, 50),
        latency_p95_ms=metrics.percentile(latencies, 95),
        queries=len(judged),
        documents=len(corpus_ids),
        kb_id=kb_id,
        rankings=rankings,
    )


def delete_eval_kb(user: User, kb_id: str, wait_seconds: float = PURGE_WAIT_SECONDS) -> bool:
    """Delete the KB through the normal path; True once it is purged from every store."""
    kbs.delete_kb(user, kb_id)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        with get_container().db.session() as session:
            if session.get(KnowledgeBase, kb_id) is None:
                return True
        time.sleep(0.2)
    return False


METRIC_LABELS = (
    ("ndcg@10", "nDCG@10"),
    ("recall@1", "Recall@1"),
    ("recall@5", "Recall@5"),
    ("recall@10", "Recall@10"),
    ("mrr@10", "MRR@10"),
)


def format_table(report: EvalReport) -> str:
    rows = [(label, f"{report.metrics.get(key, 0.0):.3f}") for key, label in METRIC_LABELS]
    rows += [
        ("Latency p50", f"{report.latency_p50_ms:.0f} ms"),
        ("Latency p95", f"{report.latency_p95_ms:.0f} ms"),
        ("Queries", str(report.queries)),
        ("Documents", str(report.documents - report.failed_documents)),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  {'-' * 8}"]
    lines += [f"{label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


def format_comparison(without: EvalReport, with_graph: EvalReport) -> str:
    """Two runs of one KB side by side: without and with graph fusion."""
    rows = [
        (label, f"{without.metrics.get(key, 0.0):.3f}", f"{with_graph.metrics.get(key, 0.0):.3f}")
        for key, label in METRIC_LABELS
    ]
    rows += [
        ("Latency p50", f"{without.latency_p50_ms:.0f} ms", f"{with_graph.latency_p50_ms:.0f} ms"),
        ("Latency p95", f"{without.latency_p95_ms:.0f} ms", f"{with_graph.latency_p95_ms:.0f} ms"),
        ("Queries", str(without.queries), str(with_graph.queries)),
    ]
    width = max(len(label) for label, _, _ in rows)
    lines = [
        f"{'metric':<{width}}  {'no graph':>10}  {'graph':>10}",
        f"{'-' * width}  {'-' * 10}  {'-' * 10}",
    ]
    lines += [f"{label:<{width}}  {a:>10}  {b:>10}" for label, a, b in rows]
    return "\n".join(lines)
