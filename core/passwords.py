"""Password hashing with argon2 (argon2-cffi's recommended parameters).

Hashing is deliberately slow (tens of milliseconds, 64 MiB): call these outside
any database transaction that holds the write lock.
"""
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this when the user does not exist keeps the answer time the same,
    # so timing does not reveal which usernames exist. Made on first use, not at import:
    # every process and CLI command would otherwise pay its time and memory.
    return _hasher.hash("tessera-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
