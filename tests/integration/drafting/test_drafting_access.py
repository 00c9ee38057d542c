"""A member who loses READ on one knowledge base of a draft is refused the whole draft through
every path (the services, REST API v1 with a token, the browser's export download, the open
draft page), and a draft
never shows a passage from a knowledge base the reader cannot read: a draft answers only from
its own KBs, and a generation run for someone who lost access writes nothing. On SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import lumikb_app.lumikb_app  # noqa: F401  (registers the states before any is made)
from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import (
    comments,
    draft_summaries,
    drafts,
    exports,
    generation,
    generation_job,
    members,
    questionnaire_import,
    sections,
    versions,
)
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.state.drafting import draft_editor
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from tests.integration.drafting.rest_world import (
    PASSWORD,
    bearer,
    cookie,
    deployment,
    ingest,
    person,
    token_of,
    wait_for_generation,
)
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration

HANDBOOK = (
    "# Release handbook\n\nRelease builds are signed with the hardware key kept by the release "
    "manager. Every release checklist starts with a signed build.\n"
)
MERGER = (
    "# Merger plan\n\nProject PELICAN is the acquisition of Northwind; the acquisition of "
    "Northwind closes in March and project PELICAN stays confidential until then.\n"
)
SECRETS = ("closes in March", "confidential")  # only the merger plan's passage says these
QUESTIONS = (
    b"ID,Question,Answer\n"
    b"Q1,How are release builds signed?,\n"
    b"Q2,What is project PELICAN: the acquisition of Northwind?,\n"
)
FORMATS = ("docx", "pdf", "md", "original")
BASE_URL = "http://testserver"


@dataclass
class World:
    client: Any
    alice: User  # owns both KBs and the draft
    bob: User  # reads both KBs (until a test takes one away); edits the draft
    engineering: str
    mergers: str
    bob_token: str

    def draft(self, kb_ids: list[str], *, share: bool = True) -> dict:
        """A generated questionnaire draft of alice's, shared with bob for editing."""
        created = questionnaire_import.create_from_questionnaire(
            self.alice, "Due diligence", kb_ids, "questions.csv", QUESTIONS
        )
        if share:
            members.share_draft(self.alice, created.id, self.bob.email, "edit")
        generation.start_generation(self.alice, created.id)
        return wait_for_generation(self.client, bearer(token_of(self.alice)), created.id)

    def revoke_mergers(self) -> None:
        grants.remove_grant(self.alice, self.mergers, self.bob.id)

    def restore_mergers(self) -> None:
        grants.set_grant(self.alice, self.mergers, self.bob.email, KbRole.READ)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory) -> Iterator[World]:
    with deployment(request.param, tmp_path_factory) as client:
        alice, bob = person("alice@x.io"), person("bob@x.io")
        engineering = kbs.create_kb(alice, "Engineering").id
        mergers = kbs.create_kb(alice, "Mergers").id
        for kb_id in (engineering, mergers):
            grants.set_grant(alice, kb_id, bob.email, KbRole.READ)
        ingest(alice, engineering, {"handbook.md": HANDBOOK.encode()})
        ingest(alice, mergers, {"merger-plan.md": MERGER.encode()})
        yield World(client, alice, bob, engineering, mergers, token_of(bob))


@pytest.fixture
def both(world) -> Iterator[dict]:
    """A draft from both KBs; bob's READ on Mergers is given back afterwards."""
    yield world.draft([world.engineering, world.mergers])
    world.restore_mergers()


def _shows_a_secret(value: object) -> bool:
    text = value if isinstance(value, str) else repr(value)
    return any(secret in text for secret in SECRETS)


def _service_paths(draft: dict) -> dict[str, Callable[[User], object]]:
    draft_id, section_id = draft["id"], draft["sections"][0]["id"]
    paths: dict[str, Callable[[User], object]] = {
        "open_draft": lambda u: drafts.open_draft(u, draft_id),
        "changes_since": lambda u: drafts.changes_since(u, draft_id, 0),
        "draft_outline": lambda u: draft_summaries.draft_outline(u, draft_id),
        "rename_draft": lambda u: drafts.rename_draft(u, draft_id, "Mine now"),
        "start_editing": lambda u: sections.start_editing(u, section_id),
        "save_section": lambda u: sections.save_section(u, section_id, "Edited.", 1),
        "set_reviewed": lambda u: sections.set_reviewed(u, section_id, True),
        "mark_all_reviewed": lambda u: sections.mark_all_reviewed(u, draft_id),
        "editing_now": lambda u: sections.editing_now(u, draft_id),
        "section_history": lambda u: versions.section_history(u, section_id),
        "draft_history": lambda u: versions.draft_history(u, draft_id),
        "add_comment": lambda u: comments.add_comment(u, section_id, "Looks right."),
        "list_comments": lambda u: comments.list_comments(u, draft_id),
        "list_members": lambda u: members.list_members(u, draft_id),
        "start_generation": lambda u: generation.start_generation(u, draft_id),
        "regenerate_section": lambda u: generation.regenerate_section(u, section_id, "Shorter"),
        "cancel_generation": lambda u: generation.cancel_generation(u, draft_id),
    }
    for fmt in FORMATS:
        paths[f"export {fmt}"] = lambda u, fmt=fmt: exports.export_draft(u, draft_id, fmt, BASE_URL)
    return paths


