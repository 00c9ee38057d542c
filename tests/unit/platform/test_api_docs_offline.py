"""/api/docs works with no internet: the page names no other host, and the Swagger UI script and
styles it loads are served by the app itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from lumikb_app.api.app import create_api

pytestmark = pytest.mark.unit
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_api())


def test_the_docs_page_loads_nothing_from_another_host(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg", page.text), page.text
    assets = ASSET.findall(page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    assert all(a.startswith("/api/docs/assets/") for a in assets), assets


def test_each_asset_the_page_names_is_served(client):
    page = client.get("/api/docs")
    for path in ASSET.findall(page.text):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert len(answer.content) > 1000, path
    script = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text
    assert "text/css" in client.get("/api/docs/assets/swagger-ui.css").headers["content-type"]


def test_only_the_named_assets_are_served(client):
    for name in ("index.html", "..%2F..%2Fpyproject.toml", "redoc.standalone.js"):
        assert client.get(f"/api/docs/assets/{name}").status_code == 404
    assert client.get("/api/openapi.json").json()["openapi"].startswith("3.1")
