"""Cost of one password check: LumiKB's argon2id parameters next to argon2-cffi's defaults."""

from argon2 import PasswordHasher

from bench.common import summary, timed_ms
from lumikb_app.services.accounts.passwords import _hasher

PASSWORD = "correct horse battery staple"


def main() -> None:
    print("== login: argon2id verify ==")
    for label, hasher in (
        ("lumikb (t=3, m=64 MiB, p=2)", _hasher),
        ("argon2-cffi default", PasswordHasher()),
    ):
        hashed = hasher.hash(PASSWORD)
        print(
            f"{label:32s} {summary(timed_ms(lambda h=hasher, x=hashed: h.verify(x, PASSWORD), 15))}"
        )


if __name__ == "__main__":
    main()
