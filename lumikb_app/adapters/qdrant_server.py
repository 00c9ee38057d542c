"""Vector index on a Qdrant server through `qdrant-client`.

One collection per name: a dense named vector ("dense": cosine, HNSW, int8
scalar quantization kept in RAM) and a BM25 sparse vector ("bm25", IDF
modifier), payload indexes on `kb_id` (tenant) and `document_id`. Searches filter
by `kb_id` inside the query; hybrid search prefetches both legs and fuses them
with the server's reciprocal-rank fusion.

`location=":memory:"` or `path=...` selects qdrant-client's local mode, which is
brute force and exists here only as a second test target.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from qdrant_client import QdrantClient, models

from lumikb_app.adapters.bm25 import Bm25Encoder, SparseTerms
from lumikb_app.adapters.qdrant_edge import (
    DENSE,
    SCROLL_PAGE,
    SPARSE,
    check_payload,
    payload_document_ids,
    prefetch_limit,
    search_legs,
)
from lumikb_app.ports.vectors import SearchMode, VectorHit, VectorPoint

UPSERT_BATCH = 256


class QdrantServerIndex:
    embedded = False

    def __init__(
        self,
        *,
        url: str | None = None,
        host: str | None = None,
        port: int = 6333,
        grpc_port: int = 6334,
        prefer_grpc: bool = False,
        api_key: str | None = None,
        https: bool | None = None,
        timeout: int = 30,
        location: str | None = None,
        path: str | None = None,
    ) -> None:
        self._local = location is not None or path is not None
        if self._local:
            self._client = QdrantClient(location=location, path=path)
        else:
            self._client = QdrantClient(
                url=url,
                host=host,
                port=port,
                grpc_port=grpc_port,
                prefer_grpc=prefer_grpc,
                api_key=api_key,
                https=https,
                timeout=timeout,
            )
        self._bm25 = Bm25Encoder()
        self._ensured: dict[str, int] = {}

    # -- collections -------------------------------------------------------

    def ensure_collection(self, name: str, dim: int) -> None:
        if self._ensured.get(name) == dim:
            return
        if self._client.collection_exists(name):
            self._check_dim(name, dim)
        else:
            self._create(name, dim)
        self._create_payload_indexes(name)
        self._ensured[name] = dim

    def list_collections(self) -> list[str]:
        return sorted(c.name for c in self._client.get_collections().collections)

    def _create(self, name: str, dim: int) -> None:
        try:
            self._client.create_collection(
                name,
                vectors_config={
                    DENSE: models.VectorParams(size=dim, distance=models.Distance.COSINE)
                },
                sparse_vectors_config={
                    SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)
                },
                hnsw_config=models.HnswConfigDiff(m=16, ef_construct=100),
                quantization_config=models.ScalarQuantization(
                    scalar=models.ScalarQuantizationConfig(
                        type=models.ScalarType.INT8, quantile=0.99, always_ram=True
                    )
                ),
            )
        except Exception:
            if not self._client.collection_exists(name):  # lost a race with another worker: fine
                raise
            self._check_dim(name, dim)

    def _check_dim(self, name: str, dim: int) -> None:
        vectors = self._client.get_collection(name).config.params.vectors
        params = vectors.get(DENSE) if isinstance(vectors, dict) else None
        if params is None or params.size != dim:
            found = params.size if params is not None else "no 'dense' vector"
            raise ValueError(f"vector collection {name!r} exists with dimension {found}, not {dim}")

    def _create_payload_indexes(self, name: str) -> None:
        tenant = models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True)
        with warnings.catch_warnings():
            if self._local:  # local mode warns that payload indexes have no effect there
                warnings.simplefilter("ignore", UserWarning)
            self._client.create_payload_index(name, "kb_id", field_schema=tenant, wait=True)
            self._client.create_payload_index(
                name, "document_id", field_schema=models.PayloadSchemaType.KEYWORD, wait=True
            )

    # -- writes ------------------------------------------------------------

    def upsert(self, name: str, points: Sequence[VectorPoint]) -> None:
        for start in range(0, len(points), UPSERT_BATCH):
            batch = [self._point(p) for p in points[start : start + UPSERT_BATCH]]
            self._client.upsert(name, points=batch, wait=True)

    def _point(self, point: VectorPoint) -> models.PointStruct:
        check_payload(point)
        vector = {
            DENSE: [float(x) for x in point.dense],
            SPARSE: _sparse(self._bm25.document(point.text)),
        }
        return models.PointStruct(id=point.id, vector=vector, payload=dict(point.payload))

    def delete_document(self, name: str, document_id: str) -> None:
        selector = models.FilterSelector(filter=_filter(None, document_id))
        self._client.delete(name, points_selector=selector, wait=True)

    def optimize(self, name: str) -> None:
        """The server runs its optimizers in the background; nothing to do."""

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
        flt = _filter(kb_ids, None)
        if len(legs) == 1:
            query, using = legs[0]
            response = self._client.query_points(
                name, query=query, using=using, query_filter=flt, limit=limit, with_payload=True
            )
        else:
            prefetch = [
                models.Prefetch(query=query, using=using, filter=flt, limit=prefetch_limit(limit))
                for query, using in legs
            ]
            response = self._client.query_points(
                name,
                prefetch=prefetch,
                query=models.FusionQuery(fusion=models.Fusion.RRF),
                query_filter=flt,
                limit=limit,
                with_payload=True,
            )
        return [_hit(point) for point in response.points]

    def _legs(
        self, mode: SearchMode, dense: Sequence[float] | None, text: str | None
    ) -> list[tuple[list[float] | models.SparseVector, str]]:
        use_dense, use_sparse = search_legs(mode, dense, text)
        legs: list[tuple[list[float] | models.SparseVector, str]] = []
        if use_dense:
            legs.append(([float(x) for x in dense or ()], DENSE))
        if use_sparse:
            legs.append((_sparse(self._bm25.query(text or "")), SPARSE))
        return legs

    def count(
        self, name: str, *, kb_ids: Sequence[str] | None = None, document_id: str | None = None
    ) -> int:
        if kb_ids is not None and not kb_ids:
            return 0
        return self._client.count(name, count_filter=_filter(kb_ids, document_id), exact=True).count

    def document_ids(self, name: str, *, kb_ids: Sequence[str] | None = None) -> set[str]:
        if kb_ids is not None and not kb_ids:
            return set()
        flt = _filter(kb_ids, None)
        found: set[str] = set()
        offset = None
        while True:
            records, offset = self._client.scroll(
                name,
                scroll_filter=flt,
                limit=SCROLL_PAGE,
                offset=offset,
                with_payload=["document_id"],
                with_vectors=False,
            )
            found.update(payload_document_ids(record.payload for record in records))
            if offset is None or not records:
                return found

    # -- lifecycle -----------------------------------------------------------

    def health(self) -> None:
        self._client.get_collections()

    def close(self) -> None:
        self._client.close()


def _sparse(terms: SparseTerms) -> models.SparseVector:
    return models.SparseVector(indices=terms.indices, values=terms.values)


def _filter(kb_ids: Sequence[str] | None, document_id: str | None) -> models.Filter | None:
    must: list[models.Condition] = []
    if kb_ids is not None:
        must.append(
            models.FieldCondition(key="kb_id", match=models.MatchAny(any=[str(k) for k in kb_ids]))
        )
    if document_id is not None:
        must.append(
            models.FieldCondition(
                key="document_id", match=models.MatchValue(value=str(document_id))
            )
        )
    return models.Filter(must=must) if must else None


def _hit(point: models.ScoredPoint) -> VectorHit:
    return VectorHit(id=str(point.id), score=float(point.score), payload=dict(point.payload or {}))
