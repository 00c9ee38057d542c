"""How the routes read a request's origin, host, scheme and client address: forwarded headers
count only from TRUSTED_PROXIES (empty by default), from anyone else they are ignored."""

from types import SimpleNamespace

import pytest
from starlette.requests import Request

from lumikb_app.api.accounts.oidc import redirect_uri
from lumikb_app.api.request_info import (
    client_ip,
    cross_site,
    is_https,
    public_host,
    same_origin,
)
from lumikb_app.container import reset_container

pytestmark = pytest.mark.unit

PROXY = ("10.0.0.9", 5000)
PROXIED = {
    "Host": "app:3000",
    "X-Forwarded-Host": "kb.example.com, proxy.internal",
    "X-Forwarded-Proto": "HTTPS, http",
    "X-Forwarded-For": "198.51.100.23, 10.0.0.8",
}


@pytest.fixture
def trusting(data_dir, monkeypatch):
    """Set TRUSTED_PROXIES (and optionally ALLOWED_ORIGINS) for the next requests."""

    def configure(proxies: str, origins: str = "") -> None:
        monkeypatch.setenv("TRUSTED_PROXIES", proxies)
        monkeypatch.setenv("ALLOWED_ORIGINS", origins)
        reset_container()

    return configure


def _request(headers: dict[str, str], *, client=("203.0.113.7", 5000)) -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "path": "/auth/login",
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": client,
            "server": ("10.0.0.2", 3000),
        }
    )


def test_direct_requests_use_host_and_the_connection_scheme(data_dir):
    request = _request({"Host": "KB.example.com:3000"})

    assert public_host(request) == "kb.example.com:3000"
    assert not is_https(request)
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(_request({}, client=None)) is None


def test_by_default_forwarded_headers_are_ignored(data_dir):
    request = _request(PROXIED, client=PROXY)

    assert public_host(request) == "app:3000"
    assert not is_https(request)
    assert client_ip(request) == "10.0.0.9"
    assert redirect_uri(request) == "http://app:3000/auth/oidc/callback"


def test_from_a_trusted_proxy_the_forwarded_values_win(trusting):
    trusting("10.0.0.0/24")
    request = _request(PROXIED, client=PROXY)

    assert public_host(request) == "kb.example.com"
    assert is_https(request)
    # 10.0.0.8 is a trusted hop too: the client is the first address left of the proxies.
    assert client_ip(request) == "198.51.100.23"
    assert redirect_uri(request) == "https://kb.example.com/auth/oidc/callback"


def test_an_untrusted_peer_cannot_borrow_a_trusted_proxys_headers(trusting):
    trusting("10.0.0.0/24")
    request = _request(PROXIED, client=("203.0.113.7", 5000))

    assert public_host(request) == "app:3000"
    assert not is_https(request)
    assert client_ip(request) == "203.0.113.7"


def test_a_client_cannot_hide_behind_a_spoofed_x_forwarded_for(trusting):
    trusting("10.0.0.9")
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    spoofed = _request({"X-Forwarded-For": "1.2.3.4, 198.51.100.23"}, client=PROXY)
    assert client_ip(spoofed) == "198.51.100.23"
    # Garbage in the chain: the client is unknown, and the proxy stands for it.
    garbled = _request({"X-Forwarded-For": "unknown"}, client=PROXY)
    assert client_ip(garbled) == "10.0.0.9"
    ipv6 = _request({"X-Forwarded-For": "2001:db8::7"}, client=PROXY)
    assert client_ip(ipv6) == "2001:db8::7"


def test_same_origin_compares_the_origin_with_the_public_host(trusting):
    trusting("10.0.0.0/24")
    proxied = {"Host": "app:3000", "X-Forwarded-Host": "kb.example.com"}

    assert same_origin(_request({**proxied, "Origin": "https://kb.example.com"}, client=PROXY))
    assert not same_origin(_request({**proxied, "Origin": "https://app:3000"}, client=PROXY))
    assert same_origin(_request({"Host": "kb.example.com", "Referer": "http://KB.example.com/x"}))
    assert not same_origin(_request({"Host": "kb.example.com", "Origin": "null"}))


def test_a_forged_x_forwarded_host_does_not_pass_the_origin_check(data_dir):
    forged = {"Host": "kb.example.com", "X-Forwarded-Host": "evil.example"}

    assert not same_origin(_request({**forged, "Origin": "http://evil.example"}))
    assert same_origin(_request({**forged, "Origin": "http://kb.example.com"}))


def test_allowed_origins_is_the_exact_list(trusting):
    trusting("", origins="https://kb.example.com, https://intranet.example.com:8443")
    host = {"Host": "kb.example.com"}

    assert same_origin(_request({**host, "Origin": "https://intranet.example.com:8443"}))
    assert same_origin(_request({**host, "Origin": "https://kb.example.com"}))
    assert not same_origin(_request({**host, "Origin": "http://kb.example.com"}))
    assert not same_origin(_request({**host, "Origin": "https://intranet.example.com"}))


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({}, False),  # a script, curl: no browser cookie jar to abuse
        ({"Sec-Fetch-Site": "same-origin"}, False),
        ({"Sec-Fetch-Site": "none"}, False),  # typed into the address bar
        ({"Origin": "http://kb.example.com"}, False),
        ({"Sec-Fetch-Site": "same-site"}, True),  # another port of the same host
        ({"Sec-Fetch-Site": "cross-site"}, True),
        ({"Origin": "http://kb.example.com:8080", "Sec-Fetch-Site": "same-site"}, True),
        ({"Origin": "null"}, True),
    ],
)
def test_cross_site_reads_are_recognised(data_dir, headers, refused):
    assert cross_site(_request({"Host": "kb.example.com", **headers})) is refused


def _socket_state(peer: str, forwarded_for: str = ""):
    """What Reflex hands an event handler: the socket's peer and its handshake headers."""
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    router = SimpleNamespace(
        session=SimpleNamespace(client_ip=peer),
        headers=SimpleNamespace(raw_headers=headers),
    )
    return SimpleNamespace(router=router)


def test_the_reflex_pages_read_the_client_the_same_way(trusting):
    from lumikb_app.state.session import client_ip as state_client_ip

    spoofed = _socket_state("203.0.113.7", "1.2.3.4")
    proxied = _socket_state("10.0.0.9", "1.2.3.4, 198.51.100.23")
    assert state_client_ip(spoofed) == "203.0.113.7"
    assert state_client_ip(proxied) == "10.0.0.9"
    trusting("10.0.0.0/24")
    assert state_client_ip(spoofed) == "203.0.113.7"
    assert state_client_ip(proxied) == "198.51.100.23"
    assert state_client_ip(_socket_state("")) == ""
