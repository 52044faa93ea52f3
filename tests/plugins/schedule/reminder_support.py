"""Helpers for the reminder engine's tests: a recording channel plugin and schedule shortcuts."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from core.toolkit import SendResult, hookimpl, transaction_scope
from plugins.schedule.reminders.models import ReminderDelivery, ScheduleReminder

SCHEDULES = "/api/customer/schedules/"


class WorkerKilled(BaseException):
    """Stands for the worker process dying (kill -9) in the middle of a send."""


class RecordingChannel:
    """A channel that records what it accepted; ``script[address]`` lists answers to give in turn."""

    def __init__(self, name: str, field: str):
        self.name, self.field = name, field
        self.accepted: list[tuple[str, object]] = []
        self.calls: list[str] = []
        self.script: dict[str, list] = {}
        self._lock = threading.Lock()

    def address_of(self, recipient):
        return getattr(recipient, self.field)

    def send(self, notification, recipient, address):
        with self._lock:
            self.calls.append(address)
            planned = self.script.get(address)
            answer = planned.pop(0) if planned else SendResult.sent(f"{self.name} accepted")
            if isinstance(answer, BaseException):
                raise answer
            if answer.ok:
                self.accepted.append((address, notification))
        return answer

    def accepted_count(self) -> Counter:
        return Counter(address for address, _ in self.accepted)


class RecordingPlugin:
    """A tiny third-party plugin providing ``email`` (to e-mail addresses) and ``sms`` (to mobiles)."""

    def __init__(self):
        self.email = RecordingChannel("email", "email")
        self.sms = RecordingChannel("sms", "mobile")

    @hookimpl
    def tessera_notification_channels(self, registry):
        return [self.email, self.sms]


@pytest.fixture
def channels() -> RecordingPlugin:
    """The recording ``email`` and ``sms`` channels: a module's ``site`` passes them to ``make_site(hookimpls=…)``."""
    return RecordingPlugin()


@pytest.fixture
def owner(site):
    """A schedule's creator with an inbox, an e-mail address and a mobile."""
    return site.create_user("lawyer", email="lawyer@example.com", mobile="13800000001")


def create_schedule(site, user, start, **fields) -> dict:
    body = {"title": "与客户A洽谈合同", "schedule_type": "meeting", "start_time": start.isoformat(),
            "reminder_time": 30, "reminder_method": "system", "allow_conflict": True}
    body.update(fields)
    return site.post_json(SCHEDULES, body, headers=site.headers(user)).json["data"]


def reminder_rows(site, schedule_id=None) -> list[ScheduleReminder]:
    with transaction_scope(site.registry) as dbsession:
        statement = select(ScheduleReminder).order_by(ScheduleReminder.remind_time, ScheduleReminder.remind_method)
        if schedule_id is not None:
            statement = statement.where(ScheduleReminder.schedule_id == schedule_id)
        return list(dbsession.scalars(statement))


def deliveries(site) -> list[ReminderDelivery]:
    with transaction_scope(site.registry) as dbsession:
        return list(dbsession.scalars(select(ReminderDelivery).order_by(ReminderDelivery.id)))


def inbox_titles(site, user) -> list[str]:
    """The titles in the user's inbox, as ``GET /api/notifications`` shows them, oldest first."""
    inbox = site.get("/api/notifications", params={"limit": 100}, headers=site.headers(user)).json["data"]
    return [message["title"] for message in sorted(inbox["results"], key=lambda message: message["id"])]
