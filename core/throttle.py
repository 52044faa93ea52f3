"""Failed sign-ins, counted per username and per client address, in the database.

Counting in the database (not in a process's memory) makes the limits hold
across every web process of a site. Each key (``user:<name>``, ``address:<ip>``)
has one row: the failures since its window started. A key that reached its
limit is refused — even with the right password — until its window ends;
the answer says when (``Retry-After``). A successful sign-in clears the
username's count, never the address's.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.models import LoginFailures
from core.settings import Setting, as_non_negative_int, as_positive_int

SETTINGS = (
    Setting("tessera.login.window", 900, as_positive_int, "seconds over which failed sign-ins are counted"),
    Setting("tessera.login.max_failures_per_user", 5, as_positive_int,
            "failed sign-ins of one username per window before it is refused"),
    Setting("tessera.login.max_failures_per_address", 50, as_positive_int,
            "failed sign-ins from one client address per window before it is refused"),
    Setting("tessera.trusted_address_header", "", str,
            "behind a proxy: the header it sets to the client's address (e.g. X-Forwarded-For); empty: the peer"),
    Setting("tessera.trusted_proxy_count", 1, as_non_negative_int,
            "how many proxies append to that header; the client is that many entries from its end"),
)


@dataclass(frozen=True)
class LoginLimits:
    window: dt.timedelta
    per_user: int
    per_address: int

    @classmethod
    def from_settings(cls, settings) -> "LoginLimits":
        return cls(dt.timedelta(seconds=settings["tessera.login.window"]),
                   settings["tessera.login.max_failures_per_user"], settings["tessera.login.max_failures_per_address"])

    def keys(self, username: str, address: str) -> dict[str, int]:
        """The keys a sign-in counts against, with their limits."""
        return {f"user:{username.strip().lower()}"[:200]: self.per_user, f"address:{address}"[:200]: self.per_address}


def client_address(request) -> str:
    """The client's address: the peer's, or — behind a proxy — the one the configured header carries."""
    settings = request.registry.settings
    header = settings["tessera.trusted_address_header"]
    if header:
        entries = [entry.strip() for entry in request.headers.get(header, "").split(",") if entry.strip()]
        depth = max(settings["tessera.trusted_proxy_count"], 1)
        if len(entries) >= depth:
            return entries[-depth]
    return request.remote_addr or "unknown"


def seconds_refused(dbsession: Session, limits: LoginLimits, keys: dict[str, int], now: dt.datetime) -> int:
    """0 when a sign-in may be tried now, else the seconds until every exhausted key's window ends."""
    rows = dbsession.execute(select(LoginFailures).where(LoginFailures.key.in_(keys))).scalars()
    waits = [(row.window_start + limits.window - now).total_seconds() for row in rows
             if row.failures >= keys[row.key] and row.window_start + limits.window > now]
    return max((math.ceil(wait) for wait in waits), default=0)


def record_failure(dbsession: Session, limits: LoginLimits, keys: dict[str, int], now: dt.datetime) -> None:
    """Count one failure against each key, atomically (two processes counting at once both count)."""
    cutoff = now - limits.window
    dbsession.execute(delete(LoginFailures).where(LoginFailures.window_start <= cutoff))
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[dbsession.get_bind().dialect.name]
    for key in keys:
        insert = dialect.insert(LoginFailures).values(key=key, failures=1, window_start=now)
        current = LoginFailures.window_start > cutoff
        dbsession.execute(insert.on_conflict_do_update(index_elements=[LoginFailures.key], set_={
            "failures": case((current, LoginFailures.failures + 1), else_=1),
            "window_start": case((current, LoginFailures.window_start), else_=insert.excluded.window_start),
        }))


def clear_user(dbsession: Session, limits: LoginLimits, username: str) -> None:
    user_key = next(iter(limits.keys(username, "")))
    dbsession.execute(delete(LoginFailures).where(LoginFailures.key == user_key))
