"""Passwords hashed with the earlier, costlier argon2id parameters (t=3, m=64 MiB, p=2) keep
working, and the first successful sign-in stores a hash with today's parameters."""

import pytest
from argon2 import PasswordHasher, extract_parameters

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.passwords import MEMORY_COST_KIB, PARALLELISM, TIME_COST

pytestmark = pytest.mark.unit
PASSWORD = "an old but good password"
EARLIER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)


@pytest.fixture
def grace(migrated) -> str:
    """An account whose stored hash was made with the earlier parameters; its id."""
    with get_container().db.session() as session:
        user = auth.create_user(
            session, email="grace@example.com", display_name="Grace", password=None
        )
        user.password_hash = EARLIER.hash(PASSWORD)
        session.commit()
        return user.id


def _stored_parameters(user_id: str):
    with get_container().db.session() as session:
        return extract_parameters(session.get_one(User, user_id).password_hash or "")


def test_an_earlier_hash_signs_in_and_is_replaced_with_todays_parameters(grace):
    issued = auth.login("grace@example.com", PASSWORD)

    assert auth.user_for_token(issued.token).id == grace
    stored = _stored_parameters(grace)
    assert (stored.time_cost, stored.memory_cost, stored.parallelism) == (
        TIME_COST, MEMORY_COST_KIB, PARALLELISM,
    )  # fmt: skip
    assert auth.user_for_token(auth.login("grace@example.com", PASSWORD).token).id == grace


def test_a_wrong_password_leaves_the_earlier_hash_alone(grace):
    with pytest.raises(auth.AuthError):
        auth.login("grace@example.com", "not the password at all")

    assert _stored_parameters(grace).memory_cost == 64 * 1024
    assert auth.user_for_token(auth.login("grace@example.com", PASSWORD).token).id == grace


def test_todays_parameters_meet_owasps_minimum_for_argon2id():
    # OWASP Password Storage Cheat Sheet: at least 19 MiB of memory, 2 iterations, 1 lane.
    assert MEMORY_COST_KIB >= 19 * 1024 and TIME_COST >= 2 and PARALLELISM >= 1
