"""Who sees what: the where-clauses every read and write of a schedule goes through.

A user **sees** the schedules they own (created, or that a delegate created in their
name), the ones they attend (a participant with their ``user_id``), and every schedule of
the owners who granted them ``read`` or ``write``; an admin sees all. A user **changes**
their own and those of the owners who granted them ``write``; an admin, all. Attending
gives no right to change: an attendee only answers (``sharing.respond``). A ``freebusy``
grant shows nothing here: only busy intervals (``sharing.busy_intervals``).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.toolkit import Forbidden, NotFound, User

from .models import Schedule
from .sharing_models import DECLINED, READ, WRITE, Attendee, CalendarGrant


def granting_owners(user: User, levels: tuple[str, ...]):
    """The owners who granted ``user`` one of ``levels`` on their calendar (a subquery)."""
    return select(CalendarGrant.owner_id).where(CalendarGrant.grantee_id == user.id, CalendarGrant.access.in_(levels))


def attended_by(user_id: int, declined_too: bool = True):
    """The schedules ``user_id`` attends (a subquery)."""
    statement = select(Attendee.schedule_id).where(Attendee.user_id == user_id)
    return statement if declined_too else statement.where(Attendee.response != DECLINED)


def visible(user: User, owner_ids: Iterable[int] | None = None) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may see (see the module), optionally only those of ``owner_ids``.
    Never the deleted."""
    clauses = [Schedule.is_deleted.is_(False)]
    if owner_ids:
        clauses.append(Schedule.creator_id.in_(list(owner_ids)))
    if not user.is_admin:
        clauses.append(or_(Schedule.creator_id == user.id, Schedule.creator_id.in_(granting_owners(user, (READ, WRITE))),
                           Schedule.id.in_(attended_by(user.id))))
    return clauses


def editable(user: User) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may change: their own, their write grantors'; an admin's: all."""
    clauses = [Schedule.is_deleted.is_(False)]
    if not user.is_admin:
        clauses.append(or_(Schedule.creator_id == user.id, Schedule.creator_id.in_(granting_owners(user, (WRITE,)))))
    return clauses


def own_calendar(user_id: int) -> ColumnElement:
    """What fills one person's own calendar (their feed, their busy time): theirs and what they attend, not declined."""
    return or_(Schedule.creator_id == user_id, Schedule.id.in_(attended_by(user_id, declined_too=False)))


def get_visible(dbsession: Session, user: User, schedule_id: int) -> Schedule:
    schedule = dbsession.scalar(select(Schedule).where(Schedule.id == schedule_id, *visible(user)))
    if schedule is None:
        raise NotFound("日程不存在")
    return schedule


def get_editable(dbsession: Session, user: User, schedule_id: int) -> Schedule:
    """The schedule if ``user`` may change it; 4003 when they only see it, 4004 when they do not."""
    schedule = dbsession.scalar(select(Schedule).where(Schedule.id == schedule_id, *editable(user)))
    if schedule is None:
        get_visible(dbsession, user, schedule_id)
        raise Forbidden("只有日程的所有者及其授权编辑人可以修改此日程")
    return schedule


def may_write_for(dbsession: Session, user: User, owner_id: int) -> bool:
    """Whether ``user`` may create and edit schedules in ``owner_id``'s name."""
    if user.is_admin or user.id == owner_id:
        return True
    return dbsession.scalar(select(CalendarGrant.id).where(
        CalendarGrant.owner_id == owner_id, CalendarGrant.grantee_id == user.id, CalendarGrant.access == WRITE)) is not None
