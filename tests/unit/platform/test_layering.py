"""DESIGN.md: nothing outside state/, ui/, lumikb_app.py and rxconfig.py imports reflex."""

import pkgutil
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit
RUFF = [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename"]
CORE = ["lumikb_app/services/example.py", "lumikb_app/adapters/example.py", "workers/example.py"]
UI_LAYERS = ["lumikb_app/state/example.py", "lumikb_app/ui/example.py"]
# reflex 0.10 ships its code in several top-level packages (reflex_base, reflex_components_*,
# ...). Ruff's banned-api matches module prefixes, not globs, so pyproject.toml names each one.
REFLEX_PACKAGES = sorted(
    module.name for module in pkgutil.iter_modules() if module.name.startswith("reflex")
)
# (import line, the name it binds)
SUBPACKAGE_IMPORTS = [
    ("from reflex_base.event import x", "x"),
    ("import reflex_base.event", "reflex_base"),
    ("from reflex_components_radix.themes import y", "y"),
    ("import reflex_components_core as core", "core"),
]


def _ruff(path: str, source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        RUFF + [path, "-"], input=source, text=True, capture_output=True, cwd=PROJECT_ROOT
    )


@pytest.mark.parametrize("path", CORE)
def test_ruff_bans_reflex_in_the_core(path):
    sources = ["import reflex as rx", "from reflex import State"]
    for source in sources + [line for line, _ in SUBPACKAGE_IMPORTS]:
        done = _ruff(path, source + "\n")
        assert done.returncode == 1, source
        assert "TID251" in done.stdout, source


def test_every_installed_reflex_package_is_banned():
    assert {"reflex", "reflex_base", "reflex_components_core"} <= set(REFLEX_PACKAGES)
    source = "".join(f"import {name}\n" for name in REFLEX_PACKAGES)
    done = _ruff("lumikb_app/services/example.py", source)
    banned = {name for name in REFLEX_PACKAGES if f"`{name}` is banned" in done.stdout}
    assert banned == set(REFLEX_PACKAGES), f"not banned: {set(REFLEX_PACKAGES) - banned}"


@pytest.mark.parametrize("path", [*UI_LAYERS, "rxconfig.py"])
def test_ruff_allows_reflex_in_the_ui_layers(path):
    done = _ruff(path, "import reflex as rx\n\nprint(rx)\n")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("path", UI_LAYERS)
def test_ruff_allows_reflex_subpackages_in_the_ui_layers(path):
    for source, name in SUBPACKAGE_IMPORTS:
        done = _ruff(path, f"{source}\n\nprint({name})\n")
        assert done.returncode == 0, done.stdout


def test_services_workers_and_cli_load_without_reflex():
    code = (
        "import sys, lumikb_app, lumikb_app.cli, lumikb_app.services.accounts.auth, lumikb_app.services.platform.health, "
        "lumikb_app.container, workers.tasks; "
        "assert 'reflex' not in sys.modules, 'reflex was imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr
