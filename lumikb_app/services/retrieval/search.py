"""Retrieval: hybrid (dense + BM25) search over the knowledge bases a user may read.

The KBs are filtered inside the vector store (a `kb_id` payload filter), per embedding model:
the query is embedded once per model, each leg runs in that model's collection, and the two
rankings are fused by weighted reciprocal-rank fusion here, so each passage knows which leg
found it. A third leg ranks whole documents by their card (title and opening words, see
services/indexing.py) and adds each document's rank to its passages, so passages of the document
that is about the question come first; a document found only that way enters with its card chunk. Hits are joined to their chunk, document and KB rows in one SQL query that keeps
only the current version of ready documents. Each passage gets an absolute relevance from its
dense similarity and the question's words it holds (services/retrieval/relevance.py). Then: the
KB's similarity threshold, the minimum relevance of a passage holding none of the question's
words (SEARCH_MIN_RELEVANCE), near-duplicate removal, an optional reranker, the KB's top-k and
the overall limit.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import KnowledgeBase, User
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.retrieval import (
    Passage,
    SearchInputError,
    SearchResponse,
    SimilarityScale,
)
from lumikb_app.domain.text import text_problem
from lumikb_app.ports.embeddings import Embedder, EmbeddingError
from lumikb_app.ports.rerank import Reranker
from lumikb_app.ports.vectors import VectorHit
from lumikb_app.services.accounts import access
from lumikb_app.services.documents import indexing
from lumikb_app.services.documents.parsing import SUPPORTED_TYPES, TYPE_LABELS
from lumikb_app.services.models import choices
from lumikb_app.services.platform import usage
from lumikb_app.services.platform.telemetry import SEARCH_SECONDS, observe, timed
from lumikb_app.services.retrieval import (
    graph_legs,
    passages,
    relevance,
    search_cache,
    snippets,
)
from lumikb_app.services.retrieval.snippets import highlight_spans, snippet
from lumikb_app.settings import get_settings

__all__ = [
    "DOC_TYPES",
    "TUNING",
    "Tuning",
    "highlight_spans",
    "search",
    "snippet",
]

DOC_TYPES: dict[str, str] = {key: TYPE_LABELS[mime] for mime, key in SUPPORTED_TYPES.items()}
_MIME_TYPES = {key: mime for mime, key in SUPPORTED_TYPES.items()}
log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 1000
MAX_LIMIT = 50
_READ_AHEAD = 4  # passages read beyond those a search returns (thresholds, near-duplicates)


@dataclass(frozen=True)
class Tuning:
    candidates: int = 50  # hits each leg fetches per collection
    rrf_k: int = 60
    # Measured on peps-eval with bench/retrieval_quality.py: BM25 passages
    # plus document cards score nDCG@10 0.89 / Recall@5 0.94; any weight on the passage-level dense
    # rank lowers that (0.82 / 0.94 at 1.0), so it only supplies the cosine for the threshold.
    dense_weight: float = 0.0
    sparse_weight: float = 1.0
    card_weight: float = 1.0
    # The graph leg (services/graph/retrieval.py), in KBs with a graph. Measured with
    # `eval --graph` on the whole PEP corpus: it may reorder nothing among the hybrid legs' three
    # best documents and lifts passages of other documents at most to just below them, which
    # raises Recall@5 on peps-eval-multi 0.883 -> 0.933 for 0.009 nDCG@10 on peps-eval (0.886 ->
    # 0.877); a free fusion (weight 0.5, nothing protected) cost 0.12 nDCG@10 there.
    graph_weight: float = 0.7
    graph_protected: int = 3
    rerank_candidates: int = 30  # best passages handed to the reranker
    duplicate_overlap: float = 0.5  # same document, this share of the shorter chunk overlaps
    duplicate_words: float = 0.9  # word-set Jaccard similarity of two passages


TUNING = Tuning()
# Set to a Reranker to reorder the best candidates (off by default; see README).
reranker: Reranker | None = None


@dataclass(frozen=True)
class _Entry:
    """A ranked candidate known to be a current chunk; `passage()` reads it."""

    kb_id: str
    candidate: _Candidate
    passage: Callable[[], Passage]


@dataclass
class _Candidate:
    fused: float = 0.0
    similarity: float | None = None  # cosine similarity, when the dense leg found it
    similarity_bound: float | None = None  # found only by keywords: at most the dense leg's last
    scale: SimilarityScale | None = None  # the embedding model's, when its dense leg ran
    keyword: bool = False
    coverage: float = 0.0  # share of the query's words the passage holds
    document_id: str | None = None
    via: str = ""  # how the graph leg reached it


def search(
    user: User,
    query: str,
    *,
    kb_ids: Sequence[str] | None = None,
    doc_types: Sequence[str] | None = None,
    limit: int | None = None,
    graph: bool | None = None,
) -> SearchResponse:
    """`graph` turns graph fusion on or off for this question (None: each KB's default)."""
    started = time.perf_counter()
    text = _clean_query(query)
    mime_types = _mime_types(doc_types)
    if limit is not None and limit < 1:
        raise SearchInputError("Ask for at least one result.")
    with get_container().db.session() as session:
        kbs = _searchable_kbs(session, user, kb_ids)
        versions = search_cache.content_versions(session, kbs)
    settings = {kb.id: KbSettings.model_validate(kb.settings) for kb in kbs}
    graph_kbs = _graph_kbs(settings, graph)
    found: list[Passage] = []
    if kbs:
        limit = min(limit or max(s.top_k for s in settings.values()), MAX_LIMIT)
        key = search_cache.result_key(
            kbs=versions,
            query=text,
            mime_types=sorted(mime_types),
            limit=limit,
            tuning=dataclasses.asdict(TUNING),
            reranker=getattr(reranker, "name", None),
            graph=graph_kbs,
            min_relevance=get_settings().SEARCH_MIN_RELEVANCE,
        )
        cached = search_cache.get_passages(key)
        if cached is None:
            cached, complete = _retrieve(text, settings, mime_types, limit, graph_kbs)
            if complete:
                search_cache.put_passages(key, cached)
        found = cached
    usage.note("search")
    took = time.perf_counter() - started
    observe(SEARCH_SECONDS, "total", took)
    return SearchResponse(
        query=text, passages=found, took_ms=took * 1000, kb_ids=tuple(kb.id for kb in kbs)
    )


def _graph_kbs(settings: dict[str, KbSettings], wanted: bool | None) -> list[str]:
    """The KBs whose graph joins this search: graph on, and fusion asked for (or their default)."""
    return sorted(
        kb_id
        for kb_id, s in settings.items()
        if s.graph_mode != "off" and (s.graph_retrieval if wanted is None else wanted)
    )


def _clean_query(query: str) -> str:
    text = " ".join((query or "").split())
    if not text:
        raise SearchInputError("Type a word or a question to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise SearchInputError(
            f"The search is too long: keep it under {MAX_QUERY_CHARS} characters."
        )
    if problem := text_problem(text):
        raise SearchInputError(problem)
    return text


def _mime_types(doc_types: Sequence[str] | None) -> list[str]:
    unknown = [t for t in doc_types or () if t not in DOC_TYPES]
    if unknown:
        choices = ", ".join(DOC_TYPES)
        raise SearchInputError(f"Unknown document type {unknown[0]!r}: choose from {choices}.")
    return sorted({_MIME_TYPES[t] for t in doc_types or ()})


def _searchable_kbs(
    session: Session, user: User, kb_ids: Sequence[str] | None
) -> list[KnowledgeBase]:
    """The requested KBs the user may read; any other id is dropped without a trace."""
    readable = set(access.readable_kb_ids(session, user))
    wanted = readable if kb_ids is None else readable.intersection(map(str, kb_ids))
    if not wanted:
        return []
    return list(
        session.exec(
            select(KnowledgeBase)
            .where(col(KnowledgeBase.id).in_(wanted))
            .order_by(col(KnowledgeBase.id))
        )
    )


# -- retrieval -------------------------------------------------------------------


def _retrieve(
    query: str,
    settings: dict[str, KbSettings],
    mime_types: list[str],
    limit: int,
    graph_kbs: list[str],
) -> tuple[list[Passage], bool]:
    """The passages, and whether every leg ran (a partial result is not cached)."""
    terms = snippets.query_terms(query)
    pool = TUNING.candidates * (3 if mime_types else 1)  # room for the ones the type filter drops
    candidates: dict[str, _Candidate] = {}
    graph_leg = (
        graph_legs.start(query, graph_kbs, pool) if graph_kbs and TUNING.graph_weight else None
    )
    existing = set(get_container().vectors.list_collections())
    complete = True
    for model, kb_ids in _kbs_by_model(settings).items():
        complete &= _search_collection(
            model, kb_ids, query, bool(terms), pool, existing, candidates
        )
    if graph_leg is not None:
        with timed(SEARCH_SECONDS, "graph"):
            complete &= _fold_graph(graph_leg, candidates)
    if not candidates:
        return [], complete
    _bound_similarities(candidates)
    quotas = {kb: s.top_k for kb, s in settings.items()}
    with timed(SEARCH_SECONDS, "fuse"):
        wanted = TUNING.rerank_candidates if reranker else min(limit, sum(quotas.values()))
        ranked: Iterable[_Entry] = _ranked(candidates, list(settings), mime_types, terms, wanted)
    with timed(SEARCH_SECONDS, "snippets"):
        if reranker is not None:
            pairs = _rerank(query, _select(ranked, settings, TUNING.rerank_candidates, {}))
            ranked = [_Entry(p.kb_id, c, functools.partial(_same, p)) for p, c in pairs]
        return [passage for passage, _ in _select(ranked, settings, limit, quotas)], complete


def _kbs_by_model(settings: dict[str, KbSettings]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for kb_id, kb_settings in settings.items():
        groups.setdefault(kb_settings.embedding_model, []).append(kb_id)
    return groups


def _search_collection(
    model: str,
    kb_ids: list[str],
    query: str,
    has_terms: bool,
    pool: int,
    existing: set[str],
    candidates: dict[str, _Candidate],
) -> bool:
    """Run both legs in one model's collection and fold their ranks into `candidates`.
    False when the embedding model failed and only the keyword leg ran."""
    container = get_container()
    embedder = choices.embedder(model)
    collection = indexing.collection_for(embedder)
    if collection not in existing:  # nothing indexed with this model yet
        return True
    with timed(SEARCH_SECONDS, "embed"):
        vector = _query_vector(embedder, collection, query)
    vectors = container.vectors
    scale = relevance.scale_for(embedder) if vector is not None else None
    if vector is not None:
        with timed(SEARCH_SECONDS, "vector"):
            dense = vectors.search(
                collection, kb_ids=kb_ids, dense=vector, limit=pool, mode="dense"
            )
        for rank, hit in enumerate(dense):
            candidate = _candidate(candidates, hit, scale)
            candidate.fused += TUNING.dense_weight / (TUNING.rrf_k + rank + 1)
            candidate.similarity = hit.score
    if has_terms:  # else only stopwords: BM25 has nothing to match
        with timed(SEARCH_SECONDS, "keyword"):
            sparse = vectors.search(
                collection, kb_ids=kb_ids, text=query, limit=pool, mode="sparse"
            )
        for rank, hit in enumerate(sparse):
            candidate = _candidate(candidates, hit, scale)
            candidate.fused += TUNING.sparse_weight / (TUNING.rrf_k + rank + 1)
            candidate.keyword = True
    if vector is not None:
        _fold_cards(embedder, kb_ids, vector, pool, existing, candidates)
    return vector is not None


def _candidate(
    candidates: dict[str, _Candidate], hit: VectorHit, scale: SimilarityScale | None
) -> _Candidate:
    candidate = candidates.setdefault(str(hit.payload.get("chunk_id")), _Candidate())
    candidate.document_id = str(hit.payload.get("document_id"))
    candidate.scale = candidate.scale or scale
    return candidate


def _bound_similarities(candidates: dict[str, _Candidate]) -> None:
    """A passage the dense leg did not return is less similar than the last one it did."""
    found = [c.similarity for c in candidates.values() if c.similarity is not None]
    if not found:
        return
    lowest = min(found)
    for candidate in candidates.values():
        if candidate.similarity is None and candidate.scale is not None:
            candidate.similarity_bound = lowest


def _fold_cards(
    embedder: Embedder,
    kb_ids: list[str],
    vector: list[float],
    pool: int,
    existing: set[str],
    candidates: dict[str, _Candidate],
) -> None:
    """Add each document's card rank to its passages; a document found only by its card
    enters with its card chunk."""
    collection = indexing.card_collection_for(embedder)
    if not TUNING.card_weight or collection not in existing:
        return
    with timed(SEARCH_SECONDS, "vector"):
        hits = get_container().vectors.search(
            collection, kb_ids=kb_ids, dense=vector, limit=pool, mode="dense"
        )
    bonus = {
        str(hit.payload.get("document_id")): TUNING.card_weight / (TUNING.rrf_k + rank + 1)
        for rank, hit in enumerate(hits)
    }
    for candidate in candidates.values():
        candidate.fused += bonus.get(candidate.document_id or "", 0.0)
    for hit in hits:
        document_id = str(hit.payload.get("document_id"))
        candidates.setdefault(
            str(hit.payload.get("chunk_id")),
            _Candidate(
                fused=bonus[document_id],
                similarity=hit.score,
                document_id=document_id,
                scale=relevance.scale_for(embedder),
            ),
        )


def _fold_graph(leg: graph_legs.Leg, candidates: dict[str, _Candidate]) -> bool:
    """Add the graph leg's ranks; False when it failed (search goes on without it)."""
    hits = leg.result()
    if hits is None:
        return False
    protected, ceiling = _hybrid_leaders(candidates, TUNING.graph_protected)
    for rank, hit in enumerate(hits):
        candidate = candidates.setdefault(hit.chunk_id, _Candidate(document_id=hit.document_id))
        candidate.via = hit.via
        if hit.document_id in protected:
            continue  # the graph reached it too, but their order is the hybrid legs' to decide
        raised = candidate.fused + TUNING.graph_weight / (TUNING.rrf_k + rank + 1)
        candidate.fused = min(raised, max(candidate.fused, ceiling))
    return True


def _hybrid_leaders(candidates: dict[str, _Candidate], count: int) -> tuple[set[str], float]:
    """The hybrid legs' `count` best documents, and a score just below the last of them: the
    graph may bring passages up to there, never above what the question's words found first."""
    best: dict[str, float] = {}
    for candidate in candidates.values():
        document = candidate.document_id or ""
        best[document] = max(best.get(document, 0.0), candidate.fused)
    leaders = sorted(best.items(), key=lambda item: -item[1])[:count]
    if not leaders or count <= 0:
        return set(), float("inf")
    return {document for document, _ in leaders}, leaders[-1][1] * 0.999


def _query_vector(embedder: Embedder, collection: str, query: str) -> list[float] | None:
    """The cached query embedding; None when the model fails (search falls back to keywords)."""
    vector = search_cache.get_embedding(collection, query)
    if vector is None:
        try:
            vector = embedder.embed_query(query)
        except EmbeddingError as exc:
            log.warning(
                "searching by keyword only: embedding model %s failed: %s", embedder.name, exc
            )
            return None
        search_cache.put_embedding(collection, query, vector)
    return vector


def _ranked(
    candidates: dict[str, _Candidate],
    kb_ids: list[str],
    mime_types: list[str],
    terms: list[str],
    wanted: int,
) -> Iterator[_Entry]:
    """Candidates that are current chunks of ready documents, best first; each passage is read
    only when the selection reaches it."""
    rows = passages.current(list(candidates), kb_ids, mime_types)
    rows.sort(key=lambda row: -candidates[row[0]].fused)
    loader = passages.PassageRows([row[0] for row in rows], terms, wanted + _READ_AHEAD)
    weights = TUNING.dense_weight + TUNING.sparse_weight + TUNING.card_weight
    top = (weights or 1.0) / (TUNING.rrf_k + 1)

    def load(chunk_id: str) -> Callable[[], Passage]:
        def passage() -> Passage:
            candidate = candidates[chunk_id]
            found = loader.passage(
                chunk_id,
                score=candidate.fused / top,
                semantic=relevance.is_semantic(candidate.similarity, candidate.scale),
                keyword=candidate.keyword,
                via=candidate.via,
            )
            candidate.coverage = len(found.matched_terms) / len(terms) if terms else 0.0
            similarity = candidate.similarity
            meaning = similarity if similarity is not None else candidate.similarity_bound
            return dataclasses.replace(
                found,
                similarity=None if similarity is None else round(similarity, 4),
                relevance=relevance.relevance(meaning, candidate.scale, candidate.coverage),
            )

        return passage

    # made as the selection walks them: it mostly stops after a few of ~150
    return (_Entry(kb_id, candidates[chunk_id], load(chunk_id)) for chunk_id, kb_id in rows)


# -- selection -------------------------------------------------------------------


def _select(
    ranked: Iterable[_Entry],
    settings: dict[str, KbSettings],
    limit: int,
    quotas: dict[str, int],
) -> list[tuple[Passage, _Candidate]]:
    """The first `limit` passages above their KB's threshold that are not near-duplicates of a
    better one, at most `quotas[kb]` per KB (a passage is read only when it can still count)."""
    kept: list[tuple[Passage, _Candidate, frozenset[str]]] = []
    taken: dict[str, int] = {}
    floor = get_settings().SEARCH_MIN_RELEVANCE
    room = sum(quotas.get(kb, limit) for kb in settings)
    for entry in ranked:
        if len(kept) >= min(limit, room):
            break
        if taken.get(entry.kb_id, 0) >= quotas.get(entry.kb_id, limit):
            continue
        passage = entry.passage()
        if not _relevant(entry.candidate, settings[passage.kb_id].similarity_threshold):
            continue
        far = not passage.keyword and passage.relevance < floor
        if far and relevance.may_drop(entry.candidate.scale):
            continue  # only a far neighbour in meaning: for "zzzqqq xylophone", every passage
        words = frozenset(passage.text.lower().split())
        if any(_duplicate(passage, words, other, seen) for other, _, seen in kept):
            continue
        kept.append((passage, entry.candidate, words))
        taken[passage.kb_id] = taken.get(passage.kb_id, 0) + 1
    return [(passage, candidate) for passage, candidate, _ in kept]


def _relevant(candidate: _Candidate, threshold: float) -> bool:
    """Similar enough in meaning (cosine), or holding enough of the query's words."""
    if threshold <= 0:
        return True
    if candidate.similarity is not None and candidate.similarity >= threshold:
        return True
    return candidate.keyword and candidate.coverage >= threshold


def _duplicate(a: Passage, a_words: frozenset[str], b: Passage, b_words: frozenset[str]) -> bool:
    if a.document_id == b.document_id:
        overlap = min(a.char_end, b.char_end) - max(a.char_start, b.char_start)
        shorter = min(a.char_end - a.char_start, b.char_end - b.char_start)
        if shorter > 0 and overlap >= TUNING.duplicate_overlap * shorter:
            return True
    small, large = sorted((len(a_words), len(b_words)))
    if not large or small < TUNING.duplicate_words * large:  # Jaccard cannot reach the bar
        return False
    return len(a_words & b_words) >= TUNING.duplicate_words * len(a_words | b_words)


def _same(passage: Passage) -> Passage:
    return passage


def _rerank(
    query: str, pairs: list[tuple[Passage, _Candidate]]
) -> list[tuple[Passage, _Candidate]]:
    """The reranker's order (and scores) of the best candidates."""
    if not pairs or reranker is None:
        return pairs
    scores = reranker.scores(query, [passage.text for passage, _ in pairs])
    order = sorted(zip(scores, pairs, strict=True), key=lambda item: -item[0])
    return [(dataclasses.replace(p, score=round(float(s), 6)), c) for s, (p, c) in order]
