"""The model registry's vocabulary: kinds of model and the spec the container builds one from.

A `ModelSpec` is a registry entry without its bookkeeping: the container builds chat models and
embedders only from specs, and only services make specs, from rows of the `models` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The offline ONNX MiniLM shipped in a PyPI package: a registry entry with this id and model
# string is seeded by migration 0006, and KB settings written before the registry name it so.
BUILTIN_EMBEDDER_ID = "default"
BUILTIN_EMBEDDER_MODEL = "default"
FAKE_PREFIX = "fake/"  # deterministic test doubles (adapters/fake_*.py); LUMIKB_ENV=test only


class ModelKind(StrEnum):
    chat = "chat"
    embedding = "embedding"
    extraction = "extraction"


@dataclass(frozen=True)
class ModelSpec:
    """What the container needs to build a model; hashable, so it keys the model caches."""

    id: str
    kind: ModelKind
    litellm_model: str
    base_url: str | None = None
    api_key_env: str | None = None

    @property
    def is_fake(self) -> bool:
        return self.litellm_model.startswith(FAKE_PREFIX)

    @property
    def is_builtin_embedder(self) -> bool:
        return self.kind is ModelKind.embedding and self.litellm_model == BUILTIN_EMBEDDER_MODEL


BUILTIN_EMBEDDER = ModelSpec(BUILTIN_EMBEDDER_ID, ModelKind.embedding, BUILTIN_EMBEDDER_MODEL)
