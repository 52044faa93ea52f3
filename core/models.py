"""The core's own tables: the people who use the platform."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Integer, String, func
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
    work_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    avatar: Mapped[str | None] = mapped_column(String(500))
    department: Mapped[str | None] = mapped_column(String(150))
    location: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now())

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def brief(self) -> dict:
        """How other objects show who made them: ``{"id", "username", "name"}``."""
        return {"id": self.id, "username": self.username, "name": self.name}
