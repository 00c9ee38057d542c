"""deploy/grafana/lumikb.json reads only metrics the app defines, and charts every one of them;
deploy/prometheus.yml scrapes the app's /metrics and the workers' metrics port."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from prometheus_client import REGISTRY

import lumikb_app.api.platform.metrics  # noqa: F401  (defines the HTTP metrics)
import lumikb_app.services.platform.telemetry  # noqa: F401  (defines the stage metrics)
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "lumikb.json"
PROMETHEUS = PROJECT_ROOT / "deploy" / "prometheus.yml"
_SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_count", "_sum"),
    "gauge": ("",),
}


def _ours() -> dict[str, str]:
    """Every sample name our metrics can have -> its family name."""
    names = {}
    for family in REGISTRY.collect():
        if family.name.startswith("lumikb_"):
            for suffix in _SUFFIXES[family.type]:
                names[family.name + suffix] = family.name
    return names


def _queries() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def test_every_metric_the_dashboard_queries_exists_and_every_one_is_charted():
    ours = _ours()
    queried = {name for expr in _queries() for name in re.findall(r"\blumikb_\w+", expr)}
    assert queried, "the dashboard queries nothing"
    assert queried <= set(ours), f"unknown metrics: {sorted(queried - set(ours))}"
    assert {ours[name] for name in queried} == set(ours.values()), "a metric is not charted"


def test_each_query_is_balanced_and_each_panel_uses_the_chosen_data_source():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["templating"]["list"][0]["name"] == "datasource"
    for expr in _queries():
        assert expr.count("(") == expr.count(")") and expr.count("{") == expr.count("}"), expr
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]


def test_prometheus_scrapes_the_app_and_the_workers():
    jobs = {
        job["job_name"]: job for job in yaml.safe_load(PROMETHEUS.read_text())["scrape_configs"]
    }
    assert jobs["lumikb-app"]["metrics_path"] == "/metrics"
    assert jobs["lumikb-app"]["authorization"]["type"] == "Bearer"
    assert jobs["lumikb-app"]["static_configs"][0]["targets"] == ["app:3000"]
    assert jobs["lumikb-worker"]["static_configs"][0]["targets"] == ["worker:9101"]
