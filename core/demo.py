"""``tessera demo-data``: a whole demonstration site from a fixed seed, in bulk.

The core adds users of every role; each enabled plugin adds its own data
through the ``tessera_demo_data`` hook. Benchmarks start from the same data.
"""
from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import insert, select

from core.db import transaction_scope
from core.models import User, utcnow
from core.passwords import hash_password

#: every demo user signs in with this password (``user1`` … ``userN``; ``user1`` is the admin)
DEMO_PASSWORD = "demo-password"
#: the roles the demo site's users take, and how many of every ten
ROLE_SHARES = (("engineer", 6), ("sales", 4))


@dataclass(frozen=True)
class DemoScale:
    """How big a demo site is: ``users`` for the core, and named sizes (``--size NAME=N``) for the plugins.

    The core does not know what the plugins keep: each plugin asks for the sizes of
    its own things with ``scale.size(name, default)`` and ignores the rest.
    """

    users: int = 100
    sizes: dict[str, int] = field(default_factory=dict)

    def size(self, name: str, default: int) -> int:
        return self.sizes.get(name, default)


class ProgressBar:
    """``label [#####     ] done/total`` on one terminal line, redrawn at most ten times a second."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self.drawn_at = stream, width, 0.0

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        filled = self.width * done // max(total, 1)
        self.stream.write(f"\r{label:24} [{'#' * filled}{' ' * (self.width - filled)}] {done:,}/{total:,}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def demo_users(scale: DemoScale) -> list[dict]:
    """``user1`` the admin, then the roles of ``ROLE_SHARES`` in turn; one password hash for all (argon2 is slow)."""
    password_hash = hash_password(DEMO_PASSWORD)
    roles = [role for role, share in ROLE_SHARES for _ in range(share)]
    now = utcnow()
    rows = []
    for number in range(1, scale.users + 1):
        role = "admin" if number == 1 else roles[number % len(roles)]
        rows.append({"username": f"user{number}", "password_hash": password_hash, "name": f"演示用户{number}",
                     "role": role, "is_active": True, "work_id": f"DEMO{number:05d}", "location": f"城市{number % 5}",
                     "department": f"部门{number % 4}", "email": f"user{number}@example.com",
                     "mobile": f"139{number:08d}", "created_at": now, "updated_at": now})
    return rows


def build_demo_site(registry, scale: DemoScale, seed: int = 1,
                    progress: Callable[[str, int, int], None] | None = None) -> None:
    """Fill an empty, migrated database with the demo site (one transaction: all or nothing)."""
    progress = progress or (lambda label, done, total: None)
    users = demo_users(scale)  # hashed before the transaction: it holds the write lock
    with transaction_scope(registry) as dbsession:
        if dbsession.scalar(select(User.id).limit(1)) is not None:
            raise ValueError("the database already has users: demo-data fills an empty site only")
        dbsession.execute(insert(User), users)
        progress("users", len(users), len(users))
        registry.tessera_plugin_manager.hook.tessera_demo_data(
            registry=registry, dbsession=dbsession, rng=random.Random(seed), scale=scale, progress=progress)
