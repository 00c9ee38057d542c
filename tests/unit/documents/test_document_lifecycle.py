"""The lifecycle table: where a document's status may go from where."""

import pytest

from lumikb_app.domain.document_lifecycle import TRANSITIONS, WORKING, may_move, sources_of
from lumikb_app.domain.enums import DocumentStatus as S

pytestmark = pytest.mark.unit


def test_every_status_has_a_row():
    assert set(TRANSITIONS) == set(S)


def test_deleting_is_final_and_reachable_from_everywhere_else():
    assert TRANSITIONS[S.deleting] == frozenset()
    assert sources_of(S.deleting) == set(S) - {S.deleting}


def test_only_a_checked_index_becomes_ready():
    assert sources_of(S.ready) == {S.indexing}


def test_a_failed_document_only_goes_back_through_the_queue_or_away():
    assert TRANSITIONS[S.failed] == {S.queued, S.deleting}
    assert not any(may_move(S.failed, step) for step in WORKING - {S.queued})


def test_a_job_cannot_bring_back_a_finished_document():
    for finished in (S.ready, S.superseded, S.deleting):
        for step in WORKING - {S.queued}:
            assert not may_move(finished, step), (finished, step)