def test_the_member_sees_both_kbs_passages_while_reading_both(world, both):
    opened = drafts.open_draft(world.bob, both["id"])
    kbs_cited = {s["kb_id"] for section in opened.sections for s in section.sources}
    assert kbs_cited == {world.engineering, world.mergers}
    assert _shows_a_secret([section.content for section in opened.sections])


def test_losing_one_kb_closes_the_draft_through_every_service(world, both):
    world.revoke_mergers()
    for name, call in _service_paths(both).items():
        with pytest.raises(PermissionDenied) as refused:
            call(world.bob)
        assert "can no longer read" in str(refused.value), name
    assert both["id"] not in {d.id for d, _ in drafts.list_drafts(world.bob)}
    assert both["id"] not in {d.id for d in draft_summaries.draft_summaries(world.bob)}
    opened = drafts.open_draft(world.alice, both["id"])  # the owner, who reads both, still may
    assert [s.title for s in opened.sections] == [s["title"] for s in both["sections"]]
    assert all(s.status == "drafted" or s.mode == "not_covered" for s in opened.sections)


def test_losing_one_kb_closes_the_draft_through_the_rest_api_and_the_download(world, both):
    world.revoke_mergers()
    headers, draft_id = bearer(world.bob_token), both["id"]
    listed = world.client.get("/api/v1/drafts", headers=headers)
    assert listed.status_code == 200 and draft_id not in listed.text
    calls = [
        ("GET", f"/api/v1/drafts/{draft_id}", headers),
        ("POST", f"/api/v1/drafts/{draft_id}/generate", headers),
        *[("GET", f"/api/v1/drafts/{draft_id}/export?format={f}", headers) for f in FORMATS],
        *[("GET", f"/api/drafts/{draft_id}/export?format={f}", cookie(world.bob)) for f in FORMATS],
    ]
    for method, path, sent in calls:
        response = world.client.request(method, path, headers=sent)
        assert response.status_code == 404, (path, response.status_code, response.text[:200])
        assert not _shows_a_secret(response.text), path


async def test_an_open_draft_page_empties_once_the_member_loses_a_kb(world, both):
    """The draft page bob has open shows the merger passage; at the live watcher's next look
    after he loses Mergers, the page drops every section and says why."""
    page = _draft_page(world.bob, both["id"])
    await DraftEditorState.load_draft.fn(page)
    assert _shows_a_secret(page.sections)
    world.revoke_mergers()
    look = page._look()
    assert page._show_read(look, draft_editor._read(look)) is None  # the watcher stops
    assert page.sections == [] and "can no longer read" in page.draft_error
    assert not _shows_a_secret((page.sections, page.live_segments, page.progress))


def _draft_page(user: User, draft_id: str):
    """The draft page's state in the user's browser tab, signed in, at /drafts/{draft_id}."""
    token, path = auth.login(user.email, PASSWORD, ip="127.0.0.1").token, f"/drafts/{draft_id}"
    root = signed_in_state(DraftEditorState.get_root_state(), token, path, draft_id=draft_id)
    root.router = type(root.router).from_router_data(
        {"headers": {"cookie": f"{auth.COOKIE_NAME}={token}"}, "pathname": path, "asPath": path,
         "query": {"draft_id": draft_id}}
    )  # fmt: skip
    return root.get_substate(DraftEditorState.get_full_name().split("."))


def test_access_given_back_opens_the_draft_again(world, both):
    world.revoke_mergers()
    with pytest.raises(PermissionDenied):
        drafts.open_draft(world.bob, both["id"])
    world.restore_mergers()
    assert drafts.open_draft(world.bob, both["id"]).role == "edit"
    response = world.client.get(f"/api/v1/drafts/{both['id']}", headers=bearer(world.bob_token))
    assert response.status_code == 200


def test_a_draft_answers_only_from_its_own_kbs(world):
    """Alice reads Mergers too, but a draft on Engineering alone never quotes it: the PELICAN
    question is left "not covered"."""
    draft = world.draft([world.engineering], share=False)
    cited = {s["kb_id"] for section in draft["sections"] for s in section["sources"]}
    assert cited == {world.engineering}
    pelican = draft["sections"][1]
    assert pelican["mode"] == "not_covered" and not pelican["sources"]
    for fmt in FORMATS:
        exported = exports.export_draft(world.alice, draft["id"], fmt, BASE_URL)
        assert not _shows_a_secret(exported.data if fmt == "md" else exported.filename), fmt


def test_a_generation_run_for_someone_who_lost_access_writes_nothing(world, monkeypatch):
    """Bob asks for the sections to be written, loses Mergers before the job runs: the job
    checks the requester again and writes nothing from either KB."""
    created = questionnaire_import.create_from_questionnaire(
        world.alice, "Due diligence", [world.engineering, world.mergers], "q.csv", QUESTIONS
    )
    members.share_draft(world.alice, created.id, world.bob.email, "edit")
    queued: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(
        get_container().jobs, "enqueue", lambda func, *args, **kw: queued.append((args, kw))
    )
    generation.start_generation(world.bob, created.id)
    world.revoke_mergers()
    try:
        ((args, kw),) = queued
        assert generation_job.run(*args, job_id=kw["job_id"]) == 0
        opened = drafts.open_draft(world.alice, created.id)
        assert all(not s.content and not s.sources for s in opened.sections)
    finally:
        world.restore_mergers()
