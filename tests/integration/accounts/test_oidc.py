"""Single sign-on against a real OpenID provider (oidc-provider-mock) on a loopback port.

Discovery, JWKS and the token endpoint are real HTTP; ID tokens carry real RS256 signatures.
The browser is played by FastAPI's TestClient (our app) plus httpx posting the provider's form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient
from joserfc import jwk, jwt
from oidc_provider_mock import run_server_in_thread
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import AuditEvent, User, UserSession
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth, oidc

pytestmark = pytest.mark.integration

CLIENT_ID = "lumikb"
CLIENT_SECRET = "lumikb-client-secret"
ADMIN_GROUP = "lumikb-admins"
CALLBACK = "http://testserver/auth/oidc/callback"
NONCE = "the-expected-nonce"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The OpenID provider's issuer URL (a real server thread on a free loopback port)."""
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(migrated, provider: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("OIDC_ISSUER", provider)
    monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("OIDC_ADMIN_GROUP", ADMIN_GROUP)
    reset_container()
    oidc.clear_cache()
    yield provider
    oidc.clear_cache()


@pytest.fixture
def client(sso) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


# --- helpers ---------------------------------------------------------------------------------


def set_claims(provider: str, sub: str, **claims: object) -> None:
    httpx.put(f"{provider}/users/{sub}", json=claims).raise_for_status()


def authorize(authorization_url: str, sub: str) -> str:
    """Submit the provider's form as subject `sub`; the redirect back to the client."""
    answer = httpx.post(authorization_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def start(client: TestClient, next_path: str = "/") -> str:
    answer = client.get("/auth/oidc/login", params={"next": next_path})
    assert answer.status_code == 302
    return answer.headers["location"]


def sso_login(client: TestClient, sub: str, next_path: str = "/") -> httpx.Response:
    return client.get(authorize(start(client, next_path), sub))


def session_user(answer: httpx.Response) -> User | None:
    token = answer.cookies.get(auth.COOKIE_NAME)
    return auth.user_for_token(token) if token else None


def refused(answer: httpx.Response) -> bool:
    return (
        answer.status_code == 303
        and answer.headers["location"] == "/login?error=sso"
        and auth.COOKIE_NAME not in answer.cookies
    )


def events(action: str) -> list[AuditEvent]:
    with get_container().db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def last_failure_reason() -> str:
    return events("login.failed")[-1].details["reason"]


def user_by_email(email: str) -> User | None:
    with get_container().db.session() as session:
        return session.exec(select(User).where(User.email == email)).first()


def update_user(email: str, **fields: object) -> None:
    with get_container().db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        for name, value in fields.items():
            setattr(user, name, value)
        session.add(user)
        session.commit()


def provider_id_token(provider: str, client_id: str, sub: str, nonce: str = NONCE) -> str:
    """A genuine ID token from the provider, issued to `client_id` (another app, say)."""
    metadata = httpx.get(f"{provider}/.well-known/openid-configuration").json()
    url = httpx.URL(
        metadata["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": "http://localhost/elsewhere",
            "scope": "openid email profile",
            "state": "s",
            "nonce": nonce,
        },
    )
    code = parse_qs(urlsplit(authorize(str(url), sub)).query)["code"][0]
    tokens = httpx.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://localhost/elsewhere",
        },
        auth=(client_id, "any-secret"),
    )
    tokens.raise_for_status()
    return tokens.json()["id_token"]


def valid_claims(provider: str, **changes: object) -> dict[str, object]:
    now = int(time.time())
    claims = {"iss": provider, "sub": "mallory", "aud": CLIENT_ID, "nonce": NONCE}
    return claims | {"iat": now, "exp": now + 300, "email": "mallory@example.com"} | changes


def provider_kid(provider: str) -> str:
    return httpx.get(f"{provider}/jwks").json()["keys"][0]["kid"]


