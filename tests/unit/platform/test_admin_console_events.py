"""The admin console's Reflex events, sent by hand: a member gets nothing shown and nothing done;
an admin's malformed or unknown job ids, odd periods and KBs that are not archived are refused
with a message and change nothing."""

import pytest

from lumikb_app.services.accounts import auth
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.state.platform.admin_console import AdminConsoleState
from tests.reflex_states import PASSWORD, admin_and_member

pytestmark = pytest.mark.unit
REFUSED = "Only administrators can do this."


@pytest.fixture
def pages(migrated):
    return admin_and_member(AdminConsoleState, "/admin/console")


async def test_a_member_sending_the_events_by_hand_sees_and_changes_nothing(pages):
    admin, member = pages
    root = auth.user_for_token(auth.login("root@x.io", PASSWORD).token)
    archived = kbs.create_kb(root, "Old")
    kbs.set_archived(root, archived.id, True)
    assert await AdminConsoleState.load_console.fn(member) is None  # no live refresh either
    assert member.console_error == REFUSED and member.figures == [] and member.backends == []
    await AdminConsoleState.restore_kb.fn(member, archived.id)
    assert member.console_error == REFUSED
    await AdminConsoleState.requeue_job.fn(member, "outbox-1")
    assert member.console_error == REFUSED
    await AdminConsoleState.load_console.fn(admin)
    assert [row.name for row in admin.archived] == ["Old"]  # still archived


async def test_an_admin_sees_every_panel_and_odd_arguments_are_refused(pages):
    admin, _ = pages
    await AdminConsoleState.load_console.fn(admin)
    assert admin.console_error == ""
    assert [f.label for f in admin.figures][:2] == ["People", "Knowledge bases"]
    assert len(admin.chart) == 14 and {row.name for row in admin.queues} == {
        "ingest",
        "graph",
        "default",
    }
    assert {row.name for row in admin.backends} >= {"database", "jobs"}
    await AdminConsoleState.set_period.fn(admin, "7")  # not offered: back to 14 days
    assert admin.days == 14 and len(admin.chart) == 14
    await AdminConsoleState.set_period.fn(admin, "30")
    assert len(admin.chart) == 30
    await AdminConsoleState.requeue_job.fn(admin, "../etc/passwd")
    assert "not a job id" in admin.console_error
    await AdminConsoleState.cancel_job.fn(admin, "ingest-nothing-here")
    assert admin.console_error.startswith("No job has the id 'ingest-nothing-here'")
    await AdminConsoleState.restore_kb.fn(admin, "not-a-kb")  # the access check's answer
    assert admin.console_error == "You do not have access to this knowledge base."
    assert admin.console_notice == ""
