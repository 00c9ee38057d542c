"""The served app (reflex run --env prod) counts the browser tabs connected to it on /metrics,
echoes a request's X-Request-ID and writes that id on the request's log line."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import ARTIFACTS, browser_context, wait_for_hydration

pytestmark = pytest.mark.e2e


def _open_tabs(base_url: str) -> float:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as response:
        text = response.read().decode()
    for family in text_string_to_metric_families(text):
        if family.name == "lumikb_websocket_connections":
            return family.samples[0].value
    raise AssertionError("no lumikb_websocket_connections on /metrics")


def _until(predicate, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_open_tabs_are_counted_and_a_request_id_reaches_the_log(browser, app_server):
    base_url = app_server.base_url
    start = _open_tabs(base_url)
    context = browser_context(browser, base_url)
    tab = context.new_page()
    tab.goto("/login")
    wait_for_hydration(tab)
    assert _until(lambda: _open_tabs(base_url) == start + 1)
    context.close()
    assert _until(lambda: _open_tabs(base_url) == start)

    request = urllib.request.Request(
        f"{base_url}/api/v1/kbs", headers={"X-Request-ID": "e2e-trace-7f3a"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:  # no token: 401, still with its id
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers["X-Request-ID"] == "e2e-trace-7f3a"
    log = ARTIFACTS / "e2e-server.log"
    assert _until(
        lambda: (
            "request_id=e2e-trace-7f3a" in log.read_text(errors="replace")
            and "GET /api/v1/kbs 401" in log.read_text(errors="replace")
        )
    )
