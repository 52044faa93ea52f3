"""Writing events into the outbox, in the transaction of the change they report."""
from __future__ import annotations

import json
import logging

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import Event
from plugins.webhooks.models import PENDING, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

DISPATCH_TASK = "webhooks.dispatch"
_WAKE_REGISTERED = "webhooks.wake_after_commit"
_ENDPOINTS_READ = "webhooks.active_endpoints"


def record_event(registry, dbsession: Session, event: Event) -> int:
    """One pending delivery per active endpoint subscribed to the event's type; returns how many."""
    endpoints = [endpoint for endpoint in _active_endpoints(dbsession) if event.type in (endpoint.event_types or ())]
    if not endpoints:
        return 0
    body = json.dumps(event.as_json(), ensure_ascii=False, separators=(",", ":"))
    now = registry.clock.now()
    dbsession.add_all(WebhookDelivery(
        endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, body=body, state=PENDING, attempts=0,
        next_attempt_at=now, detail="", created_at=now, updated_at=now) for endpoint in endpoints)
    dbsession.flush()
    _wake_worker_after_commit(registry, dbsession)
    return len(endpoints)


def _active_endpoints(dbsession: Session) -> list[WebhookEndpoint]:
    """The active endpoints, read once per transaction: a batch of reminders publishes an event each."""
    transaction = dbsession.get_transaction()
    cached = dbsession.info.get(_ENDPOINTS_READ)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, dbsession.scalars(select(WebhookEndpoint).where(WebhookEndpoint.is_active.is_(True))
                                                 .order_by(WebhookEndpoint.id)).all())
        dbsession.info[_ENDPOINTS_READ] = cached
    return cached[1]


def _wake_worker_after_commit(registry, dbsession: Session) -> None:
    """Queue a dispatch once this transaction commits, so deliveries need not wait for the minute's tick."""
    if dbsession.info.get(_WAKE_REGISTERED):
        return
    dbsession.info[_WAKE_REGISTERED] = True

    def wake(session: Session) -> None:
        session.info.pop(_WAKE_REGISTERED, None)
        try:
            registry.tessera_tasks[DISPATCH_TASK]()
        except Exception:  # the queue being down must not fail a committed change; the tick sends it
            log.exception("could not queue the webhooks dispatch; the next tick will send")

    sqlalchemy_event.listen(dbsession, "after_commit", wake, once=True)