def refusal_reason(id_token: str) -> str:
    with pytest.raises(oidc.OidcError) as refusal:
        oidc.verify_id_token(id_token, nonce=NONCE)
    assert str(refusal.value) == oidc.FAILED_MESSAGE  # nothing internal reaches the user
    return refusal.value.reason


# --- the login flow --------------------------------------------------------------------------


def test_first_login_provisions_the_user_and_opens_a_session(client, sso):
    set_claims(
        sso, "ada", email="ada@example.com", email_verified=True, name="Ada Lovelace", groups=[]
    )
    login = client.get("/auth/oidc/login", params={"next": "/kb/abc?tab=docs"})
    assert login.status_code == 302
    url = login.headers["location"]
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{sso}/oauth2/authorize?")
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [CALLBACK]
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert "openid" in query["scope"][0].split()
    cookie = login.headers["set-cookie"]
    assert "lumikb_oidc_state=" in cookie and "HttpOnly" in cookie and "Path=/auth/oidc" in cookie
    assert "SameSite=lax" in cookie and "Max-Age=600" in cookie
    record, next_path = oidc.open_state(login.cookies["lumikb_oidc_state"])
    assert next_path == "/kb/abc?tab=docs" and query["state"] == [record.state]
    assert query["nonce"] == [record.nonce]
    assert query["code_challenge"] == [create_s256_code_challenge(record.code_verifier)]

    answer = client.get(authorize(url, "ada"))

    assert answer.status_code == 303 and answer.headers["location"] == "/kb/abc?tab=docs"
    set_cookie = answer.headers.get_list("set-cookie")
    assert any(c.startswith(f"{auth.COOKIE_NAME}=") and "HttpOnly" in c for c in set_cookie)
    assert any(c.startswith('lumikb_oidc_state=""') for c in set_cookie)  # state cleared
    user = session_user(answer)
    assert user is not None and user.email == "ada@example.com"
    assert user.display_name == "Ada Lovelace" and user.system_role == "member"
    assert user.oidc_subject == f"{sso}|ada" and user.password_hash is None
    assert events("login.ok")[-1].details == {"method": "oidc"}
    assert events("user.created")[-1].target == "ada@example.com"


def test_second_login_reuses_the_same_user(client, sso):
    set_claims(sso, "grace", email="grace@example.com", email_verified=True, name="Grace")
    first = session_user(sso_login(client, "grace"))
    second = session_user(sso_login(client, "grace"))
    assert first is not None and second is not None and first.id == second.id
    with get_container().db.session() as session:
        assert len(session.exec(select(User).where(User.email == "grace@example.com")).all()) == 1
        assert (
            len(session.exec(select(UserSession).where(UserSession.user_id == first.id)).all()) == 2
        )


def test_provider_without_verified_email_still_provisions_by_subject(client, sso):
    # The mock's default profile for an unknown subject is just {"email": sub}.
    answer = sso_login(client, "newcomer@example.com", next_path="https://evil.example/")
    assert answer.headers["location"] == "/"  # an off-site next is never followed
    user = session_user(answer)
    assert user is not None and user.display_name == "newcomer@example.com"


def test_admin_group_makes_an_admin_and_leaving_it_demotes_sso_accounts(client, sso):
    set_claims(sso, "root", email="root@example.com", email_verified=True, groups=[ADMIN_GROUP])
    assert session_user(sso_login(client, "root")).system_role == "admin"
    set_claims(sso, "root", email="root@example.com", email_verified=True, groups=["staff"])
    assert session_user(sso_login(client, "root")).system_role == "member"
    roles = [e.details.get("role") for e in events("user.changed")]
    assert ["admin", "member"] in roles


def test_member_promoted_at_login_when_added_to_the_admin_group(client, sso):
    set_claims(sso, "lin", email="lin@example.com", email_verified=True, groups=[])
    assert session_user(sso_login(client, "lin")).system_role == "member"
    set_claims(sso, "lin", email="lin@example.com", email_verified=True, groups=[ADMIN_GROUP])
    assert session_user(sso_login(client, "lin")).system_role == "admin"


