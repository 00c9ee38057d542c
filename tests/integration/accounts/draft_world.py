"""Drafts for the permission matrix, written straight to the database (setup, not the call under
test): one owned by a role's account, one shared with it for viewing or editing, and one of the
stranger's. Each draws from the world's KB and quotes its document, so a caller who may not read
the KB must be refused the draft (and never find SECRET in an answer)."""

from __future__ import annotations

import uuid

from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import (
    Draft,
    DraftComment,
    DraftMember,
    DraftSection,
    DraftTemplate,
    User,
)
from lumikb_app.services.drafting import templates
from lumikb_app.services.drafting.versions import record_version
from tests.integration.accounts.access_levels import Role
from tests.integration.accounts.access_world import FOREIGN_TITLE, HANDBOOK, KB_NAME, World

DRAFT_TITLE = "Ledger questionnaire"
QUESTION = "How is the ledger sealed every night?"
ANSWER = "The ledger is sealed with a named procedure [1]."


def _source(w: World) -> dict:
    return {
        "n": 1,
        "chunk_id": "c-ledger",
        "document_id": w.doc,
        "version": 1,
        "document_name": "ledger.md",
        "kb_id": w.kb,
        "kb_name": KB_NAME,
        "page": None,
        "text": HANDBOOK,  # holds SECRET: only the KB's readers may see it
        "score": 1.0,
        "relevance": 0.9,
        "href": f"/view/{w.doc}",
    }


def new_draft(
    w: World,
    owner: User,
    *,
    member: User | None = None,
    role: str = "view",
    title: str = DRAFT_TITLE,
    kb_ids: list[str] | None = None,
) -> str:
    """A drafted draft of `owner` with one answered section (citing the KB's document) and one
    empty one; `member` joins it with `role`."""
    with get_container().db.session() as session:
        draft = Draft(title=title, owner_id=owner.id, kb_ids=kb_ids or [w.kb])
        session.add(draft)
        session.flush()
        session.add(
            DraftSection(
                draft_id=draft.id,
                position=0,
                title=QUESTION,
                content=ANSWER,
                sources=[_source(w)],
                status="drafted",
                mode="extractive",
                confidence=0.8,
            )
        )
        session.add(DraftSection(draft_id=draft.id, position=1, title="Who signs the seal?"))
        if member is not None:
            session.add(DraftMember(draft_id=draft.id, user_id=member.id, role=role))
        session.commit()
        return draft.id


def own_draft(w: World, user: User) -> str:
    return new_draft(w, user)


def shared_draft(w: World, user: User, role: str) -> str:
    """A draft of root's that `user` is a member of with `role`."""
    return new_draft(w, w.root, member=user, role=role)


def foreign_draft(w: World) -> str:
    """The stranger's draft: no one else is a member."""
    return new_draft(w, w.stranger, title=FOREIGN_TITLE)


def draft_for(w: World, role: Role) -> str:
    """A draft the role's account owns; root's when not signed in."""
    return own_draft(w, w.root if role is Role.ANONYMOUS else w.user(role))


def first_section(draft_id: str, position: int = 0) -> str:
    with get_container().db.session() as session:
        query = select(DraftSection.id).where(
            DraftSection.draft_id == draft_id, DraftSection.position == position
        )
        return session.exec(query).one()


def new_comment(draft_id: str, author: User) -> str:
    with get_container().db.session() as session:
        comment = DraftComment(
            draft_id=draft_id, section_id=first_section(draft_id), user_id=author.id, body="Hm."
        )
        session.add(comment)
        session.commit()
        return comment.id


def new_version(draft_id: str, editor: User) -> str:
    """A saved version of the draft's first section (as an edit would write it)."""
    with get_container().db.session() as session:
        section = session.get(DraftSection, first_section(draft_id))
        assert section is not None
        version = record_version(session, section, "edited", editor.id)
        session.commit()
        return version.id


def kb_template(w: World, *, archived: bool = False) -> str:
    """A template of the world's KB, made by root (a system admin may manage any KB's)."""
    made = templates.create_template(
        w.root,
        f"Ledger checks {uuid.uuid4().hex[:8]}",
        "Checks of the ledger",
        [{"title": "Sealing", "instruction": "Say how the ledger is sealed."}],
        kb_id=w.kb,
    )
    if archived:
        templates.archive_template(w.root, made.id)
    return made.id


def built_in_template() -> str:
    templates.seed_built_in_templates()
    with get_container().db.session() as session:
        query = select(DraftTemplate.id).where(DraftTemplate.key == "checklist")
        return session.exec(query).one()


def with_proposal(draft_id: str) -> str:
    """The draft's first section, with a regenerated answer waiting to be accepted or not."""
    with get_container().db.session() as session:
        section = session.get(DraftSection, first_section(draft_id))
        assert section is not None
        section.proposal = {
            "content": "Sealed nightly by two clerks [1].",
            "sources": list(section.sources),
            "confidence": 0.7,
            "mode": "extractive",
            "instruction": "Shorter",
        }
        session.add(section)
        session.commit()
        return section.id
