"""Engineers' presence: the status they set and when they were last active.

An engineer's authenticated requests refresh ``last_active_time`` at most once
a minute (each web process remembers when it last did, so requests in between
cost no query). The status shown is the one they set (``online`` until they set
another), except that work overrides it: an engineer with a task in progress shows
``busy`` unless they chose their status after that task started. An engineer idle
for longer than ``tessera.contacts.idle_minutes`` shows ``offline`` whatever the
rest; one never seen is ``offline``.
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
    """Refresh an engineer's last-active time: at most one read and one write a minute, none in between.

    The write is flushed here, inside a savepoint, so that a failure — on SQLite, a
    read-only request whose snapshot another writer has overtaken — only skips this
    refresh (the next request tries again) and never fails the request.
    """
    if user.role != ENGINEER:
        return
    registry = request.registry
    now = registry.clock.now()
    refreshed = registry.__dict__.setdefault("contacts_presence_refreshed", {})
    last = refreshed.get(user.id)
    if last is not None and now - last < REFRESH_EVERY:
        return
    dbsession = request.dbsession
    try:
        with dbsession.begin_nested():
            presence = dbsession.get(EngineerPresence, user.id)
            if presence is None:
                dbsession.add(EngineerPresence(user_id=user.id, status="online", last_active_time=now))
            elif now - presence.last_active_time >= REFRESH_EVERY:
                presence.last_active_time = now
        refreshed[user.id] = now
    except IntegrityError:
        pass  # a concurrent first request of the same engineer inserted the row
    except SQLAlchemyError as exc:
        log.warning("could not record the activity of user %s: %s", user.id, exc)


def set_status(dbsession, clock, user: User, status: str) -> None:
    presence = dbsession.get(EngineerPresence, user.id)
    if presence is None:
        presence = EngineerPresence(user_id=user.id)
        dbsession.add(presence)
    presence.status = status
    presence.last_active_time = presence.status_set_at = clock.now()


def shown_status(registry, presence: EngineerPresence | None, working_since: dt.datetime | None = None) -> str:
    """What others see; ``working_since`` is when the newest of the engineer's in-progress tasks started."""
    if presence is None:
        return "offline"
    idle_for = registry.clock.now() - presence.last_active_time
    if idle_for > dt.timedelta(minutes=registry.settings["tessera.contacts.idle_minutes"]):
        return "offline"
    if working_since is not None and (presence.status_set_at is None or working_since > presence.status_set_at):
        return "busy"
    return presence.status
