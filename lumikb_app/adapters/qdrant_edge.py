"""Embedded vector index on `qdrant-edge-py`: one edge shard (a directory) per collection.

Each point holds a dense vector ("dense": cosine, HNSW) and a BM25 sparse vector
("bm25", IDF modifier), with keyword payload indexes on `kb_id` and `document_id`.
Searches filter by `kb_id` inside the engine query. Hybrid search prefetches
both legs and fuses them with the engine's reciprocal-rank fusion.

Embedded mode is one process: the adapter locks its directory (and every shard
locks its write-ahead log), so a second process gets `EdgeStoreLocked`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, overload

import qdrant_edge as q

from lumikb_app.adapters.bm25 import Bm25Encoder
from lumikb_app.ports.vectors import SearchMode, VectorHit, VectorPoint

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the shard's own WAL lock still applies
    fcntl = None  # type: ignore[assignment]

DENSE = "dense"
SPARSE = "bm25"
INDEXED_FIELDS = ("kb_id", "document_id")
RRF_K = 2  # Qdrant's default RRF constant, so edge and server rank alike
CONFIG_FILE = "edge_config.json"
SCROLL_PAGE = 1000  # points per scroll page when listing document ids
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class EdgeStoreLocked(RuntimeError):
    """Another process has the embedded vector store open."""


class QdrantEdgeIndex:
    embedded = True

    def __init__(self, path: str | Path, *, hnsw_m: int = 16, hnsw_ef_construct: int = 100) -> None:
        self._root = Path(path)
        self._root.mkdir(parents=True, exist_ok=True)
        self._lock_file = _lock_directory(self._root)
        self._hnsw = q.HnswIndexConfig(
            m=hnsw_m, ef_construct=hnsw_ef_construct, full_scan_threshold=10_000
        )
        self._bm25 = Bm25Encoder()
        self._shards: dict[str, q.EdgeShard] = {}
        self._dims: dict[str, int] = {}
        self._mutex = threading.Lock()
        self._closed = False

    # -- collections -------------------------------------------------------

    def ensure_collection(self, name: str, dim: int) -> None:
        with self._mutex:
            self._check_open()
            path = self._path(name)
            shard = self._shards.get(name)
            if shard is not None:  # open (maybe in use by another thread): never reopen it here
                stored = self._dims.get(name) or _stored_dim(path)
                if stored != dim:
                    raise ValueError(
                        f"vector collection {name!r} has dimension {stored}, not {dim}"
                    )
            elif (path / CONFIG_FILE).exists():  # the engine checks the config is compatible
                shard = _open(self._root, lambda: q.EdgeShard.load(str(path), self._config(dim)))
            else:
                shard = _open(self._root, lambda: q.EdgeShard.create(str(path), self._config(dim)))
            if name not in self._dims:
                _ensure_payload_indexes(shard)
            self._shards[name], self._dims[name] = shard, dim

    def list_collections(self) -> list[str]:
        """The shard directories under the root that hold an engine config."""
        with self._mutex:
            self._check_open()
            return sorted(
                entry.name
                for entry in self._root.iterdir()
                if _NAME.match(entry.name) and (entry / CONFIG_FILE).is_file()
            )

    def _config(self, dim: int) -> q.EdgeConfig:
        return q.EdgeConfig(
            vectors={DENSE: q.EdgeVectorParams(size=dim, distance=q.Distance.Cosine)},
            sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
            hnsw_config=self._hnsw,
        )

    def _shard(self, name: str) -> q.EdgeShard:
        with self._mutex:
            self._check_open()
            shard = self._shards.get(name)
            if shard is None:
                path = self._path(name)
                if not (path / CONFIG_FILE).exists():
                    raise LookupError(
                        f"vector collection {name!r} does not exist: call ensure_collection first"
                    )
                shard = self._shards[name] = _open(self._root, lambda: q.EdgeShard.load(str(path)))
            return shard

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(
                f"invalid collection name {name!r}: use letters, digits, '_', '-', '.'"
            )
        return self._root / name

    # -- writes ------------------------------------------------------------

    def upsert(self, name: str, points: Sequence[VectorPoint]) -> None:
        if points:
            operation = q.UpdateOperation.upsert_points([self._point(p) for p in points])
            self._shard(name).update(operation)

    def _point(self, point: VectorPoint) -> q.Point:
        check_payload(point)
        terms = self._bm25.document(point.text)
        vectors: dict[str, list[float] | q.SparseVector | list[list[float]]] = {
            DENSE: [float(x) for x in point.dense],
            SPARSE: q.SparseVector(terms.indices, terms.values),
        }
        return q.Point(point.id, vectors, dict(point.payload))

    def delete_document(self, name: str, document_id: str) -> None:
        operation = q.UpdateOperation.delete_points_by_filter(_filter(None, document_id))
        self._shard(name).update(operation)

    def optimize(self, name: str) -> None:
        self._shard(name).optimize()

    # -- reads -------------------------------------------------------------

    def search(
        self,
        name: str,
        *,
        kb_ids: Sequence[str],
        dense: Sequence[float] | None = None,
        text: str | None = None,
        limit: int = 10,
        mode: SearchMode = "hybrid",
    ) -> list[VectorHit]:
        legs = self._legs(mode, dense, text)
        if not kb_ids:
            return []
        request = _request(legs, _filter(kb_ids, None), limit)
        return [_hit(point) for point in self._shard(name).query(request)]

    def _legs(
        self, mode: SearchMode, dense: Sequence[float] | None, text: str | None
    ) -> list[q.Query]:
        use_dense, use_sparse = search_legs(mode, dense, text)
        legs = []
        if use_dense:
            legs.append(q.Query.Nearest([float(x) for x in dense or ()], using=DENSE))
        if use_sparse:
            terms = self._bm25.query(text or "")
            legs.append(q.Query.Nearest(q.SparseVector(terms.indices, terms.values), using=SPARSE))
        return legs

    def count(
        self, name: str, *, kb_ids: Sequence[str] | None = None, document_id: str | None = None
    ) -> int:
        if kb_ids is not None and not kb_ids:
            return 0
        return self._shard(name).count(
            q.CountRequest(exact=True, filter=_filter(kb_ids, document_id))
        )

    def document_ids(self, name: str, *, kb_ids: Sequence[str] | None = None) -> set[str]:
        if kb_ids is not None and not kb_ids:
            return set()
        shard, flt = self._shard(name), _filter(kb_ids, None)
        found: set[str] = set()
        offset = None
        while True:
            request = q.ScrollRequest(
                offset=offset,
                limit=SCROLL_PAGE,
                filter=flt,
                with_payload=["document_id"],
                with_vector=False,
            )
            records, offset = shard.scroll(request)
            found.update(payload_document_ids(record.payload for record in records))
            if offset is None or not records:
                return found

    # -- lifecycle -----------------------------------------------------------

    def health(self) -> None:
        self._check_open()
        if not self._root.is_dir():
            raise RuntimeError(f"embedded vector store directory {self._root} is missing")

    def close(self) -> None:
        with self._mutex:
            for name in list(self._shards):
                self._close_shard(name)
            self._closed = True
            self._lock_file.close()  # closing the descriptor releases the flock

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"embedded vector store at {self._root} is closed")

    def _close_shard(self, name: str) -> None:
        shard = self._shards.pop(name, None)
        self._dims.pop(name, None)
        if shard is not None:
            shard.flush()
            shard.close()


def search_legs(
    mode: SearchMode, dense: Sequence[float] | None, text: str | None
) -> tuple[bool, bool]:
    """Which legs (dense, sparse) a search runs; hybrid runs whichever inputs it was given."""
    if mode not in ("dense", "sparse", "hybrid"):
        raise ValueError(f"unknown search mode {mode!r}")
    use_dense = mode != "sparse" and dense is not None
    use_sparse = mode != "dense" and bool(text)
    if not (use_dense or use_sparse):
        needs = {
            "dense": "a dense vector",
            "sparse": "query text",
            "hybrid": "a dense vector or text",
        }
        raise ValueError(f"{mode} search needs {needs[mode]}")
    return use_dense, use_sparse


def prefetch_limit(limit: int) -> int:
    return max(4 * limit, 40)


def check_payload(point: VectorPoint) -> None:
    missing = [key for key in INDEXED_FIELDS if key not in point.payload]
    if missing:
        raise ValueError(f"point {point.id} payload lacks {', '.join(missing)}")


def _request(legs: list[q.Query], flt: q.Filter, limit: int) -> q.QueryRequest:
    if len(legs) == 1:
        return q.QueryRequest(limit=limit, query=legs[0], filter=flt, with_payload=True)
    prefetches = [q.Prefetch(limit=prefetch_limit(limit), query=leg, filter=flt) for leg in legs]
    return q.QueryRequest(
        limit=limit,
        prefetches=prefetches,
        query=q.Fusion.Rrf(k=RRF_K),  # type: ignore[arg-type]  # the stub's query union omits Fusion.Rrf
        filter=flt,
        with_payload=True,
    )


@overload
def _filter(kb_ids: Sequence[str], document_id: None) -> q.Filter: ...
@overload
def _filter(kb_ids: None, document_id: str) -> q.Filter: ...
@overload
def _filter(kb_ids: Sequence[str] | None, document_id: str | None) -> q.Filter | None: ...
def _filter(kb_ids: Sequence[str] | None, document_id: str | None) -> q.Filter | None:
    must: list[q.ConditionType] = []
    if kb_ids is not None:
        must.append(q.FieldCondition("kb_id", match=q.MatchAny([str(k) for k in kb_ids])))
    if document_id is not None:
        must.append(q.FieldCondition("document_id", match=q.MatchValue(str(document_id))))
    return q.Filter(must=must) if must else None


def payload_document_ids(payloads: Any) -> set[str]:
    return {
        str(payload["document_id"])
        for payload in payloads
        if payload and payload.get("document_id") is not None
    }


def _hit(point: q.ScoredPoint) -> VectorHit:
    return VectorHit(id=str(point.id), score=float(point.score), payload=dict(point.payload or {}))


def _ensure_payload_indexes(shard: q.EdgeShard) -> None:
    existing = shard.info().payload_schema
    for field in INDEXED_FIELDS:
        if field not in existing:
            shard.update(q.UpdateOperation.create_field_index(field, q.PayloadSchemaType.Keyword))


def _stored_dim(path: Path) -> int | None:
    """The dense size the shard was created with, from the engine's own config file."""
    try:
        return json.loads((path / CONFIG_FILE).read_text())["vectors"][DENSE]["size"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _locked_message(root: Path) -> str:
    return (
        f"The embedded vector store at {root} is already open in another process. "
        "Embedded mode runs LumiKB as one process (web app and job worker thread together): "
        "stop the other process, or set QDRANT_HOST to use a Qdrant server."
    )


def _lock_directory(root: Path) -> IO[Any]:
    handle = (root / ".lock").open("a")
    if fcntl is None:
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise EdgeStoreLocked(_locked_message(root)) from None
    return handle


def _open(root: Path, opener: Any) -> q.EdgeShard:
    try:
        return opener()
    except Exception as exc:
        if "WouldBlock" in str(exc):
            raise EdgeStoreLocked(_locked_message(root)) from exc
        if "incompatible" in str(exc):
            raise ValueError(f"vector collection exists with another configuration: {exc}") from exc
        raise