def test_existing_account_is_linked_by_verified_email(client, sso):
    with get_container().db.session() as session:
        local = auth.create_user(
            session,
            email="boss@example.com",
            display_name="Local Boss",
            password="a long local password",
            role=SystemRole.admin,
        )
        session.commit()
    set_claims(sso, "boss-sub", email="Boss@Example.com", email_verified=True, groups=[])
    user = session_user(sso_login(client, "boss-sub"))
    assert user is not None and user.id == local.id
    assert user.oidc_subject == f"{sso}|boss-sub"
    assert user.system_role == "admin"  # a local admin with a password is never demoted by SSO


def test_unverified_email_never_takes_over_an_existing_account(client, sso):
    with get_container().db.session() as session:
        auth.create_user(session, email="victim@example.com", display_name="V", password="pw" * 8)
        session.commit()
    set_claims(sso, "attacker", email="victim@example.com", email_verified=False)
    assert refused(sso_login(client, "attacker"))
    assert last_failure_reason() == "email_not_verified"
    assert user_by_email("victim@example.com").oidc_subject is None


def test_deactivated_user_is_refused(client, sso):
    set_claims(sso, "gone", email="gone@example.com", email_verified=True)
    assert session_user(sso_login(client, "gone")) is not None
    update_user("gone@example.com", is_active=False)
    assert refused(sso_login(client, "gone"))
    failure = events("login.failed")[-1]
    assert failure.details == {"method": "oidc", "reason": "deactivated"}
    assert failure.target == "gone@example.com"


# --- refusals in the flow --------------------------------------------------------------------


def test_state_mismatch_is_refused(client, sso):
    callback = authorize(start(client), "eve@example.com")
    assert refused(client.get(with_query(callback, state="not-the-state")))
    assert last_failure_reason() == "state_mismatch"
    assert user_by_email("eve@example.com") is None


def test_callback_without_the_state_cookie_is_refused(client, sso):
    callback = authorize(start(client), "eve@example.com")
    client.cookies.clear()
    assert refused(client.get(callback))
    assert last_failure_reason() == "state_cookie_missing_or_invalid"


def test_forged_state_cookie_is_refused(client, sso):
    callback = authorize(start(client), "eve@example.com")
    record, _ = oidc.open_state(client.cookies["lumikb_oidc_state"])
    forged = jwt.encode(
        {"alg": "HS256"},
        {"purpose": "oidc-state", "st": record.state, "n": "x", "cv": "y", "exp": 2**31},
        jwk.OctKey.generate_key(256),
    )
    client.cookies.clear()  # the jar must hold only the forged cookie, not the real one beside it
    client.cookies.set("lumikb_oidc_state", forged, path="/auth/oidc")
    assert refused(client.get(callback))
    assert last_failure_reason() == "state_cookie_missing_or_invalid"


def test_nonce_mismatch_is_refused(client, sso):
    url = with_query(start(client), nonce="a-nonce-the-app-never-issued")
    assert refused(client.get(authorize(url, "replay@example.com")))
    assert last_failure_reason() == "id_token_nonce"
    assert user_by_email("replay@example.com") is None


def test_denied_authorization_is_refused(client, sso):
    url = start(client)
    answer = httpx.post(url, data={"action": "deny"})
    # The mock leaves state out of its error redirect; a compliant provider echoes it.
    state = parse_qs(urlsplit(url).query)["state"][0]
    assert refused(client.get(with_query(answer.headers["location"], state=state)))
    assert last_failure_reason() == "provider_error:access_denied"


def test_code_replay_is_refused(client, sso):
    url = start(client)
    callback = authorize(url, "once@example.com")
    state_cookie = client.cookies["lumikb_oidc_state"]
    assert session_user(client.get(callback)) is not None
    client.cookies.set("lumikb_oidc_state", state_cookie, path="/auth/oidc")
    assert refused(client.get(callback))
    assert last_failure_reason() == "token_exchange_failed"


