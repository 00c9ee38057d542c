"""`make run`'s start-up hint and `make admin` print the address the app really listens on:
the Makefile passes its PORT, and the default is rxconfig's 3000."""

from __future__ import annotations

import pytest

from lumikb_app.cli import app_url, build_parser
from tests.cli_runner import migrated, run_cli
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit


def test_the_hint_and_create_admin_take_the_port_the_app_is_served_on():
    parser = build_parser()
    assert parser.parse_args(["first-run-hint"]).port == 3000
    assert parser.parse_args(["first-run-hint", "--port", "8123"]).port == 8123
    assert parser.parse_args(["create-admin", "--email", "a@b.c", "--port", "8123"]).port == 8123
    assert app_url(8123, "/login") == "http://localhost:8123/login"


def test_make_run_and_make_admin_print_the_login_address_on_their_port(data_dir):
    migrated(data_dir)
    hint = run_cli(data_dir, "first-run-hint", "--port", "8123")
    assert "log in at http://localhost:8123/login" in hint.stdout
    assert "3000" not in hint.stdout
    done = run_cli(
        data_dir,
        *("create-admin", "--email", "root@example.com", "--port", "8123"),
        stdin="a long enough secret\n",
    )
    assert done.returncode == 0, done.stderr
    assert "Log in at http://localhost:8123/login" in done.stdout
    again = run_cli(data_dir, "first-run-hint", "--port", "8123")
    assert "1 account(s). Log in at http://localhost:8123/login" in again.stdout


def test_the_makefile_passes_its_port_to_both():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "first-run-hint --port $(PORT)" in makefile
    assert 'create-admin --email "$(EMAIL)" --port $(PORT)' in makefile
