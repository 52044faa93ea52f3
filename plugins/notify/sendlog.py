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
from dataclasses import dataclass
from typing import Callable

import colander
from sqlalchemy import Boolean, Index, Integer, String, Text, func, select, update
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


@dataclass(frozen=True)
class Refusal:
    """Why a send to an outside recipient may not go now: the rate limit (try after ``wait`` s) or the quota."""

    message: str
    data: dict
    wait: int
    quota_used_up: bool


def outside_send_refusal(dbsession, registry, user_id: int | None, now: dt.datetime) -> Refusal | None:
    """Whether one more send to someone outside the site may go now; None when it may.

    Such sends — every endpoint send, every reminder to a recipient who is not a site user —
    count against the causing user's ``tessera.notify.rate_limit_per_minute`` and the site's
    ``tessera.notify.daily_quota`` (the site's calendar day). The user's row is locked first
    (``SELECT … FOR UPDATE``; SQLite's write lock serialises anyway), so concurrent sends of one
    user on several processes cannot both slip under the limit.
    """
    settings = registry.settings
    if user_id is not None:
        limit = settings["tessera.notify.rate_limit_per_minute"]
        dbsession.execute(select(User.id).where(User.id == user_id).with_for_update())
        count, oldest = dbsession.execute(
            select(func.count(), func.min(SendLog.requested_at))
            .where(SendLog.requested_by == user_id, SendLog.outside, SendLog.requested_at > now - RATE_WINDOW)
        ).one()
        if count >= limit:
            wait = max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))
            return Refusal(f"发送过于频繁: 每分钟最多 {limit} 条, 请 {wait} 秒后再试",
                           {"limit": limit, "retry_after": wait}, wait, quota_used_up=False)
    quota = settings["tessera.notify.daily_quota"]
    day_start, day_end = site_day(registry, now)
    used = dbsession.scalar(select(func.count()).select_from(SendLog)
                            .where(SendLog.outside, SendLog.requested_at >= day_start))
    if used >= quota:
        wait = max(1, math.ceil((day_end - now).total_seconds()))
        return Refusal(f"本站今日向站外发送的额度（{quota} 条）已用完, 明日恢复",
                       {"daily_quota": quota, "retry_after": wait}, wait, quota_used_up=True)
    return None


def site_day(registry, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The site's calendar day around ``now``: its first moment and the first moment of the next."""
    today = now.astimezone(registry.site_timezone).date()
    start = dt.datetime.combine(today, dt.time(0), tzinfo=registry.site_timezone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=registry.site_timezone)
    return start, end


def send_on_request(request, *, channel: str, recipient: str, template: str, backend: str,
                    send: Callable[[], SendResult]) -> SendResult:
    """Send for the signed-in user if the limits allow it, and log the attempt.

    Past the user's rate limit or the site's daily quota (``outside_send_refusal``), raises
    ``TooManyRequests`` with ``Retry-After`` (seconds until the oldest send of the minute
    leaves it, or until the site's next day) and logs nothing. The check and the log row
    share the request's transaction.
    """
    dbsession, registry = request.dbsession, request.registry
    user = current_user(request)
    now = registry.clock.now()
    refusal = outside_send_refusal(dbsession, registry, user.id, now)
    if refusal is not None:
        raise TooManyRequests(refusal.message, refusal.data, headers={"Retry-After": str(refusal.wait)})
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
    """Send a notification (a reminder) and log it, attributed to ``notification.requested_by``.

    To a site user it is sent, then logged. To someone outside the site (``recipient.user_id``
    is None) it first has to pass ``outside_send_refusal``: past the causing user's rate limit
    the answer is ``retry_later`` after the wait — a pace, the message still goes — and past
    the site's daily quota ``held_back``; otherwise it is logged ``sending`` (so concurrent
    workers count it), sent, and its row completed.
    """
    outside = recipient.user_id is None
    requested_at = registry.clock.now()
    row = {"requested_at": requested_at, "requested_by": notification.requested_by, "via": VIA_CHANNEL,
           "channel": channel, "recipient": address, "outside": outside, "template": template, "backend": backend,
           "idempotency_key": notification.idempotency_key}
    entry_id = None
    if outside:
        with transaction_scope(registry) as dbsession:
            refusal = outside_send_refusal(dbsession, registry, notification.requested_by, requested_at)
            if refusal is not None:
                log.info("%s send to %s held: %s", channel, address, refusal.message)
                return (SendResult.held_back(f"未发送: {refusal.message}") if refusal.quota_used_up
                        else SendResult.retry_later(f"未发送: {refusal.message}", retry_after=refusal.wait))
            entry_id = _log(dbsession, row, status="sending")
    result = send()
    with transaction_scope(registry) as dbsession:
        outcome = {"status": status_of(result), "detail": result.detail, "finished_at": registry.clock.now()}
        if entry_id is None:
            _log(dbsession, row, **outcome)
        else:
            dbsession.execute(update(SendLog).where(SendLog.id == entry_id).values(**outcome))
    log.info("%s channel send to %s (%s) for user %s: %s %s", channel, address, template, notification.requested_by,
             status_of(result), result.detail)
    return result


def _log(dbsession, row: dict, **values) -> int:
    """Write a send log row (with the causing user's name beside the id); its id."""
    user_id = row["requested_by"]
    name = dbsession.scalar(select(User.username).where(User.id == user_id)) if user_id is not None else None
    entry = SendLog(**row, **values, requested_by_name=name)
    dbsession.add(entry)
    dbsession.flush()
    return entry.id


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
