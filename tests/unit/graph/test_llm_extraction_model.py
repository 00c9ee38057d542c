"""Which model extracts (the registry's extraction default, else its chat default, else none),
and the deterministic fake extraction model the other tests and the bench run."""

from __future__ import annotations

import json

import pytest

from lumikb_app.adapters import fake_chat, fake_extraction
from lumikb_app.adapters.fake_chat import FakeChatModel, fake_model_for
from lumikb_app.container import reset_container
from lumikb_app.db.tables import Model
from lumikb_app.domain.graph import ChunkText
from lumikb_app.domain.models import ModelKind
from lumikb_app.services.graph import llm_prompt
from lumikb_app.services.graph.llm_extractor import LlmExtractor, extraction_model, for_registry
from lumikb_app.services.graph.llm_prompt import extraction_messages
from lumikb_app.services.platform.transactions import transaction
from tests.model_registry import no_default_chat_model, register

pytestmark = pytest.mark.unit

CHUNKS = [
    ChunkText("a", "PEP 484 introduced type hints. Barry and Jukka wrote it with TypeVar in mind."),
    ChunkText("b", "The asyncio module came with PEP 3156.\nIt runs an Event Loop."),
]


@pytest.fixture
def registry(migrated, monkeypatch):
    monkeypatch.setenv("LUMIKB_ENV", "test")
    reset_container()
    return migrated


def test_the_fake_model_and_the_prompt_agree_on_its_opening():
    assert fake_extraction.EXTRACTION_OPENING == llm_prompt.OPENING
    assert llm_prompt.SYSTEM_PROMPT.startswith(llm_prompt.OPENING)


def test_the_fake_model_answers_the_extraction_prompt_with_the_names_in_each_chunk():
    first, second = LlmExtractor(FakeChatModel(delay=0)).extract(CHUNKS)
    assert first.error is None and second.error is None
    assert [e.name for e in first.entities] == ["PEP 484", "Barry", "Jukka", "TypeVar"]
    assert [e.name for e in second.entities] == ["PEP 3156", "Event", "Loop"]
    assert {(r.source_key, r.target_key) for r in first.relations} == {
        ("barry", "jukka"), ("jukka", "typevar")
    }  # fmt: skip
    assert first.relations[0].evidence == ("Barry and Jukka wrote it with TypeVar in mind.")
    again = LlmExtractor(FakeChatModel(delay=0)).extract(CHUNKS)
    assert again == [first, second]  # deterministic


def test_the_paced_fake_takes_a_hosted_models_time_and_chat_stays_as_it_was(monkeypatch):
    slept = []
    monkeypatch.setattr(fake_chat.time, "sleep", slept.append)
    paced = fake_model_for("fake/paced")
    answer = paced.complete(extraction_messages(CHUNKS), max_tokens=1200)
    assert slept == [fake_extraction.paced_seconds(answer)]
    assert slept[0] > fake_extraction.PACED_FIRST_TOKEN_SECONDS
    assert json.loads(answer)["chunks"][0]["id"] == "1"
    fake_model_for("fake/instant").complete(extraction_messages(CHUNKS))
    assert len(slept) == 1
    rewrite = [{"role": "user", "content": "Follow-up question: and then?"}]
    assert paced.complete(rewrite) == "and then?"


def test_no_model_in_the_registry_means_no_llm_extractor(registry):
    with no_default_chat_model():
        assert extraction_model() is None
        assert for_registry() is None


def test_the_extraction_default_comes_first_then_the_chat_default(registry):
    with no_default_chat_model():
        register(ModelKind.chat, "fake/instant", name="Chat", default=True)
        assert extraction_model().name == "fake/instant"
        register(ModelKind.extraction, "fake/paced", name="Extractor", default=True)
        extractor = for_registry()
        assert extractor.model.name == "fake/paced"
        assert (extractor.mode, extractor.batch_size) == ("llm", 4)


def test_a_small_context_window_means_fewer_chunks_per_call(registry):
    with no_default_chat_model():
        entry_id = register(ModelKind.extraction, "fake/instant", name="Small", default=True)
        sizes = {}
        for window in (None, 2048, 4096, 128_000):
            with transaction() as session:
                session.get(Model, entry_id).context_window = window
            sizes[window] = for_registry().batch_size
    assert sizes == {None: 4, 2048: 1, 4096: 3, 128_000: 4}
