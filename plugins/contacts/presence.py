"""Engineers' presence: the status they set and when they were last active.

An engineer's authenticated requests refresh ``last_active_time`` at most once
a minute. The status shown is the one they set (``online`` until they set
another), except that an engineer idle for longer than
``tessera.contacts.idle_minutes`` shows ``offline``; one never seen is ``offline``.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core.toolkit import User
from plugins.contacts.access import ENGINEER
from plugins.contacts.models import EngineerPresence

log = logging.getLogger(__name__)

REFRESH_EVERY = dt.timedelta(minutes=1)


def record_activity(request, user: User) -> None:
    """Refresh an engineer's last-active time; one primary-key read, a write at most once a minute."""
    if user.role != ENGINEER:
        return
    now = request.registry.clock.now()
    dbsession = request.dbsession
    try:
        presence = dbsession.get(EngineerPresence, user.id)
        if presence is None:
            with dbsession.begin_nested():
                dbsession.add(EngineerPresence(user_id=user.id, status="online", last_active_time=now))
        elif now - presence.last_active_time >= REFRESH_EVERY:
            presence.last_active_time = now
    except IntegrityError:
        pass  # a concurrent first request of the same engineer inserted the row
    except SQLAlchemyError:
        log.exception("could not record the activity of user %s", user.id)


def set_status(dbsession, clock, user: User, status: str) -> None:
    presence = dbsession.get(EngineerPresence, user.id)
    if presence is None:
        presence = EngineerPresence(user_id=user.id)
        dbsession.add(presence)
    presence.status = status
    presence.last_active_time = clock.now()


def shown_status(registry, presence: EngineerPresence | None) -> str:
    if presence is None:
        return "offline"
    idle_for = registry.clock.now() - presence.last_active_time
    if idle_for > dt.timedelta(minutes=registry.settings["tessera.contacts.idle_minutes"]):
        return "offline"
    return presence.status
