"""Cost of one password check: LumiKB's argon2id parameters (OWASP's minimum) next to
argon2-cffi's defaults and the parameters LumiKB used before (t=3, m=64 MiB, p=2)."""

from argon2 import PasswordHasher

from bench.common import summary, timed_ms
from lumikb_app.services.accounts.passwords import (
    MEMORY_COST_KIB,
    PARALLELISM,
    TIME_COST,
    _hasher,
)

PASSWORD = "correct horse battery staple"


def main() -> None:
    print("== login: argon2id verify ==")
    for label, hasher in (
        (f"lumikb (t={TIME_COST}, m={MEMORY_COST_KIB // 1024} MiB, p={PARALLELISM})", _hasher),
        ("argon2-cffi default", PasswordHasher()),
        ("lumikb before (t=3, m=64 MiB, p=2)", PasswordHasher(3, 64 * 1024, 2)),
    ):
        hashed = hasher.hash(PASSWORD)
        print(
            f"{label:36s} {summary(timed_ms(lambda h=hasher, x=hashed: h.verify(x, PASSWORD), 15))}"
        )


if __name__ == "__main__":
    main()
