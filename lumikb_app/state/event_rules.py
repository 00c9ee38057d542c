"""What every Reflex event may carry, and who may send it: the rules the event guard enforces.

Any client that opens the websocket can send any event name with any arguments, so each event is
checked before its handler runs (state/event_guard.py applies these rules to every event):

- Who: a handler needs a signed-in caller unless it is marked `@public` (sign-in, registration,
  password reset, the page-load session check) or is one of Reflex's own page-load events.
- What: each argument must match its handler's annotation, within bounds. Text is at most
  MAX_TEXT_CHARS and storable (domain.text); a list has at most MAX_ITEMS items of the annotated
  kind; a `dict` (form data, a progress report) is flat: at most MAX_KEYS short text keys with
  text, number, boolean or empty values (a submitted form arrives as Reflex's list of
  [name, value] entries, bounded the same way). Unknown and missing arguments are refused too.
- Never: a handler whose parameters have no bounded rule (e.g. `Any`), Reflex's `setvar` and
  `update_vars_internal` (this app keeps no browser-storage vars), and a public method that
  declares a return value (a helper such as `current_user`, which Reflex registers as an event
  because it is public). A new handler with an unknown parameter type is refused until a rule
  covers it; tests/unit/platform/test_event_rules.py enumerates every handler to catch that.

Checking is bounded by these limits (a list or dict over its limit is refused before its items
are looked at), so a hostile payload costs at most one pass over the websocket message.
"""

from __future__ import annotations

import functools
import inspect
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import reflex as rx
from reflex_base.registry import RegistrationContext
from reflex_base.utils.form import FORM_DATA_ENTRIES_KEY

from lumikb_app.domain.text import text_problem

MAX_TEXT_CHARS = 20_000
MAX_ITEMS = 1_000
MAX_KEYS = 64
MAX_KEY_CHARS = 200
MAX_INT = 2**31
PUBLIC_MARK = "__lumikb_public_event__"
NO_RULE = "no bounded rule for its arguments"
# Reflex's own events that the browser sends before anyone can sign in.
REFLEX_PUBLIC = frozenset(
    {"hydrate", "hydrate_and_load", "on_load_internal", "set_is_hydrated"}
    | {"handle_frontend_exception"}
)

Rule = Callable[[object], str | None]
F = TypeVar("F", bound=Callable[..., Any])


class Unbounded(TypeError):
    """A handler parameter whose annotation has no bounded rule (its handler is refused)."""


def public(handler: F) -> F:
    """Mark an event handler as callable without signing in (its arguments are still checked)."""
    setattr(handler, PUBLIC_MARK, True)
    return handler


# -- rules for one value ---------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return "expected text"
    return text_problem(value, MAX_TEXT_CHARS)


