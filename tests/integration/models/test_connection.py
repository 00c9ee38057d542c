"""Testing a registry entry's connection: one real call through the port, outside any unit of
work, with a timeout; it answers with the latency, or with what went wrong."""

import socket

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.domain.enums import SystemRole
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.models import connection, registry
from lumikb_app.services.platform import transactions
from lumikb_app.services.platform.transactions import transaction

pytestmark = pytest.mark.integration


@pytest.fixture
def people(migrated, monkeypatch):
    monkeypatch.setenv("LUMIKB_ENV", "test")  # fake/ models exist under test only
    reset_container()
    with transaction() as session:
        admin = auth.create_user(
            session, email="root@x.io", display_name="R", password=None, role=SystemRole.admin
        )
        member = auth.create_user(session, email="mia@x.io", display_name="M", password=None)
    return admin, member


class Watched:
    """The model under test, noting how many units of work were open when it was called."""

    def __init__(self, model, seen: list[int]) -> None:
        self._model, self._seen = model, seen

    def __getattr__(self, name):
        attribute = getattr(self._model, name)
        if name not in {"complete", "embed_query"}:
            return attribute

        def call(*args, **kwargs):
            self._seen.append(transactions.open_units())
            return attribute(*args, **kwargs)

        return call


@pytest.fixture
def calls(people, monkeypatch) -> list[int]:
    seen: list[int] = []
    probe = get_container().probe_model
    monkeypatch.setattr(
        get_container(), "probe_model", lambda spec, timeout: Watched(probe(spec, timeout), seen)
    )
    return seen


def test_a_model_that_answers_reports_its_latency_and_was_called_outside_a_transaction(
    people, calls
):
    admin, _ = people
    fake = registry.add_model(admin, kind="chat", name="Fake", litellm_model="fake/instant")
    result = connection.check_connection(admin, fake.id)
    assert result.ok and result.latency_ms is not None and result.error == ""
    embedded = connection.check_connection(admin, BUILTIN_EMBEDDER_ID)  # the real ONNX model
    assert embedded.ok and embedded.latency_ms is not None
    assert calls == [0, 0]  # no unit of work was open during either call


def test_a_model_that_cannot_be_reached_reports_why(people, calls, monkeypatch):
    admin, _ = people
    monkeypatch.setenv("DOWN_KEY", "sk-test")  # read from its variable when the call is made
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: connections are refused
    down = registry.add_model(
        admin, kind="chat", name="Down", litellm_model="ollama/llama3.2",
        base_url=f"http://127.0.0.1:{port}", api_key_env="DOWN_KEY",
    )  # fmt: skip
    result = connection.check_connection(admin, down.id)
    assert not result.ok and result.latency_ms is None
    assert "could not be reached" in result.error and f"127.0.0.1:{port}" in result.error
    assert calls == [0]


def test_only_an_admin_tests_a_connection_and_only_of_a_registry_entry(people, calls):
    admin, member = people
    with pytest.raises(PermissionDenied):
        connection.check_connection(member, BUILTIN_EMBEDDER_ID)
    with pytest.raises(InvalidInput, match="No such model"):
        connection.check_connection(admin, "openai/gpt-4o")
    assert calls == []
