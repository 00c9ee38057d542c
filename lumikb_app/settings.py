"""The one settings object. Read from the environment and `.env`, validated at start-up.

No other module reads `os.environ`: everything configurable is a field here.
"""

from __future__ import annotations

import functools
import os
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lumikb_app.domain.models import FAKE_PREFIX
from lumikb_app.domain.network import Network, normalize_origin, parse_networks

DEV_JWT_SECRET = "lumikb-dev-secret-change-me-in-production"
MIN_PRODUCTION_SECRET_LENGTH = 32
# 32 random hex digits use all 16; a "secret" of one letter repeated, or of spaces, uses 1.
MIN_SECRET_DISTINCT_CHARACTERS = 12
MIN_METRICS_TOKEN_LENGTH = 16


def weak_secret(secret: str) -> bool:
    """The development default, too short, or too few different characters to be random."""
    value = secret.strip()
    return (
        value == DEV_JWT_SECRET
        or len(value) < MIN_PRODUCTION_SECRET_LENGTH
        or len(set(value)) < MIN_SECRET_DISTINCT_CHARACTERS
    )


class Mode(StrEnum):
    development = "development"
    production = "production"
    test = "test"  # the only mode in which fake/ models (adapters/fake_*.py) may be built


class LogFormat(StrEnum):
    json = "json"
    text = "text"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class SettingsError(RuntimeError):
    """Start-up configuration is invalid; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    LUMIKB_ENV: Mode = Mode.development
    DATA_DIR: Path = Path("./data")
    DATABASE_URL: str | None = None

    QDRANT_HOST: str | None = None
    QDRANT_PORT: int = Field(6333, ge=1, le=65535)
    QDRANT_GRPC: bool = False
    QDRANT_GRPC_PORT: int = Field(6334, ge=1, le=65535)
    QDRANT_API_KEY: str | None = None

    MINIO_ENDPOINT: str | None = None
    MINIO_ACCESS_KEY: str | None = None
    MINIO_SECRET_KEY: str | None = None
    MINIO_BUCKET: str = "lumikb"
    MINIO_SECURE: bool = False

    LITELLM_URL: str | None = None
    LITELLM_API_KEY: str | None = None
    # A LiteLLM model string for chat answers, e.g. "ollama/llama3.2" or "gpt-4o-mini". It seeds
    # the model registry once (migration 0006), with LITELLM_URL; admins manage models after that.
    # Unset: chat answers in extractive mode (quoted sentences with citations, no generation).
    LLM_MODEL: str | None = None

    REDIS_URL: str | None = None

    # Answers written at once by one app process (UI and API share them); one more is refused
    # with "busy, try again in a moment" before anything is stored.
    CHAT_MAX_STREAMS: int = Field(8, ge=1, le=256)
    # Answers one person may ask for per window (UI and API together, counted in the cache,
    # so across processes with REDIS_URL); 0: no limit.
    CHAT_RATE_LIMIT: int = Field(20, ge=0, le=10_000)
    CHAT_RATE_WINDOW_SECONDS: int = Field(60, ge=1, le=86_400)

    NEO4J_URI: str | None = None
    NEO4J_USER: str = "neo4j"
    NEO4J_PASSWORD: str | None = None

    JWT_SECRET: str = DEV_JWT_SECRET
    JWT_ALGORITHM: str = "HS256"
    JWT_EXPIRY_MINUTES: int = Field(480, ge=1, le=60 * 24 * 30)

    MAX_UPLOAD_MB: int = Field(100, ge=1, le=10_240)
    # A document whose parser runs longer fails with a reason (parsing/processes.py).
    PARSE_TIMEOUT_SECONDS: int = Field(60, ge=1, le=3600)
    # Job threads of an embedded app: one slow document cannot hold every one of them.
    EMBEDDED_JOB_WORKERS: int = Field(2, ge=1, le=16)
    # Seconds before a failed job's 1st, 2nd, ... retry, comma-separated (the last value repeats);
    # after its last attempt a job stays in RQ's failed registry (Admin -> Console requeues it).
    JOB_RETRY_SECONDS: str = "5,30,120"
    # How many versions of each document stay readable, the current one included; citations to
    # an older version then say it is no longer kept (services/documents/versions.py).
    DOCUMENT_VERSIONS_KEPT: int = Field(3, ge=1, le=1000)
    # What an embedding model's cosine similarity means when it has not been measured (the
    # built-in model has its own, services/retrieval/relevance.py): about what unrelated text
    # scores, and from where a passage counts as a semantic match.
    SEARCH_UNRELATED_SIMILARITY: float = Field(0.2, ge=-1.0, le=1.0)
    SEARCH_CLOSE_SIMILARITY: float = Field(0.5, ge=-1.0, le=1.0)
    # Search leaves out a passage that holds none of the question's words when it is less
    # relevant than this (0..1, services/retrieval/relevance.py): a far neighbour in meaning.
    SEARCH_MIN_RELEVANCE: float = Field(0.1, ge=0.0, le=1.0)

    OIDC_ISSUER: str | None = None
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_ADMIN_GROUP: str | None = None

    # Reverse proxies whose X-Forwarded-For, -Host and -Proto are believed: addresses or CIDR
    # blocks, comma-separated. Unset: forwarded headers are ignored and the peer is the client.
    TRUSTED_PROXIES: str | None = None
    # Browser origins (scheme://host[:port], comma-separated) that may use the session cookie:
    # the websocket, CORS, form posts. Unset: only the origin each request was addressed to.
    ALLOWED_ORIGINS: str | None = None
    # The bearer token /metrics requires. Unset: /metrics answers direct loopback requests only.
    METRICS_TOKEN: str | None = Field(None, min_length=MIN_METRICS_TOKEN_LENGTH)

    # Log lines: JSON (one object a line: time, level, logger, message, request_id, user_id,
    # kb_id, job_id) or plain text. Unset: JSON in production, text otherwise.
    LOG_FORMAT: LogFormat | None = None
    LOG_LEVEL: LogLevel = LogLevel.INFO
    # Port on which each `make worker` process serves its own Prometheus metrics (ingestion
    # stages, job failures: jobs run there, not in the web app). Unset: not served.
    WORKER_METRICS_PORT: int | None = Field(None, ge=1, le=65535)
    # An existing folder, emptied before each start, where every web process writes its metrics
    # so /metrics adds up all of Reflex's web workers (prometheus_client's multiprocess mode).
    # It must be in the process environment: the client library reads it when it loads.
    PROMETHEUS_MULTIPROC_DIR: Path | None = None

    LUMIKB_ADMIN_EMAIL: str | None = None
    LUMIKB_ADMIN_PASSWORD: str | None = None

    @field_validator(
        "DATABASE_URL",
        "QDRANT_HOST",
        "QDRANT_API_KEY",
        "MINIO_ENDPOINT",
        "MINIO_ACCESS_KEY",
        "MINIO_SECRET_KEY",
        "LITELLM_URL",
        "LITELLM_API_KEY",
        "LLM_MODEL",
        "REDIS_URL",
        "NEO4J_URI",
        "NEO4J_PASSWORD",
        "TRUSTED_PROXIES",
        "ALLOWED_ORIGINS",
        "METRICS_TOKEN",
        mode="before",
    )
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("JOB_RETRY_SECONDS")
    @classmethod
    def _retry_seconds(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not 1 <= len(parts) <= 10 or not all(
            p.isdigit() and 1 <= int(p) <= 86_400 for p in parts
        ):
            raise ValueError(
                "JOB_RETRY_SECONDS must list 1 to 10 whole numbers of seconds (1 to 86400), "
                "comma-separated, e.g. 5,30,120"
            )
        return ",".join(parts)

    @property
    def job_retry_intervals(self) -> list[int]:
        """JOB_RETRY_SECONDS as numbers of seconds."""
        return [int(part) for part in self.JOB_RETRY_SECONDS.split(",")]

    @field_validator("DATABASE_URL")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        scheme = urlparse(value).scheme.split("+")[0]
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("must start with postgresql:// or sqlite:///")
        return value

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if urlparse(value).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("NEO4J_URI")
    @classmethod
    def _neo4j_scheme(cls, value: str | None) -> str | None:
        if not value:
            return None
        if urlparse(value).scheme not in {
            "bolt",
            "neo4j",
            "bolt+s",
            "neo4j+s",
            "bolt+ssc",
            "neo4j+ssc",
        }:
            raise ValueError("must start with bolt:// or neo4j://")
        return value

    @field_validator("OIDC_ISSUER")
    @classmethod
    def _issuer_url(cls, value: str | None) -> str | None:
        if value and urlparse(value).scheme not in {"http", "https"}:
            raise ValueError("must be the issuer's http(s) URL")
        return value

    @field_validator("TRUSTED_PROXIES")
    @classmethod
    def _proxy_networks(cls, value: str | None) -> str | None:
        if not value:
            return None
        return ",".join(str(network) for network in parse_networks(value)) or None

    @field_validator("ALLOWED_ORIGINS")
    @classmethod
    def _origins(cls, value: str | None) -> str | None:
        if not value:
            return None
        entries = [part.strip() for part in value.split(",") if part.strip()]
        if "*" in entries:
            raise ValueError("list the origins: '*' would let every site use the session cookie")
        return ",".join(dict.fromkeys(normalize_origin(entry) for entry in entries)) or None

    @field_validator("PROMETHEUS_MULTIPROC_DIR")
    @classmethod
    def _multiprocess_folder(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            raise ValueError("must be set in the environment, not only in .env")
        if not value.is_dir():
            raise ValueError(f"{value} is not an existing folder")
        return value

    @model_validator(mode="after")
    def _worker_metrics_collected(self) -> Settings:
        if self.WORKER_METRICS_PORT and self.PROMETHEUS_MULTIPROC_DIR is None:
            raise ValueError(
                "WORKER_METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR: RQ runs each job in a "
                "process of its own, whose metrics the worker can only read from that folder"
            )
        return self

    @field_validator("JWT_ALGORITHM")
    @classmethod
    def _hmac_algorithm(cls, value: str) -> str:
        if value not in {"HS256", "HS384", "HS512"}:
            raise ValueError("must be one of HS256, HS384, HS512")
        return value

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        if self.MINIO_ENDPOINT and not (self.MINIO_ACCESS_KEY and self.MINIO_SECRET_KEY):
            raise ValueError(
                "MINIO_ACCESS_KEY and MINIO_SECRET_KEY are required with MINIO_ENDPOINT"
            )
        if self.OIDC_ISSUER and not self.OIDC_CLIENT_ID:
            raise ValueError("OIDC_CLIENT_ID is required with OIDC_ISSUER")
        if self.LLM_MODEL and self.LLM_MODEL.startswith(FAKE_PREFIX) and not self.is_test:
            raise ValueError(
                f"LLM_MODEL={self.LLM_MODEL} is a test double: fake/ models run only with "
                f"LUMIKB_ENV=test (this is {self.LUMIKB_ENV.value})"
            )
        if self.LUMIKB_ENV is Mode.production and weak_secret(self.JWT_SECRET):
            raise ValueError(
                f"JWT_SECRET must be set to a random value of at least "
                f"{MIN_PRODUCTION_SECRET_LENGTH} characters with at least "
                f"{MIN_SECRET_DISTINCT_CHARACTERS} different ones in production "
                "(e.g. openssl rand -hex 32)"
            )
        return self

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{(self.DATA_DIR / 'lumikb.sqlite3').resolve()}"

    @property
    def log_format(self) -> str:
        if self.LOG_FORMAT is not None:
            return self.LOG_FORMAT.value
        return "json" if self.LUMIKB_ENV is Mode.production else "text"

    @property
    def is_test(self) -> bool:
        """Running under the test suite: fake/ models may be registered and built."""
        return self.LUMIKB_ENV is Mode.test

    def secret(self, name: str | None) -> str | None:
        """The value of the environment variable `name` (or its line in `.env`), read now.

        The model registry stores the name of the variable that holds a model's key, never the
        key, and the container asks for it each time it calls the model."""
        if not name:
            return None
        value = os.environ.get(name)
        if value is None and Path(".env").is_file():
            from dotenv import dotenv_values

            value = dotenv_values(".env").get(name)
        return value.strip() or None if value else None

    @property
    def trusted_proxies(self) -> tuple[Network, ...]:
        return parse_networks(self.TRUSTED_PROXIES or "")

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        return tuple(self.ALLOWED_ORIGINS.split(",")) if self.ALLOWED_ORIGINS else ()

    @property
    def sso_enabled(self) -> bool:
        return bool(self.OIDC_ISSUER and self.OIDC_CLIENT_ID)

    @property
    def embedded_services(self) -> dict[str, bool]:
        """Which backends run in-process (True) rather than against a server."""
        return {
            "database": self.database_url.startswith("sqlite"),
            "vectors": self.QDRANT_HOST is None,
            "blobs": self.MINIO_ENDPOINT is None,
            "graph": self.NEO4J_URI is None,
            "jobs": self.REDIS_URL is None,
            "cache": self.REDIS_URL is None,
        }


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's error into one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{name}: {message}" if name else message)
        raise SettingsError("Invalid configuration:\n  " + "\n  ".join(lines)) from None


@functools.cache
def get_settings() -> Settings:
    return load_settings()
