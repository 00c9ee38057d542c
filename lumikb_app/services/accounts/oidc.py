"""OpenID Connect single sign-on: authorization code flow with PKCE (S256), built on authlib.

`begin()` makes the provider URL plus the secrets the callback needs (state, nonce, PKCE verifier);
`complete()` exchanges the code, verifies the ID token against the provider's JWKS and provisions
the user, then issues a normal LumiKB session.

Account policy (documented in the report and here):
- An SSO identity is the pair issuer + `sub`, stored in `users.oidc_subject`.
- An existing local account is linked by email only when the provider says `email_verified` is
  true, and never when it is already linked to another identity.
- With `OIDC_ADMIN_GROUP` set, a member of that group (claim `groups`) is made admin at login.
  The group only demotes accounts without a local password (accounts that can only sign in
  through the provider); a local admin with a password keeps the role (break-glass access).
- Deactivated accounts are refused. Password lockout does not apply: no password is checked.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet, OctKey
from sqlmodel import Session, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import audit, auth
from lumikb_app.services.platform.transactions import transaction

log = logging.getLogger(__name__)

HTTP_TIMEOUT = httpx.Timeout(10.0)
METADATA_TTL_SECONDS = 3600
JWKS_REFRESH_MIN_SECONDS = 30
CLOCK_LEEWAY_SECONDS = 60
STATE_MAX_AGE_SECONDS = 600
SCOPES = "openid email profile"
# Asymmetric algorithms only: `none` and HS* (which would verify with a public key as secret) are refused.
ALLOWED_ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
FAILED_MESSAGE = "Single sign-on failed. Please try again or contact your administrator."
DEACTIVATED_MESSAGE = "This account is deactivated. Contact your administrator."
MAX_SUBJECT_LENGTH = 255


class OidcError(Exception):
    """SSO refused. `str(error)` is safe to show; `reason` is for the audit log only."""

    def __init__(self, reason: str, message: str = FAILED_MESSAGE) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    auth_methods: tuple[str, ...]
    algorithms: tuple[str, ...]


@dataclass(frozen=True)
class StateRecord:
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str | None
    email_verified: bool
    display_name: str
    groups: tuple[str, ...]


# --- provider metadata and keys -------------------------------------------------------------

_lock = threading.Lock()
_metadata: dict[str, tuple[float, Metadata]] = {}
_jwks: dict[str, tuple[float, KeySet]] = {}


def clear_cache() -> None:
    with _lock:
        _metadata.clear()
        _jwks.clear()


def _settings():
    settings = get_container().settings
    if not settings.sso_enabled:
        raise OidcError("not_configured")
    return settings


def _get_json(url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT, **kwargs)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("OIDC request to %s failed: %s", url, type(exc).__name__)
        raise OidcError("provider_unreachable") from exc
    if not isinstance(body, dict):
        raise OidcError("provider_bad_response")
    return body


def _parse_metadata(body: dict[str, Any], issuer: str) -> Metadata:
    if str(body.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise OidcError("issuer_mismatch")
    try:
        return Metadata(
            issuer=body["issuer"],
            authorization_endpoint=body["authorization_endpoint"],
            token_endpoint=body["token_endpoint"],
            jwks_uri=body["jwks_uri"],
            userinfo_endpoint=body.get("userinfo_endpoint"),
            auth_methods=tuple(
                body.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            ),
            algorithms=tuple(
                alg
                for alg in body.get("id_token_signing_alg_values_supported") or ["RS256"]
                if alg in ALLOWED_ALGORITHMS
            ),
        )
    except KeyError as exc:
        raise OidcError("provider_bad_metadata") from exc


def discover() -> Metadata:
    """The provider's metadata from `{OIDC_ISSUER}/.well-known/openid-configuration` (cached)."""
    issuer = _settings().OIDC_ISSUER
    with _lock:
        cached = _metadata.get(issuer)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    body = _get_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    metadata = _parse_metadata(body, issuer)
    with _lock:
        _metadata[issuer] = (time.monotonic() + METADATA_TTL_SECONDS, metadata)
    return metadata


def _keys(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    """The provider's signing keys (cached an hour); `refresh` refetches early for a key
    rotation, at most every 30 s."""
    with _lock:
        cached = _jwks.get(jwks_uri)
    max_age = JWKS_REFRESH_MIN_SECONDS if refresh else METADATA_TTL_SECONDS
    if cached is not None and time.monotonic() - cached[0] < max_age:
        return cached[1]
    body = _get_json(jwks_uri)
    listed = body.get("keys")
    if not isinstance(listed, list):
        listed = []
    keys = [key for key in listed if isinstance(key, dict) and key.get("use", "sig") == "sig"]
    try:
        key_set = KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError("provider_bad_jwks") from exc
    with _lock:
        _jwks[jwks_uri] = (time.monotonic(), key_set)
    return key_set


# --- the authorization request ---------------------------------------------------------------


def begin(redirect_uri: str) -> tuple[str, StateRecord]:
    """The provider URL to send the browser to, and what the callback must be given back."""
    settings = _settings()
    metadata = discover()
    record = StateRecord(
        state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64)
    )
    url = prepare_grant_uri(
        metadata.authorization_endpoint,
        client_id=settings.OIDC_CLIENT_ID,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=SCOPES,
        state=record.state,
        nonce=record.nonce,
        code_challenge=create_s256_code_challenge(record.code_verifier),
        code_challenge_method="S256",
    )
    return url, record


