"""The webhooks plugin's settings, typed once per run of the worker."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.toolkit import Setting, as_positive_int

PREFIX = "tessera.webhooks."

SETTINGS = (
    Setting(PREFIX + "timeout_seconds", 10, as_positive_int, "how long one attempt waits for the endpoint's answer"),
    Setting(PREFIX + "max_attempts", 8, as_positive_int, "attempts before a delivery is given up as failed"),
    Setting(PREFIX + "retry_seconds", 60, as_positive_int, "delay before the second attempt; doubles each attempt"),
    Setting(PREFIX + "lease_seconds", 120, as_positive_int,
            "how long a worker's claim on a delivery holds before another worker may take it over"),
    Setting(PREFIX + "batch_size", 50, as_positive_int, "deliveries claimed at once"),
)


@dataclass(frozen=True)
class WebhookSettings:
    timeout: int
    max_attempts: int
    retry_delay: dt.timedelta
    lease: dt.timedelta
    batch_size: int

    @classmethod
    def of(cls, registry) -> "WebhookSettings":
        values = registry.settings
        return cls(
            timeout=values[PREFIX + "timeout_seconds"],
            max_attempts=values[PREFIX + "max_attempts"],
            retry_delay=dt.timedelta(seconds=values[PREFIX + "retry_seconds"]),
            lease=dt.timedelta(seconds=values[PREFIX + "lease_seconds"]),
            batch_size=values[PREFIX + "batch_size"],
        )

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8… times the first delay."""
        return self.retry_delay * 2 ** (attempts - 1)