def test_routes_are_absent_without_sso(migrated):
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as plain:
        assert plain.get("/auth/oidc/login").status_code == 404
        assert plain.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_unreachable_provider_sends_back_to_login(client, monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", "http://127.0.0.1:9")
    reset_container()
    oidc.clear_cache()
    answer = client.get("/auth/oidc/login")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?error=sso"


# --- ID token verification against the provider's real JWKS ---------------------------------


def test_genuine_token_for_this_client_verifies(sso):
    claims = oidc.verify_id_token(provider_id_token(sso, CLIENT_ID, "control"), nonce=NONCE)
    assert claims["sub"] == "control" and claims["aud"] in (CLIENT_ID, [CLIENT_ID])
    assert claims["iss"] == sso


def test_token_for_another_audience_is_refused(sso):
    genuine = provider_id_token(sso, "some-other-app", "alice")
    assert jwt.decode(genuine, jwk.KeySet.import_key_set(httpx.get(f"{sso}/jwks").json()))
    assert refusal_reason(genuine).startswith("id_token_claims:InvalidClaimError")


def test_multiple_audiences_require_azp_to_be_this_client(sso, monkeypatch):
    key = jwk.RSAKey.generate_key(2048, parameters={"kid": "k"})
    trusted = jwk.KeySet.import_key_set({"keys": [key.as_dict(private=False)]})
    monkeypatch.setattr(oidc, "_keys", lambda uri, refresh=False: trusted)
    header = {"alg": "RS256", "kid": "k"}
    both = valid_claims(sso, aud=[CLIENT_ID, "other"])
    assert refusal_reason(jwt.encode(header, both, key)) == "id_token_azp"
    oidc.verify_id_token(jwt.encode(header, both | {"azp": CLIENT_ID}, key), nonce=NONCE)


def test_token_signed_with_another_key_is_refused(sso):
    forger = jwk.RSAKey.generate_key(2048)
    header = {"alg": "RS256", "kid": provider_kid(sso)}  # pretends to be the provider's key
    assert refusal_reason(jwt.encode(header, valid_claims(sso), forger)).endswith(
        "BadSignatureError"
    )
    unknown_kid = jwt.encode({"alg": "RS256", "kid": "forged"}, valid_claims(sso), forger)
    assert refusal_reason(unknown_kid) == "id_token_unknown_key"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made_token(header: dict, claims: dict, sign=lambda signing_input: b"") -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def test_unsigned_and_hmac_tokens_are_refused(sso):
    unsigned = hand_made_token({"alg": "none"}, valid_claims(sso))
    assert refusal_reason(unsigned).startswith("id_token_invalid")
    keys = jwk.KeySet.import_key_set(httpx.get(f"{sso}/jwks").json())
    public_pem = keys.keys[0].as_pem(private=False)  # the classic RS256 -> HS256 confusion
    confused = hand_made_token(
        {"alg": "HS256", "kid": provider_kid(sso)},
        valid_claims(sso),
        lambda data: hmac.new(public_pem, data, hashlib.sha256).digest(),
    )
    assert refusal_reason(confused).startswith("id_token_invalid")


def test_expired_token_is_refused(data_dir, monkeypatch):
    with run_server_in_thread(access_token_max_age=timedelta(seconds=1)) as server:
        issuer = f"http://localhost:{server.server_port}"
        monkeypatch.setenv("OIDC_ISSUER", issuer)
        monkeypatch.setenv("OIDC_CLIENT_ID", CLIENT_ID)
        reset_container()
        oidc.clear_cache()
        monkeypatch.setattr(oidc, "CLOCK_LEEWAY_SECONDS", 0)
        token = provider_id_token(issuer, CLIENT_ID, "late")
        time.sleep(1.1)
        assert refusal_reason(token).startswith("id_token_claims:ExpiredTokenError")
    oidc.clear_cache()
