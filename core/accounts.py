"""Creating and changing users, for the admin API, the CLI, the first-run admin and plugins' tests."""
from __future__ import annotations

from sqlalchemy import select

from core.api import Conflict
from core.models import User
from core.passwords import hash_password


def apply_user_fields(dbsession, person: User, fields: dict) -> User:
    """Write validated fields onto a user, hashing the password and keeping username/work_id unique (409)."""
    fields = dict(fields)
    if "password" in fields:
        person.password_hash = hash_password(fields.pop("password"))
    for key in ("work_id", "email", "mobile", "avatar", "department", "location"):
        if fields.get(key) == "":
            fields[key] = None
    for key, value in fields.items():
        setattr(person, key, value)
    for column in ("username", "work_id"):
        value = getattr(person, column)
        if value is None:
            continue
        clash = dbsession.scalar(select(User.id).where(getattr(User, column) == value, User.id != person.id))
        if clash is not None:
            raise Conflict(f"{column} '{value}' 已被使用", {column: ["已被使用"]}, code=4000)
    dbsession.add(person)
    dbsession.flush()
    return person


def create_user(dbsession, **fields) -> User:
    return apply_user_fields(dbsession, User(), fields)
