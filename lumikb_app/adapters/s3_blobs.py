"""Blob store on MinIO or any S3 server through the `minio` client, streamed both ways.

Keys follow the same rules as the local store, so data moves between the two.

A server that cannot be reached raises BlobStoreUnavailable (the caller shows its message)
after a few quick retries and a short connect timeout, not minio's 5 minutes.
"""

import functools
from collections.abc import Callable, Iterator
from typing import BinaryIO, ParamSpec, TypeVar
from urllib.parse import urlparse

from minio import Minio
from minio.error import S3Error
from urllib3 import BaseHTTPResponse, PoolManager, Retry, Timeout
from urllib3.exceptions import HTTPError

from lumikb_app.adapters.local_blobs import check_key
from lumikb_app.ports.blobs import BlobNotFound
from lumikb_app.ports.unavailable import BlobStoreUnavailable

P = ParamSpec("P")
T = TypeVar("T")
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 120

UNKNOWN_LENGTH_PART_SIZE = 10 << 20  # S3 needs >= 5 MiB parts; one part is buffered per upload
MISSING_CODES = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}


def split_endpoint(endpoint: str, secure: bool) -> tuple[str, bool]:
    """Accept `host:port` or `http(s)://host:port`; the scheme, if any, decides TLS."""
    if "://" not in endpoint:
        return endpoint, secure
    url = urlparse(endpoint)
    return url.netloc, url.scheme == "https"


def _http_client() -> PoolManager:
    """minio's own, with a short connect timeout and two retries instead of five (an
    unreachable server answered after 6 s per call; a hung one after 5 minutes)."""
    return PoolManager(
        timeout=Timeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        retries=Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )


def _reachable(method: Callable[P, T]) -> Callable[P, T]:
    """Connection errors (urllib3's, after its retries) become BlobStoreUnavailable."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except HTTPError as error:
            raise BlobStoreUnavailable() from error

    return call


class _CountingReader:
    """Counts the bytes the minio client reads from the caller's stream."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data


def _stream_response(response: BaseHTTPResponse, chunk_size: int) -> Iterator[bytes]:
    try:
        yield from response.stream(chunk_size)
    finally:
        response.close()
        response.release_conn()


class S3BlobStore:
    embedded = False

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        region: str = "us-east-1",
    ) -> None:
        host, secure = split_endpoint(endpoint, secure)
        self.client = Minio(
            host,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=_http_client(),
        )
        self.bucket = bucket
        self.region = region
        self.ensure_bucket()

    @_reachable
    def ensure_bucket(self) -> None:
        if self.client.bucket_exists(self.bucket):
            return
        try:
            self.client.make_bucket(self.bucket, location=self.region)
        except S3Error as error:
            if error.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    @_reachable
    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        length: int | None = None,
        content_type: str = "application/octet-stream",
    ) -> int:
        check_key(key)
        reader = _CountingReader(stream)
        self.client.put_object(
            self.bucket,
            key,
            reader,  # type: ignore[arg-type]  # minio asks for a BinaryIO but only calls read()
            length=-1 if length is None else length,
            content_type=content_type,
            part_size=UNKNOWN_LENGTH_PART_SIZE if length is None else 0,
        )
        return reader.count

    @_reachable
    def get(self, key: str, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        check_key(key)
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as error:
            raise self._not_found(error, key) from None
        return _stream_response(response, chunk_size)

    @_reachable
    def delete(self, key: str) -> None:
        check_key(key)
        self.client.remove_object(self.bucket, key)

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except BlobNotFound:
            return False
        return True

    @_reachable
    def size(self, key: str) -> int:
        check_key(key)
        try:
            stat = self.client.stat_object(self.bucket, key)
        except S3Error as error:
            raise self._not_found(error, key) from None
        return int(stat.size or 0)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        items = self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True)
        try:
            for item in items:
                if item.object_name is not None:
                    yield item.object_name
        except HTTPError as error:
            raise BlobStoreUnavailable() from error

    @_reachable
    def health(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            raise RuntimeError(f"bucket {self.bucket!r} does not exist")

    @staticmethod
    def _not_found(error: S3Error, key: str) -> Exception:
        return BlobNotFound(key) if error.code in MISSING_CODES else error
