"""A signed-in user opens a page served from another port of the same host (same site, so the
browser attaches the Lax session cookie): it can neither open the app's websocket nor read the
user's conversations. The app's own pages keep their socket, and its own origin reads the API.
The same handshake and a CORS request are also sent by hand, with a foreign and with the app's
own Origin."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SeededApp, Shots, wait_for_hydration
from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

EVENT_PATH = "/_event/?EIO=4&transport=websocket"

# The attacker's page: what the websocket and a credentialed fetch manage, written into the page.
ATTACK_PAGE = """<!doctype html><html><body style="font: 16px sans-serif; margin: 2em">
<h1>Another site on the same host</h1>
<p>websocket: <b id="socket">trying</b></p>
<p>read conversations: <b id="read">trying</b></p>
<script>
const app = %(app)s;
const ws = new WebSocket(app.replace("http", "ws") + %(path)s);
ws.onopen = () => { document.getElementById("socket").textContent = "open"; ws.close(); };
ws.onerror = () => { document.getElementById("socket").textContent = "refused"; };
fetch(app + "/api/v1/conversations", {credentials: "include"})
  .then(r => r.text())
  .then(t => { document.getElementById("read").textContent = "read: " + t; })
  .catch(() => { document.getElementById("read").textContent = "blocked"; });
</script></body></html>"""


@pytest.fixture
def foreign_site(app_server: SeededApp) -> Iterator[str]:
    """A page on another port of the app's host: same site, other origin."""
    body = ATTACK_PAGE % {"app": json.dumps(app_server.base_url), "path": json.dumps(EVENT_PATH)}

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    host = urlsplit(app_server.base_url).hostname or "127.0.0.1"
    server = ThreadingHTTPServer((host, 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _handshake_status(base_url: str, origin: str) -> int:
    """Send a websocket upgrade for the Reflex event socket and return the HTTP status."""
    parts = urlsplit(base_url)
    request = (
        f"GET {EVENT_PATH} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=15) as conn:
        conn.sendall(request.encode())
        status_line = conn.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def _cors_origin(base_url: str, origin: str) -> str | None:
    response = httpx.get(f"{base_url}/api/v1/kbs", headers={"Origin": origin}, timeout=30)
    return response.headers.get("access-control-allow-origin")


def test_the_server_answers_only_its_own_origin(app_server: SeededApp):
    base_url = app_server.base_url
    other_port = f"http://127.0.0.1:{(urlsplit(base_url).port or 80) + 1}"
    assert _handshake_status(base_url, other_port) == 403
    assert _handshake_status(base_url, "https://evil.example") == 403
    assert _handshake_status(base_url, base_url) == 101
    assert _cors_origin(base_url, other_port) is None
    assert _cors_origin(base_url, "https://evil.example") is None
    assert _cors_origin(base_url, base_url) == base_url


def test_a_same_site_page_cannot_use_the_signed_in_session(
    page, app_server: SeededApp, foreign_site: str, shots: Shots
):
    login(page, app_server.email, app_server.password)
    expect(page.get_by_test_id("hydrated")).to_be_attached()  # our own page: socket connected
    own = page.evaluate(
        """async () => {
            const r = await fetch("/api/v1/conversations", {credentials: "include"});
            return [r.status, await r.text()];
        }"""
    )
    assert own[0] == 200 and own[1].startswith("[")

    page.goto(foreign_site)
    expect(page.locator("#socket")).to_have_text("refused")
    expect(page.locator("#read")).to_have_text("blocked")
    shots("another site on the same host is refused")

    page.goto("/")
    wait_for_hydration(page)  # the app's own socket still opens