def _boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _integer(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "expected a whole number"
    return None if -MAX_INT < value < MAX_INT else "the number is out of range"


def _scalar(value: object) -> str | None:
    """A value inside a flat dict: text, a finite number, a boolean or nothing."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else "expected a finite number"
    return _text(value) if isinstance(value, str) else "expected a plain value"


def _form_entries(entries: object) -> str | None:
    """A submitted form as the browser sends it: [[name, value], ...] (names may repeat)."""
    if not isinstance(entries, list):
        return "expected a list of form fields"
    if len(entries) > MAX_KEYS:
        return f"at most {MAX_KEYS} fields"
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
            return "expected [name, value] form fields"
        if text_problem(entry[0], MAX_KEY_CHARS):
            return "a field name is not acceptable"
        if problem := _scalar(entry[1]):
            return f"{entry[0][:40]}: {problem}"
    return None


def _flat_mapping(value: object) -> str | None:
    if not isinstance(value, dict):
        return "expected an object"
    if len(value) == 1 and FORM_DATA_ENTRIES_KEY in value:
        return _form_entries(value[FORM_DATA_ENTRIES_KEY])
    if len(value) > MAX_KEYS:
        return f"at most {MAX_KEYS} fields"
    for key, item in value.items():
        if not isinstance(key, str) or text_problem(key, MAX_KEY_CHARS):
            return "a field name is not acceptable"
        if problem := _scalar(item):
            return f"{key[:40]}: {problem}"
    return None


def _items_of(rule: Rule) -> Rule:
    def items(value: object) -> str | None:
        if not isinstance(value, list):
            return "expected a list"
        if len(value) > MAX_ITEMS:
            return f"at most {MAX_ITEMS} items"
        return next((f"item: {p}" for item in value if (p := rule(item))), None)

    return items


def _optional(rule: Rule) -> Rule:
    return lambda value: None if value is None else rule(value)


def _instance_of(kind: type) -> Rule:
    return lambda value: None if isinstance(value, kind) else f"expected {kind.__name__}"


def rule_for(hint: object) -> Rule:
    """The bounded rule for one parameter annotation, or Unbounded."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) == 1 and len(args) == 2:
            return _optional(rule_for(inner[0]))
        raise Unbounded(hint)
    if hint is str:
        return _text
    if hint is bool:
        return _boolean
    if hint is int:
        return _integer
    if hint is dict or (origin is dict and args[:1] == (str,)):
        return _flat_mapping
    if origin is list and len(args) == 1:
        return _items_of(rule_for(args[0]))
    if hint is rx.UploadChunkIterator:
        return _instance_of(rx.UploadChunkIterator)
    raise Unbounded(hint)


# -- the policy of one handler ---------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    rule: Rule
    required: bool


@dataclass(frozen=True)
class Policy:
    public: bool
    params: Mapping[str, Param]
    never: str = ""  # why the handler is never callable as an event ("" when it is)

    def problem(self, payload: object) -> str | None:
        """Why these arguments are refused, or None when every one is acceptable."""
        if self.never:
            return self.never
        if not isinstance(payload, dict):
            return "the arguments are not an object"
        unknown = next((name for name in payload if name not in self.params), None)
        if unknown is not None:
            return f"unexpected argument {str(unknown)[:40]!r}"
        for name, param in self.params.items():
            if name not in payload:
                if param.required:
                    return f"missing argument {name!r}"
            elif problem := param.rule(payload[name]):
                return f"{name}: {problem}"
        return None


def _from_reflex(fn: Callable) -> bool:
    return (fn.__module__ or "").split(".")[0] == "reflex"


def _never_reason(fn: Callable) -> str:
    if _from_reflex(fn):
        return "" if fn.__name__ in REFLEX_PUBLIC else "this event is not used by the app"
    returns = inspect.signature(fn).return_annotation
    if returns not in (inspect.Signature.empty, None, "None"):
        return "a helper, not an event"
    return ""


def registered_handlers() -> dict[str, Callable]:
    """Every event handler registered so far (import the app first), by full event name."""
    registered = RegistrationContext.get().event_handlers
    return {name: entry.handler.fn for name, entry in registered.items()}


@functools.cache
def policy_for(fn: Callable) -> Policy:
    """The policy of a handler function. One whose parameters have no bounded rule is never
    callable (the guard refuses it, and test_event_rules.py fails until a rule covers it)."""
    never = _never_reason(fn)
    if never:
        return Policy(public=False, params={}, never=never)
    try:
        params = _params(fn)
    except Unbounded as unbounded:
        return Policy(public=False, params={}, never=f"{NO_RULE}: {unbounded}")
    public_ = bool(getattr(fn, PUBLIC_MARK, False)) or _from_reflex(fn)
    return Policy(public=public_, params=params)


def _params(fn: Callable) -> dict[str, Param]:
    try:
        hints = typing.get_type_hints(fn)
    except (NameError, TypeError) as unresolved:
        raise Unbounded(f"unresolved annotation: {unresolved}") from None
    params = {}
    for name, parameter in list(inspect.signature(fn).parameters.items())[1:]:  # after self
        if name not in hints:
            raise Unbounded(f"{name} has no annotation")
        params[name] = Param(rule_for(hints[name]), parameter.default is inspect.Parameter.empty)
    return params
