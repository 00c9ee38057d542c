"""Everything a caller can reach, found from the code itself: public service functions that act
for a user, service functions the pages and routes call, REST routes and Reflex event handlers.
The permission table must name each of them (test_permission_matrix.py checks it)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import lumikb_app.services
import lumikb_app.state
from tests.conftest import PROJECT_ROOT

ACTING_USER = ("user", "actor")
WEB_LAYERS = ("lumikb_app/state", "lumikb_app/api")
SERVICES = "lumikb_app.services."


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(info.name)


def _public_functions(module: ModuleType) -> Iterator[tuple[str, object]]:
    for name, value in vars(module).items():
        defined_here = inspect.isfunction(value) and value.__module__ == module.__name__
        if defined_here and not name.startswith("_"):
            yield f"{module.__name__.removeprefix(SERVICES)}.{name}", value


def acting_service_functions() -> set[str]:
    """Public service functions whose first parameter is the acting user ('user' or 'actor')."""
    found = set()
    for module in _modules(lumikb_app.services):
        for name, function in _public_functions(module):
            first = next(iter(inspect.signature(function).parameters), None)  # type: ignore[arg-type]
            if first in ACTING_USER:
                found.add(name)
    return found


def _service_imports(tree: ast.Module) -> tuple[dict[str, str], dict[str, str]]:
    """Local names bound to service modules, and to service functions, by `from ... import`."""
    modules, functions = {}, {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(SERVICES):
            continue
        parent = importlib.import_module(node.module or "")
        for alias in node.names:
            value = getattr(parent, alias.name, None)
            if value is None:  # a submodule its package does not import itself
                value = importlib.import_module(f"{node.module}.{alias.name}")
            local = alias.asname or alias.name
            if inspect.ismodule(value):
                modules[local] = value.__name__
            elif inspect.isfunction(value):
                functions[local] = f"{value.__module__}.{value.__name__}"
    return modules, functions


def _called_services(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    modules, functions = _service_imports(tree)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = modules.get(node.value.id)
            value = getattr(importlib.import_module(module), node.attr, None) if module else None
            if inspect.isfunction(value):
                found.add(f"{value.__module__}.{value.__name__}")
        elif isinstance(node, ast.Name) and node.id in functions:
            found.add(functions[node.id])
    return {name.removeprefix(SERVICES) for name in found}


def web_service_functions() -> set[str]:
    """Service functions that Reflex states and API routes use (what a browser call reaches)."""
    paths = [p for layer in WEB_LAYERS for p in (PROJECT_ROOT / layer).rglob("*.py")]
    return set().union(*(_called_services(p) for p in paths))


def _flat_routes(routes, prefix: str = "") -> Iterator[tuple[str, object]]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI keeps an included router whole
            yield from _flat_routes(included.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + route.path, route


def rest_routes() -> set[str]:
    """'METHOD /path' for every route of the FastAPI app the Reflex app mounts."""
    from lumikb_app.api.app import create_api

    found = set()
    for path, route in _flat_routes(create_api().router.routes):
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":  # Starlette answers HEAD wherever GET is
                found.add(f"{method} {path}")
    return found


def _state_classes() -> Iterator[type]:
    from lumikb_app.state.session import AppState

    for _ in _modules(lumikb_app.state):
        pass
    pending = list(AppState.get_root_state().get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith("lumikb_app."):
            yield cls


def event_handler_functions() -> dict[str, object]:
    """'StateClass.handler' -> its EventHandler, for every event the app's states take."""
    return {
        f"{cls.__name__}.{name}": handler
        for cls in _state_classes()
        for name, handler in cls.event_handlers.items()
    }


def event_handlers() -> set[str]:
    """'StateClass.handler' for every event a browser can send to the app's states."""
    return set(event_handler_functions())
