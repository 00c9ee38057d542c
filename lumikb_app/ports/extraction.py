"""Entity extraction port: chunks in, what each one names and relates out.

Two extractors: key terms and references without a model (services/graph/term_extractor.py,
the embedded default) and a language model through LiteLLM (services/graph/llm_extractor.py).
An extractor never raises for one bad chunk: it returns that chunk with `error` set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from lumikb_app.domain.graph import ChunkExtraction, ChunkText


class Extractor(Protocol):
    name: str
    mode: str  # "fast" (no model) or "llm"
    batch_size: int  # chunks per extract() call the job should hand it

    def extract(self, chunks: Sequence[ChunkText]) -> list[ChunkExtraction]:
        """One result per chunk, in order."""
        ...
