"""Password hashing with argon2id.

Parameters: OWASP's recommended minimum for argon2id (Password Storage Cheat Sheet): 19 MiB of
memory, 2 passes, 1 lane. One verify costs about 25 ms of one core on the 2-core reference
machine (bench/login.py); the earlier t=3, m=64 MiB, p=2 cost five times the CPU, and 100
people signing in within 20 s then took most of both cores from everyone else. A hash made with
other parameters still verifies, and is replaced at the next successful sign-in
(`upgraded_hash`).
"""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TIME_COST, MEMORY_COST_KIB, PARALLELISM = 2, 19 * 1024, 1
_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)
# Verified against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("lumikb-timing-equaliser")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


class WeakPasswordError(ValueError):
    pass


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"Password must be at most {MAX_PASSWORD_LENGTH} characters.")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def upgraded_hash(password_hash: str | None, password: str) -> str | None:
    """For a password just verified against `password_hash`: its hash with today's parameters
    when the stored one was made with others, else None (no strength check: it is not new)."""
    try:
        if password_hash is None or not _hasher.check_needs_rehash(password_hash):
            return None
    except InvalidHashError:
        return None
    return _hasher.hash(password)
