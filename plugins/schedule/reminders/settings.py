"""Settings of the reminder engine, under the schedule plugin's namespace."""
from core.settings import Setting, as_positive_int


def _local_time(value) -> str:
    hours, _, minutes = str(value).partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError("expected a local time HH:MM, e.g. 09:00")
    return f"{int(hours):02d}:{int(minutes):02d}"


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
    Setting("tessera.schedule.reminder_lease_seconds", 300, as_positive_int,
            "how long a worker's claim holds before another worker may take it over"),
)
