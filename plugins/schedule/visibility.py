"""Who sees what: the where-clauses every read and write of a schedule goes through.

A user **sees** the schedules they own (created, or that a delegate created in their
name), the ones they attend (a participant with their ``user_id``), and every schedule of
the owners who granted them ``read`` or ``write``; an admin sees all. A user **changes**
their own and those of the owners who granted them ``write``; an admin, all. Attending
gives no right to change: an attendee only answers (``sharing.respond``). A ``freebusy``
grant shows nothing here: only busy intervals (``sharing.busy_intervals``).
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import NamedTuple

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


# both look-ups of ``reach`` in one round trip, built once
_GRANTS_AND_ATTENDANCES = union_all(
    select(literal("grant"), CalendarGrant.owner_id).where(CalendarGrant.grantee_id == bindparam("user_id"),
                                                           CalendarGrant.access.in_((READ, WRITE))),
    select(literal("attend"), Attendee.schedule_id).where(Attendee.user_id == bindparam("user_id")))


class Reach(NamedTuple):
    """What a user may see, read from the database: the ``shape`` of its where-clauses
    (``reach_clauses``, built once per shape) and the ``values`` of their bind parameters."""

    shape: tuple
    values: dict

    def clauses(self) -> list[ColumnElement]:
        """The where-clauses with their values bound, for a statement built for one request."""
        return _clauses(self.shape, self.values)


def reach(dbsession: Session, user: User, owner_ids: Iterable[int] | None = None,
          team: Iterable[tuple[str, Iterable[int]]] = ()) -> Reach:
    """The schedules ``user`` may see (see the module), optionally only those of ``owner_ids``;
    ``team`` widens what a non-admin sees: ``(related_type, ids)`` of the objects whose
    schedules they read (``readable``). Never the deleted, nor those another plugin keeps.

    The user's grants and attendances are read first (two indexed look-ups) and bound as
    ids: the database can then walk the ``(creator_id, …)`` indexes, and a user with neither
    gets plain ``creator_id = id``. (``visible`` keeps them subqueries, for aggregates.)
    """
    values: dict = {}
    if owner_ids:
        values["reach_owner_ids"] = list(owner_ids)
    if user.is_admin:
        return Reach(("admin", bool(owner_ids)), values)
    owners, attended_ids = [user.id], []
    for kind, found in dbsession.connection().execute(_GRANTS_AND_ATTENDANCES, {"user_id": user.id}):
        (owners if kind == "grant" else attended_ids).append(found)
    if len(owners) == 1:
        values["reach_owner"] = user.id
    else:
        values["reach_owners"] = owners
    if attended_ids:
        values["reach_attended"] = attended_ids
    team_types = []
    for number, (related_type, ids) in enumerate(team):
        team_types.append(related_type)
        values[f"reach_team_{number}"] = list(ids)
    return Reach(("user", bool(owner_ids), len(owners) == 1, bool(attended_ids), tuple(team_types)), values)


@functools.lru_cache(maxsize=256)
def reach_clauses(shape: tuple) -> tuple[ColumnElement, ...]:
    """The where-clauses of a ``Reach.shape``, for a statement built once: it is run with the ``values``."""
    return tuple(_clauses(shape, None))


def _clauses(shape: tuple, values: dict | None) -> list[ColumnElement]:
    def parameter(name: str, expanding: bool = True):
        return bindparam(name, expanding=expanding) if values is None else bindparam(name, values[name], expanding=expanding)

    kind, by_owner, *of_user = shape
    clauses = list(LISTED)
    if by_owner:
        clauses.append(Schedule.creator_id.in_(parameter("reach_owner_ids")))
    if kind == "admin":
        return clauses
    only_own, attends, team_types = of_user
    own = (Schedule.creator_id == parameter("reach_owner", expanding=False) if only_own
           else Schedule.creator_id.in_(parameter("reach_owners")))
    widened = [Schedule.id.in_(parameter("reach_attended"))] if attends else []
    widened += [and_(Schedule.related_type == related_type, Schedule.related_id.in_(parameter(f"reach_team_{number}")))
                for number, related_type in enumerate(team_types)]
    clauses.append(or_(own, *widened) if widened else own)
    return clauses


def visible(user: User, owner_ids: Iterable[int] | None = None) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may see, as ``reach`` (see the module), but with
    their grants and attendances as subqueries: for aggregates over many rows, which read no
    look-ups first. They make the database scan every schedule of the status or time it is asked for."""
    clauses = list(LISTED)
    if owner_ids:
        clauses.append(Schedule.creator_id.in_(list(owner_ids)))
    if not user.is_admin:
        clauses.append(or_(Schedule.creator_id == user.id, Schedule.creator_id.in_(granting_owners(user, (READ, WRITE))),
                           Schedule.id.in_(attended_by(user.id))))
    return clauses


def team_objects(registry, dbsession: Session, user: User) -> list[tuple[str, list[int]]]:
    """The objects whose schedules ``user`` reads as one of their team (a customer's sales and engineers),
    ``(related_type, ids)``, as the plugins owning those objects answer ``tessera_schedule_readers``."""
    answers = registry.tessera_plugin_manager.hook.tessera_schedule_readers(registry=registry, dbsession=dbsession,
                                                                          user=user)
    return [(related_type, list(ids)) for answer in answers for related_type, ids in (answer or ()) if ids]


def readable_reach(registry, dbsession: Session, user: User, owner_ids: Iterable[int] | None = None) -> Reach:
    """What ``user`` may read (the list, a detail, ``by_related``): what they see (``reach``) and the
    schedules about objects whose team they are on. Their own calendars (today, week, month,
    statistics, the feed) show only what they see: the team's schedules are not their appointments."""
    if user.is_admin:
        return reach(dbsession, user, owner_ids)
    return reach(dbsession, user, owner_ids, team_objects(registry, dbsession, user))


def readable(registry, dbsession: Session, user: User, owner_ids: Iterable[int] | None = None) -> list[ColumnElement]:
    """Where-clauses for what ``user`` may read (``readable_reach``), their values bound."""
    return readable_reach(registry, dbsession, user, owner_ids).clauses()


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
