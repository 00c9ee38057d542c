"""DESIGN.md: nothing outside state/, ui/, lumikb_app.py and rxconfig.py imports reflex."""

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit
RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename"]


@pytest.mark.parametrize(
    "path",
    ["lumikb_app/services/example.py", "lumikb_app/adapters/example.py", "workers/example.py"],
)
def test_ruff_bans_reflex_in_the_core(path):
    for source in ("import reflex as rx\n", "from reflex import State\n"):
        done = subprocess.run(
            RUFF + [path, "-"], input=source, text=True, capture_output=True, cwd=PROJECT_ROOT
        )
        assert done.returncode == 1
        assert "TID251" in done.stdout


@pytest.mark.parametrize(
    "path", ["lumikb_app/state/example.py", "lumikb_app/ui/example.py", "rxconfig.py"]
)
def test_ruff_allows_reflex_in_the_ui_layers(path):
    source = "import reflex as rx\n\nprint(rx)\n"
    done = subprocess.run(
        RUFF + [path, "-"], input=source, text=True, capture_output=True, cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stdout


def test_services_workers_and_cli_load_without_reflex():
    code = (
        "import sys, lumikb_app, lumikb_app.cli, lumikb_app.services.accounts.auth, lumikb_app.services.platform.health, "
        "lumikb_app.container, workers.jobs; "
        "assert 'reflex' not in sys.modules, 'reflex was imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr
