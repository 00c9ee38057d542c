"""What a registry entry may hold: each field of a new entry checked, with a message a person can
act on. A model's key lives in an environment variable; the entry holds only the variable's name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from lumikb_app.db.tables import Model
from lumikb_app.domain.models import BUILTIN_EMBEDDER_MODEL, FAKE_PREFIX, ModelKind, ModelSpec
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.settings import Settings

MAX_NAME = 120
MAX_MODEL = 200
MAX_URL = 500
MAX_CONTEXT_WINDOW = 10_000_000
_MODEL_STRING = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# LumiKB's own settings hold its secrets (JWT_SECRET, NEO4J_PASSWORD, ...): a model entry naming
# one would send it to whatever base URL the entry has. Only the proxy key is a model key.
MODEL_KEY_SETTINGS = frozenset({"LITELLM_API_KEY"})


@dataclass(frozen=True)
class NewModel:
    kind: ModelKind
    name: str
    litellm_model: str
    base_url: str | None
    api_key_env: str | None
    context_window: int | None


def spec_of(entry: Model) -> ModelSpec:
    return ModelSpec(
        entry.id, ModelKind(entry.kind), entry.litellm_model, entry.base_url, entry.api_key_env
    )


def new_model(
    settings: Settings,
    *,
    kind: object,
    name: object,
    litellm_model: object,
    base_url: object = "",
    api_key_env: object = "",
    context_window: object = None,
) -> NewModel:
    """The checked entry; every argument may come from a form or a hand-made event."""
    return NewModel(
        kind=_kind(kind),
        name=_name(name),
        litellm_model=_model_string(litellm_model, settings),
        base_url=_base_url(base_url),
        api_key_env=_env_name(api_key_env),
        context_window=_context_window(context_window),
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("Every field of a model is text.")
    return value.strip()


def _kind(value: object) -> ModelKind:
    try:
        return ModelKind(_text(value))
    except ValueError:
        raise InvalidInput("Choose a kind: chat, embedding or extraction.") from None


def _name(value: object) -> str:
    name = " ".join(_text(value).split())
    if not name:
        raise InvalidInput("Give the model a name people will recognise.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The name must be at most {MAX_NAME} characters.")
    return name


def _model_string(value: object, settings: Settings) -> str:
    model = _text(value)
    if not model:
        raise InvalidInput("The LiteLLM model string is required, e.g. ollama/llama3.2.")
    if len(model) > MAX_MODEL or not _MODEL_STRING.fullmatch(model):
        raise InvalidInput(
            f"The LiteLLM model string is letters, digits and . _ : / @ + - (at most {MAX_MODEL}),"
            " e.g. ollama/llama3.2."
        )
    if model == BUILTIN_EMBEDDER_MODEL:
        raise InvalidInput('"default" is the built-in embedder, which is already registered.')
    if model.startswith(FAKE_PREFIX) and not settings.is_test:
        raise InvalidInput("fake/ models are test doubles; they exist only with LUMIKB_ENV=test.")
    return model


def _base_url(value: object) -> str | None:
    url = _text(value)
    if not url:
        return None
    parsed = urlparse(url)
    if len(url) > MAX_URL or parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise InvalidInput("The base URL must be an http:// or https:// address.")
    if parsed.username or parsed.password:
        raise InvalidInput("Keep credentials out of the URL: name the key's variable instead.")
    return url.rstrip("/")


def _env_name(value: object) -> str | None:
    name = _text(value)
    if not name:
        return None
    if not _ENV_NAME.fullmatch(name):
        raise InvalidInput(
            "The key variable is the name of an environment variable (letters, digits and _), "
            "e.g. OPENAI_API_KEY; never the key itself."
        )
    if name in Settings.model_fields and name not in MODEL_KEY_SETTINGS:
        raise InvalidInput(f"{name} is one of LumiKB's own settings, not a model key.")
    return name


def _context_window(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput("The context window is a whole number of tokens.")
    try:
        tokens = int(value)
    except ValueError:
        raise InvalidInput("The context window is a whole number of tokens.") from None
    if not 1 <= tokens <= MAX_CONTEXT_WINDOW:
        raise InvalidInput(f"The context window is between 1 and {MAX_CONTEXT_WINDOW:,} tokens.")
    return tokens
