"""Who sees what: the where-clauses every read and write of a schedule goes through."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.toolkit import NotFound, User

from .models import Schedule


def visible(user: User) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may see and change: their own; an admin, all. Never the deleted."""
    clauses = [Schedule.is_deleted.is_(False)]
    if not user.is_admin:
        clauses.append(Schedule.creator_id == user.id)
    return clauses


def get_visible(dbsession: Session, user: User, schedule_id: int) -> Schedule:
    schedule = dbsession.scalar(select(Schedule).where(Schedule.id == schedule_id, *visible(user)))
    if schedule is None:
        raise NotFound("日程不存在")
    return schedule
