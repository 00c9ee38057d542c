"""E2E harness: the real app (`reflex run --env prod`, one port) on embedded backends in a temp
DATA_DIR, driven by Debian's /usr/bin/chromium through Playwright. Screenshots and the server log
go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.settings import Settings
from tests.e2e.seed_documents import seed_documents

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
BUN = ROOT / "tools" / "node_modules" / "bun" / "bin" / "bun.exe"  # the Makefile's REFLEX_BUN_PATH
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chat limits of the served app (tests/e2e/test_chat_limits_journey.py): one answer at a time,
# and ten answers per person per twenty seconds, so the limit is reached, and over, quickly.
CHAT_LIMITS = {"CHAT_MAX_STREAMS": "1", "CHAT_RATE_LIMIT": "10", "CHAT_RATE_WINDOW_SECONDS": "20"}
# The browser reaches the app as if through a proxy on 127.0.0.1 that names each client in
# X-Forwarded-For: every browser context gets an address of its own (client_address), so a
# journey's failed sign-ins count against its own address, as separate people's would, and
# never against another journey's 20-failure budget.
TRUSTED_PROXY = "127.0.0.1"
START_TIMEOUT_SECONDS = 600  # a cold start installs frontend packages and builds the bundle
HEALTHY_TIMEOUT_SECONDS = 60  # once the pages serve, a fresh install must report healthy
UI_TIMEOUT_MS = 30_000
ADMIN_PASSWORD = "administrators rule"
# An account only the lockout journey signs in with (it stays locked for the rest of the run).
LOCKOUT_EMAIL, LOCKOUT_PASSWORD = "lockout@example.com", "locked out by the journey"
# Fake models exist only under LUMIKB_ENV=test; fake/paced is the deterministic chat model
# (adapters/fake_chat.py), seeded as the registry's default chat model by the migration.
TEST_ENV = {"LUMIKB_ENV": "test", "LLM_MODEL": "fake/paced"}


@dataclass(frozen=True)
class SeededApp:
    base_url: str
    email: str
    password: str
    user_name: str
    kb_id: str
    kb_name: str
    foreign_kb_id: str
    foreign_kb_name: str
    admin_email: str
    admin_password: str
    kb_a_id: str
    kb_b_id: str
    # Ready documents, ingested before the server starts (search, viewer and chat journeys).
    handbook_pdf_id: str
    handbook_pdf_name: str
    handbook_passage: str
    handbook_passage_page: int
    markdown_doc_id: str
    markdown_doc_name: str
    markdown_passage: str
    foreign_doc_id: str
    foreign_doc_name: str
    data_dir: Path  # the served app's DATA_DIR (a journey may write to its stores directly)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(data_dir: Path) -> dict[str, object]:
    """Migrate and create the test user, their knowledge base and someone else's, through the
    services, with ready documents in both."""
    from lumikb_app.db.migrate import upgrade
    from lumikb_app.domain.enums import SystemRole
    from lumikb_app.services.accounts import auth
    from lumikb_app.services.knowledge_bases import kbs

    with pytest.MonkeyPatch.context() as env:
        for name in Settings.model_fields:
            env.delenv(name, raising=False)
        env.setenv("DATA_DIR", str(data_dir))
        env.setenv("LUMIKB_ENV", TEST_ENV["LUMIKB_ENV"])
        env.setenv("LLM_MODEL", TEST_ENV["LLM_MODEL"])  # seeds the registry's default chat model
        reset_container()
        try:
            upgrade()
            with get_container().db.session() as session:
                user = auth.create_user(
                    session,
                    email="grace@example.com",
                    display_name="Grace Hopper",
                    password="compilers are friendly",
                )
                other = auth.create_user(
                    session,
                    email="other@example.com",
                    display_name="Other Person",
                    password="another long secret",
                )
                auth.create_user(
                    session, email=LOCKOUT_EMAIL, display_name="Lockout", password=LOCKOUT_PASSWORD
                )
                admin = auth.create_user(
                    session,
                    email="admin@example.com",
                    display_name="Ada Admin",
                    password=ADMIN_PASSWORD,
                    role=SystemRole.admin,
                )
                session.commit()
            kb = kbs.create_kb(user, "Engineering Handbook", "How we build and ship software.")
            foreign = kbs.create_kb(other, "Secret Mergers", "Not for Grace.")
            kb_a = kbs.create_kb(admin, "Alpha Docs", "Knowledge base A.")
            kb_b = kbs.create_kb(admin, "Beta Docs", "Knowledge base B.")
            return {
                **seed_documents(user, kb.id, other, foreign.id),
                "email": user.email,
                "password": "compilers are friendly",
                "user_name": user.display_name,
                "kb_id": kb.id,
                "kb_name": kb.name,
                "foreign_kb_id": foreign.id,
                "foreign_kb_name": foreign.name,
                "admin_email": admin.email,
                "admin_password": ADMIN_PASSWORD,
                "kb_a_id": kb_a.id,
                "kb_b_id": kb_b.id,
            }
        finally:
            reset_container()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def _wait_until_serving(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    """Until the sign-in page serves and /health says 200: a fresh embedded install is healthy."""
    deadline, health = time.monotonic() + START_TIMEOUT_SECONDS, (0, "")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"reflex exited with {process.returncode} before serving:\n{_tail(log_path)}"
            )
        with contextlib.suppress(OSError):
            page_status, html = _get(f"{base_url}/login/")
            if page_status == 200 and "<html" in html.lower():
                deadline = min(deadline, time.monotonic() + HEALTHY_TIMEOUT_SECONDS)
                health = _get(f"{base_url}/health")
                if health[0] == 200:
                    return
        time.sleep(1)
    pytest.fail(f"the app did not serve healthy; last /health {health}:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 60) -> str:
    text = path.read_text(errors="replace") if path.exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


SSO_CLIENT_ID = "lumikb-e2e"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    """A real OpenID Connect provider (discovery, JWKS, token endpoint) on a loopback port."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        # The mock names its issuer after the Host header, so the app must call it "localhost".
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, oidc_provider: str) -> Iterator[SeededApp]:
    if not BUN.exists():
        pytest.fail(f"bun is missing at {BUN}: run `make install` (npm install --prefix tools bun)")
    ARTIFACTS.mkdir(exist_ok=True)
    data_dir = tmp_path_factory.mktemp("lumikb-e2e") / "data"
    seeded = _seed(data_dir)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if name not in Settings.model_fields}
    env.update(
        DATA_DIR=str(data_dir),
        REFLEX_BUN_PATH=str(BUN),
        REFLEX_TELEMETRY_ENABLED="False",
        OIDC_ISSUER=oidc_provider,
        OIDC_CLIENT_ID=SSO_CLIENT_ID,
        OIDC_CLIENT_SECRET="e2e-client-secret",
        TRUSTED_PROXIES=TRUSTED_PROXY,
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        JOB_RETRY_SECONDS="1",  # a failing job reaches the failed registry in seconds
        PYTHONUNBUFFERED="1",
        **TEST_ENV,
    )
    env.update(CHAT_LIMITS)
    command = [
        sys.executable, "-m", "reflex", "run", "--env", "prod",
        "--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1",
    ]  # fmt: skip
    log_path = ARTIFACTS / "e2e-server.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_serving(process, base_url, log_path)
        with log_path.open("a") as log:
            log.write(f"\n[e2e harness] serving after {time.monotonic() - started:.1f} s\n")
        yield SeededApp(base_url=base_url, data_dir=data_dir, **seeded)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install Debian's package (`apt-get install chromium`, "
            "or `make test` does it). Never download a browser with `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


_client_numbers = itertools.count(1)


def client_address() -> str:
    """A client address no other browser context has used in this run."""
    number = next(_client_numbers)
    return f"10.77.{number // 250}.{number % 250 + 1}"


def browser_context(browser, base_url: str):
    """A fresh browser (own cookies) at its own client address: another person."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        base_url=base_url,
        extra_http_headers={"X-Forwarded-For": client_address()},
    )
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser, app_server: SeededApp):
    context = browser_context(browser, app_server.base_url)
    new_page = context.new_page()
    yield new_page
    context.close()


class Shots:
    """Numbered screenshots in test-artifacts/, one per journey step."""

    def __init__(self, page, prefix: str) -> None:
        self.page = page
        self.prefix = prefix
        self.count = 0

    def __call__(self, step: str) -> Path:
        self.count += 1
        path = (
            ARTIFACTS
            / f"{self.prefix}-{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        )
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(page, request) -> Shots:
    ARTIFACTS.mkdir(exist_ok=True)
    return Shots(page, request.node.name)


def wait_for_hydration(page) -> None:
    """Wait until Reflex has hydrated the page and run its on_load handlers (websocket connected)."""
    page.get_by_test_id("hydrated").wait_for(state="attached")
