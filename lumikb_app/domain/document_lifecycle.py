"""Which status a document may move to from which: the one table every status write obeys.

A job never writes a status blindly: it asks to move the document along this table
(services/documents/status.py does it in one guarded UPDATE), and a refused move means the
document went somewhere the job may not follow. `deleting` is final: nothing leaves it, so a
delete made while a job runs can never be undone by that job.
"""

from __future__ import annotations

from lumikb_app.domain.enums import DocumentStatus as S

# The pipeline's own steps. A retried job may start again at any of them (a lost step is redone).
WORKING = frozenset({S.queued, S.parsing, S.chunking, S.embedding, S.indexing})

TRANSITIONS: dict[S, frozenset[S]] = {
    **{step: WORKING | {S.failed, S.deleting} for step in WORKING},
    S.indexing: WORKING | {S.ready, S.failed, S.deleting},  # only a checked index becomes ready
    S.ready: frozenset({S.queued, S.superseded, S.deleting}),  # re-index, newer version, delete
    S.failed: frozenset({S.queued, S.deleting}),  # a person's retry, or a delete
    S.superseded: frozenset({S.deleting}),  # an old version is only ever purged
    S.deleting: frozenset(),
}


def may_move(source: S, target: S) -> bool:
    return target in TRANSITIONS[source]


def sources_of(target: S) -> frozenset[S]:
    """The statuses a document may be in for a move to `target` to be allowed."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)
