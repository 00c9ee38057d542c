"""One deployment for the permission matrix: a knowledge base with a ready text document and a
ready PDF, one account per role (access_levels.Role) with a signed-in session, and a stranger
whose conversation and API token nobody else may touch. Helpers make fresh things for the calls
that change or delete what they are given, so the rows can run in any order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi.testclient import TestClient

from lumikb_app.container import get_container
from lumikb_app.db.tables import ApiToken, ChatMessage, Conversation, KbGrant, User
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import api_tokens, auth, grants, users
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.accounts.access_levels import SERVICE_ROLES, Role
from tests.integration.documents.ingest_helpers import upload_bytes, wait_until_settled
from tests.integration.embedded_deployment import embedded_deployment
from tests.pdf_factory import handbook_pdf

PASSWORD = "a long enough secret"
ORIGIN = "http://testserver"
SECRET = "Zephyrine"  # a word only the KB's document holds
KB_NAME = "Quillon archive"
HANDBOOK = (
    f"# Ledger handbook\n\nThe ledger is sealed every night with the {SECRET} procedure. "
    "Two clerks sign the seal before the vault closes.\n"
)
QUESTION = "How is the ledger sealed every night?"
FOREIGN_TITLE = "Stranger's private planning"
GRANTS = {
    Role.READ: KbRole.READ,
    Role.WRITE: KbRole.WRITE,
    Role.KB_ADMIN: KbRole.ADMIN,
    Role.DEACTIVATED: KbRole.ADMIN,
}
ADMINS = {Role.SYSTEM_ADMIN, Role.DEACTIVATED}


@dataclass(repr=False)
class World:
    root: User  # sets things up; never a role under test
    stranger: User  # owns what no other account may see or change
    accounts: dict[Role, User]
    kb: str
    doc: str  # ready text document holding SECRET
    pdf: str  # ready two-page PDF
    foreign_conversation: str
    foreign_token: str
    sessions: dict[Role, str]  # session cookie values (the deactivated one was revoked)
    client: TestClient | None = None
    kb_marks: set[str] = field(default_factory=set)  # what only the KB's readers may see
    foreign_marks: set[str] = field(default_factory=set)  # the stranger's own (or for admins)

    def __repr__(self) -> str:
        return f"World(kb={self.kb!r}, doc={self.doc!r}, pdf={self.pdf!r})"

    def user(self, role: Role) -> User:
        return self.accounts[role]

    def shows_kb(self, value: object) -> bool:
        """Whether `value` holds anything of the KB: its id, name, documents or their text."""
        return _holds(value, self.kb_marks)

    def shows_foreign(self, value: object) -> bool:
        """Whether `value` holds anything of the stranger's: their conversation, their token or,
        where only admins may look (the users page), their email."""
        return _holds(value, self.foreign_marks)

    # -- fresh things, made by root or written directly (setup, not the call under test) --

    def new_user(self) -> User:
        with get_container().db.session() as session:
            user = auth.create_user(
                session, email=f"{uuid.uuid4().hex[:10]}@x.io", display_name="New", password=None
            )
            session.commit()
            session.refresh(user)
            session.expunge(user)
        return user

    def new_member(self, kb_id: str) -> User:
        user = self.new_user()
        _grant(kb_id, user, KbRole.READ)
        return user

    def new_kb(self) -> str:
        """A KB on which every role holds the same grant as on the world's KB."""
        kb_id = kbs.create_kb(self.root, f"Scratch {uuid.uuid4().hex[:8]}").id
        for role, grant in GRANTS.items():
            _grant(kb_id, self.user(role), grant)
        return kb_id

    def new_document(self, *, failed: bool = False) -> str:
        name = f"scratch-{uuid.uuid4().hex[:12]}"
        document_id = upload_bytes(self.root, self.kb, f"{name}.md", f"{name}.".encode()).stored_id
        settled = wait_until_settled([document_id])[document_id]
        if failed:
            with get_container().db.session() as session:
                settled.status, settled.error = "failed", "made to fail by the test"
                session.add(settled)
                session.commit()
        return document_id

    def new_conversation(self, owner: User, *, asked: bool = False) -> str:
        with get_container().db.session() as session:
            conversation = Conversation(user_id=owner.id, title="Mine")
            session.add(conversation)
            session.flush()  # the conversation's row before its messages'
            if asked:
                session.add(
                    ChatMessage(conversation_id=conversation.id, role="user", content=QUESTION)
                )
            session.commit()
            return conversation.id

    def new_answer(self, owner: User) -> str:
        """An answered exchange in a new conversation of `owner`; the answer's message id."""
        conversation_id = self.new_conversation(owner, asked=True)
        with get_container().db.session() as session:
            answer = ChatMessage(
                conversation_id=conversation_id, role="assistant", content="Sealed nightly [1]."
            )
            session.add(answer)
            session.commit()
            return answer.id

    def new_token(self, owner: User) -> str:
        with get_container().db.session() as session:
            secret = f"lkb_{uuid.uuid4().hex}"
            token = ApiToken(
                user_id=owner.id,
                name="t",
                prefix=secret[:12],
                token_hash=api_tokens.hash_token(secret),
            )
            session.add(token)
            session.commit()
            return token.id

    # -- the web ---------------------------------------------------------------------------

    def own_conversation(self, role: Role) -> str:
        """A conversation of the role's account; someone else's when not signed in."""
        if role is Role.ANONYMOUS:
            return self.foreign_conversation
        return self.new_conversation(self.user(role), asked=True)

    def session_of(self, user: User) -> str | None:
        """The signed-in session of a role's account (kept when it changes its password)."""
        return next(
            (self.sessions.get(r) for r, u in self.accounts.items() if u.id == user.id), None
        )

    def fresh_session(self, role: Role) -> str | None:
        """A new session of the role's account (a deactivated one cannot sign in)."""
        if role is Role.ANONYMOUS or role is Role.DEACTIVATED:
            return self.sessions.get(role)
        return auth.login(self.user(role).email, PASSWORD, ip="127.0.0.1").token

    def request(
        self, role: Role, method: str, path: str, *, session: str | None = None, **kwargs
    ) -> httpx.Response:
        """A request with the role's session cookie (none when not signed in), from our origin."""
        assert self.client is not None
        token = session if session is not None else self.sessions.get(role)
        headers = {"Origin": ORIGIN, **kwargs.pop("headers", {})}
        if token:
            headers["Cookie"] = f"{auth.COOKIE_NAME}={token}"
        self.client.cookies.clear()  # never carry a cookie from one request to the next
        try:
            return self.client.request(method, path, headers=headers, **kwargs)
        finally:
            self.client.cookies.clear()


