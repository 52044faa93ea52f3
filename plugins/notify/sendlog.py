"""The send log every channel built on ``notify`` shares, and the per-user rate limit it counts.

One table, ``notify_send_log``, is both the audit trail — who caused a send, to whom,
on which channel, which template, what the provider answered — and the counter behind
the per-user rate limit. Counting in the database (not in process memory) makes the
limit hold across every waitress process and worker of a site.

Use it from a send endpoint (the view answers with ``answer``)::

    result = send_on_request(request, channel="sms", recipient=phone, template=code, backend=backend.name,
                             send=lambda: backend.send(phone, template, params))
    return answer(request, result, {"phone": phone, "backend": backend.name}, what="短信发送")

and from a notification channel's ``send`` (the reminder engine asks)::

    return send_for_channel(registry, channel="sms", notification=notification, recipient=recipient,
                            address=phone, template=code, backend=backend.name, send=...)

Only sends that are attempted are logged and counted: a request refused for
authentication, permission, invalid input or the rate limit itself writes nothing.
See docs/notifications.md.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Callable

import colander
from sqlalchemy import Boolean, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import (
    Base,
    Notification,
    Recipient,
    SendResult,
    TooManyRequests,
    User,
    UTCDateTime,
    current_user,
    envelope_response,
    ok,
    transaction_scope,
)

log = logging.getLogger(__name__)

RATE_WINDOW = dt.timedelta(minutes=1)

#: ``via`` of a send asked for through an endpoint, and of one made by a channel (the reminder engine)
VIA_API, VIA_CHANNEL = "api", "channel"
#: the development backends' name: their successes say that nothing left the machine
CONSOLE_BACKEND = "console"
#: seconds a client is told to wait after a provider's transient failure
PROVIDER_RETRY_AFTER = 60
#: HTTP status of a permanent refusal (bad number, unapproved template, unknown mailbox) and of a transient failure
REFUSED_STATUS, UNAVAILABLE_STATUS = 422, 503


def status_of(result: SendResult) -> str:
    """``sent``, ``failed`` (permanent) or ``retry`` (transient): how a result is stored."""
    if result.ok:
        return "sent"
    return "retry" if result.transient else "failed"


class SendLog(Base):
    """One attempted send, on any channel built on ``notify``."""

    __tablename__ = "notify_send_log"
    __table_args__ = (
        # the rate limit's query: one user's sends since a moment
        Index("ix_notify_send_log_requested_by_at", "requested_by", "requested_at"),
        # the site's daily quota: every counted send since the day began
        Index("ix_notify_send_log_requested_at", "requested_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # not a foreign key: the audit trail outlives users, and the name is kept beside the id
    requested_by: Mapped[int | None] = mapped_column(Integer)
    requested_by_name: Mapped[str | None] = mapped_column(String(150))
    via: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(320))
    #: the recipient is not a site user (an endpoint's recipient always counts as outside)
    outside: Mapped[bool] = mapped_column(Boolean, default=True)
    template: Mapped[str] = mapped_column(String(100))
    backend: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


def _check_rate(dbsession, registry, user_id: int, now: dt.datetime) -> int | None:
    """Seconds to wait when ``user_id`` has used up their sends of the last minute, else None.

    The user's row is locked first (``SELECT … FOR UPDATE``; SQLite's write lock serialises
    anyway), so concurrent sends of one user on several processes cannot both slip under the limit.
    """
    limit = registry.settings["tessera.notify.rate_limit_per_minute"]
    dbsession.execute(select(User.id).where(User.id == user_id).with_for_update())
    count, oldest = dbsession.execute(
        select(func.count(), func.min(SendLog.requested_at))
        .where(SendLog.requested_by == user_id, SendLog.requested_at > now - RATE_WINDOW)
    ).one()
    if count < limit:
        return None
    return max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))


def send_on_request(request, *, channel: str, recipient: str, template: str, backend: str,
                    send: Callable[[], SendResult]) -> SendResult:
    """Send for the signed-in user if their rate limit allows it, and log the attempt.

    At most ``tessera.notify.rate_limit_per_minute`` sends per user in any minute, over
    every channel; past it, raises ``TooManyRequests`` with ``Retry-After`` (seconds until
    the oldest send of the window leaves it) and logs nothing. The check and the log row
    share the request's transaction.
    """
    dbsession, registry = request.dbsession, request.registry
    user = current_user(request)
    now = registry.clock.now()
    wait = _check_rate(dbsession, registry, user.id, now)
    if wait is not None:
        limit = registry.settings["tessera.notify.rate_limit_per_minute"]
        raise TooManyRequests(f"发送过于频繁: 每分钟最多 {limit} 条, 请 {wait} 秒后再试",
                              {"limit": limit, "retry_after": wait}, headers={"Retry-After": str(wait)})
    entry = SendLog(requested_at=now, requested_by=user.id, requested_by_name=user.username, via=VIA_API,
                    channel=channel, recipient=recipient, outside=True, template=template, backend=backend,
                    status="sending")
    dbsession.add(entry)
    dbsession.flush()
    result = send()
    entry.status, entry.detail, entry.finished_at = status_of(result), result.detail, registry.clock.now()
    log.info("%s send #%s by %s to %s (%s): %s %s", channel, entry.id, user.username, recipient, template,
             entry.status, result.detail)
    return result


def send_for_channel(registry, *, channel: str, notification: Notification, recipient: Recipient, address: str,
                     template: str, backend: str, send: Callable[[], SendResult]) -> SendResult:
    """Send a notification on behalf of the platform and log the attempt in its own transaction."""
    requested_at = registry.clock.now()
    result = send()
    with transaction_scope(registry) as dbsession:
        dbsession.add(SendLog(requested_at=requested_at, via=VIA_CHANNEL, channel=channel, recipient=address,
                              outside=recipient.user_id is None, template=template, backend=backend,
                              status=status_of(result), detail=result.detail,
                              idempotency_key=notification.idempotency_key, finished_at=registry.clock.now()))
    log.info("%s channel send to %s (%s): %s %s", channel, address, template, status_of(result), result.detail)
    return result


def answer(request, result: SendResult, data: dict, *, what: str):
    """A send endpoint's answer: ``data`` plus ``success``/``message`` in the request's envelope.

    ``data["backend"]`` names the backend; the console backend's messages say that nothing was sent.

    Success is a 200. A permanent refusal is HTTP 422, a transient failure HTTP 503
    with ``Retry-After``; both carry the envelope's general error code (4000) and the
    provider's own words in the message. Failures are answered, not raised, so the
    request's transaction still commits the send's log row.
    """
    message = f"{what}成功" if result.ok else f"{what}失败: {result.detail}"
    if data.get("backend") == CONSOLE_BACKEND:
        message += "（console 后端: 仅记录日志，未真正发出）"
    body = {"success": result.ok, "message": message, **data}
    if result.ok:
        return ok(request, body, message)
    if result.transient:
        wait = math.ceil(result.retry_after) if result.retry_after else PROVIDER_RETRY_AFTER
        return envelope_response(request, UNAVAILABLE_STATUS, message, body, headers={"Retry-After": str(wait)})
    return envelope_response(request, REFUSED_STATUS, message, body)


def send_responses(data_fields: str) -> dict:
    """``response_schemas=`` for a send endpoint: the answers above, described in /api/openapi.json."""
    def described(text: str) -> colander.MappingSchema:
        return colander.MappingSchema(description=text)

    return {
        "200": described(f"Sent (or logged by the console backend: data.backend says which). data: {data_fields}"),
        "422": described("code 4000: the provider refused for good; msg has its words, data.success is false"),
        "429": described("code 4000: the caller's sends per minute are used up; see the Retry-After header"),
        "503": described("code 4000: the provider failed for now; try again after Retry-After seconds"),
    }
