import subprocess
import sys
from pathlib import Path

import pytest

from lumikb_app.settings import DEV_JWT_SECRET, Settings, SettingsError, load_settings

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_defaults_run_everything_embedded_under_data_dir():
    settings = load_settings()
    assert settings.DATA_DIR == Path("./data")
    assert settings.database_url == f"sqlite:///{(Path('./data') / 'lumikb.sqlite3').resolve()}"
    assert all(settings.embedded_services.values())
    assert settings.MAX_UPLOAD_MB == 100


def test_servers_are_chosen_by_their_variables(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/lumikb")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("QDRANT_HOST", "qdrant")
    settings = load_settings()
    assert settings.embedded_services == {
        "database": False,
        "vectors": False,
        "blobs": True,
        "graph": True,
        "jobs": False,
        "cache": False,
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_UPLOAD_MB", "lots"),
        ("MAX_UPLOAD_MB", "0"),
        ("QDRANT_PORT", "70000"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("REDIS_URL", "http://redis:6379"),
        ("JWT_ALGORITHM", "none"),
        ("JWT_EXPIRY_MINUTES", "-5"),
        ("NEO4J_URI", "http://neo4j:7474"),
        ("QDRANT_GRPC", "maybe"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("TRUSTED_PROXIES", "proxy.internal"),
        ("ALLOWED_ORIGINS", "*"),
        ("ALLOWED_ORIGINS", "kb.example.com"),
        ("ALLOWED_ORIGINS", "https://kb.example.com/app"),
        ("METRICS_TOKEN", "short"),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert variable in str(error.value)


def test_minio_needs_its_keys(monkeypatch):
    monkeypatch.setenv("MINIO_ENDPOINT", "minio:9000")
    with pytest.raises(SettingsError, match="MINIO_ACCESS_KEY"):
        load_settings()


@pytest.mark.parametrize(
    "secret",
    [
        DEV_JWT_SECRET,
        "short-secret",
        "a" * 32,
        " " * 40,
        "abab" * 10,
        "0123456789" * 4,  # long, but only 10 different characters
        "  " + "x" * 30 + "  ",
    ],
)
def test_production_refuses_a_default_short_or_low_entropy_jwt_secret(monkeypatch, secret):
    monkeypatch.setenv("LUMIKB_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", secret)
    with pytest.raises(SettingsError, match="JWT_SECRET"):
        load_settings()


@pytest.mark.parametrize(
    "secret",
    [
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",  # openssl rand -hex 32
        "Xq3L_8vTz0mC-4rKpW9nYb2Hs7dJfGuE1aQoRt6iNkc",  # secrets.token_urlsafe(32)
    ],
)
def test_production_accepts_a_long_random_secret(monkeypatch, secret):
    monkeypatch.setenv("LUMIKB_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", secret)
    assert load_settings().LUMIKB_ENV == "production"


def test_cli_start_up_stops_with_the_variable_named(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "MAX_UPLOAD_MB": "lots", "DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "lumikb_app", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 2
    assert "MAX_UPLOAD_MB" in done.stderr
    assert not (tmp_path / "lumikb.sqlite3").exists()


def test_an_empty_variable_means_unset(monkeypatch):
    monkeypatch.setenv("QDRANT_HOST", "")
    monkeypatch.setenv("MINIO_ENDPOINT", " ")
    monkeypatch.setenv("DATABASE_URL", "")
    settings = load_settings()
    assert settings.QDRANT_HOST is None and settings.MINIO_ENDPOINT is None
    assert all(settings.embedded_services.values())


def test_proxies_and_origins_are_read_as_lists(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.5 ,::1")
    monkeypatch.setenv("ALLOWED_ORIGINS", "HTTPS://KB.example.com:443/, http://localhost:3000")
    settings = load_settings()
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "192.168.1.5/32", "::1/128"]
    assert settings.allowed_origins == ("https://kb.example.com", "http://localhost:3000")
    defaults = load_settings(TRUSTED_PROXIES="", ALLOWED_ORIGINS="")
    assert defaults.trusted_proxies == () and defaults.allowed_origins == ()
