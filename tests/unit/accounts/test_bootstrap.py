"""The first administrator: from the CLI, or from LUMIKB_ADMIN_* once in containers."""

import pytest
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.bootstrap import bootstrap_admin
from tests.cli_runner import migrated, run_cli

pytestmark = pytest.mark.unit


def _users() -> list[User]:
    with get_container().db.session() as session:
        return list(session.exec(select(User)))


def test_env_admin_is_created_once_and_can_log_in(migrated, monkeypatch):
    monkeypatch.setenv("LUMIKB_ADMIN_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("LUMIKB_ADMIN_PASSWORD", "a long enough secret")
    reset_container()
    assert bootstrap_admin() == "boss@example.com"
    assert bootstrap_admin() is None  # read once: an existing account means nothing to do
    [user] = _users()
    assert user.system_role == "admin"
    assert (
        auth.user_for_token(auth.login("boss@example.com", "a long enough secret").token).id
        == user.id
    )


def test_env_admin_is_ignored_once_any_account_exists(migrated, monkeypatch):
    with get_container().db.session() as session:
        auth.create_user(
            session, email="first@example.com", display_name="First", password="first password!"
        )
        session.commit()
    monkeypatch.setenv("LUMIKB_ADMIN_EMAIL", "late@example.com")
    monkeypatch.setenv("LUMIKB_ADMIN_PASSWORD", "a long enough secret")
    reset_container()
    assert bootstrap_admin() is None
    assert [u.email for u in _users()] == ["first@example.com"]


def test_a_weak_env_password_stops_with_the_variable_named(migrated, monkeypatch):
    monkeypatch.setenv("LUMIKB_ADMIN_EMAIL", "boss@example.com")
    monkeypatch.setenv("LUMIKB_ADMIN_PASSWORD", "short")
    reset_container()
    with pytest.raises(SystemExit, match="LUMIKB_ADMIN_PASSWORD"):
        bootstrap_admin()
    assert _users() == []


def test_cli_create_admin_prompts_for_the_password(data_dir):
    migrated(data_dir)
    hint = run_cli(data_dir, "first-run-hint")
    assert "make admin EMAIL=" in hint.stdout
    # getpass reads the terminal; without one it falls back to stdin, which is what a script gives it
    done = run_cli(
        data_dir, "create-admin", "--email", "root@example.com", stdin="a long enough secret\n"
    )
    assert done.returncode == 0, done.stderr
    assert "root@example.com" in done.stdout
    weak = run_cli(data_dir, "create-admin", "--email", "two@example.com", "--password", "short")
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr
