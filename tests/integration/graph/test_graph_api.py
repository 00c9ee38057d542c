"""The graph routes of REST API v1 against the real app factory and stores: entity search, one
entity, and its neighbours, with API tokens; a KB the caller may not read is a 404 exactly like
a missing one, and nothing of it is in the answer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.accounts import api_tokens
from tests.integration.graph.explore_world import SECRET, ExploreWorld, deployment

pytestmark = pytest.mark.integration

UNKNOWN_KB = "00000000-0000-0000-0000-000000000000"


@dataclass
class Api:
    world: ExploreWorld
    client: TestClient
    alice: str  # READ on the typing KB
    carol: str  # no grant

    def get(self, token: str | None, path: str, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(path, params=params, headers=headers)

    def typevar(self) -> str:
        return self.world.ids[entity_key("TypeVar")]


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[Api]:
    for world in deployment(tmp_path_factory):
        from lumikb_app.api.app import create_api

        with TestClient(create_api(), follow_redirects=False) as client:
            yield Api(
                world,
                client,
                api_tokens.create_token(world.alice, "alice script")[0],
                api_tokens.create_token(world.carol, "carol script")[0],
            )


def _paths(kb_id: str, entity_id: str) -> list[str]:
    base = f"/api/v1/kbs/{kb_id}/graph/entities"
    return [base, f"{base}/{entity_id}", f"{base}/{entity_id}/neighbours"]


def test_entity_search_answers_with_the_kbs_entities_by_name(api):
    found = api.get(api.alice, f"/api/v1/kbs/{api.world.kb}/graph/entities", q="guido")
    assert found.status_code == 200
    assert [(e["name"], e["type"], e["community"]) for e in found.json()] == [
        ("Guido van Rossum", "person", 1)
    ]
    top = api.get(api.alice, f"/api/v1/kbs/{api.world.kb}/graph/entities", limit=3).json()
    assert len(top) == 3 and top[0]["mentions"] >= top[-1]["mentions"]


def test_neighbours_answer_the_entities_and_relations_around_one(api):
    answer = api.get(
        api.alice, f"/api/v1/kbs/{api.world.kb}/graph/entities/{api.typevar()}/neighbours", hops=2
    )
    assert answer.status_code == 200
    body = answer.json()
    names = {e["name"] for e in body["entities"]}
    assert names == {"TypeVar", "PEP 484", "Guido van Rossum", "asyncio"}
    ids = {e["id"] for e in body["entities"]}
    assert len(body["relations"]) == 3
    assert all(r["source"] in ids and r["target"] in ids for r in body["relations"])


def test_the_entity_detail_links_its_passages_to_the_viewer(api):
    body = api.get(api.alice, f"/api/v1/kbs/{api.world.kb}/graph/entities/{api.typevar()}").json()
    assert (body["name"], body["community_title"]) == ("TypeVar", "Type hints")
    assert {r["entity_name"] for r in body["relations"]} == {"PEP 484", "Guido van Rossum"}
    [passage] = body["passages"]
    assert "TypeVar" in passage["snippet"]
    assert passage["url"].startswith(f"/view/{api.world.doc}?chunk={passage['chunk_id']}&")


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"limit": 0},
        {"limit": 51},
        {"q": "nul\x00byte"},
    ],
)
def test_bad_search_input_is_a_422(api, params):
    answer = api.get(api.alice, f"/api/v1/kbs/{api.world.kb}/graph/entities", **params)
    assert answer.status_code == 422
    assert answer.json()["detail"]


@pytest.mark.parametrize("params", [{"hops": 0}, {"hops": 3}, {"limit": 201}])
def test_bad_neighbour_input_is_a_422(api, params):
    path = f"/api/v1/kbs/{api.world.kb}/graph/entities/{api.typevar()}/neighbours"
    assert api.get(api.alice, path, **params).status_code == 422


def test_an_entity_of_another_kb_is_not_found_in_this_one(api):
    foreign = api.world.private_ids[entity_key("TypeVar")]
    for path in _paths(api.world.kb, foreign)[1:]:
        answer = api.get(api.alice, path)
        assert answer.status_code == 404
        assert SECRET not in answer.text and foreign not in answer.text


def test_a_caller_without_a_grant_gets_the_same_404_as_for_an_unknown_kb(api):
    for known, unknown in zip(
        _paths(api.world.kb, api.typevar()), _paths(UNKNOWN_KB, api.typevar()), strict=True
    ):
        refused, missing = api.get(api.carol, known), api.get(api.carol, unknown)
        assert refused.status_code == missing.status_code == 404
        assert refused.json() == missing.json()
        assert "TypeVar" not in refused.text and "Typing notes" not in refused.text


def test_without_a_token_every_graph_route_is_a_401(api):
    for path in _paths(api.world.kb, api.typevar()):
        assert api.get(None, path).status_code == 401
