"""One contract for every blob store: the local folder, and S3 through moto's server with the real minio client."""

import hashlib
import io
import os
import shutil
import socket
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from lumikb_app.adapters.local_blobs import LocalBlobStore
from lumikb_app.adapters.s3_blobs import S3BlobStore
from lumikb_app.ports.blobs import BlobNotFound, BlobStore

pytestmark = pytest.mark.integration

MIB = 1 << 20


class ChunkedStream(io.RawIOBase):
    """A stream of pseudo-random bytes produced on demand, never held whole in memory."""

    def __init__(self, total: int, seed: bytes = b"lumikb") -> None:
        self.remaining = total
        self.block = hashlib.sha512(seed).digest() * 4096  # 256 KiB pattern
        self.offset = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        out = bytearray()
        while len(out) < size:
            start = self.offset % len(self.block)
            piece = self.block[start : start + size - len(out)]
            out += piece
            self.offset += len(piece)
        self.remaining -= size
        self.sha256.update(out)
        return bytes(out)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    endpoint = request.getfixturevalue("moto_endpoint")
    bucket = f"lumikb-{os.urandom(4).hex()}"
    return S3BlobStore(endpoint, "testing", "testing", bucket)


def _sha256(chunks: Iterator[bytes]) -> tuple[str, int, int]:
    digest, total, count = hashlib.sha256(), 0, 0
    for chunk in chunks:
        digest.update(chunk)
        total += len(chunk)
        count += 1
    return digest.hexdigest(), total, count


def _put_bytes(store: BlobStore, key: str, data: bytes) -> None:
    store.put(key, io.BytesIO(data), length=len(data))


def _read(store: BlobStore, key: str) -> bytes:
    return b"".join(store.get(key))


def test_multi_megabyte_roundtrip_in_chunks(store):
    source = ChunkedStream(6 * MIB + 123)
    written = store.put("kb/1/doc/2/v1", source, length=6 * MIB + 123)
    digest, total, chunks = _sha256(store.get("kb/1/doc/2/v1", chunk_size=MIB))
    assert written == total == 6 * MIB + 123
    assert digest == source.sha256.hexdigest()
    assert chunks >= 7


def test_put_without_known_length(store):
    source = ChunkedStream(11 * MIB + 7, seed=b"unknown")
    written = store.put("kb/1/doc/3/v1", source)
    assert written == 11 * MIB + 7
    assert store.size("kb/1/doc/3/v1") == written
    assert _sha256(store.get("kb/1/doc/3/v1"))[0] == source.sha256.hexdigest()


def test_exists_and_size(store):
    assert not store.exists("kb/1/doc/4/v1")
    _put_bytes(store, "kb/1/doc/4/v1", b"hello world")
    assert store.exists("kb/1/doc/4/v1")
    assert store.size("kb/1/doc/4/v1") == 11
    with pytest.raises(BlobNotFound):
        store.size("kb/1/doc/4/v2")


def test_delete_then_gone(store):
    _put_bytes(store, "kb/1/doc/5/v1", b"bye")
    store.delete("kb/1/doc/5/v1")
    assert not store.exists("kb/1/doc/5/v1")
    with pytest.raises(BlobNotFound):
        store.get("kb/1/doc/5/v1")
    store.delete("kb/1/doc/5/v1")  # deleting again is not an error


def test_list_by_prefix(store):
    for key in ("kb/1/doc/6/v1", "kb/1/doc/6/v2", "kb/1/doc/60/v1", "kb/2/doc/7/v1"):
        _put_bytes(store, key, key.encode())
    assert list(store.list_keys("kb/1/doc/6/")) == ["kb/1/doc/6/v1", "kb/1/doc/6/v2"]
    assert list(store.list_keys("kb/1/doc/6")) == [
        "kb/1/doc/6/v1",
        "kb/1/doc/6/v2",
        "kb/1/doc/60/v1",
    ]
    assert len(list(store.list_keys())) == 4
    assert list(store.list_keys("kb/3/")) == []


def test_overwrite_replaces_content(store):
    _put_bytes(store, "kb/1/doc/8/v1", b"first version, longer")
    _put_bytes(store, "kb/1/doc/8/v1", b"second")
    assert _read(store, "kb/1/doc/8/v1") == b"second"
    assert store.size("kb/1/doc/8/v1") == 6
    assert list(store.list_keys("kb/1/doc/8/")) == ["kb/1/doc/8/v1"]


@pytest.mark.parametrize(
    "key", ["../escape", "kb/../../etc/passwd", "/etc/passwd", "kb\\1", "", "kb//1", "kb/./1"]
)
def test_invalid_keys_rejected(store, key):
    with pytest.raises(ValueError):
        store.put(key, io.BytesIO(b"x"), length=1)
    with pytest.raises(ValueError):
        store.exists(key)


def test_local_put_failure_leaves_no_partial_blob(tmp_path):
    store = LocalBlobStore(tmp_path / "blobs")

    class Broken(ChunkedStream):
        def read(self, size=-1):
            if self.remaining < 2 * MIB:
                raise OSError("connection dropped")
            return super().read(size)

    with pytest.raises(OSError):
        store.put("kb/1/doc/9/v1", Broken(4 * MIB))
    with pytest.raises(ValueError):
        store.put("kb/1/doc/9/v1", io.BytesIO(b"short"), length=10)
    assert not store.exists("kb/1/doc/9/v1")
    assert list(store.list_keys()) == []
    assert [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_local_keys_stay_under_root(tmp_path):
    store = LocalBlobStore(tmp_path / "blobs")
    _put_bytes(store, "kb/1/doc/10/v1", b"inside")
    assert (tmp_path / "blobs" / "kb" / "1" / "doc" / "10" / "v1").read_bytes() == b"inside"
    with pytest.raises(ValueError):
        list(store.list_keys("../"))


def _remove_storage(store: BlobStore) -> None:
    """Take away what the store keeps blobs in: the folder, or the bucket."""
    if isinstance(store, LocalBlobStore):
        shutil.rmtree(store.root)
    else:
        assert isinstance(store, S3BlobStore)
        store.client.remove_bucket(store.bucket)


def test_health_passes_while_the_store_works_and_fails_once_its_storage_is_gone(store):
    _put_bytes(store, "kb/1/doc/1/v1", b"present")
    assert store.health() is None
    store.delete("kb/1/doc/1/v1")

    _remove_storage(store)

    with pytest.raises(RuntimeError, match="not writable|does not exist"):
        store.health()
