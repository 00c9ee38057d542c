"""Builds the adapters named by settings, once, lazily (DESIGN.md "Backends").

Every backend is typed by its port, so the type checker (`make lint`) proves each concrete
adapter returned here satisfies its Protocol.
"""

from __future__ import annotations

import functools
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from lumikb_app.settings import Settings, get_settings

if TYPE_CHECKING:
    from lumikb_app.adapters.sql_database import SqlDatabase
    from lumikb_app.ports.blobs import BlobStore
    from lumikb_app.ports.cache import Cache
    from lumikb_app.ports.database import Database
    from lumikb_app.ports.embeddings import Embedder
    from lumikb_app.ports.graph import GraphStore
    from lumikb_app.ports.jobs import JobQueue
    from lumikb_app.ports.llm import ChatModel
    from lumikb_app.ports.vectors import VectorIndex


class Container:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._embedders: dict[str, Embedder] = {}
        self._chat_models: dict[str, ChatModel] = {}

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

                return RedisJobQueue(self.settings.REDIS_URL)
            from lumikb_app.adapters.rq_jobs import EmbeddedJobQueue

            return EmbeddedJobQueue()

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

    @cached_property
    def chat_model(self) -> ChatModel | None:
        """The model that writes answers; None (extractive answers) when LLM_MODEL is unset."""
        model = self.settings.LLM_MODEL
        return self.chat_model_named(model) if model else None

    def chat_model_named(self, model: str) -> ChatModel:
        """The deployment's or a KB's chat model by its LiteLLM string ("fake/..." in tests)."""
        with self._lock:
            if model not in self._chat_models:
                self._chat_models[model] = self._build_chat_model(model)
            return self._chat_models[model]

    def _build_chat_model(self, model: str) -> ChatModel:
        if model.startswith("fake/"):
            from lumikb_app.adapters.fake_chat import fake_model_for

            return fake_model_for(model)
        from lumikb_app.adapters.litellm_chat import LiteLLMChatModel

        return LiteLLMChatModel(
            model, api_base=self.settings.LITELLM_URL, api_key=self.settings.LITELLM_API_KEY
        )

    def embedder_for(self, model: str) -> Embedder:
        """The embedder a KB names: "default" is the offline model shipped in a PyPI package;
        anything else is a LiteLLM model string (e.g. ollama/nomic-embed-text)."""
        with self._lock:
            if model not in self._embedders:
                self._embedders[model] = self._build_embedder(model)
            return self._embedders[model]

    def _build_embedder(self, model: str) -> Embedder:
        from lumikb_app.domain.kb_settings import DEFAULT_EMBEDDING_MODEL

        if model == DEFAULT_EMBEDDING_MODEL:
            from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder

            return OnnxMiniLMEmbedder(cache_dir=self.settings.DATA_DIR / "models")
        from lumikb_app.adapters.litellm_embedder import LiteLLMEmbedder

        return LiteLLMEmbedder(
            model, api_base=self.settings.LITELLM_URL, api_key=self.settings.LITELLM_API_KEY
        )

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
