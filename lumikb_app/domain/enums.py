"""Roles, statuses and other closed vocabularies."""

from enum import IntEnum, StrEnum


class SystemRole(StrEnum):
    admin = "admin"
    member = "member"


class KbRole(IntEnum):
    """Per-KB roles, ordered so that a higher role includes the lower ones."""

    READ = 1
    WRITE = 2
    ADMIN = 3


class DocumentStatus(StrEnum):
    queued = "queued"
    parsing = "parsing"
    chunking = "chunking"
    embedding = "embedding"
    indexing = "indexing"
    ready = "ready"
    failed = "failed"
    # An older version of a document: no longer searchable, its text kept for the citations that
    # name it until the retention rule purges it (services/documents/versions.py).
    superseded = "superseded"
    deleting = "deleting"
