"""Who may create knowledge bases (services/knowledge_bases/kb_creation.py): everyone by default,
administrators only when an admin says so, audited; the home page's button and the new-KB event
follow the setting, and the service refuses whatever the page shows."""

import pytest
from sqlmodel import func, select

from lumikb_app.db.tables import AuditEvent, KnowledgeBase
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_creation, kbs
from lumikb_app.services.knowledge_bases.kb_creation import KbCreation
from lumikb_app.services.platform.transactions import read_session, transaction
from lumikb_app.state.knowledge_bases.kb_creation import KbCreationState
from lumikb_app.state.shell import NewKbState
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.unit
PASSWORD = "a long enough secret"


@pytest.fixture
def people(migrated):
    with transaction() as session:
        admin = auth.create_user(
            session, email="root@x.io", display_name="R", password=PASSWORD, role=SystemRole.admin
        )
        member = auth.create_user(session, email="mia@x.io", display_name="M", password=PASSWORD)
    return admin, member


def _kb_count() -> int:
    with read_session() as session:
        return int(session.exec(select(func.count()).select_from(KnowledgeBase)).one())


def test_everyone_may_create_knowledge_bases_by_default(people):
    admin, member = people
    assert kb_creation.kb_creation_policy() is KbCreation.everyone
    assert kb_creation.may_create_kbs(member) and kbs.create_kb(member, "Mine").name == "Mine"


def test_admins_only_refuses_members_and_the_change_is_audited(people):
    admin, member = people
    kb_creation.set_kb_creation_policy(admin, "admins", ip="10.1.1.1")
    with read_session() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "settings.changed")
        ).one()
    assert event.details == {"kb_creation": "admins", "before": "everyone"}
    assert (event.actor_email, event.ip) == ("root@x.io", "10.1.1.1")
    assert not kb_creation.may_create_kbs(member) and kb_creation.may_create_kbs(admin)
    with pytest.raises(PermissionDenied, match="Only administrators"):
        kbs.create_kb(member, "Mine")
    assert _kb_count() == 0
    kbs.create_kb(admin, "Team")
    kb_creation.set_kb_creation_policy(admin, "everyone")
    kbs.create_kb(member, "Mine")
    assert _kb_count() == 2


def test_only_an_admin_changes_the_setting_and_only_to_a_known_value(people):
    admin, member = people
    with pytest.raises(PermissionDenied):
        kb_creation.set_kb_creation_policy(member, "everyone")
    for bad in ("nobody", "", 3, ["admins"]):
        with pytest.raises(InvalidInput, match="everyone or admins"):
            kb_creation.set_kb_creation_policy(admin, bad)
    assert kb_creation.kb_creation_policy() is KbCreation.everyone


async def test_the_pages_follow_the_setting_and_a_hand_made_event_changes_nothing(people):
    admin, member = people
    member_token = auth.login("mia@x.io", PASSWORD).token
    home = signed_in_state(KbCreationState, member_token)
    await KbCreationState.load_may_create.fn(home)
    assert home.may_create_kbs is True
    await KbCreationState.set_kb_creation.fn(home, "admins")  # a member, by hand
    assert home.kb_creation_error and kb_creation.kb_creation_policy() is KbCreation.everyone

    admin_page = signed_in_state(KbCreationState, auth.login("root@x.io", PASSWORD).token, "/admin")
    await KbCreationState.set_kb_creation.fn(admin_page, "admins")
    assert (
        admin_page.kb_creation == "admins"
        and "Administrators only" in admin_page.kb_creation_notice
    )

    await KbCreationState.load_may_create.fn(home)
    assert home.may_create_kbs is False  # the home page hides "New knowledge base"
    dialog = signed_in_state(NewKbState, member_token)
    await NewKbState.create_kb.fn(dialog, {"name": "Sneaky", "description": ""})
    assert "Only administrators" in dialog.new_kb_error and _kb_count() == 0
