"""Sending the outbox: claim due deliveries, POST each, record the answer.

Each step is its own short transaction, so whatever a worker did survives it being killed:

1. **claim** — due ``pending`` rows (and ``sending`` rows whose lease ran out: their worker
   died) become ``sending``, claimed by this run's token until now + lease, one attempt more.
2. **renew** the lease just before the POST (fails if another worker took the claim over).
3. **POST** the stored body with fresh ``webhook-timestamp`` and ``webhook-signature``, outside
   any transaction. Only a 2xx answer counts as received; redirects are not followed.
4. **record** ``delivered``, or ``pending`` again after a back-off, or ``failed`` once the
   attempts are used up.

A worker killed between 3 and 4 leaves the row ``sending``; after the lease another worker
sends it again with the same ``webhook-id``, which is why receivers must drop repeats of an id.
"""
from __future__ import annotations

import dataclasses
import http.client
import logging
import os
import socket
import urllib.error
import urllib.request
import uuid

from sqlalchemy import select, update

from core.toolkit import CORE_VERSION, claim_due, transaction_scope
from plugins.webhooks.models import CANCELLED, DELIVERED, FAILED, PENDING, SENDING, WebhookDelivery, WebhookEndpoint
from plugins.webhooks.settings import WebhookSettings
from plugins.webhooks.signing import signature

log = logging.getLogger(__name__)

USER_AGENT = f"Tessera-Webhooks/{CORE_VERSION}"
ANSWER_SHOWN = 300  # characters of the endpoint's answer kept for the delivery list


@dataclasses.dataclass
class DispatchReport:
    """What one run did. ``lost`` counts deliveries another worker took over mid-way."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    lost: int = 0


@dataclasses.dataclass(frozen=True)
class Answer:
    ok: bool
    status: int | None
    detail: str


def dispatch_due(registry, worker: str | None = None) -> DispatchReport:
    """Send every delivery that is due, batch by batch, until none is left."""
    settings = WebhookSettings.of(registry)
    token = (worker or f"{uuid.uuid4().hex}:{os.getpid()}:{socket.gethostname()}")[:64]
    report = DispatchReport()
    while True:
        claimed = claim_batch(registry, settings, token)
        report.claimed += len(claimed)
        for delivery_id in claimed:
            try:
                outcome = deliver(registry, settings, token, delivery_id)
            except Exception as exc:  # a bug or bad data in one delivery must not hold up the others
                log.exception("webhook delivery %s could not be attempted", delivery_id)
                outcome = record(registry, settings, token, delivery_id,
                                 Answer(False, None, f"内部错误：{type(exc).__name__}: {exc}"[:ANSWER_SHOWN]))
            setattr(report, outcome, getattr(report, outcome) + 1)
        if len(claimed) < settings.batch_size:
            return report


def claim_batch(registry, settings: WebhookSettings, token: str) -> list[int]:
    with transaction_scope(registry) as dbsession:
        now = registry.clock.now()
        claimed = claim_due(dbsession, WebhookDelivery, token, now, settings.lease, settings.batch_size,
                            waiting=PENDING, claimed=SENDING,
                            values={"attempts": WebhookDelivery.attempts + 1, "updated_at": now},
                            returning=(WebhookDelivery.next_attempt_at,))
        return [row.id for row in sorted(claimed, key=lambda row: (row.next_attempt_at, row.id))]


def deliver(registry, settings: WebhookSettings, token: str, delivery_id: int) -> str:
    """One attempt at one claimed delivery; returns the report field of its outcome."""
    with transaction_scope(registry) as dbsession:
        now = registry.clock.now()
        renewed = dbsession.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == token,
                   WebhookDelivery.state == SENDING)
            .values(claimed_until=now + settings.lease).execution_options(synchronize_session=False))
        if not renewed.rowcount:
            return "lost"
        delivery = dbsession.get(WebhookDelivery, delivery_id)
        endpoint = dbsession.get(WebhookEndpoint, delivery.endpoint_id)
        if not endpoint.is_active:
            delivery.state, delivery.claimed_by, delivery.claimed_until = CANCELLED, None, None
            delivery.detail, delivery.updated_at = "端点已停用，未发送", now
            return "cancelled"
        url, secret, message_id, body = endpoint.url, endpoint.secret, delivery.event_id, delivery.body
    answer = post(url, secret, message_id, body, int(registry.clock.now().timestamp()), settings.timeout)
    return record(registry, settings, token, delivery_id, answer)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to send the event (its body and signature stay here)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, secret: str, message_id: str, body: str, timestamp: int, timeout: int) -> Answer:
    headers = {
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        "webhook-id": message_id, "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(True, response.status, _shown(response.read(ANSWER_SHOWN)))
    except urllib.error.HTTPError as exc:
        return Answer(False, exc.code, f"HTTP {exc.code} {exc.reason}: {_shown(exc.read(ANSWER_SHOWN))}".rstrip(": "))
    except (OSError, ValueError, http.client.HTTPException) as exc:  # refused, timed out, garbled, unopenable
        return Answer(False, None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:ANSWER_SHOWN])


def _shown(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:ANSWER_SHOWN]


def record(registry, settings: WebhookSettings, token: str, delivery_id: int, answer: Answer) -> str:
    with transaction_scope(registry) as dbsession:
        delivery = dbsession.scalar(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update())
        if delivery is None or delivery.claimed_by != token or delivery.state != SENDING:
            return "lost"  # deleted with its endpoint, or taken over after a lease ran out
        now = registry.clock.now()
        delivery.claimed_by, delivery.claimed_until, delivery.updated_at = None, None, now
        delivery.response_status, delivery.detail = answer.status, answer.detail
        if answer.ok:
            delivery.state, delivery.delivered_at = DELIVERED, now
            return "delivered"
        if delivery.attempts >= settings.max_attempts:
            delivery.state = FAILED
            delivery.detail = f"{answer.detail}（{delivery.attempts} 次尝试后放弃）"
            return "failed"
        delivery.state, delivery.next_attempt_at = PENDING, now + settings.backoff(delivery.attempts)
        return "retrying"
