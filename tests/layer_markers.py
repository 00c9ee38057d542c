"""Which layer a test runs in: unit, integration or e2e, the markers `make test` selects by.

A test is marked by the directory it lives in (tests/unit, tests/integration, tests/e2e). A test
that declares a different layer than its directory, more than one layer, or none at all outside
those directories, would run in the wrong `make test` step or in none: the collection refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

LAYERS = ("unit", "integration", "e2e")


def directory_layer(path: Path, tests_root: Path) -> str | None:
    """The layer named by the first directory below tests_root, if it names one."""
    try:
        top = path.relative_to(tests_root).parts[0]
    except (ValueError, IndexError):
        return None
    return top if top in LAYERS else None


def assign_layers(items: Iterable[pytest.Item], tests_root: Path) -> list[str]:
    """Mark each test with its directory's layer; describe every test whose layer is wrong."""
    wrong = []
    for item in items:
        declared = [layer for layer in LAYERS if item.get_closest_marker(layer)]
        home = directory_layer(item.path, tests_root)
        if home is not None and not declared:
            item.add_marker(home)
            declared = [home]
        if len(declared) != 1:
            wrong.append(f"{item.nodeid} (marked {' and '.join(declared) or 'with no layer'})")
        elif home is not None and declared[0] != home:
            wrong.append(f"{item.nodeid} (marked {declared[0]} in tests/{home})")
    return wrong


def refuse_wrong_layers(items: Iterable[pytest.Item], tests_root: Path) -> None:
    wrong = assign_layers(items, tests_root)
    if wrong:
        raise pytest.UsageError(
            "every test runs in exactly one layer, the one its directory names "
            "(tests/unit, tests/integration, tests/e2e): " + ", ".join(wrong)
        )
