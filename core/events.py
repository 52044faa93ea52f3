"""Business events: a plugin says "this changed", whoever listens hears it in the same transaction.

The plugin that owns a change publishes it with ``publish_event(registry, dbsession,
"invoice.paid", data)`` while it makes the change; every plugin implementing the
``tessera_event`` hook receives it with the same ``dbsession``, so what a listener
writes (an outbox row, say) commits or rolls back together with the change. The core
knows no event type: plugins name theirs (``<noun>.<verb>``) and list them through
``tessera_event_types``. See docs/plugins.md.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from core.timefmt import isoformat_utc_ms


@dataclass(frozen=True)
class Event:
    """Something that happened. ``id`` is unique per event and stable: listeners use it to drop repeats."""

    type: str
    data: dict[str, Any]
    occurred_at: dt.datetime
    id: str = field(default_factory=lambda: f"evt_{uuid.uuid4().hex}")

    def as_json(self) -> dict[str, Any]:
        """``{"id", "type", "timestamp", "data"}``: the shape listeners pass on to the outside."""
        return {"id": self.id, "type": self.type, "timestamp": isoformat_utc_ms(self.occurred_at), "data": self.data}


def publish_event(registry, dbsession, event_type: str, data: dict[str, Any]) -> Event:
    """Tell every ``tessera_event`` listener about a change made in ``dbsession``'s transaction.

    ``data`` must be JSON-able and say what a receiver needs without calling back
    (the object as the API shows it). Call it after the change is flushed and
    before the transaction ends; nothing is sent if the transaction rolls back.
    """
    event = Event(type=event_type, data=data, occurred_at=registry.clock.now())
    registry.tessera_plugin_manager.hook.tessera_event(registry=registry, dbsession=dbsession, event=event)
    return event
