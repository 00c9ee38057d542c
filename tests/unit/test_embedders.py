"""Embedding adapters at the port: the offline default model, the test fake, and LiteLLM."""

from __future__ import annotations

import base64
import json
import math
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.adapters.litellm_embedder import LiteLLMEmbedder
from lumikb_app.adapters.onnx_embedder import DIMENSION, OnnxMiniLMEmbedder
from lumikb_app.ports.embeddings import Embedder, EmbeddingError

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[2]

QUESTION = "How do I format Python code?"
STYLE = "This document gives coding conventions for the Python code: indentation, line length and naming."
COOKING = "Simmer the tomatoes with garlic and olive oil for twenty minutes, then add basil."


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(a: list[float]) -> float:
    return math.sqrt(dot(a, a))


# -- the default offline embedder ------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> Iterator[OnnxMiniLMEmbedder]:
    yield OnnxMiniLMEmbedder()


def test_default_embedder_loads_offline_from_installed_packages():
    """A fresh interpreter with the hubs switched off and every proxy pointing nowhere."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder\n"
        "e = OnnxMiniLMEmbedder()\n"
        "e.health()\n"
        "print(len(e.embed_query('offline')))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(PROJECT_ROOT),
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
    assert result.stdout.strip() == str(DIMENSION)


def test_default_embedder_satisfies_the_port(minilm):
    assert isinstance(minilm, Embedder)
    assert minilm.dimension == DIMENSION == 384
    assert minilm.max_tokens == 254
    assert minilm.name == "all-MiniLM-L6-v2-int8"


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


def test_batch_equals_single(minilm):
    texts = [QUESTION, STYLE, COOKING, "short", "A much longer sentence " * 20]
    batch = minilm.embed_documents(texts)
    for text, vector in zip(texts, batch, strict=True):
        single = minilm.embed_documents([text])[0]
        # int8 activations are quantized per batch: same vector up to rounding.
        assert dot(single, vector) > 0.995
    assert minilm.embed_documents([QUESTION])[0] == pytest.approx(
        minilm.embed_query(QUESTION), abs=1e-6
    )


def test_output_order_follows_input_order_across_batches():
    small = OnnxMiniLMEmbedder(batch_size=2)
    texts = [COOKING, "x " * 200, QUESTION, "", STYLE]
    vectors = small.embed_documents(texts)
    for text, vector in zip(texts, vectors, strict=True):
        assert dot(small.embed_query(text), vector) > 0.995


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


def test_concurrent_first_use_loads_once():
    embedder = OnnxMiniLMEmbedder()
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
    assert all(r == pytest.approx(results[0], abs=1e-6) for r in results)


def test_wrong_model_file_is_refused(tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not a model")
    with pytest.raises(EmbeddingError, match="not the expected"):
        OnnxMiniLMEmbedder(model_path=fake).health()


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

    monkeypatch.setattr(litellm, "embedding", fake_embedding)
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
