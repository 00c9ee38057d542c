"""The event guard's rules, over every event handler the app registers: each has a bounded
policy, only the sign-in pages and Reflex's page loads are public, and hostile arguments are
refused by every one of them (tests/e2e/test_event_guard_journey.py sends them for real)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from lumikb_app.state.event_rules import (
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    NO_RULE,
    policy_for,
    registered_handlers,
)

pytestmark = pytest.mark.unit

FORM = "__reflex_form_data__"  # how Reflex's frontend wraps a submitted form's entries

PUBLIC = {
    # Reflex's own page loading, sent before anyone can sign in.
    "reflex___state____state.hydrate",
    "reflex___state____state.hydrate_and_load",
    "reflex___state____state.set_is_hydrated",
    "reflex___state____state.reflex___state____on_load_internal_state.on_load_internal",
    "reflex___state____state.reflex___state____on_load_internal_state.set_is_hydrated",
    "reflex___state____state.reflex___state____frontend_event_exception_state"
    ".handle_frontend_exception",
    # Ours: the session check of every signed-in page, sign-in, registration, password reset.
    "reflex___state____state.lumikb_app___state___session____app_state.check_session",
    "reflex___state____state.lumikb_app___state___session____app_state"
    ".lumikb_app___state___accounts___login____login_state.prepare",
    "reflex___state____state.lumikb_app___state___accounts___public_forms____register_state"
    ".prepare",
    "reflex___state____state.lumikb_app___state___accounts___public_forms____register_state.submit",
    "reflex___state____state.lumikb_app___state___accounts___public_forms____reset_password_state"
    ".prepare",
    "reflex___state____state.lumikb_app___state___accounts___public_forms____reset_password_state"
    ".submit",
    # Turns off the spinners of a failed event in the caller's own tab; runs with the database down.
    "reflex___state____state.lumikb_app___state___backend_errors____recovery_state.stop_spinners",
}


def _nested(depth: int):
    value: object = "leaf"
    for _ in range(depth):
        value = {"a": [value]}
    return value


HOSTILE = {
    "1 MB of text": "x" * 1_000_000,
    "a huge list": list(range(MAX_ITEMS * 100)),
    "a nested object": _nested(50),
    "None": None,
    "a list of objects": [{"a": {"b": 1}}],
    "unstorable text": "style \ud800 guide",
}


@pytest.fixture(scope="module")
def handlers() -> dict[str, Callable]:
    import lumikb_app.lumikb_app  # noqa: F401  (defines and registers every state)

    return registered_handlers()


def test_every_handler_has_a_bounded_policy(handlers):
    """A new handler whose parameter has no bounded rule (e.g. `Any`, a model) fails here."""
    assert len(handlers) > 100
    unbounded = {name: policy_for(fn).never for name, fn in handlers.items()}
    assert {name: why for name, why in unbounded.items() if NO_RULE in why} == {}


def test_only_the_sign_in_pages_and_reflex_page_loads_are_public(handlers):
    public = {name for name, fn in handlers.items() if policy_for(fn).public}
    assert public == PUBLIC


def test_a_handler_without_a_bounded_rule_is_refused_not_crashed():
    class Page:
        def anything(self, value: Any): ...

        def unannotated(self, value): ...

    for fn in (Page.anything, Page.unannotated):
        policy = policy_for(fn)
        assert NO_RULE in policy.never and not policy.public
        assert policy.problem({"value": "x"}) == policy.never


def test_setvar_browser_storage_and_helpers_are_never_events(handlers):
    never = {name.rsplit(".", 1)[1] for name, fn in handlers.items() if policy_for(fn).never}
    assert never == {"setvar", "update_vars_internal", "current_user", "current_admin"}


def _hostile_payloads(fn: Callable):
    params = list(inspect.signature(fn).parameters.values())[1:]
    for label, value in HOSTILE.items():
        payload = {p.name: value for p in params}
        optional = all(p.default is not inspect.Parameter.empty for p in params)
        if not params or (value is None and optional):
            payload["surprise"] = value
        yield label, payload
    wrong = {p.name: 7 if p.annotation in (str, "str") else "7" for p in params}
    yield "the wrong type", wrong or {"surprise": 7}
    if params:
        yield "a missing argument", {}


def test_every_handler_refuses_hostile_arguments(handlers):
    for name, fn in handlers.items():
        policy = policy_for(fn)
        for label, payload in _hostile_payloads(fn):
            if label == "a missing argument" and not any(
                p.default is inspect.Parameter.empty
                for p in list(inspect.signature(fn).parameters.values())[1:]
            ):
                continue
            assert policy.problem(payload), f"{name} accepted {label}"


def _policy(handlers, suffix: str):
    return policy_for(next(fn for name, fn in handlers.items() if name.endswith(suffix)))


@pytest.mark.parametrize(
    ("suffix", "payload"),
    [
        ("documents_state.expect_files", {"batch_id": "b1", "picked": [{"name": "a", "size": 1}]}),
        ("documents_state.upload_progressed", {"progress": {"loaded": 5, "total": 9.5}}),
        ("chat_state.send", {"form_data": {"question": "How are releases signed?"}}),
        ("new_kb_state.create_kb", {"form_data": {FORM: [["name", "KB"], ["description", ""]]}}),
        ("chat_state.rate", {"message_id": "m1", "rating": -1}),
        ("quick_search_state.hover", {"index": 3}),
        ("admin_users_state.set_active", {"user_id": "u1", "active": False}),
        ("reflex___state____state.hydrate_and_load", {"vars": {}, "hashes": ["a", "b"]}),
        ("reflex___state____state.hydrate_and_load", {}),
        ("new_kb_state.create_kb", {"form_data": {"name": "KB", "description": "x" * 2000}}),
    ],
)
def test_what_the_pages_send_is_accepted(handlers, suffix, payload):
    assert _policy(handlers, suffix).problem(payload) is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"batch_id": "b1", "picked": "x" * 98_000}, "expected a list"),
        ({"batch_id": "b1", "picked": [{}] * (MAX_ITEMS + 1)}, f"at most {MAX_ITEMS} items"),
        ({"batch_id": "b1", "picked": [{"name": ["a"]}]}, "expected a plain value"),
        ({"batch_id": "x" * (MAX_TEXT_CHARS + 1), "picked": []}, "too long"),
        ({"batch_id": "b1", "picked": [{"name": "a\x00"}]}, "cannot be stored"),
        ({"batch_id": "b1", "picked": [], "extra": 1}, "unexpected argument"),
        ({"picked": []}, "missing argument 'batch_id'"),
    ],
)
def test_expect_files_refusals_say_why(handlers, payload, reason):
    assert reason in (_policy(handlers, "documents_state.expect_files").problem(payload) or "")


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ("name=KB", "expected a list of form fields"),
        ([["name", "KB"]] * 65, "at most 64 fields"),
        ([["name"]], "expected [name, value] form fields"),
        ([[1, "KB"]], "expected [name, value] form fields"),
        ([["name", {"nested": "x"}]], "expected a plain value"),
        ([["name", "x" * (MAX_TEXT_CHARS + 1)]], "too long"),
        ([["name", "style \ud800 guide"]], "cannot be stored"),
    ],
)
def test_submitted_forms_are_bounded_too(handlers, entries, reason):
    refusal = _policy(handlers, "new_kb_state.create_kb").problem({"form_data": {FORM: entries}})
    assert reason in (refusal or "")
