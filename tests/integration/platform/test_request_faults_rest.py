"""The REST API while a backend is down, with real servers: search answers without the cache
when its Redis is stopped; PostgreSQL gone (cut at a TCP proxy) answers 503 with the reason,
and the next request after it is back answers again, with no restart."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.integration.platform.private_redis import wait_for
from tests.integration.platform.request_fault_world import PASSWORD, FaultWorld, fault_world

pytestmark = pytest.mark.integration

DATABASE_DOWN = {"detail": "The database is unavailable; try again in a moment."}
CACHE_LOGGER = "lumikb_app.adapters.redis_cache"
ORIGIN = "http://testserver"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[FaultWorld]:
    with fault_world(tmp_path_factory.mktemp("request-faults")) as world:
        yield world


@pytest.fixture(scope="module")
def client(world) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    # A 500 is an answer here, not an exception in the test.
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        yield client


def _search(client: TestClient, world: FaultWorld, query: str):
    headers = {"Authorization": f"Bearer {world.api_token}"}
    return client.post("/api/v1/search", json={"query": query}, headers=headers)


def _found(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {result["document_name"] for result in response.json()["results"]}


def _cached_keys(world: FaultWorld) -> int:
    with world.redis.client() as redis:
        return len(redis.keys("lumikb:cache:*"))


def test_search_with_redis_down_answers_without_the_cache(client, world, caplog):
    assert _found(_search(client, world, "signed build")) == {"handbook.md"}
    assert _cached_keys(world) > 0  # the cache is in use before the outage

    world.redis.stop()
    try:
        with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
            for query in ("signed build", "hardware key", "release checklist"):
                assert _found(_search(client, world, query)) == {"handbook.md"}
        outage_lines = [r for r in caplog.records if r.name == CACHE_LOGGER]
        assert len(outage_lines) == 1, [r.getMessage() for r in outage_lines]  # once, not per call
        assert "unreachable" in outage_lines[0].getMessage()
    finally:
        world.redis.start()  # empty: it keeps no data across a restart

    def cached_again() -> bool:
        assert _found(_search(client, world, "release manager")) == {"handbook.md"}
        return _cached_keys(world) > 0

    wait_for(cached_again, 30, "search to use the cache again")


def test_database_down_answers_503_with_the_reason_and_recovers(client, world):
    assert _found(_search(client, world, "hardware key")) == {"handbook.md"}

    world.database.down()
    try:
        down = _search(client, world, "hardware key")
        assert down.status_code == 503
        assert down.json() == DATABASE_DOWN
        assert down.headers["Retry-After"].isdigit()
        listing = client.get("/api/v1/kbs", headers={"Authorization": f"Bearer {world.api_token}"})
        assert (listing.status_code, listing.json()) == (503, DATABASE_DOWN)
    finally:
        world.database.up()

    assert _found(_search(client, world, "hardware key")) == {"handbook.md"}  # no restart


def test_signing_in_while_the_database_is_down_sends_back_to_a_page_that_says_so(client, world):
    form = {"email": world.user.email, "password": PASSWORD}
    world.database.down()
    try:
        answer = client.post(
            "/auth/login", data=form, headers={"Origin": ORIGIN}, follow_redirects=False
        )
    finally:
        world.database.up()
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?error=unavailable"
