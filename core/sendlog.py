"""A send log for plugins that send messages to the outside world (SMS, e-mail…).

One table per plugin, built from ``SendLogMixin``, is both the audit trail —
who asked, to whom, which template, what the provider answered — and the
counter behind the per-user rate limit of a send endpoint. Counting in the
database (not in process memory) makes the limit hold across every waitress
process of a site.

Use it from a send endpoint (the view answers with ``answer``)::

    result = send_on_request(request, SmsSendLog, limit, recipient=phone, template=code, backend=backend.name,
                             send=lambda: backend.send(phone, template, params))
    return answer(request, result, {"phone": phone, "backend": backend.name}, what="短信发送")

and from a notification channel (the reminder engine asks, no user)::

    return send_for_channel(registry, SmsSendLog, recipient=phone, template=code, backend=backend.name, send=...)

Only sends that are attempted are logged and counted: a request refused for
authentication, permission, invalid input or the rate limit itself writes nothing.
Used by ``notify_sms`` and ``notify_email``; see docs/notifications.md.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Callable

import colander
from sqlalchemy import Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.api import TooManyRequests, envelope_response, ok
from core.auth import current_user
from core.channels import SendResult
from core.db import UTCDateTime, transaction_scope
from core.models import User

log = logging.getLogger(__name__)

RATE_WINDOW = dt.timedelta(minutes=1)

#: ``via`` of a send asked for through an endpoint, and of one made by a channel (the reminder engine)
VIA_API, VIA_CHANNEL = "api", "channel"
#: the development backend's name: its successes say that nothing left the machine
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


class SendLogMixin:
    """Columns of a plugin's send log; the plugin names the table (``<plugin>_send_log``)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # not a foreign key: the audit trail outlives users, and the name is kept beside the id
    requested_by: Mapped[int | None] = mapped_column(Integer)
    requested_by_name: Mapped[str | None] = mapped_column(String(150))
    via: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(100))
    backend: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @declared_attr.directive
    def __table_args__(cls):
        # the rate limit's query: one user's sends since a moment
        return (Index(f"ix_{cls.__tablename__}_requested_by_at", "requested_by", "requested_at"),)


def send_on_request(request, model: type[SendLogMixin], limit: int, *, recipient: str, template: str,
                    backend: str, send: Callable[[], SendResult]) -> SendResult:
    """Send for the signed-in user if their rate limit allows it, and log the attempt.

    At most ``limit`` sends per user in any minute; past it, raises
    ``core.api.TooManyRequests`` with ``Retry-After`` (seconds until the oldest send of
    the window leaves it) and logs nothing. The check and the log row share the
    request's transaction, and the user's row is locked first (``SELECT … FOR UPDATE``;
    SQLite's write lock serialises anyway), so concurrent requests of one user on
    several processes cannot both slip under the limit.
    """
    dbsession, clock = request.dbsession, request.registry.clock
    user = current_user(request)
    dbsession.execute(select(User.id).where(User.id == user.id).with_for_update())
    now = clock.now()
    count, oldest = dbsession.execute(
        select(func.count(), func.min(model.requested_at))
        .where(model.requested_by == user.id, model.requested_at > now - RATE_WINDOW)
    ).one()
    if count >= limit:
        wait = max(1, math.ceil((oldest + RATE_WINDOW - now).total_seconds()))
        raise TooManyRequests(f"发送过于频繁: 每分钟最多 {limit} 条, 请 {wait} 秒后再试",
                              {"limit": limit, "retry_after": wait}, headers={"Retry-After": str(wait)})
    entry = model(requested_at=now, requested_by=user.id, requested_by_name=user.username, via=VIA_API,
                  recipient=recipient, template=template, backend=backend, status="sending")
    dbsession.add(entry)
    dbsession.flush()
    result = send()
    entry.status, entry.detail, entry.finished_at = status_of(result), result.detail, clock.now()
    log.info("%s send #%s by %s to %s (%s): %s %s", model.__tablename__, entry.id, user.username, recipient,
             template, entry.status, result.detail)
    return result


def send_for_channel(registry, model: type[SendLogMixin], *, recipient: str, template: str, backend: str,
                     send: Callable[[], SendResult]) -> SendResult:
    """Send on behalf of the platform (no user, no rate limit) and log the attempt in its own transaction."""
    requested_at = registry.clock.now()
    result = send()
    with transaction_scope(registry) as dbsession:
        dbsession.add(model(requested_at=requested_at, requested_by=None, requested_by_name=None, via=VIA_CHANNEL,
                            recipient=recipient, template=template, backend=backend, status=status_of(result),
                            detail=result.detail, finished_at=registry.clock.now()))
    log.info("%s channel send to %s (%s): %s %s", model.__tablename__, recipient, template, status_of(result),
             result.detail)
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
        return envelope_response(request, UNAVAILABLE_STATUS, message, body,
                                 headers={"Retry-After": str(PROVIDER_RETRY_AFTER)})
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
