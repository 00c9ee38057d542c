"""Any LiteLLM embedding model behind the embedding port.

`model` is a LiteLLM model string: `ollama/nomic-embed-text` (with `api_base` the
Ollama URL), `openai/<name>` for any OpenAI-compatible server or a LiteLLM proxy
(`api_base` = `LITELLM_URL`), `text-embedding-3-small`, ... The vector size is
learned from one probe call the first time it is needed, then cached (or pass
`dimension` to skip the probe). Vectors are L2-normalized here, whatever the
provider returns, so every adapter keeps the port's promise.

LiteLLM is imported lazily (it takes seconds), after setting
`LITELLM_LOCAL_MODEL_COST_MAP=True` so it never fetches its price list.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from lumikb_app.adapters.model_meter import ModelMeter, litellm_usage
from lumikb_app.ports.embeddings import EmbeddingError

_PROBE_TEXT = "dimension probe"
# A key, or a function that reads it at call time (the registry names an environment variable).
ApiKey = str | Callable[[], str | None] | None


def api_key_now(key: ApiKey) -> str | None:
    return key() if callable(key) else key


def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError as exc:  # pragma: no cover - litellm is a project dependency
        raise EmbeddingError(
            "LiteLLM is not installed: install the `litellm` package to use a remote embedding model"
        ) from exc
    litellm.telemetry = False
    return litellm


def _normalize(vector: Sequence[float]) -> list[float]:
    values = [float(x) for x in vector]
    norm = math.sqrt(sum(x * x for x in values))
    if norm == 0.0 or not math.isfinite(norm):
        raise EmbeddingError("the embedding model returned a zero or invalid vector")
    return [x / norm for x in values]


class LiteLLMEmbedder:
    """Embeddings through `litellm.embedding`, batched, normalized, dimension probed once."""

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: ApiKey = None,
        dimension: int | None = None,
        max_tokens: int = 512,
        batch_size: int = 64,
        timeout: float = 60.0,
        document_prefix: str = "",
        query_prefix: str = "",
        extra: dict[str, Any] | None = None,
        meter: ModelMeter | None = None,
    ) -> None:
        if not model:
            raise ValueError("an embedding model name is required")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model = model
        self.name = f"litellm:{model}"
        self.api_base = api_base or None
        self._api_key = api_key or None
        self._dimension = dimension
        self._max_tokens = max_tokens
        self.batch_size = batch_size
        self.timeout = timeout
        # e.g. nomic-embed-text wants "search_document: " / "search_query: "
        self.document_prefix = document_prefix
        self.query_prefix = query_prefix
        self._extra = dict(extra or {})
        self._lock = threading.Lock()
        self.meter = meter

    # -- port -----------------------------------------------------------------

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            with self._lock:
                if self._dimension is None:
                    self._dimension = len(self._call([_PROBE_TEXT])[0])
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        prepared = [self._prepare(self.document_prefix + text) for text in texts]
        vectors: list[list[float]] = []
        for start in range(0, len(prepared), self.batch_size):
            vectors.extend(self._call(prepared[start : start + self.batch_size]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._call([self._prepare(self.query_prefix + text)])[0]

    def count_tokens(self, text: str) -> int:
        """LiteLLM's count for the model (tiktoken or the model's tokenizer), else an estimate."""
        if not text:
            return 0
        try:
            return int(_litellm().token_counter(model=self.model, text=text))
        except Exception:
            return max(1, len(text) // 4)

    def health(self) -> None:
        vector = self._call([_PROBE_TEXT])[0]
        if self._dimension is not None and len(vector) != self._dimension:
            raise EmbeddingError(
                f"{self.model} now returns {len(vector)}-d vectors, expected {self._dimension}"
            )

    # -- internals ------------------------------------------------------------

    def _prepare(self, text: str) -> str:
        if not text.strip():
            return " "  # several providers reject an empty string
        count = self.count_tokens(text)
        # Cut by proportion until it fits: providers either fail or truncate silently.
        for _ in range(4):
            if count <= self._max_tokens:
                break
            text = text[: max(1, int(len(text) * self._max_tokens / count * 0.95))]
            count = self.count_tokens(text)
        return text

    def _call(self, batch: list[str]) -> list[list[float]]:
        litellm = _litellm()
        kwargs: dict[str, Any] = {"model": self.model, "input": batch, "timeout": self.timeout}
        if self.api_base:
            kwargs["api_base"] = self.api_base
        key = api_key_now(self._api_key)
        if key:
            kwargs["api_key"] = key
        kwargs.update(self._extra)
        try:
            response = litellm.embedding(**kwargs)
        except Exception as exc:
            if self.meter is not None:
                self.meter(False)
            where = f" at {self.api_base}" if self.api_base else ""
            raise EmbeddingError(
                f"embedding model {self.model}{where} failed: {type(exc).__name__}: {exc}"
            ) from exc
        if self.meter is not None:
            self.meter(True, *litellm_usage(litellm, response))
        return self._vectors(response, len(batch))

    def _vectors(self, response: Any, expected: int) -> list[list[float]]:
        data = response["data"] if isinstance(response, dict) else response.data
        items: list[tuple[int, Any]] = []
        for position, item in enumerate(data):
            get = item.get if isinstance(item, dict) else lambda key, i=item: getattr(i, key, None)
            index = get("index")
            items.append((position if index is None else int(index), get("embedding")))
        items.sort(key=lambda pair: pair[0])
        if len(items) != expected or any(v is None for _, v in items):
            raise EmbeddingError(
                f"embedding model {self.model} returned {len(items)} vectors for {expected} texts"
            )
        vectors = [_normalize(vector) for _, vector in items]
        width = self._dimension
        for vector in vectors:
            if width is not None and len(vector) != width:
                raise EmbeddingError(
                    f"embedding model {self.model} returned {len(vector)}-d vectors, expected {width}"
                )
            width = len(vector)
        return vectors
