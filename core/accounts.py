"""Creating and changing users, for the admin API, the CLI, the first-run admin and plugins' tests."""
from __future__ import annotations

from sqlalchemy import select

from core.api import BadRequest, Conflict
from core.models import User
from core.passwords import hash_password, password_problem
from core.settings import Setting, as_positive_int

SETTINGS = (
    Setting("tessera.password.min_length", 10, as_positive_int,
            "the fewest characters a new password may have (it must also not be common or contain the username)"),
)


def check_new_password(registry, password: str, username: str, field: str = "password") -> None:
    """Refuse (400 naming ``field``) a password the site's policy does not allow for ``username``."""
    problem = password_problem(password, username, registry.settings["tessera.password.min_length"])
    if problem:
        raise BadRequest.field(field, problem)


_EMPTY_IS_NONE = ("work_id", "email", "mobile", "avatar", "department", "location")


def apply_user_fields(dbsession, person: User, fields: dict) -> User:
    """Write validated fields onto a user, hashing the password and keeping username/work_id unique (409).

    A new password or a change of ``is_active`` ends the user's existing tokens.
    """
    fields = {key: (None if value == "" and key in _EMPTY_IS_NONE else value) for key, value in fields.items()}
    for column in ("username", "work_id"):
        value = fields.get(column)
        if value is None:
            continue
        # checked before the user changes, so no autoflush writes a clashing value first (a 500 on PATCH)
        taken = select(User.id).where(getattr(User, column) == value)
        if person.id is not None:
            taken = taken.where(User.id != person.id)
        if dbsession.scalar(taken) is not None:
            raise Conflict(f"{column} '{value}' 已被使用", {column: ["已被使用"]}, code=4000)
    if person.id is not None and ("password" in fields or fields.get("is_active", person.is_active) != person.is_active):
        person.revoke_tokens()
    if "password" in fields:
        person.password_hash = hash_password(fields.pop("password"))
    for key, value in fields.items():
        setattr(person, key, value)
    dbsession.add(person)
    dbsession.flush()
    return person


def create_user(dbsession, **fields) -> User:
    return apply_user_fields(dbsession, User(), fields)
