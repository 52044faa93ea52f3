"""Password hashing with argon2 (argon2-cffi's recommended parameters), and the policy a new password meets.

Hashing is deliberately slow (tens of milliseconds, 64 MiB): call these outside
any database transaction that holds the write lock.
"""
from __future__ import annotations

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


MAX_PASSWORD_LENGTH = 1024


@functools.cache
def _common_passwords() -> frozenset[str]:
    # the 30,000 most common passwords of public breaches, as zxcvbn ships them (lower case)
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str, min_length: int) -> str | None:
    """Why ``password`` may not be chosen by ``username``, or None: length, variety, the username, common lists."""
    if len(password.strip()) < min_length:
        return f"密码至少需要 {min_length} 个字符（不计首尾空格）"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符"
    if len(set(password)) < 4:
        return "密码至少需要 4 个不同的字符"
    lowered = password.lower()
    name = username.strip().lower()
    if len(name) >= 3 and (name in lowered or name[::-1] in lowered):
        return "密码不能包含用户名"
    if lowered in _common_passwords() or lowered.strip() in _common_passwords():
        return "密码过于常见，请换一个"
    return None
