"""Drafting real PEPs through the real path (upload, parse, chunk, the built-in embedding model,
search as the requesting user, the job on the embedded RQ worker): extractive and with the fake
chat model, "not covered" for what the PEPs do not answer, every citation a real passage, the
text streamed live, and a member who loses access mid-way stops writing."""

from __future__ import annotations

import re
import time

import pytest
from sqlmodel import select

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.container import reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Chunk, DraftMember, DraftSectionVersion
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, NOT_COVERED_TEXT, SectionSeed
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.drafting import drafts, generation
from lumikb_app.services.drafting.generation_job import LOST_ACCESS
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import transaction
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import (
    upload_path,
    wait_until_settled,
    writer_and_kb,
)
from tests.model_registry import answer_with

pytestmark = pytest.mark.integration

QUESTIONS = {  # question -> the PEP that answers it (None: the PEPs do not)
    "How is the character encoding of a source file declared?": "pep-0263.rst",
    "What conventions apply to docstrings, including the first line?": "pep-0257.rst",
    "How are f-strings written and evaluated?": "pep-0498.rst",
    "How do I declare a lifetime parameter on a Rust struct that holds a reference?": None,
}


class World:
    def __init__(self) -> None:
        self.owner, self.kb_a = writer_and_kb("Style PEPs")
        self.kb_b = kbs.create_kb(self.owner, "Syntax PEPs").id
        ids = [
            upload_path(self.owner, self.kb_a, CORPORA / "peps" / name).document_id
            for name in ("pep-0263.rst", "pep-0257.rst")
        ]
        ids.append(
            upload_path(self.owner, self.kb_b, CORPORA / "peps" / "pep-0498.rst").document_id
        )
        assert all(d.status == "ready" for d in wait_until_settled(ids).values())
        with transaction() as session:
            self.member = create_user(
                session, email="mia@example.com", display_name="Mia",
                password="long enough pw", role=SystemRole.member,
            )  # fmt: skip
        for kb_id in (self.kb_a, self.kb_b):
            grants.set_grant(self.owner, kb_id, self.member.email, KbRole.READ)
        with transaction() as session:
            seeds = [SectionSeed(title=q) for q in QUESTIONS]
            draft = drafts.new_draft(
                session, self.owner, title="PEP answers", kb_ids=[self.kb_a, self.kb_b], seeds=seeds
            )
            session.add(DraftMember(draft_id=draft.id, user_id=self.member.id, role="edit"))
        self.draft_id = draft.id


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    if request.param == "postgresql":
        monkeypatch.setenv("DATABASE_URL", request.getfixturevalue("pg_url"))
        reset_container()
    upgrade()
    return World()


def wait_done(user, draft_id: str, timeout: float = 180) -> drafts.OpenDraft:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        opened = drafts.open_draft(user, draft_id)
        if opened.draft.generation.get("state") in ("done", "failed", "cancelled"):
            return opened
        time.sleep(0.1)
    raise AssertionError(f"drafting did not finish: {opened.draft.generation}")


def assert_citations_are_real_passages(section) -> None:
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", section.content)}
    assert markers == {source["n"] for source in section.sources}, section.content
    with transaction() as session:
        for source in section.sources:
            chunk = session.get(Chunk, source["chunk_id"])
            assert chunk is not None and source["text"].rstrip("…") in chunk.text


def test_an_extractive_draft_cites_the_right_peps_and_leaves_the_rest_not_covered(world):
    answer_with(None)
    generation.start_generation(world.owner, world.draft_id)
    opened = wait_done(world.owner, world.draft_id)
    assert opened.draft.generation["done"] == len(QUESTIONS)
    for section, expected in zip(opened.sections, QUESTIONS.values(), strict=True):
        assert (section.generation_state, section.status) == ("done", "drafted")
        if expected is None:
            assert (section.mode, section.content) == ("not_covered", NOT_COVERED_TEXT)
            assert (section.sources, section.confidence) == ([], 0.0)
            continue
        assert section.mode == "extractive" and section.content.count(EXTRACTIVE_NOTE) == 1
        assert section.sources[0]["document_name"] == expected, section.title
        assert_citations_are_real_passages(section)
    with transaction() as session:
        assert len(session.exec(select(DraftSectionVersion)).all()) == len(QUESTIONS)


def test_written_sections_stream_live_with_progress_and_valid_citations(world):
    answer_with(FakeChatModel(delay=0.04, name="fake/paced"))  # it also invents a source
    generation.start_generation(world.owner, world.draft_id)
    seen, revision, partial = set(), 0, []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        changes = drafts.changes_since(world.owner, world.draft_id, revision)
        revision = changes.revision
        for section in changes.sections:
            if section.generation_state == "generating" and section.content:
                partial.append((section.id, section.content, section.progress, section.eta_seconds))
        seen.add(changes.draft.generation.get("state"))
        if changes.draft.generation.get("state") == "done":
            break
        time.sleep(0.05)
    final = {s.id: s for s in drafts.open_draft(world.owner, world.draft_id).sections}
    assert partial, "no text was seen while it was written"
    for section_id, text, progress, eta in partial:
        assert final[section_id].content.startswith(text.rstrip())
        assert 0 < progress < 1 and eta is not None and eta >= 0
    for section, expected in zip(final.values(), QUESTIONS.values(), strict=True):
        if expected is None:
            assert section.mode == "not_covered" and section.sources == []
            continue
        assert section.mode == "llm" and "also noted elsewhere." in section.content
        assert expected in {s["document_name"] for s in section.sources}, section.title
        assert_citations_are_real_passages(section)


class RevokingModel(FakeChatModel):
    """Answers, and while writing the first section the member loses one of the draft's KBs."""

    def __init__(self, revoke) -> None:
        super().__init__(delay=0)
        self.revoke = revoke

    def _stream(self, messages):
        yield from super()._stream(messages)
        if self.revoke:
            self.revoke()
            self.revoke = None


def test_a_member_who_loses_access_mid_way_stops_generating(world):
    answer_with(
        RevokingModel(lambda: grants.remove_grant(world.owner, world.kb_b, world.member.id))
    )
    generation.start_generation(world.member, world.draft_id)
    with pytest.raises(PermissionDenied):  # the draft quotes a KB she can no longer read
        wait_done(world.member, world.draft_id)
    opened = wait_done(world.owner, world.draft_id)
    first, *rest = opened.sections
    assert first.generation_state == "done" and first.content
    assert all(s.generation_state == "failed" and s.content == "" for s in rest)
    assert all(s.generation_error == LOST_ACCESS for s in rest)
    assert opened.draft.generation["state"] == "failed"
