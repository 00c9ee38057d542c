"""Graph settings journey: a KB admin turns the knowledge graph on (without a language model),
uploads a PEP and watches its graph stage reach ready on the documents page, reads the status
card in KB settings, opens the language model's estimate and cancels it (nothing changes), then
confirms it and watches the graph stage run passage by passage with the paced fake model.
The registry's default chat model is the fake (conftest TEST_ENV), so the language-model mode
is offered, and LiteLLM knows no price for it."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Shots, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

PEP = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "peps" / "pep-0526.rst"
READY_TIMEOUT_MS = 240_000
ESTIMATE_TIMEOUT_MS = 30_000  # the server's first price lookup loads LiteLLM (seconds)

# Records every graph stage line each document row shows, from the page itself, so a state
# that lasts only a moment is still seen: "state|label" entries keyed by the document's name.
WATCH_GRAPH = """() => {
  window.__graphSeen = {};
  const scan = () => {
    document.querySelectorAll('[data-testid="doc-row"]').forEach((row) => {
      const stage = row.querySelector('[data-testid="graph-stage"]');
      if (!stage) return;
      const label = stage.querySelector('[data-testid="graph-label"]');
      const entry = stage.dataset.state + "|" + (label ? label.textContent : "");
      const seen = (window.__graphSeen[row.dataset.name] = window.__graphSeen[row.dataset.name] || []);
      if (seen[seen.length - 1] !== entry) seen.push(entry);
    });
  };
  new MutationObserver(scan).observe(document.body, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
  scan();
}"""


def _create_kb(page, name: str) -> str:
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-description").fill("Typing PEPs, with their knowledge graph.")
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    expect(page.get_by_test_id("page-title")).to_have_text(name)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _settings(page, kb_id: str):
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    section = page.get_by_test_id("graph-settings")
    expect(section.get_by_test_id("graph-status")).to_be_visible()
    section.scroll_into_view_if_needed()
    return section


def _mode(section, mode: str):
    return section.get_by_test_id(f"graph-mode-{mode}")


def _figure(section, name: str) -> int:
    return int(section.get_by_test_id(name).inner_text().replace(",", ""))


def _graph_stage(page, name: str):
    return page.locator(f'[data-testid="doc-row"][data-name="{name}"] [data-testid="graph-stage"]')


def _delete_kb(page, kb_id: str, name: str) -> None:
    """Other journeys search everything Grace may read: this KB goes when the journey ends."""
    page.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(page)
    page.get_by_test_id("kb-delete").click()
    page.get_by_test_id("kb-delete-confirm-input").fill(name)
    page.get_by_test_id("kb-delete-confirm").click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_kb_admin_turns_the_graph_on_and_watches_it_build(page, app_server, shots):
    app = app_server
    name = f"Typing PEPs {uuid.uuid4().hex[:4]}"
    login(page, app.email, app.password)
    expect(page.get_by_test_id("shell")).to_be_visible()
    kb_id = _create_kb(page, name)
    try:
        _turn_on_without_a_model(page, kb_id, shots)
        _upload_and_watch(page, kb_id, shots)
        _estimate_cancelled_then_confirmed(page, kb_id, shots)
    finally:
        _delete_kb(page, kb_id, name)


def _turn_on_without_a_model(page, kb_id: str, shots: Shots) -> None:
    section = _settings(page, kb_id)
    expect(_mode(section, "off")).to_have_attribute("data-state", "checked")
    expect(_mode(section, "llm")).to_be_enabled()  # the fake chat model is the registry default
    expect(section).to_contain_text("fake/paced")
    expect(section.get_by_test_id("graph-documents")).to_have_text("0 of 0")
    expect(section.get_by_test_id("graph-reextract")).to_be_disabled()
    shots("graph off")
    _mode(section, "fast").click()
    expect(section.get_by_test_id("graph-notice")).to_have_text(
        "Saved. Each document you add gets its graph once it is searchable."
    )
    expect(_mode(section, "fast")).to_have_attribute("data-state", "checked")
    expect(page.get_by_test_id("graph-estimate")).to_have_count(0)  # no model: no estimate
    shots("graph on without a model")


def _upload_and_watch(page, kb_id: str, shots: Shots) -> None:
    page.goto(f"/kb/{kb_id}")
    wait_for_hydration(page)
    page.evaluate(WATCH_GRAPH)
    page.locator('[data-testid="upload-zone"] input[type="file"]').set_input_files([str(PEP)])
    row = page.locator(f'[data-testid="doc-row"][data-name="{PEP.name}"]')
    expect(row).to_have_attribute("data-status", "ready", timeout=READY_TIMEOUT_MS)
    stage = _graph_stage(page, PEP.name)
    expect(stage).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    expect(stage.get_by_test_id("graph-label")).to_contain_text(
        re.compile(r"Knowledge graph: ready · \d+ entities")
    )
    seen = page.evaluate("() => window.__graphSeen")[PEP.name]
    assert seen[-1].startswith("ready|"), seen
    row.scroll_into_view_if_needed()
    shots("graph stage ready")

    section = _settings(page, kb_id)
    expect(section.get_by_test_id("graph-documents")).to_have_text("1 of 1")
    assert _figure(section, "graph-entities") > 10
    assert _figure(section, "graph-relations") > 5
    expect(section.get_by_test_id("graph-last-extraction")).not_to_have_text("never")
    expect(section.get_by_test_id("graph-failed-chunks")).to_have_text("0")
    expect(section.get_by_test_id("graph-reextract")).to_be_enabled()
    shots("status card")


def _estimate_cancelled_then_confirmed(page, kb_id: str, shots: Shots) -> None:
    section = _settings(page, kb_id)
    _mode(section, "llm").click()
    dialog = page.get_by_test_id("graph-estimate")
    expect(dialog).to_be_visible(timeout=ESTIMATE_TIMEOUT_MS)
    expect(dialog.get_by_test_id("estimate-chunks")).to_have_text(re.compile(r"^\d+ passages$"))
    expect(dialog.get_by_test_id("estimate-calls")).to_have_text(re.compile(r"^\d+ model calls$"))
    expect(dialog.get_by_test_id("estimate-tokens")).to_contain_text("tokens")
    expect(dialog.get_by_test_id("estimate-time")).to_contain_text("about")
    expect(dialog.get_by_test_id("estimate-cost")).to_have_text("price unknown")
    shots("estimate before the language model reads everything")
    dialog.get_by_test_id("estimate-cancel").click()
    expect(dialog).to_have_count(0)
    expect(_mode(section, "fast")).to_have_attribute("data-state", "checked")
    page.reload()  # nothing was saved
    wait_for_hydration(page)
    section = page.get_by_test_id("graph-settings")
    expect(_mode(section, "fast")).to_have_attribute("data-state", "checked")

    _mode(section, "llm").click()
    page.get_by_test_id("estimate-confirm").click(timeout=ESTIMATE_TIMEOUT_MS)
    expect(section.get_by_test_id("graph-notice")).to_have_text(
        "Saved. Extracting 1 document in the background."
    )
    expect(_mode(section, "llm")).to_have_attribute("data-state", "checked")
    extracting = section.get_by_test_id("graph-extracting")  # the card follows the extraction
    expect(extracting).to_contain_text(re.compile(r"1 document extracting · \d+%"))
    first = extracting.inner_text()
    expect(extracting).not_to_have_text(first, timeout=30_000)
    shots("status card while the language model extracts")

    page.goto(f"/kb/{kb_id}")
    wait_for_hydration(page)
    page.evaluate(WATCH_GRAPH)
    stage = _graph_stage(page, PEP.name)
    expect(stage.get_by_test_id("graph-progress")).to_be_visible(timeout=60_000)
    expect(stage.get_by_test_id("graph-label")).to_contain_text(
        re.compile(r"[1-9]\d* of \d+ passages · about \d+ (s|min) left"), timeout=60_000
    )
    shots("graph stage extracting with the language model")
    expect(stage).to_have_attribute("data-state", "ready", timeout=READY_TIMEOUT_MS)
    seen = page.evaluate("() => window.__graphSeen")[PEP.name]
    running = [entry for entry in seen if entry.startswith("extracting|")]
    assert len(running) >= 2, seen  # the bar moved while the model read the passages
    shots("graph stage ready after the language model")

    section = _settings(page, kb_id)
    assert _figure(section, "graph-tokens") > 0
    shots("status card after the language model")