def _state_key() -> OctKey:
    secret = get_container().settings.JWT_SECRET.encode()
    return OctKey.import_key(hmac.new(secret, b"lumikb-oidc-state", hashlib.sha256).digest())


def seal_state(record: StateRecord, next_path: str) -> str:
    """The record as a signed token for a short-lived cookie (expires in 10 minutes)."""
    now = int(time.time())
    claims = {
        "purpose": "oidc-state",
        "st": record.state,
        "n": record.nonce,
        "cv": record.code_verifier,
        "next": next_path,
        "iat": now,
        "exp": now + STATE_MAX_AGE_SECONDS,
    }
    return jwt.encode({"alg": "HS256"}, claims, _state_key())


def open_state(token: str | None) -> tuple[StateRecord, str] | None:
    """The record and next path from a sealed token, or None if forged, expired or malformed."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, _state_key(), algorithms=["HS256"]).claims
        jwt.JWTClaimsRegistry(
            purpose={"essential": True, "value": "oidc-state"},
            exp={"essential": True},
            st={"essential": True},
            n={"essential": True},
            cv={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError):
        return None
    record = StateRecord(state=claims["st"], nonce=claims["n"], code_verifier=claims["cv"])
    return record, str(claims.get("next") or "/")


def state_matches(record: StateRecord, state: str | None) -> bool:
    if not state:
        return False
    return hmac.compare_digest(record.state.encode(), state.encode())


# --- the token exchange and ID token verification -------------------------------------------


def _auth_method(metadata: Metadata, secret: str | None) -> str:
    if not secret:
        return "none"
    if "client_secret_basic" in metadata.auth_methods:
        return "client_secret_basic"
    if "client_secret_post" in metadata.auth_methods:
        return "client_secret_post"
    raise OidcError("no_supported_client_auth")


def exchange_code(code: str, record: StateRecord, redirect_uri: str) -> dict[str, Any]:
    """POST the code and PKCE verifier to the token endpoint; the token response."""
    settings, metadata = _settings(), discover()
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=record.code_verifier,
    )
    client = ClientAuth(
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        _auth_method(metadata, settings.OIDC_CLIENT_SECRET),
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    url, headers, body = client.prepare("POST", metadata.token_endpoint, headers, body)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=HTTP_TIMEOUT)
        tokens = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError("token_endpoint_unreachable") from exc
    if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
        log.warning("OIDC token endpoint answered %s", response.status_code)
        raise OidcError("token_exchange_failed")
    return tokens


def _decode(id_token: str, metadata: Metadata) -> dict[str, Any]:
    if not metadata.algorithms:
        raise OidcError("no_supported_algorithm")
    for refresh in (False, True):
        try:
            keys = _keys(metadata.jwks_uri, refresh=refresh)
            return jwt.decode(id_token, keys, algorithms=list(metadata.algorithms)).claims
        except InvalidKeyIdError:
            continue  # unknown key id: the provider may have rotated its keys
        except (JoseError, ValueError, TypeError) as exc:
            raise OidcError(f"id_token_invalid:{type(exc).__name__}") from exc
    raise OidcError("id_token_unknown_key")


def _check_claims(claims: dict[str, Any], metadata: Metadata, client_id: str, nonce: str) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata.issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise OidcError(f"id_token_claims:{type(exc).__name__}:{exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise OidcError("id_token_azp")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(
        token_nonce.encode(), nonce.encode()
    ):
        raise OidcError("id_token_nonce")


def verify_id_token(id_token: str, *, nonce: str) -> dict[str, Any]:
    """Claims of an ID token whose signature (provider JWKS), issuer, audience, nonce,
    expiry and issue time are valid; OidcError otherwise."""
    settings, metadata = _settings(), discover()
    claims = _decode(id_token, metadata)
    _check_claims(claims, metadata, settings.OIDC_CLIENT_ID, nonce)
    return claims


def _userinfo(metadata: Metadata, tokens: dict[str, Any], sub: str) -> dict[str, Any]:
    """Extra profile claims (some providers keep email or groups out of the ID token)."""
    access_token = tokens.get("access_token")
    if not (metadata.userinfo_endpoint and isinstance(access_token, str)):
        return {}
    try:
        info = _get_json(
            metadata.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}
        )
    except OidcError:
        return {}
    return info if info.get("sub") == sub else {}


# --- provisioning ----------------------------------------------------------------------------


def _subject_key(issuer: str, sub: str) -> str:
    key = f"{issuer}|{sub}"
    if len(key) > MAX_SUBJECT_LENGTH:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _identity(claims: dict[str, Any], issuer: str) -> Identity:
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    groups = claims.get("groups") or []
    groups = [groups] if isinstance(groups, str) else groups
    names = [claims.get(n) for n in ("name", "preferred_username", "email")]
    name = next((n for n in names if isinstance(n, str) and n.strip()), claims["sub"])
    return Identity(
        subject=_subject_key(issuer, claims["sub"]),
        email=email,
        email_verified=claims.get("email_verified") in (True, "true"),
        display_name=" ".join(name.split())[: auth.MAX_NAME_LENGTH],
        groups=tuple(str(g) for g in groups if isinstance(g, str | int)),
    )


def _by_subject(session: Session, subject: str) -> User | None:
    return session.exec(select(User).where(User.oidc_subject == subject)).first()


def _link_by_email(session: Session, identity: Identity, ip: str | None) -> User | None:
    if not identity.email:
        return None
    try:
        email = auth.normalize_email(identity.email)
    except auth.InvalidInput:
        return None
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        return None
    if user.oidc_subject:
        raise OidcError("email_linked_to_other_identity")
    if not identity.email_verified:
        raise OidcError("email_not_verified")
    user.oidc_subject, user.updated_at = identity.subject, utcnow()
    session.add(user)
    audit.record(
        session, "user.changed", actor=user, ip=ip, target=user.email, details={"oidc": "linked"}
    )
    return user


def _create(session: Session, identity: Identity, role: SystemRole, ip: str | None) -> User:
    if not identity.email:
        raise OidcError("no_email_claim")
    try:
        user = auth.create_user(
            session,
            email=identity.email,
            display_name=identity.display_name,
            password=None,
            role=role,
            ip=ip,
        )
    except auth.InvalidInput as exc:
        raise OidcError("invalid_profile") from exc
    user.oidc_subject = identity.subject
    session.add(user)
    return user


def _wanted_role(identity: Identity) -> SystemRole | None:
    """The role the admin group asks for, or None when no admin group is configured."""
    group = get_container().settings.OIDC_ADMIN_GROUP
    if not group:
        return None
    return SystemRole.admin if group in identity.groups else SystemRole.member


def _sync_role(session: Session, user: User, identity: Identity, ip: str | None) -> None:
    wanted, before = _wanted_role(identity), user.system_role
    if wanted is None or wanted.value == before:
        return
    if wanted is SystemRole.member and user.password_hash:
        return  # a local admin with a password keeps the role (see the module docstring)
    user.system_role, user.updated_at = wanted.value, utcnow()
    session.add(user)
    audit.record(
        session,
        "user.changed",
        actor=user,
        ip=ip,
        target=user.email,
        details={"role": [before, wanted.value], "source": "oidc"},
    )


def provision(session: Session, identity: Identity, ip: str | None) -> User:
    """The user for this identity: found by subject, linked by verified email, or created."""
    user = _by_subject(session, identity.subject) or _link_by_email(session, identity, ip)
    if user is None:
        user = _create(session, identity, _wanted_role(identity) or SystemRole.member, ip)
    if not user.is_active:
        raise OidcError("deactivated", DEACTIVATED_MESSAGE)
    _sync_role(session, user, identity, ip)
    return user


# --- the callback ----------------------------------------------------------------------------


def record_failure(reason: str, *, ip: str | None = None, target: str | None = None) -> None:
    log.warning("SSO login refused: %s", reason)
    with transaction() as session:
        audit.record(
            session,
            "login.failed",
            ip=ip,
            target=(target or "")[:255] or None,
            details={"method": "oidc", "reason": reason[:200]},
        )


def _sign_in(identity: Identity, ip: str | None, user_agent: str | None) -> auth.SessionToken:
    with transaction() as session:
        user = provision(session, identity, ip)
        issued = auth._issue(session, user, ip, user_agent)
        audit.record(
            session, "login.ok", actor=user, ip=ip, target=user.email, details={"method": "oidc"}
        )
        return issued


def complete(
    code: str,
    state_record: StateRecord,
    redirect_uri: str,
    ip: str | None = None,
    user_agent: str | None = None,
) -> auth.SessionToken:
    """Finish the login: exchange the code, verify the ID token, provision, issue a session."""
    ip = (ip or "")[:64] or None
    identity: Identity | None = None
    try:
        if not code:
            raise OidcError("missing_code")
        tokens = exchange_code(code, state_record, redirect_uri)
        claims = verify_id_token(tokens["id_token"], nonce=state_record.nonce)
        metadata = discover()
        profile = {**_userinfo(metadata, tokens, claims["sub"]), **claims}
        identity = _identity(profile, metadata.issuer)
        return _sign_in(identity, ip, user_agent)
    except OidcError as exc:
        target = (identity.email or identity.subject) if identity else None
        record_failure(exc.reason, ip=ip, target=target)
        raise
