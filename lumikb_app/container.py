"""Builds the adapters named by settings, once, lazily (DESIGN.md "Backends").

Every backend is typed by its port, so the type checker (`make lint`) proves each concrete
adapter returned here satisfies its Protocol.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from cachetools import LRUCache

from lumikb_app.domain.models import ModelKind, ModelSpec
from lumikb_app.settings import Settings, get_settings

if TYPE_CHECKING:
    from lumikb_app.adapters.model_meter import ModelMeter
    from lumikb_app.adapters.sql_database import SqlDatabase
    from lumikb_app.ports.blobs import BlobStore
    from lumikb_app.ports.cache import Cache
    from lumikb_app.ports.database import Database
    from lumikb_app.ports.embeddings import Embedder
    from lumikb_app.ports.graph import GraphStore
    from lumikb_app.ports.jobs import JobQueue
    from lumikb_app.ports.llm import ChatModel
    from lumikb_app.ports.vectors import VectorIndex

# Models built per registry entry: an entry changed many times (or many entries) cannot grow
# memory without bound; the least recently used model is dropped and built again when needed.
MODEL_CACHE_SIZE = 16


class Container:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._embedders: LRUCache[ModelSpec, Embedder] = LRUCache(MODEL_CACHE_SIZE)
        self._chat_models: LRUCache[ModelSpec, ChatModel] = LRUCache(MODEL_CACHE_SIZE)

    @cached_property
    def db(self) -> Database:
        return self._sql_database

    @cached_property
    def _sql_database(self) -> SqlDatabase:
        """The same object as `db`, for the SQL graph store, which needs its engine."""
        from lumikb_app.adapters.sql_database import SqlDatabase

        return SqlDatabase(self.settings.database_url)

    @cached_property
    def vectors(self) -> VectorIndex:
        with self._lock:
            if self.settings.QDRANT_HOST:
                from lumikb_app.adapters.qdrant_server import QdrantServerIndex

                return QdrantServerIndex(
                    host=self.settings.QDRANT_HOST,
                    port=self.settings.QDRANT_PORT,
                    grpc_port=self.settings.QDRANT_GRPC_PORT,
                    prefer_grpc=self.settings.QDRANT_GRPC,
                    api_key=self.settings.QDRANT_API_KEY,
                )
            from lumikb_app.adapters.qdrant_edge import QdrantEdgeIndex

            return QdrantEdgeIndex(self.settings.DATA_DIR / "vectors")

    @cached_property
    def blobs(self) -> BlobStore:
        s = self.settings
        if s.MINIO_ENDPOINT:
            from lumikb_app.adapters.s3_blobs import S3BlobStore

            # Settings refuses MINIO_ENDPOINT without both keys.
            assert s.MINIO_ACCESS_KEY is not None and s.MINIO_SECRET_KEY is not None

            return S3BlobStore(
                s.MINIO_ENDPOINT,
                s.MINIO_ACCESS_KEY,
                s.MINIO_SECRET_KEY,
                s.MINIO_BUCKET,
                secure=s.MINIO_SECURE,
            )
        from lumikb_app.adapters.local_blobs import LocalBlobStore

        return LocalBlobStore(s.DATA_DIR / "blobs")

    @cached_property
    def jobs(self) -> JobQueue:
        with self._lock:
            if self.settings.REDIS_URL:
                from lumikb_app.adapters.rq_jobs import RedisJobQueue

                return RedisJobQueue(
                    self.settings.REDIS_URL, retry_intervals=self.settings.job_retry_intervals
                )
            from lumikb_app.adapters.rq_jobs import EmbeddedJobQueue

            return EmbeddedJobQueue(
                workers=self.settings.EMBEDDED_JOB_WORKERS,
                retry_intervals=self.settings.job_retry_intervals,
            )

    @cached_property
    def cache(self) -> Cache:
        if self.settings.REDIS_URL:
            from lumikb_app.adapters.redis_cache import RedisCache

            return RedisCache(self.settings.REDIS_URL)
        from lumikb_app.adapters.memory_cache import MemoryCache

        return MemoryCache()

    @cached_property
    def graph(self) -> GraphStore:
        s = self.settings
        if s.NEO4J_URI:
            from lumikb_app.adapters.cypher_graph import CypherGraphStore, Neo4jExecutor

            return CypherGraphStore(
                Neo4jExecutor(s.NEO4J_URI, s.NEO4J_USER, s.NEO4J_PASSWORD or "")
            )
        from lumikb_app.adapters.sql_graph import SqlGraphStore

        return SqlGraphStore(self._sql_database)

    def chat_model_for(self, spec: ModelSpec) -> ChatModel:
        """The chat (or extraction) model of a registry entry, built once and kept in a
        bounded cache keyed by the whole entry (a changed URL or key variable is a new model)."""
        with self._lock:
            model = self._chat_models.get(spec)
            if model is None:
                model = self._chat_models[spec] = self._build_chat_model(spec)
            return model

    def embedder_for(self, spec: ModelSpec) -> Embedder:
        """The embedder of a registry entry; the built-in one is the offline ONNX MiniLM."""
        with self._lock:
            embedder = self._embedders.get(spec)
            if embedder is None:
                embedder = self._embedders[spec] = self._build_embedder(spec)
            return embedder

    def probe_model(self, spec: ModelSpec, timeout: float) -> ChatModel | Embedder:
        """A new, uncached model for a connection test, which gives up after `timeout` seconds."""
        if spec.kind is ModelKind.embedding:
            if spec.is_builtin_embedder or spec.is_fake:
                return self.embedder_for(spec)
            return self._build_embedder(spec, timeout=timeout)
        return self._build_chat_model(spec, timeout=timeout)

    def _refuse_fake(self, spec: ModelSpec, error: type[Exception]) -> None:
        if spec.is_fake and not self.settings.is_test:
            raise error(
                f"{spec.litellm_model} is a test double: fake/ models run only with "
                "LUMIKB_ENV=test."
            )

    def _api_key(self, spec: ModelSpec) -> Callable[[], str | None]:
        """Reads the entry's key variable each time the model is called; nothing stores it."""
        return functools.partial(self.settings.secret, spec.api_key_env)

    def _build_chat_model(self, spec: ModelSpec, timeout: float = 120.0) -> ChatModel:
        from lumikb_app.ports.llm import LlmError

        self._refuse_fake(spec, LlmError)
        if spec.is_fake:
            from lumikb_app.adapters.fake_chat import fake_model_for

            return fake_model_for(spec.litellm_model, meter=self._meter(spec))
        from lumikb_app.adapters.litellm_chat import LiteLLMChatModel

        return LiteLLMChatModel(
            spec.litellm_model,
            api_base=spec.base_url,
            api_key=self._api_key(spec),
            timeout=timeout,
            meter=self._meter(spec),
        )

    def _build_embedder(self, spec: ModelSpec, timeout: float = 60.0) -> Embedder:
        from lumikb_app.ports.embeddings import EmbeddingError

        self._refuse_fake(spec, EmbeddingError)
        if spec.is_builtin_embedder:
            from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder

            return OnnxMiniLMEmbedder(
                cache_dir=self.settings.DATA_DIR / "models", meter=self._meter(spec)
            )
        if spec.is_fake:
            from lumikb_app.adapters.fake_embedder import FakeEmbedder

            return FakeEmbedder(name=spec.litellm_model, meter=self._meter(spec))
        from lumikb_app.adapters.litellm_embedder import LiteLLMEmbedder

        return LiteLLMEmbedder(
            spec.litellm_model,
            api_base=spec.base_url,
            api_key=self._api_key(spec),
            timeout=timeout,
            meter=self._meter(spec),
        )

    @staticmethod
    def _meter(spec: ModelSpec) -> ModelMeter:
        """Every call of the model counts in the day's usage (Admin -> Usage) and in /metrics."""
        from lumikb_app.services.platform import usage  # the use-case layer owns the counting

        kind = "embedding" if spec.kind is ModelKind.embedding else "llm"
        return functools.partial(usage.model_call, kind, spec.litellm_model)

    def close(self) -> None:
        self.__dict__.pop("db", None)
        for name in ("jobs", "vectors", "graph", "_sql_database"):
            adapter = self.__dict__.pop(name, None)
            if adapter is not None:
                adapter.close()


@functools.cache
def get_container() -> Container:
    return Container(get_settings())


def reset_container() -> None:
    """Close every adapter and forget settings (tests switch configurations with this)."""
    if get_container.cache_info().currsize:
        get_container().close()
    get_container.cache_clear()
    get_settings.cache_clear()
