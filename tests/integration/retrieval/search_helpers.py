"""A small world for retrieval tests: users, two KBs, documents ingested through the real pipeline
with a fake embedding model that knows a few synonyms (so "meaning" differs from "keyword")."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.documents.ingest_helpers import upload_bytes, wait_until_settled

PASSWORD = "a long enough secret"
SYNONYMS = {"automobile": "car", "vehicle": "car", "physician": "doctor"}
POLICY = (
    "Expense claims need itemised receipts for every purchase above twenty euros, submitted "
    "within thirty days of the trip together with the signed approval form from your manager "
    "and the project code that pays for the travel"
)


class SynonymEmbedder(FakeEmbedder):
    """The hashed bag-of-words fake, reading a few synonyms as one word, like a real model would."""

    def _vector(self, text: str) -> list[float]:
        words = [SYNONYMS.get(word, word) for word in re.findall(r"[^\W_]+", text.lower())]
        return super()._vector(" ".join(words))


@dataclass
class World:
    admin: User
    reader: User  # READ on A only
    outsider: User  # no grant at all
    kb_a: str
    kb_b: str
    embedder: SynonymEmbedder

    def ingest(self, kb_id: str, name: str, text: str) -> str:
        outcome = upload_bytes(self.admin, kb_id, name, text.encode())
        doc = wait_until_settled([outcome.document_id])[outcome.document_id]
        assert doc.status == "ready", doc.error
        return doc.id


def make_world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> World:
    """Call from a fixture that also uses `data_dir`; `request.param` names the database."""
    if request.param == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("pg_url"))
        reset_container()
    upgrade()
    embedder = SynonymEmbedder()
    monkeypatch.setattr(get_container(), "embedder_for", lambda model: embedder)
    with get_container().db.session() as s:
        admin = create_user(
            s, email="admin@x.io", display_name="A", password=PASSWORD, role=SystemRole.admin
        )
        reader = create_user(s, email="reader@x.io", display_name="R", password=PASSWORD)
        outsider = create_user(s, email="out@x.io", display_name="O", password=PASSWORD)
        s.commit()
    kb_a = kbs.create_kb(admin, "Engineering").id
    kb_b = kbs.create_kb(admin, "Finance").id
    grants.set_grant(admin, kb_a, reader.email, KbRole.READ)
    return World(admin, reader, outsider, kb_a, kb_b, embedder)
