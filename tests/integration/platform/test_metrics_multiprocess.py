"""With PROMETHEUS_MULTIPROC_DIR, /metrics adds up every web process (Reflex starts several with
REDIS_URL, all behind one port): counts from two other processes show in the third's answer,
and their open websockets are summed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lumikb_app.settings import SettingsError, load_settings
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration

A_WEB_PROCESS = textwrap.dedent(
    """
    from lumikb_app.services.platform import telemetry
    telemetry.JOB_FAILURES.labels(queue="ingest", job="ingest_document").inc()
    telemetry.observe(telemetry.SEARCH_SECONDS, "total", 0.2)
    telemetry.WEBSOCKET_CONNECTIONS.inc()
    """
)
SCRAPE = textwrap.dedent(
    """
    from fastapi.testclient import TestClient
    from lumikb_app.api.app import create_api
    with TestClient(create_api(), client=("127.0.0.1", 40000)) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    print("--- metrics ---")
    print(answer.text)
    """
)


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    raise AssertionError(f"{name}{labels} not in the answer")


def test_metrics_add_up_every_web_process(data_dir, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LUMIKB", "DATABASE"))},
        "DATA_DIR": str(data_dir),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    _python(A_WEB_PROCESS, env)
    _python(A_WEB_PROCESS, env)
    text = _python(SCRAPE, env).split("--- metrics ---\n", 1)[1]  # RQ logs to stdout first
    failures = _value(text, "lumikb_job_failures_total", queue="ingest", job="ingest_document")
    assert failures == 2
    assert _value(text, "lumikb_search_stage_seconds_count", stage="total") == 2
    assert _value(text, "lumikb_websocket_connections") == 2


def test_the_folder_must_exist_and_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(SettingsError, match="PROMETHEUS_MULTIPROC_DIR: .*not an existing folder"):
        load_settings()
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    with pytest.raises(SettingsError, match="must be set in the environment"):
        load_settings(PROMETHEUS_MULTIPROC_DIR=tmp_path)