def _holds(value: object, marks: set[str]) -> bool:
    text = value if isinstance(value, str) else repr(value)
    return any(mark in text for mark in marks)


def _grant(kb_id: str, user: User, role: KbRole) -> None:
    """A grant written directly, so a deactivated account can hold one too."""
    with get_container().db.session() as session:
        session.add(KbGrant(kb_id=kb_id, user_id=user.id, role=role))
        session.commit()


def _accounts() -> tuple[User, User, dict[Role, User]]:
    with get_container().db.session() as session:

        def make(email: str, password: str | None, role: SystemRole) -> User:
            return auth.create_user(
                session, email=email, display_name=email, password=password, role=role
            )

        root = make("root@x.io", None, SystemRole.admin)
        stranger = make("stranger@x.io", PASSWORD, SystemRole.member)
        accounts = {
            role: make(
                f"{role.name.lower()}@x.io",
                PASSWORD,
                SystemRole.admin if role in ADMINS else SystemRole.member,
            )
            for role in SERVICE_ROLES
        }
        session.commit()
        for user in (root, stranger, *accounts.values()):
            session.refresh(user)
            session.expunge(user)
    return root, stranger, accounts


def _stranger_things(stranger: User) -> tuple[str, str]:
    with get_container().db.session() as session:
        conversation = Conversation(user_id=stranger.id, title=FOREIGN_TITLE)
        session.add(conversation)
        session.flush()
        session.add(ChatMessage(conversation_id=conversation.id, role="user", content=QUESTION))
        session.commit()
        conversation_id = conversation.id
    return conversation_id, api_tokens.create_token(stranger, "stranger's script")[1].id


def build_world() -> World:
    root, stranger, accounts = _accounts()
    kb = kbs.create_kb(root, KB_NAME).id
    for role, grant in GRANTS.items():
        grants.set_grant(root, kb, accounts[role].email, grant)
    doc = upload_bytes(root, kb, "ledger.md", HANDBOOK.encode()).stored_id
    pdf = upload_bytes(root, kb, "handbook.pdf", handbook_pdf()).stored_id
    assert {d.status for d in wait_until_settled([doc, pdf]).values()} == {"ready"}
    sessions = {
        role: auth.login(user.email, PASSWORD, ip="127.0.0.1").token
        for role, user in accounts.items()
    }
    accounts[Role.DEACTIVATED] = users.set_active(root, accounts[Role.DEACTIVATED].id, False)
    conversation, token = _stranger_things(stranger)
    world = World(root, stranger, accounts, kb, doc, pdf, conversation, token, sessions)
    world.kb_marks = {kb, KB_NAME, doc, pdf, SECRET}
    world.foreign_marks = {conversation, FOREIGN_TITLE, token, stranger.email}
    return world


@contextmanager
def deployment(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world on an embedded deployment with `database` ('sqlite' or 'postgresql')."""
    data_dir = tmp_path_factory.mktemp("matrix") / "data"
    with embedded_deployment(database, data_dir, LLM_MODEL="fake/instant"):
        world = build_world()
        from lumikb_app.api.app import create_api

        with TestClient(create_api(), follow_redirects=False) as client:
            world.client = client
            yield world
