"""Password login and server-side sessions, on the embedded database."""

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from lumikb_app.container import get_container
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.passwords import WeakPasswordError

pytestmark = pytest.mark.unit
PASSWORD = "correct horse battery"


@pytest.fixture
def ada(migrated):
    with get_container().db.session() as session:
        user = auth.create_user(
            session, email="Ada@Example.com", display_name="Ada", password=PASSWORD
        )
        session.commit()
    return user


def test_login_issues_a_token_that_names_the_user(ada):
    issued = auth.login("ada@example.com", PASSWORD)
    assert auth.user_for_token(issued.token).id == ada.id
    assert issued.max_age_seconds == get_container().settings.JWT_EXPIRY_MINUTES * 60


def test_wrong_password_and_unknown_account_get_the_same_message(ada):
    with pytest.raises(auth.AuthError) as wrong:
        auth.login("ada@example.com", "not the password")
    with pytest.raises(auth.AuthError) as unknown:
        auth.login("nobody@example.com", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == auth.LOGIN_FAILED_MESSAGE


def test_logout_revokes_the_session_at_once(ada):
    issued = auth.login("ada@example.com", PASSWORD)
    auth.logout(issued.token)
    assert auth.user_for_token(issued.token) is None


def test_deactivation_revokes_existing_sessions(ada):
    issued = auth.login("ada@example.com", PASSWORD)
    with get_container().db.session() as session:
        user = session.get(type(ada), ada.id)
        user.is_active = False
        session.add(user)
        session.commit()
    assert auth.user_for_token(issued.token) is None
    with pytest.raises(auth.AuthError):
        auth.login("ada@example.com", PASSWORD)


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", None],
)
def test_malformed_tokens_are_rejected(ada, token):
    assert auth.user_for_token(token) is None


def test_a_token_signed_with_another_key_is_rejected(ada):
    issued = auth.login("ada@example.com", PASSWORD)
    claims = jwt.decode(issued.token, OctKey.import_key(get_container().settings.JWT_SECRET)).claims
    forged = jwt.encode(
        {"alg": "HS256"}, claims, OctKey.import_key("another-secret-of-enough-length!!")
    )
    assert auth.user_for_token(forged) is None


def test_an_expired_token_is_rejected(ada):
    issued = auth.login("ada@example.com", PASSWORD)
    key = OctKey.import_key(get_container().settings.JWT_SECRET)
    claims = jwt.decode(issued.token, key).claims | {"exp": 1}
    assert auth.user_for_token(jwt.encode({"alg": "HS256"}, claims, key)) is None


@pytest.mark.parametrize(
    ("email", "name", "password"),
    [
        ("", "Ada", PASSWORD),
        ("not-an-email", "Ada", PASSWORD),
        ("<script>@x.io", "Ada", PASSWORD),
        ("a@b.io' OR 1=1 --", "Ada", PASSWORD),
        ("x" * 300 + "@example.com", "Ada", PASSWORD),
        ("bob@example.com", "   ", PASSWORD),
        ("bob@example.com", "B" * 500, PASSWORD),
        ("bob@example.com", "Bob", "short"),
    ],
)
def test_bad_account_input_is_refused_and_nothing_is_created(migrated, email, name, password):
    with get_container().db.session() as session:
        with pytest.raises((auth.InvalidInput, WeakPasswordError)):
            auth.create_user(session, email=email, display_name=name, password=password)
        session.rollback()
    assert auth.count_users() == 0


def test_duplicate_email_is_refused_case_insensitively(ada):
    with (
        get_container().db.session() as session,
        pytest.raises(auth.InvalidInput, match="already exists"),
    ):
        auth.create_user(session, email="ADA@example.com", display_name="Ada 2", password=PASSWORD)


def test_html_in_a_display_name_is_stored_as_text(migrated):
    with get_container().db.session() as session:
        user = auth.create_user(
            session,
            email="eve@example.com",
            display_name="<b>Eve</b>",
            password=PASSWORD,
            role=SystemRole.admin,
        )
        session.commit()
    assert user.display_name == "<b>Eve</b>"
