"""Relational schema: the source of truth (DESIGN.md "Data").

Timestamps are timezone-aware UTC (SQLModel's UTCDateTime stores them alike on both databases).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, event, text
from sqlmodel import Field, SQLModel

from lumikb_app.db.common import new_id, utcnow
from lumikb_app.domain.enums import DocumentStatus, SystemRole


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    email: str = Field(index=True, unique=True, max_length=254)
    display_name: str = Field(max_length=120)
    password_hash: str | None = Field(default=None, max_length=255)
    system_role: str = Field(default=SystemRole.member.value, max_length=16)
    is_active: bool = True
    oidc_subject: str | None = Field(default=None, index=True, max_length=255)
    locked_until: datetime | None = None
    # Failed logins before this moment no longer count towards a lockout (set by unlock and success).
    failures_reset_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """Server-side record of a login, so logout and deactivation revoke at once."""

    __tablename__ = "user_sessions"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=255)


class KnowledgeBase(SQLModel, table=True):
    __tablename__ = "knowledge_bases"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=120, index=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str | None = Field(default=None, foreign_key="users.id", max_length=36)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    index_version: int = 1
    archived_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class KbGrant(SQLModel, table=True):
    __tablename__ = "kb_grants"
    __table_args__ = (UniqueConstraint("kb_id", "user_id", name="uq_kb_grants_kb_user"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kb_id: str = Field(foreign_key="knowledge_bases.id", index=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    role: int
    granted_by: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    # Two uploads of one name at the same moment cannot both become the next version.
    __table_args__ = (
        UniqueConstraint("kb_id", "name", "version", name="uq_documents_kb_name_version"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kb_id: str = Field(foreign_key="knowledge_bases.id", index=True, max_length=36)
    name: str = Field(max_length=255, index=True)
    # A row is one version of a file; its versions share `stable_id`, the document id that links,
    # search results, citations and downloads name (services/documents/versions.py). Left empty,
    # it is the row's own id: a first version.
    stable_id: str = Field(default="", max_length=36, index=True)
    mime_type: str = Field(default="application/octet-stream", max_length=127)
    size_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    sha256: str = Field(default="", max_length=64, index=True)
    version: int = 1
    blob_key: str | None = Field(default=None, max_length=512)
    status: str = Field(default=DocumentStatus.queued.value, max_length=16, index=True)
    stage_detail: str = Field(default="", max_length=255)
    progress: float = 0.0
    eta_seconds: float | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    page_count: int | None = None
    chunk_count: int = 0
    steps_done: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    title: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    processing_started_at: datetime | None = None
    uploaded_by: str | None = Field(default=None, foreign_key="users.id", max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


@event.listens_for(Document, "before_insert")
def _first_version_names_itself(_mapper: Any, _connection: Any, doc: Document) -> None:
    if not doc.stable_id:
        doc.stable_id = doc.id


class Chunk(SQLModel, table=True):
    __tablename__ = "chunks"
    __table_args__ = (
        UniqueConstraint("document_id", "ordinal", name="uq_chunks_document_ordinal"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=36)
    kb_id: str = Field(index=True, max_length=36)
    version: int = 1
    ordinal: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    page_start: int | None = None
    page_end: int | None = None
    char_start: int
    char_end: int
    heading_path: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    token_count: int = 0


class OutboxEvent(SQLModel, table=True):
    """A cross-store change, written in the same transaction as the SQL change."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = Field(default=None, index=True)


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained record of security-relevant events.

    `prev_hash` is unique, so two writers racing for the same chain tip cannot fork it:
    the second insert fails and is retried on the new tip.
    """

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("prev_hash", name="uq_audit_events_prev_hash"),)

    seq: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: str | None = Field(default=None, max_length=36, index=True)
    actor_email: str | None = Field(default=None, max_length=254)
    ip: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64, index=True)
    target: str | None = Field(default=None, max_length=255)
    kb_id: str | None = Field(default=None, max_length=36, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(default="", max_length=64, index=True)
    succeeded: bool = False
    # Answered "locked" without checking the password: not a failure, but it shows where the
    # person was, so an admin's unlock can lift that address's block (services/accounts/lockout).
    refused: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)


class LoginGuard(SQLModel, table=True):
    """The row each sign-in attempt locks for its account ("email:...") and its address
    ("ip:..."), so counting and recording failures is one step (services/accounts/lockout)."""

    __tablename__ = "login_guards"

    key: str = Field(primary_key=True, max_length=300)
    # An address's failures before this moment no longer block it (set by an admin's unlock).
    reset_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class PasswordReset(SQLModel, table=True):
    """A one-time reset link. Only the SHA-256 of its token is stored."""

    __tablename__ = "password_resets"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class AppSetting(SQLModel, table=True):
    """Admin-editable settings stored in the database (e.g. self-registration)."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_by: str | None = Field(default=None, max_length=36)
    updated_at: datetime = Field(default_factory=utcnow)


class GraphEntity(SQLModel, table=True):
    __tablename__ = "graph_entities"
    __table_args__ = (UniqueConstraint("kb_id", "key", name="uq_graph_entities_kb_key"),)

    id: str = Field(primary_key=True, max_length=36)
    kb_id: str = Field(index=True, max_length=36)
    key: str = Field(max_length=255)
    name: str = Field(index=True, max_length=255)
    type: str = Field(default="", max_length=64)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    community: int | None = None
    mention_count: int = 0


