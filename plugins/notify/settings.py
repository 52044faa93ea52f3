"""The notify plugin's settings (``tessera.notify.*``): limits shared by every channel built on it."""
from core.toolkit import Setting, as_positive_int

SETTINGS = (
    Setting("tessera.notify.rate_limit_per_minute", 30, as_positive_int,
            "sends one user may cause in any minute, counted over every channel: the send endpoints "
            "and reminders to people who are not site users"),
    Setting("tessera.notify.daily_quota", 1000, as_positive_int,
            "sends to people outside the site (every endpoint send, reminders to non-users) the whole site "
            "may make in one of its calendar days"),
)
