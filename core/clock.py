"""The site's clock. Everything that asks "what time is it" asks ``registry.clock``,
so tests can set and move time instead of sleeping."""
from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move; for tests and benchmarks."""

    def __init__(self, start: dt.datetime):
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start")
        self.current = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        return self.current

    def set(self, moment: dt.datetime) -> None:
        self.current = moment.astimezone(UTC)

    def advance(self, **delta) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current
