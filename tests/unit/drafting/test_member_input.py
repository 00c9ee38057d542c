"""What the owner types when sharing a draft: a role of view or edit, a real email."""

from __future__ import annotations

import pytest

from lumikb_app.domain.drafting import DraftInputError, DraftRole
from lumikb_app.services.drafting.members import member_email, member_role


def test_roles_are_view_or_edit_only():
    assert member_role("view") == "view" and member_role(DraftRole.edit) == "edit"
    for bad in ("owner", "admin", "", None, ["edit"], 1):
        with pytest.raises(DraftInputError, match="view or edit"):
            member_role(bad)


def test_emails_are_trimmed_lowercased_and_checked():
    assert member_email("  Bob@Example.COM ") == "bob@example.com"
    for bad, message in (
        ("", "Give the email"),
        (None, "Give the email"),
        ("bob", "valid email"),
        ("a@" + "b" * 260 + ".io", "at most 254"),
    ):
        with pytest.raises(DraftInputError, match=message):
            member_email(bad)
