"""Fixtures of the graph store contract suites: a store of every kind (`graph_targets`), and
two KB ids that no other test shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lumikb_app.ports.graph import GraphStore
from tests.integration.graph.graph_targets import falkordb_server, open_target, target_kinds


@pytest.fixture(scope="session")
def falkordb_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with falkordb_server(tmp_path_factory.mktemp("falkordb")) as port:
        yield port


@pytest.fixture
def kb_prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=target_kinds())
def graph(request: pytest.FixtureRequest, tmp_path: Path, kb_prefix: str) -> Iterator[GraphStore]:
    with open_target(request.param, tmp_path, kb_prefix, request.getfixturevalue) as store:
        yield store


@pytest.fixture
def kb(kb_prefix: str) -> str:
    return f"{kb_prefix}-kb1"


@pytest.fixture
def other_kb(kb_prefix: str) -> str:
    return f"{kb_prefix}-kb2"
