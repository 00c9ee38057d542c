"""Per-KB search and indexing settings (services/kb_config.py): who may change them, validation,
when a re-index starts, and the audit."""

from dataclasses import dataclass

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, KnowledgeBase, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import ModelKind
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.knowledge_bases.settings_messages import InvalidSettings
from lumikb_app.services.platform import transactions
from lumikb_app.services.platform.transactions import transaction
from tests.model_registry import register

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class World:
    owner: User
    reader: User
    writer: User
    kb_id: str


@pytest.fixture
def world(migrated) -> World:
    with transaction() as session:
        people = [
            auth.create_user(session, email=email, display_name=email[:5], password=None)
            for email in ("owner@example.com", "reader@example.com", "writer@example.com")
        ]
        for user in people:
            session.refresh(user)
            session.expunge(user)
    owner, reader, writer = people
    kb = kbs.create_kb(owner, "Team Notes")
    grants.set_grant(owner, kb.id, reader.email, KbRole.READ)
    grants.set_grant(owner, kb.id, writer.email, KbRole.WRITE)
    return World(owner, reader, writer, kb.id)


def _stored(kb_id: str) -> tuple[KbSettings, int]:
    with get_container().db.session() as session:
        kb = session.get(KnowledgeBase, kb_id)
        return KbSettings.model_validate(kb.settings), kb.index_version


def _audit(action: str) -> list[AuditEvent]:
    with get_container().db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("member", ["reader", "writer"])
def test_a_read_or_write_member_cannot_change_settings(world, member):
    before = _stored(world.kb_id)
    with pytest.raises(PermissionDenied):
        kb_config.update_settings(getattr(world, member), world.kb_id, {"top_k": 12})
    assert _stored(world.kb_id) == before
    assert _audit("settings.changed") == []


def test_every_member_can_read_settings(world):
    assert kb_config.get_settings(world.reader, world.kb_id) == KbSettings()
    assert kb_config.ready_documents(world.reader, world.kb_id) == 0


def test_an_outsider_reads_neither_settings_nor_counts(world):
    with transaction() as session:
        outsider = auth.create_user(
            session, email="out@example.com", display_name="O", password=None
        )
    with pytest.raises(PermissionDenied):
        kb_config.get_settings(outsider, world.kb_id)
    with pytest.raises(PermissionDenied):
        kb_config.ready_documents(outsider, world.kb_id)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"top_k": 0}, "top_k", "Results per search must be at least 1."),
        ({"top_k": "many"}, "top_k", "Results per search must be a whole number."),
        ({"chunk_tokens": 10}, "chunk_tokens", "Chunk size must be at least 64 tokens."),
        ({"similarity_threshold": 1.5}, "similarity_threshold", "at most 1."),
        ({"answer_preset": "verbose"}, "answer_preset", "concise, balanced or detailed"),
        ({"chunk_tokens": 100, "chunk_overlap": 60}, "chunk_overlap", "half the chunk size"),
    ],
)
def test_invalid_values_name_the_field_in_words_and_change_nothing(world, values, field, words):
    before = _stored(world.kb_id)
    with pytest.raises(InvalidSettings) as refused:
        kb_config.update_settings(world.owner, world.kb_id, values)
    assert list(refused.value.fields) == [field]
    assert words in refused.value.fields[field] and field not in str(refused.value)
    assert _stored(world.kb_id) == before
    assert _audit("settings.changed") == []


def test_a_search_only_change_does_not_reindex_and_is_audited(world, monkeypatch):
    queued = []
    monkeypatch.setattr(get_container().jobs, "enqueue", lambda *a, **k: queued.append(a))
    _, version_before = _stored(world.kb_id)

    saved, reindex = kb_config.update_settings(
        world.owner, world.kb_id, {"top_k": 12, "answer_preset": "concise"}, ip="10.0.0.7"
    )

    assert reindex is False and queued == []
    assert saved.top_k == 12 and saved.answer_preset == "concise"
    assert _stored(world.kb_id) == (saved, version_before)
    (event,) = _audit("settings.changed")
    assert event.actor_id == world.owner.id and event.kb_id == world.kb_id
    assert event.details["before"]["top_k"] == 8 and event.details["after"]["top_k"] == 12
    assert event.details["reindex"] is False


def test_a_chunking_change_starts_a_reindex(world, monkeypatch):
    queued = []
    monkeypatch.setattr(get_container().jobs, "enqueue", lambda *a, **k: queued.append(a))
    _, version_before = _stored(world.kb_id)

    saved, reindex = kb_config.update_settings(world.owner, world.kb_id, {"chunk_tokens": 400})

    assert reindex is True and saved.chunk_tokens == 400
    assert queued == [(kb_config.REINDEX_JOB, world.kb_id)]
    assert _stored(world.kb_id)[1] == version_before + 1
    assert _audit("settings.changed")[0].details["reindex"] is True


class _ProbedEmbedder:
    """Stands in for a new embedding model: records whether a unit of work was open at the probe."""

    def __init__(self, healthy: bool) -> None:
        self.healthy, self.open_at_probe = healthy, []

    def health(self) -> None:
        self.open_at_probe.append(transactions.open_units())
        if not self.healthy:
            raise EmbeddingError("The model does not answer.")


@pytest.mark.parametrize("healthy", [True, False])
def test_a_new_embedding_model_is_probed_before_the_transaction_opens(world, monkeypatch, healthy):
    probe = _ProbedEmbedder(healthy)
    monkeypatch.setattr(get_container(), "embedder_for", lambda model: probe)
    monkeypatch.setattr(get_container().jobs, "enqueue", lambda *a, **k: None)
    before = _stored(world.kb_id)
    nomic = register(ModelKind.embedding, "ollama/nomic-embed-text")
    change = {"embedding_model": nomic}
    if healthy:
        saved, reindex = kb_config.update_settings(world.owner, world.kb_id, change)
        assert saved.embedding_model == nomic and reindex is True
    else:
        with pytest.raises(EmbeddingError):
            kb_config.update_settings(world.owner, world.kb_id, change)
        assert _stored(world.kb_id) == before
    assert probe.open_at_probe == [0]
