"""Settings of the reminder engine, under the schedule plugin's namespace."""
import datetime as dt
from dataclasses import dataclass

from core.toolkit import Setting, as_list, as_positive_int


def _local_time(value) -> str:
    hours, _, minutes = str(value).partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError("expected a local time HH:MM, e.g. 09:00")
    return f"{int(hours):02d}:{int(minutes):02d}"


def _concurrency_by_channel(value) -> dict[str, int]:
    """``webhook:40 sms:10`` -> {"webhook": 40, "sms": 10}."""
    found = {}
    for pair in as_list(value):
        name, _, number = pair.partition(":")
        if not (name and number.isdigit() and int(number) >= 1):
            raise ValueError("expected channel:number pairs, e.g. webhook:40 sms:10")
        found[name] = int(number)
    return found


REMINDER_SETTINGS = (
    Setting("tessera.schedule.all_day_reminder_time", "09:00", _local_time,
            "all-day schedules remind counting back from this local time of their first day"),
    Setting("tessera.schedule.reminder_grace_minutes", 1440, as_positive_int,
            "a reminder more than this late (workers were down) is skipped as stale"),
    Setting("tessera.schedule.reminder_window_days", 30, as_positive_int,
            "how far ahead the occurrences of a series get reminder rows"),
    Setting("tessera.schedule.reminder_batch_size", 100, as_positive_int, "reminders claimed per batch"),
    Setting("tessera.schedule.reminder_max_attempts", 5, as_positive_int, "tries before a transient failure is final"),
    Setting("tessera.schedule.reminder_retry_seconds", 60, as_positive_int, "first retry delay; doubles each try"),
    Setting("tessera.schedule.reminder_lease_seconds", 60, as_positive_int,
            "how long a worker's claim holds unless renewed (every third of it while a batch is sent); "
            "then another worker takes it over"),
    Setting("tessera.schedule.reminder_channel_concurrency", "", _concurrency_by_channel,
            "sends at once per channel and worker process, overriding the channel's own `concurrency`: "
            "webhook:40 sms:10"),
    Setting("tessera.schedule.reminder_fan_out", 16, as_positive_int,
            "at most this many dispatch tasks a tick queues for a burst, for the worker threads to share"),
)


@dataclass(frozen=True)
class ReminderSettings:
    """The engine's settings, typed, read once per tick or sync."""

    all_day_time: dt.time
    grace: dt.timedelta
    window: dt.timedelta
    batch_size: int
    max_attempts: int
    retry_delay: dt.timedelta
    lease: dt.timedelta
    concurrency: dict
    fan_out: int

    @classmethod
    def of(cls, registry) -> "ReminderSettings":
        values = registry.settings
        prefix = "tessera.schedule."
        return cls(
            all_day_time=dt.time.fromisoformat(values[prefix + "all_day_reminder_time"]),
            grace=dt.timedelta(minutes=values[prefix + "reminder_grace_minutes"]),
            window=dt.timedelta(days=values[prefix + "reminder_window_days"]),
            batch_size=values[prefix + "reminder_batch_size"],
            max_attempts=values[prefix + "reminder_max_attempts"],
            retry_delay=dt.timedelta(seconds=values[prefix + "reminder_retry_seconds"]),
            lease=dt.timedelta(seconds=values[prefix + "reminder_lease_seconds"]),
            concurrency=values[prefix + "reminder_channel_concurrency"],
            fan_out=values[prefix + "reminder_fan_out"],
        )
