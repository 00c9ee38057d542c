"""Log lines: JSON objects with time, level, logger, message and the request's context; secrets
redacted whatever shape they come in; a request id from X-Request-ID only when it is safe, and
echoed on the response."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from lumikb_app.domain import log_context
from lumikb_app.services.platform import logging_setup
from lumikb_app.settings import load_settings

pytestmark = pytest.mark.unit

TOKEN = "lkb_Zx81kQ0aPm3vB7yT5nR2"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz"


@pytest.fixture
def lines():
    """The root logger's records as the app writes them (JSON), read back as dicts."""
    stream = io.StringIO()
    logging_setup.configure_logging("DEBUG", "json", stream=stream)
    root = logging.getLogger()
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for handler in [h for h in root.handlers if h.get_name() == "lumikb"]:
        root.removeHandler(handler)


def test_a_json_line_has_time_level_logger_message_and_the_bound_context(lines):
    with log_context.scope(request_id="req-1", user_id="u-7"):
        log_context.bind(kb_id="kb-3")
        logging.getLogger("lumikb_app.example").warning("indexed %d passages", 12)
    logging.getLogger("lumikb_app.example").info("outside")
    inside, outside = lines()
    assert inside["level"] == "WARNING" and inside["logger"] == "lumikb_app.example"
    assert inside["message"] == "indexed 12 passages" and inside["time"].startswith("20")
    assert (inside["request_id"], inside["user_id"], inside["kb_id"]) == ("req-1", "u-7", "kb-3")
    assert "job_id" not in inside
    assert "request_id" not in outside and outside["message"] == "outside"


@pytest.mark.parametrize(
    "message",
    [
        "login password=hunter2-secret for x",
        'body {"password": "hunter2-secret", "email": "a@b.c"}',
        "headers {'authorization': 'Bearer hunter2-secret'}",
        "cookie: lumikb_session=hunter2-secret; other=1",
        "LITELLM_API_KEY=hunter2-secret",
        "calling with api_key='hunter2-secret'",
        f"token {TOKEN} refused",
        f"session {JWT} expired",
    ],
)
def test_secrets_never_reach_a_line(lines, message):
    logging.getLogger("lumikb_app.example").error(message)
    logging.getLogger("lumikb_app.example").error("%s", message)  # as an argument, too
    text = json.dumps(lines())
    for secret in ("hunter2-secret", TOKEN, JWT):
        assert secret not in text
    assert logging_setup.REDACTED in text


def test_a_traceback_is_redacted_and_counts_stay(lines):
    try:
        raise RuntimeError("connect failed: password=hunter2-secret")
    except RuntimeError:
        logging.getLogger("lumikb_app.example").exception("model call, prompt_tokens=120")
    (line,) = lines()
    assert "hunter2-secret" not in json.dumps(line)
    assert "prompt_tokens=120" in line["message"]  # a number is not a secret


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("abc-123_X.y:z", True), ("x" * 64, True), ("x" * 65, False), ("a b", False),
     ("<script>", False), ("", False), ("id\nforged line", False)],
)  # fmt: skip
def test_a_request_id_is_taken_only_when_short_and_plain(sent, kept):
    got = log_context.safe_request_id(sent)
    assert (got == sent) is kept
    assert 1 <= len(got) <= 64


def test_the_format_is_json_in_production_and_text_elsewhere_unless_set(monkeypatch):
    secret = "0123456789abcdef0123456789abcdefXYZ"
    assert load_settings(LUMIKB_ENV="production", JWT_SECRET=secret).log_format == "json"
    assert load_settings(LUMIKB_ENV="development").log_format == "text"
    assert load_settings(LOG_FORMAT="json").log_format == "json"
    with pytest.raises(Exception, match="LOG_FORMAT"):
        load_settings(LOG_FORMAT="xml")


def test_the_api_echoes_a_safe_request_id_and_replaces_an_unsafe_one(migrated, lines):
    from lumikb_app.api.app import create_api

    with TestClient(create_api()) as client:
        given = client.get("/api/v1/kbs", headers={"X-Request-ID": "trace-42"})
        forged = client.get("/api/v1/kbs", headers={"X-Request-ID": "x y;<z>" * 20})
        made = client.get("/api/v1/kbs")
    assert given.status_code == 401 and given.headers["x-request-id"] == "trace-42"
    assert forged.headers["x-request-id"] != "x y;<z>" * 20
    assert len(made.headers["x-request-id"]) == 16
    access = [line for line in lines() if line["logger"].endswith("observability")]
    assert [line["request_id"] for line in access] == [
        "trace-42",
        forged.headers["x-request-id"],
        made.headers["x-request-id"],
    ]
    assert all("GET /api/v1/kbs 401" in line["message"] for line in access)


def test_a_handler_already_on_the_root_logger_gets_the_redaction_too(lines):
    stream = io.StringIO()
    theirs = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(theirs)
    try:
        logging_setup.configure_logging("DEBUG", "json")
        logging.getLogger("granian").warning("client sent token=%s", "hunter2-secret")
    finally:
        root.removeHandler(theirs)
    assert "hunter2-secret" not in stream.getvalue()
    assert "token=[redacted]" in stream.getvalue()


def test_a_reflex_events_lines_name_the_signed_in_user(migrated):
    import asyncio

    from lumikb_app.services.accounts import auth
    from lumikb_app.services.platform.transactions import transaction
    from lumikb_app.state import session

    with transaction() as unit:
        user = auth.create_user(unit, email="eve@x.io", display_name="E", password="long enough pw")
    token = auth.login("eve@x.io", "long enough pw", ip="10.0.0.9").token

    async def an_event(cookie: str) -> dict[str, str]:
        log_context.start_request("evt-1")
        await session.user_for_cookie(cookie, remember=False)
        return dict(log_context.current())

    signed_in = asyncio.run(an_event(f"{auth.COOKIE_NAME}={token}"))
    assert signed_in == {"request_id": "evt-1", "user_id": user.id}
    assert asyncio.run(an_event(f"{auth.COOKIE_NAME}=forged")) == {"request_id": "evt-1"}
