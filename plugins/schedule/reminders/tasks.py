"""The engine's Huey tasks: one tick a minute per site, and dispatch runs every worker thread can take.

Every ``tessera worker`` process runs Huey's scheduler, so every process starts the tick each
minute. The first to write that minute's row in ``schedule_reminder_tick`` (its primary key)
does the tick; the others stop there. The tick extends the rolling windows, then queues as
many ``dispatch`` runs as the due reminders fill batches (at most ``reminder_fan_out``): the
queue hands them to whichever worker threads are free, in any process, so workers share a burst.

Between ticks, a run is queued for the moment something falls due sooner than the next tick:
a retry with a short back-off, or the lease of a claim in flight (should its worker die, the
claim is taken over when it lapses, not at the next tick).
"""
from __future__ import annotations

import datetime as dt
import logging
import math

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from plugins.schedule.reminders.dispatch import drain
from plugins.schedule.reminders.materialise import extend_horizons
from plugins.schedule.reminders.models import CLAIMED, PENDING, ReminderTick, ScheduleReminder
from plugins.schedule.reminders.settings import ReminderSettings

log = logging.getLogger(__name__)

TICK_TASK, DISPATCH_TASK = "schedule.reminders.tick", "schedule.reminders.dispatch"
ONE_MINUTE = dt.timedelta(minutes=1)
#: tick rows older than this are deleted by the tick
TICK_HISTORY = dt.timedelta(days=1)
#: how long after a lease lapses the takeover run starts (the clocks of two hosts may differ a little)
TAKEOVER_MARGIN = dt.timedelta(seconds=1)


def tick(registry) -> None:
    """Every minute, in one worker process of the site: extend windows, queue dispatch runs for what is due."""
    if not claim_tick(registry):
        return
    settings = ReminderSettings.of(registry)
    extended = extend_horizons(registry)
    with registry.dbsession_factory.begin() as dbsession:
        now = registry.clock.now()
        due = claimable(dbsession, now, settings.fan_out * settings.batch_size)
    runs = min(settings.fan_out, math.ceil(due / settings.batch_size))
    for _ in range(runs):
        registry.tessera_tasks[DISPATCH_TASK]()
    if extended or due:
        log.info("reminders: tick extended %d schedules, queued %d runs for %d due", extended, runs, due)
    # should a worker die with the claims these runs are about to make, they lapse a lease from now at the latest
    watch_from = now + settings.lease + TAKEOVER_MARGIN if runs else None
    wake_up(registry, min((moment for moment in (next_work(registry), watch_from) if moment), default=None))


def dispatch(registry, watch: bool = False) -> None:
    """A dispatch run. ``watch``: a run queued to take over lapsed claims, which queues the next such run."""
    report = drain(registry)
    if report.claimed:
        log.info("reminders: %s", report)
    wake_up(registry, next_work(registry) if watch else report.retry_at, watch=watch)


def claim_tick(registry) -> bool:
    """True for the one caller per minute that may tick."""
    now = registry.clock.now()
    minute = now.replace(second=0, microsecond=0)
    try:
        with registry.dbsession_factory.begin() as dbsession:
            dbsession.execute(insert(ReminderTick).values(minute=minute))
            dbsession.execute(delete(ReminderTick).where(ReminderTick.minute < minute - TICK_HISTORY))
    except IntegrityError:
        return False
    return True


def claimable(dbsession, now: dt.datetime, cap: int) -> int:
    """How many reminders a run could claim now (due, or abandoned by a dead worker), counted up to ``cap``."""
    due = (ScheduleReminder.state == PENDING) & (ScheduleReminder.next_attempt_at <= now)
    abandoned = (ScheduleReminder.state == CLAIMED) & (ScheduleReminder.claimed_until < now)
    return sum(dbsession.scalar(select(func.count()).select_from(
        select(ScheduleReminder.id).where(condition).limit(cap).subquery())) for condition in (due, abandoned))


def next_work(registry) -> dt.datetime | None:
    """The soonest future moment something becomes claimable: a retry falls due, or a claim's lease lapses."""
    with registry.dbsession_factory.begin() as dbsession:
        now = registry.clock.now()
        retry = dbsession.scalar(select(func.min(ScheduleReminder.next_attempt_at))
                                 .where(ScheduleReminder.state == PENDING, ScheduleReminder.next_attempt_at > now))
        lapse = dbsession.scalar(select(func.min(ScheduleReminder.claimed_until))
                                 .where(ScheduleReminder.state == CLAIMED, ScheduleReminder.claimed_until >= now))
    moments = [retry] + ([lapse + TAKEOVER_MARGIN] if lapse else [])
    return min((moment for moment in moments if moment), default=None)


def wake_up(registry, at: dt.datetime | None, watch: bool = True) -> None:
    """Queue a dispatch run for ``at`` when that comes before the next tick (which would find it anyway)."""
    now = registry.clock.now()
    if at is None or at >= now.replace(second=0, microsecond=0) + ONE_MINUTE:
        return
    registry.tessera_tasks[DISPATCH_TASK].schedule(args=(watch,), delay=max((at - now).total_seconds(), 0))
