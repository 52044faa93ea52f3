"""Calendar grants and free/busy: one user lets another see (``read``), manage (``write``) or only
see the busy time (``freebusy``) of their calendar.

A grant is one row per (owner, grantee); granting again changes its level. The owner or
the grantee may revoke it; from then on the grantee's reads of the owner's schedules
answer 4004 again (visibility.py reads the grants on every request).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.toolkit import BadRequest, Forbidden, NotFound, User, isoformat_local

from .conflicts import takes_time
from .models import Schedule
from .recurrence import occurrences
from .sharing_models import READ, WRITE, CalendarGrant
from .visibility import attended_by, own_calendar
from .windows import Window, touching


def grant(dbsession: Session, registry, owner: User, grantee_id: int, access: str) -> CalendarGrant:
    """Give ``grantee_id`` ``access`` on ``owner``'s calendar (or change the level of an existing grant)."""
    grantee = dbsession.get(User, grantee_id)
    if grantee is None or not grantee.is_active:
        raise BadRequest.field("grantee_id", "不是本站的有效用户")
    if grantee.id == owner.id:
        raise BadRequest.field("grantee_id", "不能授权给自己")
    now = registry.clock.now()
    row = dbsession.scalar(select(CalendarGrant).where(CalendarGrant.owner_id == owner.id,
                                                       CalendarGrant.grantee_id == grantee.id))
    if row is None:
        row = CalendarGrant(owner_id=owner.id, grantee_id=grantee.id, create_datetime=now)
        dbsession.add(row)
    row.access, row.update_datetime = access, now
    dbsession.flush()
    return row


def grants_of(dbsession: Session, user: User) -> tuple[list[CalendarGrant], list[CalendarGrant]]:
    """(grants ``user`` gave, grants ``user`` received), each by id."""
    rows = dbsession.scalars(select(CalendarGrant).where(
        or_(CalendarGrant.owner_id == user.id, CalendarGrant.grantee_id == user.id)).order_by(CalendarGrant.id)).all()
    return [row for row in rows if row.owner_id == user.id], [row for row in rows if row.grantee_id == user.id]


def revoke(dbsession: Session, user: User, grant_id: int) -> None:
    """The owner takes a grant back, or the grantee gives it up; anyone else gets 4004."""
    row = dbsession.get(CalendarGrant, grant_id)
    if row is None or user.id not in (row.owner_id, row.grantee_id):
        raise NotFound("授权不存在")
    dbsession.delete(row)


def grant_json(registry, row: CalendarGrant) -> dict:
    return {"id": row.id, "owner": row.owner.brief(), "grantee": row.grantee.brief(), "access": row.access,
            "create_datetime": isoformat_local(registry, row.create_datetime),
            "update_datetime": isoformat_local(registry, row.update_datetime)}


def access_to(dbsession: Session, viewer: User, user_ids: list[int]) -> dict[int, str]:
    """The viewer's access to each calendar: ``own``, ``admin``, ``write``, ``read`` or ``freebusy``.
    4003 on ``user_ids`` naming those who granted the viewer nothing; 4001 for unknown users."""
    known = set(dbsession.scalars(select(User.id).where(User.id.in_(user_ids))))
    unknown = [user_id for user_id in user_ids if user_id not in known]
    if unknown:
        raise BadRequest.field("user_ids", f"不是本站用户: {', '.join(map(str, unknown))}")
    granted = dict(dbsession.execute(select(CalendarGrant.owner_id, CalendarGrant.access).where(
        CalendarGrant.grantee_id == viewer.id, CalendarGrant.owner_id.in_(user_ids))).all())
    access = {}
    for user_id in user_ids:
        access[user_id] = ("own" if user_id == viewer.id else "admin" if viewer.is_admin else granted.get(user_id))
    refused = [user_id for user_id, level in access.items() if level is None]
    if refused:
        raise Forbidden("这些用户没有向您共享日历", {"user_ids": [f"没有共享日历: {', '.join(map(str, refused))}"]})
    return access


def busy_intervals(dbsession: Session, registry, viewer: User, user_ids: list[int], window: Window) -> list[dict]:
    """Per user, the intervals their timed, live schedules (own and attended, not declined) take in the window.

    Where the viewer may read the schedule (their own calendar, a read/write grant, an admin,
    or they attend it) an interval names it (``id``, ``title``); with only a ``freebusy``
    grant it is bare and touching intervals are merged, so nothing about the meetings shows.
    """
    access = access_to(dbsession, viewer, user_ids)
    readable_owners = {viewer.id} | set(dbsession.scalars(select(CalendarGrant.owner_id).where(
        CalendarGrant.grantee_id == viewer.id, CalendarGrant.access.in_((READ, WRITE)))))
    viewer_attends = set(dbsession.scalars(attended_by(viewer.id)))
    tz = registry.site_timezone
    answer = []
    for user_id in user_ids:
        schedules = dbsession.scalars(select(Schedule).where(
            Schedule.is_deleted.is_(False), own_calendar(user_id), *touching(window.start, window.end))).all()
        busy = sorted(((occurrence.start, occurrence.end, schedule) for schedule in schedules if takes_time(schedule)
                       for occurrence in occurrences(schedule, window.start, window.end, tz)),
                      key=lambda item: (item[0], item[2].id))
        if access[user_id] == "freebusy":
            intervals = [{"start_time": isoformat_local(registry, start), "end_time": isoformat_local(registry, end)}
                         for start, end in merged((start, end) for start, end, _ in busy)]
        else:
            intervals = [{"start_time": isoformat_local(registry, start), "end_time": isoformat_local(registry, end),
                          **({"id": schedule.id, "title": schedule.title}
                             if viewer.is_admin or schedule.creator_id in readable_owners or schedule.id in viewer_attends
                             else {})}
                         for start, end, schedule in busy]
        owner = dbsession.get(User, user_id)
        answer.append({"user": owner.brief(), "access": access[user_id], "busy": intervals})
    return answer


def merged(intervals) -> list[tuple[dt.datetime, dt.datetime]]:
    """Sorted intervals with the overlapping and touching ones joined."""
    joined: list[list[dt.datetime]] = []
    for start, end in intervals:
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return [(start, end) for start, end in joined]
