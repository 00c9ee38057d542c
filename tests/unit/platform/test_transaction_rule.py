"""The transaction rule (`lumikb_app.services`'s docstring): nothing above services holds a Session.

Every module under lumikb_app/state, lumikb_app/api, lumikb_app/ui and workers, and the CLI
(lumikb_app/cli.py, lumikb_app/eval_command.py), is read as source (never imported, so reflex is
not loaded) and must not:

- import sqlmodel, sqlalchemy or anything under lumikb_app.db;
- import `services.platform.transactions`, `transaction` or `read_session`;
- open `<...>.db.session()` / `<...>.db.async_session()`;
- name a service function whose first parameter is `session` (a building block that joins the
  caller's unit of work: only services may call it). Each is found by importing the service module
  and reading `inspect.signature`, so a service that gains or loses a `session` parameter is
  judged by what it is now.

One exception: `from lumikb_app.db.tables import <Row>` is allowed when the row class is used
only in type annotations (including `Annotated[...]` aliases). Services return detached rows
(`User`, `AuditEvent`, `ApiToken`, ...) and state and api pass the signed-in `User` back in, so
naming those types is how their signatures stay honest until state works on domain types; using
a row class at run time (building, querying, isinstance) would be a rule, so it belongs in a
service and is refused.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import types
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.unit

SCANNED_DIRS = ("lumikb_app/state", "lumikb_app/api", "lumikb_app/ui", "workers")
SCANNED_FILES = ("lumikb_app/cli.py", "lumikb_app/eval_command.py")
# Modules still being moved onto services by another change; each must leave this set once it is
# clean (test_pending_modules_still_need_their_exception fails as soon as one is).
PENDING: set[str] = set()

FORBIDDEN_MODULES = ("sqlmodel", "sqlalchemy", "lumikb_app.db")
TYPE_ONLY_MODULE = "lumikb_app.db.tables"
TRANSACTIONS = "lumikb_app.services.platform.transactions"
TRANSACTION_NAMES = {"transaction", "read_session"}
SESSION_OPENERS = {"session", "async_session"}


def scanned_paths() -> list[str]:
    paths = {
        str(path.relative_to(PROJECT_ROOT))
        for folder in SCANNED_DIRS
        for path in (PROJECT_ROOT / folder).rglob("*.py")
    }
    return sorted(paths | set(SCANNED_FILES))


def _under(module: str, parent: str) -> bool:
    return module == parent or module.startswith(parent + ".")


def _absolute(node: ast.ImportFrom, path: str) -> str:
    if not node.level:
        return node.module or ""
    package = Path(path).with_suffix("").parts[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def _resolve(dotted: str) -> object | None:
    """The object a dotted name like `lumikb_app.services.accounts.users.set_role` stands for."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name, None)
        return found
    return None


def _takes_session(found: object) -> bool:
    if not isinstance(found, types.FunctionType):
        return False
    if not _under(found.__module__, "lumikb_app.services"):
        return False
    parameters = list(inspect.signature(found).parameters)
    return bool(parameters) and parameters[0] == "session"


