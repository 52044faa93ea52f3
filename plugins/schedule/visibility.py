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

from sqlalchemy import and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.toolkit import Forbidden, NotFound, User

from .models import LISTED, Schedule
from .sharing_models import DECLINED, READ, WRITE, Attendee, CalendarGrant


def granting_owners(user: User, levels: tuple[str, ...]):
    """The owners who granted ``user`` one of ``levels`` on their calendar (a subquery)."""
    return select(CalendarGrant.owner_id).where(CalendarGrant.grantee_id == user.id, CalendarGrant.access.in_(levels))


def attended_by(user_id: int, declined_too: bool = True):
    """The schedules ``user_id`` attends (a subquery)."""
    statement = select(Attendee.schedule_id).where(Attendee.user_id == user_id)
    return statement if declined_too else statement.where(Attendee.response != DECLINED)


# both look-ups of ``visible`` in one round trip, built once
_GRANTS_AND_ATTENDANCES = union_all(
    select(literal("grant"), CalendarGrant.owner_id).where(CalendarGrant.grantee_id == bindparam("user_id"),
                                                           CalendarGrant.access.in_((READ, WRITE))),
    select(literal("attend"), Attendee.schedule_id).where(Attendee.user_id == bindparam("user_id")))


def visible(user: User, owner_ids: Iterable[int] | None = None, dbsession: Session | None = None,
            also: ColumnElement | None = None) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may see (see the module), optionally only those of ``owner_ids``;
    ``also`` widens what a non-admin sees (``readable``). Never the deleted, nor those another plugin keeps.

    Given a ``dbsession``, the user's grants and attendances are read first (two indexed
    look-ups) and written into the clauses as ids: the database can then walk the
    ``(creator_id, …)`` indexes, and a user with neither gets plain ``creator_id = id``.
    Without one, they stay subqueries, which make the database scan every schedule
    of the status or time it is asked for.
    """
    clauses = list(LISTED)
    if owner_ids:
        clauses.append(Schedule.creator_id.in_(list(owner_ids)))
    if user.is_admin:
        return clauses
    if dbsession is None:
        clauses.append(or_(Schedule.creator_id == user.id, Schedule.creator_id.in_(granting_owners(user, (READ, WRITE))),
                           Schedule.id.in_(attended_by(user.id)), *_given(also)))
        return clauses
    owners, attended_ids = [user.id], []
    for kind, found in dbsession.connection().execute(_GRANTS_AND_ATTENDANCES, {"user_id": user.id}):
        (owners if kind == "grant" else attended_ids).append(found)
    own = Schedule.creator_id == user.id if len(owners) == 1 else Schedule.creator_id.in_(owners)
    widened = [Schedule.id.in_(attended_ids)] if attended_ids else []
    widened += _given(also)
    clauses.append(or_(own, *widened) if widened else own)
    return clauses


def _given(clause: ColumnElement | None) -> list[ColumnElement]:
    return [] if clause is None else [clause]


def team_reads(registry, dbsession: Session, user: User) -> ColumnElement | None:
    """The schedules ``user`` reads as one of the team of what they are about (a customer's sales and engineers),
    as the plugins owning those objects answer ``tessera_schedule_readers``; None when they are on no team."""
    answers = registry.tessera_plugin_manager.hook.tessera_schedule_readers(registry=registry, dbsession=dbsession,
                                                                          user=user)
    about = [and_(Schedule.related_type == related_type, Schedule.related_id.in_(list(ids)))
             for answer in answers for related_type, ids in (answer or ()) if ids]
    return or_(*about) if about else None


def readable(registry, dbsession: Session, user: User, owner_ids: Iterable[int] | None = None) -> list[ColumnElement]:
    """Where-clauses for what ``user`` may read (the list, a detail, ``by_related``): what they see
    (``visible``) and the schedules about objects whose team they are on. Their own calendars (today,
    week, month, statistics, the feed) show only ``visible``: the team's schedules are not their appointments."""
    if user.is_admin:
        return visible(user, owner_ids)
    return visible(user, owner_ids, dbsession, also=team_reads(registry, dbsession, user))


def editable(user: User) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may change: their own, their write grantors'; an admin's: all.
    A schedule another plugin keeps is changed only by that plugin."""
    clauses = list(LISTED)
    if not user.is_admin:
        clauses.append(or_(Schedule.creator_id == user.id, Schedule.creator_id.in_(granting_owners(user, (WRITE,)))))
    return clauses


def own_calendar(user_id: int) -> ColumnElement:
    """What fills one person's own calendar (their feed, their busy time): theirs and what they attend, not declined."""
    return or_(Schedule.creator_id == user_id, Schedule.id.in_(attended_by(user_id, declined_too=False)))


def get_readable(dbsession: Session, registry, user: User, schedule_id: int) -> Schedule:
    schedule = dbsession.scalar(select(Schedule).where(Schedule.id == schedule_id, *readable(registry, dbsession, user)))
    if schedule is None:
        raise NotFound("日程不存在")
    return schedule


def get_editable(dbsession: Session, registry, user: User, schedule_id: int) -> Schedule:
    """The schedule if ``user`` may change it; 4003 when they only read it, 4004 when they do not."""
    schedule = dbsession.scalar(select(Schedule).where(Schedule.id == schedule_id, *editable(user)))
    if schedule is None:
        get_readable(dbsession, registry, user, schedule_id)
        raise Forbidden("只有日程的所有者及其授权编辑人可以修改此日程")
    return schedule


def may_write_for(dbsession: Session, user: User, owner_id: int) -> bool:
    """Whether ``user`` may create and edit schedules in ``owner_id``'s name."""
    if user.is_admin or user.id == owner_id:
        return True
    return dbsession.scalar(select(CalendarGrant.id).where(
        CalendarGrant.owner_id == owner_id, CalendarGrant.grantee_id == user.id, CalendarGrant.access == WRITE)) is not None
