"""Model registry journeys: an admin adds a model and tests its connection, a KB admin picks it in
her KB's settings (nothing outside the registry is offered), and a model in use cannot be
retired; and "who may create knowledge bases" hides the new-KB button from members."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import wait_for_hydration
from tests.e2e.helpers import login, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build


def _model_row(page, name: str):
    return page.get_by_test_id("model-row").filter(has_text=name)


def _open_models(page) -> None:
    page.get_by_test_id("nav-admin").click()
    page.wait_for_url(re.compile(r"/admin/?$"))
    page.get_by_test_id("admin-card-models").click()
    page.wait_for_url("**/admin/models")
    expect(page.get_by_test_id("admin-tab-models")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("models-table")).to_be_visible()


def _add_model(page, name: str, litellm_model: str, key_variable: str = "") -> None:
    page.get_by_test_id("new-model-name").fill(name)
    page.get_by_test_id("new-model-litellm-model").fill(litellm_model)
    page.get_by_test_id("new-model-api-key-env").fill(key_variable)
    page.get_by_test_id("new-model-context-window").fill("8192")
    page.get_by_test_id("model-add").click()


def _create_kb(page, name: str) -> str:
    page.get_by_test_id("new-kb").click()
    page.get_by_test_id("new-kb-name").fill(name)
    page.get_by_test_id("new-kb-submit").click()
    page.wait_for_url(re.compile(r"/kb/[0-9a-f-]{36}/?$"))
    wait_for_hydration(page)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def test_an_admin_adds_and_tests_a_model_and_a_kb_admin_picks_it(page, browser, app_server, shots):
    app, name = app_server, f"Instant answers {uuid.uuid4().hex[:6]}"
    login(page, app.admin_email, app.admin_password)
    _open_models(page)
    expect(_model_row(page, "MiniLM (built in, offline)")).to_contain_text("Default")
    expect(_model_row(page, "fake/paced")).to_contain_text("Default")  # seeded from LLM_MODEL

    _add_model(page, "Leaky", "openai/gpt-4o", key_variable="JWT_SECRET")
    expect(page.get_by_test_id("model-add-error")).to_contain_text("LumiKB's own settings")
    expect(_model_row(page, "Leaky")).to_have_count(0)
    shots("a key variable naming a LumiKB secret is refused")

    _add_model(page, name, "fake/instant")
    expect(page.get_by_test_id("models-notice")).to_contain_text(f"Added {name}")
    row = _model_row(page, name)
    expect(row).to_contain_text("Available")
    row.get_by_test_id("model-test").click()
    result = row.get_by_test_id("model-test-result")
    expect(result).to_have_attribute("data-state", "ok")
    expect(result).to_contain_text(re.compile(r"Connected: answered in [\d,]+ ms"))
    shots("model added and its connection tested")

    grace = new_page(browser, app.base_url)
    login(grace, app.email, app.password)
    kb_id = _create_kb(grace, f"Model choice {uuid.uuid4().hex[:6]}")
    grace.goto(f"/kb/{kb_id}/settings")
    wait_for_hydration(grace)
    chat_model = grace.get_by_test_id("setting-chat-model")
    expect(chat_model).to_contain_text("The registry's default (fake/paced)")
    chat_model.click()
    offered = grace.get_by_role("option")
    expect(offered.filter(has_text=name)).to_have_count(1)
    expect(offered.filter(has_text="Leaky")).to_have_count(0)
    offered.filter(has_text=name).click()
    grace.get_by_test_id("settings-save").click()
    expect(grace.get_by_test_id("settings-notice")).to_have_text("Saved.")
    grace.reload()
    wait_for_hydration(grace)
    expect(grace.get_by_test_id("setting-chat-model")).to_contain_text(name)
    shots.page = grace
    shots("the KB admin picked the registry model")
    shots.page = page

    page.reload()
    wait_for_hydration(page)
    _model_row(page, name).get_by_test_id("model-retire").click()
    expect(page.get_by_test_id("models-error")).to_contain_text(
        "1 knowledge base(s) use this model"
    )
    expect(_model_row(page, name)).to_contain_text("Available")
    shots("a model in use cannot be retired")
    grace.context.close()


def test_admins_only_hides_new_knowledge_bases_from_members(page, browser, app_server, shots):
    app = app_server
    login(page, app.admin_email, app.admin_password)
    page.get_by_test_id("nav-admin").click()
    page.wait_for_url(re.compile(r"/admin/?$"))
    grace = new_page(browser, app.base_url)
    login(grace, app.email, app.password)
    expect(grace.get_by_test_id("new-kb")).to_be_visible()
    try:
        page.get_by_test_id("kb-creation").click()
        page.get_by_role("option", name="Administrators only", exact=True).click()
        expect(page.get_by_test_id("kb-creation-notice")).to_contain_text("Administrators only")
        shots("only administrators may create knowledge bases")
        grace.reload()
        wait_for_hydration(grace)
        expect(grace.get_by_test_id("shell")).to_be_visible()
        expect(grace.get_by_test_id("new-kb")).to_have_count(0)
    finally:  # the other journeys create knowledge bases as members
        page.get_by_test_id("kb-creation").click()
        page.get_by_role("option", name="Everyone", exact=True).click()
        expect(page.get_by_test_id("kb-creation-notice")).to_contain_text("Everyone")
    grace.reload()
    wait_for_hydration(grace)
    expect(grace.get_by_test_id("new-kb")).to_be_visible()
    grace.context.close()