def _dotted(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None when the chain does not start at a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside a type annotation or an `Annotated[...]` alias."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        elif isinstance(node, ast.Subscript) and (_dotted(node.value) or [""])[-1] == "Annotated":
            roots.append(node)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def violations(source: str, path: str) -> list[str]:
    """What in this module breaks the transaction rule, one line per finding."""
    tree = ast.parse(source, filename=path)
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name -> dotted name it was imported as
    type_only: set[str] = set()

    def refuse(node: ast.AST, why: str) -> None:
        found.append(f"{path}:{getattr(node, 'lineno', 0)}: {why}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if any(_under(alias.name, m) for m in FORBIDDEN_MODULES):
                    refuse(node, f"imports {alias.name}")
                if _under(alias.name, TRANSACTIONS):
                    refuse(node, f"imports {alias.name}")
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    aliases[head] = head
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path)
            for alias in node.names:
                full = f"{module}.{alias.name}"
                local = alias.asname or alias.name
                if module == TYPE_ONLY_MODULE:
                    type_only.add(local)
                elif any(_under(module, m) for m in FORBIDDEN_MODULES):
                    refuse(node, f"imports {full}")
                if _under(full, TRANSACTIONS) or alias.name in TRANSACTION_NAMES:
                    refuse(node, f"imports {full}")
                aliases[local] = full

    typing_nodes = _annotation_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in type_only and id(node) not in typing_nodes:
            refuse(node, f"uses the row class {node.id} at run time (only type hints may)")
        if isinstance(node, ast.Attribute) and node.attr in SESSION_OPENERS:
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "db":
                refuse(node, f"opens a database session (.db.{node.attr})")
        if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
            parts = _dotted(node)
            if not parts or parts[0] not in aliases:
                continue
            dotted = ".".join([aliases[parts[0]], *parts[1:]])
            if _under(dotted, "lumikb_app.services") and _takes_session(_resolve(dotted)):
                refuse(node, f"calls {dotted}, which takes the caller's session")
    return sorted(set(found))


@pytest.mark.parametrize("path", [p for p in scanned_paths() if p not in PENDING])
def test_module_leaves_units_of_work_to_services(path):
    source = (PROJECT_ROOT / path).read_text(encoding="utf-8")
    assert violations(source, path) == []


def test_pending_modules_still_need_their_exception():
    for path in sorted(PENDING):
        source = (PROJECT_ROOT / path).read_text(encoding="utf-8")
        assert violations(source, path), f"{path} follows the rule now: remove it from PENDING"


def test_the_scan_covers_every_layer_above_services():
    paths = scanned_paths()
    for expected in (
        "lumikb_app/state/shell.py",
        "lumikb_app/api/v1.py",
        "lumikb_app/ui/pages/knowledge_bases/kb_settings.py",
        "workers/tasks.py",
        "lumikb_app/cli.py",
        "lumikb_app/eval_command.py",
    ):
        assert expected in paths
    assert PENDING <= set(paths)


BROKEN = {
    "sqlmodel": "from sqlmodel import select\n",
    "sqlalchemy": "import sqlalchemy as sa\n",
    "db module": "from lumikb_app.db.common import utcnow\n",
    "db engine": "import lumikb_app.db.engine\n",
    "transactions module": "from lumikb_app.services.platform import transactions\n",
    "transaction": "from lumikb_app.services.platform.transactions import transaction\n",
    "read_session": "from lumikb_app.services.platform.transactions import read_session\n",
    "db session": "def f(c):\n    with c.db.session() as s:\n        return s\n",
    "container session": (
        "from lumikb_app.container import get_container\n"
        "with get_container().db.session() as s:\n    pass\n"
    ),
    "async session": "async def f(db):\n    async with db.async_session() as s:\n        pass\n",
    "building block by module": (
        "from lumikb_app.services.accounts import audit\naudit.record(None, 'x')\n"
    ),
    "building block by name": (
        "from lumikb_app.services.accounts.access import require\nrequire(None, None, 'k', 1)\n"
    ),
    "building block passed": (
        "import asyncio\nfrom lumikb_app.services.documents import outbox as box\n"
        "asyncio.to_thread(box.add, None, 'kind')\n"
    ),
    "building block dotted": (
        "import lumikb_app.services.accounts.access\n"
        "lumikb_app.services.accounts.access.role_on(None, None, 'k')\n"
    ),
    "row used at run time": (
        "from lumikb_app.db.tables import User\n\ndef f():\n    return User(email='a')\n"
    ),
}


@pytest.mark.parametrize("source", BROKEN.values(), ids=BROKEN.keys())
def test_the_scan_refuses_each_way_of_holding_a_session(source):
    assert violations(source, "lumikb_app/state/example.py")


def test_the_scan_allows_row_types_in_hints_and_session_free_services():
    source = (
        "from typing import Annotated\n"
        "from lumikb_app.db.tables import User\n"
        "from lumikb_app.services.accounts import access, api_tokens\n"
        "Acting = Annotated[User, 'dependency']\n"
        "def f(user: User) -> list[User]:\n"
        "    found: User | None = None\n"
        "    return [found] if access.is_admin(user) else api_tokens.list_tokens(user)\n"
    )
    assert violations(source, "lumikb_app/state/example.py") == []
