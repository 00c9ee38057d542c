"""The home page's KB cards read as a person says them (state/knowledge_bases/home_cards.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from lumikb_app.state.knowledge_bases.home_cards import ago, documents_label

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("count", "label"),
    [(0, "No documents yet"), (1, "1 document"), (2, "2 documents"), (1200, "1,200 documents")],
)
def test_document_counts(count, label):
    assert documents_label(count) == label


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23), "23 hours ago"),
        (timedelta(days=1, hours=5), "yesterday"),
        (timedelta(days=12), "12 days ago"),
        (timedelta(days=45), "on 3 Feb 2026"),
        (timedelta(seconds=-30), "just now"),  # a clock a little ahead is not "in the future"
    ],
)
def test_last_activity_in_words(before, said):
    assert ago(NOW - before, NOW) == said


def test_a_stored_moment_without_a_zone_is_utc():
    assert ago(datetime(2026, 3, 20, 10, 0), NOW) == "2 hours ago"
