"""Participants who are site users: checked on save, kept as attendee rows, reminded, and answering.

A participant ``{"user_id": 7}`` (``name`` then defaults to the user's) becomes an
``Attendee`` row. The attendee sees the schedule everywhere the owner does (visibility.py),
is reminded in their own inbox and on the schedule's other channels at their own addresses
(``recipients_of``), and answers ``accepted`` / ``declined`` / ``tentative``
(``POST /api/customer/schedules/{id}/respond/``); a declined attendee is reminded no more.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import BadRequest, Forbidden, Recipient, User, isoformat_local

from .models import Schedule
from .sharing_models import DECLINED, NEEDS_ACTION, Attendee
from .visibility import get_readable


def resolve_participants(dbsession: Session, participants: list[dict]) -> list[dict]:
    """Check every ``user_id`` names an active user (4001 on ``participants.N.user_id`` otherwise)
    and give those without a ``name`` the user's."""
    ids = {participant["user_id"] for participant in participants if participant.get("user_id") is not None}
    users = {user.id: user for user in dbsession.scalars(
        select(User).where(User.id.in_(ids), User.is_active.is_(True)))} if ids else {}
    resolved = []
    for index, participant in enumerate(participants):
        user_id = participant.get("user_id")
        if user_id is not None:
            if user_id not in users:
                raise BadRequest.field(f"participants.{index}.user_id", "不是本站的有效用户")
            participant = {"name": users[user_id].name or users[user_id].username, **participant}
        resolved.append(participant)
    return resolved


def sync_attendees(schedule: Schedule) -> None:
    """One attendee row per distinct user participant other than the owner; answers already given are kept."""
    wanted = dict.fromkeys(participant["user_id"] for participant in schedule.participants or ()
                           if isinstance(participant, dict) and participant.get("user_id") is not None
                           and participant["user_id"] != schedule.creator_id)
    current = {attendee.user_id: attendee for attendee in schedule.attendees}
    schedule.attendees = [current.get(user_id) or Attendee(user_id=user_id, response=NEEDS_ACTION) for user_id in wanted]


def respond(dbsession: Session, registry, user: User, schedule_id: int, response: str) -> Schedule:
    """Record ``user``'s answer; 4004 when they do not see the schedule, 4003 when they see it without attending."""
    schedule = get_readable(dbsession, registry, user, schedule_id)
    attendee = next((attendee for attendee in schedule.attendees if attendee.user_id == user.id), None)
    if attendee is None:
        raise Forbidden("只有被邀请的参与人可以答复")
    attendee.response, attendee.responded_at = response, registry.clock.now()
    return schedule


def attendees_json(registry, schedule: Schedule) -> list[dict]:
    return [{"user": attendee.user.brief(), "response": attendee.response,
             "responded_at": isoformat_local(registry, attendee.responded_at)} for attendee in schedule.attendees]


def recipients_of(schedule: Schedule) -> list[Recipient]:
    """Who a reminder of ``schedule`` reaches: the owner, every attendee who has not declined (at the
    addresses of their account), and every free-text participant (at the addresses written in it)."""
    people = [_recipient(schedule.creator)]
    people += [_recipient(attendee.user) for attendee in schedule.attendees
               if attendee.response != DECLINED and attendee.user.is_active]
    for participant in schedule.participants or ():
        if isinstance(participant, dict) and participant.get("user_id") is None:
            people.append(Recipient(name=str(participant.get("name") or ""),
                                    email=participant.get("email") or None, mobile=participant.get("phone") or None))
    return people


def _recipient(user: User) -> Recipient:
    return Recipient(name=user.name or user.username, user_id=user.id, email=user.email or None,
                     mobile=user.mobile or None)