class GraphRelation(SQLModel, table=True):
    __tablename__ = "graph_relations"

    id: str = Field(primary_key=True, max_length=36)
    kb_id: str = Field(index=True, max_length=36)
    source_id: str = Field(foreign_key="graph_entities.id", index=True, max_length=36)
    target_id: str = Field(foreign_key="graph_entities.id", index=True, max_length=36)
    type: str = Field(max_length=64)
    weight: float = 1.0
    document_id: str = Field(index=True, max_length=36)
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    chunk_id: str = Field(default="", max_length=36)


class GraphMention(SQLModel, table=True):
    __tablename__ = "graph_mentions"

    id: str = Field(primary_key=True, max_length=36)
    kb_id: str = Field(index=True, max_length=36)
    entity_id: str = Field(foreign_key="graph_entities.id", index=True, max_length=36)
    document_id: str = Field(index=True, max_length=36)
    chunk_id: str = Field(index=True, max_length=36)
    char_start: int = 0
    char_end: int = 0


class GraphCommunity(SQLModel, table=True):
    """A community of a KB's graph: its number on the entities, a title and a short summary."""

    __tablename__ = "graph_communities"

    kb_id: str = Field(primary_key=True, max_length=36)
    number: int = Field(primary_key=True)
    title: str = Field(max_length=255)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    size: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class GraphExtraction(SQLModel, table=True):
    """The graph stage of one document version: its own status, progress and ETA."""

    __tablename__ = "graph_extractions"

    document_id: str = Field(primary_key=True, max_length=36)
    kb_id: str = Field(index=True, max_length=36)
    mode: str = Field(max_length=16)  # fast | llm
    state: str = Field(default="queued", max_length=16)  # queued | extracting | ready | failed
    chunks_total: int = 0
    chunks_done: int = 0
    chunks_failed: int = 0
    progress: float = 0.0
    eta_seconds: float | None = None
    detail: str = Field(default="", max_length=255)
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tokens: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class GraphChunkResult(SQLModel, table=True):
    """What extraction found in one chunk, kept so a retry skips finished chunks (and the
    reconcile job can rebuild a document's graph without calling a model again)."""

    __tablename__ = "graph_chunk_results"

    chunk_id: str = Field(primary_key=True, max_length=36)
    document_id: str = Field(index=True, max_length=36)
    kb_id: str = Field(max_length=36)
    mode: str = Field(max_length=16)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """A chat thread owned by one user; `kb_ids` narrows retrieval (empty: every KB they may read)."""

    __tablename__ = "conversations"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    title: str = Field(default="New conversation", max_length=200)
    kb_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ChatMessage(SQLModel, table=True):
    """One turn. An assistant turn keeps the sources it was given and the citations it kept."""

    __tablename__ = "chat_messages"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    conversation_id: str = Field(foreign_key="conversations.id", index=True, max_length=36)
    role: str = Field(max_length=16)  # "user" | "assistant"
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    search_query: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    citations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    mode: str = Field(default="", max_length=16)  # "llm" | "extractive" | "no_answer"
    model: str | None = Field(default=None, max_length=200)
    status: str = Field(default="done", max_length=16)  # "streaming" | "done" | "stopped" | "error"
    confidence: float | None = None
    rating: int | None = None  # +1 / -1
    feedback: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ApiToken(SQLModel, table=True):
    """A personal API token; only its SHA-256 is stored, the prefix lets people tell them apart."""

    __tablename__ = "api_tokens"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class Model(SQLModel, table=True):
    """A model the deployment may call (the registry): KB admins choose among these only.

    `api_key_env` names the environment variable that holds the key; the key itself is never
    stored. At most one live default per kind (a partial unique index, on both databases)."""

    __tablename__ = "models"
    __table_args__ = (
        Index(
            "uq_models_default_per_kind",
            "kind",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kind: str = Field(max_length=16, index=True)
    name: str = Field(max_length=120)
    litellm_model: str = Field(max_length=200)
    base_url: str | None = Field(default=None, max_length=500)
    api_key_env: str | None = Field(default=None, max_length=64)
    context_window: int | None = None
    is_default: bool = False
    retired_at: datetime | None = None
    created_by: str | None = Field(default=None, foreign_key="users.id", max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class UsageDaily(SQLModel, table=True):
    """What was used per UTC day: searches, chat answers and each model's calls, tokens, errors
    and cost (where LiteLLM knows the price), for the admin console's charts and usage table.

    `kind` is what was counted ("search", "chat", "llm", "embedding"); `model` the registry model's
    LiteLLM string for model calls, "" otherwise. Processes add their counts (never overwrite),
    so several web processes and workers may write the same row."""

    __tablename__ = "usage_daily"

    day: str = Field(primary_key=True, max_length=10)  # ISO date, UTC
    kind: str = Field(primary_key=True, max_length=32)
    model: str = Field(default="", primary_key=True, max_length=200)
    calls: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    errors: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    prompt_tokens: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    completion_tokens: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0)
    )
    cost_usd: float = 0.0


# Drafting's tables live in their own module; importing it registers them with the rest.
from lumikb_app.db.drafting_tables import (  # noqa: E402, F401
    Draft,
    DraftComment,
    DraftMember,
    DraftSection,
    DraftSectionVersion,
    DraftTemplate,
    DraftTemplateVersion,
)
