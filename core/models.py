"""The core's own tables: the people who use the platform."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTC, Base, UTCDateTime


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


class User(Base):
    """A person who signs in. ``role`` is ``admin``, ``engineer``, ``sales`` or any role a site uses."""

    __tablename__ = "core_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(150), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(50), default="engineer", index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: tokens carry the version they were issued under; raising it ends every token issued before
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    work_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    avatar: Mapped[str | None] = mapped_column(String(500))
    department: Mapped[str | None] = mapped_column(String(150))
    location: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now())

    def revoke_tokens(self) -> None:
        """End every token issued so far (sign-out everywhere, password change, deactivation)."""
        self.token_version = (self.token_version or 0) + 1

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def brief(self) -> dict:
        """How other objects show who made them: ``{"id", "username", "name"}``."""
        return {"id": self.id, "username": self.username, "name": self.name}


class LoginFailures(Base):
    """Failed sign-ins of one username or one client address in the current window (see core.throttle)."""

    __tablename__ = "core_login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class TableVersion(Base):
    """Each table's version: a fresh random number every time a transaction that wrote the table commits
    (``core.readcache``). A table never written has no row."""

    __tablename__ = "core_table_version"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
