"""How the auth routes read a request's origin, host, scheme and peer, behind a proxy too."""

import pytest
from starlette.requests import Request

from lumikb_app.api.accounts.auth import same_origin
from lumikb_app.api.accounts.oidc import redirect_uri
from lumikb_app.api.request_info import client_ip, is_https, public_host

pytestmark = pytest.mark.unit


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


def test_direct_requests_use_host_and_the_connection_scheme():
    request = _request({"Host": "KB.example.com:3000"})

    assert public_host(request) == "kb.example.com:3000"
    assert not is_https(request)
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(_request({}, client=None)) is None


def test_behind_a_proxy_the_first_forwarded_values_win():
    request = _request(
        {
            "Host": "app:3000",
            "X-Forwarded-Host": "kb.example.com, proxy.internal",
            "X-Forwarded-Proto": "HTTPS, http",
        }
    )

    assert public_host(request) == "kb.example.com"
    assert is_https(request)
    assert redirect_uri(request) == "https://kb.example.com/auth/oidc/callback"


def test_same_origin_compares_the_origin_with_the_public_host():
    proxied = {"Host": "app:3000", "X-Forwarded-Host": "kb.example.com"}

    assert same_origin(_request({**proxied, "Origin": "https://kb.example.com"}))
    assert not same_origin(_request({**proxied, "Origin": "https://app:3000"}))
    assert same_origin(_request({"Host": "kb.example.com", "Referer": "http://KB.example.com/x"}))
    assert not same_origin(_request({"Host": "kb.example.com", "Origin": "null"}))
