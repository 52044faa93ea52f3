"""The ``system`` channel: an in-app inbox per user.

Shipped with the core and always on, but built like any plugin: it provides
its channel through ``tessera_notification_channels`` and its endpoints
through Cornice — ``GET /api/notifications``, ``POST /api/notifications/{id}/read``,
``POST /api/notifications/{id}/snooze`` and ``POST /api/notifications/read_all``.
A snoozed message is out of the inbox until its time, then back, unread.

A message links to what it is about with ``source`` + ``source_id`` (from the
``Notification``). A plugin whose objects messages link to registers its source
name with ``config.add_notification_source(name)``; each message then also
answers ``<name>_id`` (the id when it links there, else null), so clients can
read the link by a field named after what it is — as they did before the link
was generic.
"""
from __future__ import annotations

import datetime as dt
import re

import colander
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, case, func, insert, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.api import NotFound, api_service, ok, page_nodes, paginate, path_id
from core.auth import AUTHENTICATED, current_user
from core.channels import Notification, Recipient, SendResult
from core.db import Base, UTCDateTime, transaction_scope
from core.plugins import hookimpl
from core.registrations import claim
from core.settings import ConfigurationError
from core.timefmt import isoformat_local

CHANNEL_NAME = "system"


class InboxMessage(Base):
    __tablename__ = "core_notification"
    __table_args__ = (Index("ix_core_notification_user_read", "user_id", "is_read", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    # not a foreign key: the source's tables belong to the plugin that registered it
    source: Mapped[str | None] = mapped_column(String(50))
    source_id: Mapped[int | None] = mapped_column(Integer)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    create_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # snoozed: hidden until then, then shown again as unread
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class InboxChannel:
    """Writes the message into the recipient's inbox; only platform users have an inbox."""

    name = CHANNEL_NAME

    def __init__(self, registry):
        self.registry = registry

    def address_of(self, recipient: Recipient) -> str | None:
        return str(recipient.user_id) if recipient.user_id is not None else None

    def send(self, notification: Notification, recipient: Recipient, address: str) -> SendResult:
        with transaction_scope(self.registry) as dbsession:
            message = InboxMessage(**self._row(notification, address))
            dbsession.add(message)
            dbsession.flush()
            message_id = message.id
        return SendResult.sent(f"inbox message {message_id}")

    def send_many(self, messages: list[tuple[Notification, Recipient, str]]) -> list[SendResult]:
        """Write a whole batch of messages in one transaction and one statement (the reminder engine sends batches)."""
        rows = [self._row(notification, address) for notification, _recipient, address in messages]
        with transaction_scope(self.registry) as dbsession:
            # no ids asked back: in parameter order they would make SQLite insert row by row
            dbsession.execute(insert(InboxMessage), rows)
        return [SendResult.sent("written to the inbox")] * len(rows)

    def _row(self, notification: Notification, address: str) -> dict:
        return {"user_id": int(address), "title": notification.subject[:200], "content": notification.text,
                "source": notification.source, "source_id": notification.source_id, "is_read": False,
                "create_datetime": self.registry.clock.now()}


@hookimpl
def tessera_notification_channels(registry):
    return [InboxChannel(registry)]


# --- endpoints -------------------------------------------------------------------

inbox = api_service(name="core.notifications", path="/api/notifications", description="The caller's in-app notifications, unread first.")
read_one = api_service(name="core.notification_read", path="/api/notifications/{id}/read", description="Mark one notification read.")
read_all = api_service(name="core.notifications_read_all", path="/api/notifications/read_all", description="Mark all the caller's notifications read.")
snooze = api_service(name="core.notification_snooze", path="/api/notifications/{id}/snooze",
                     description="Put a notification away for `minutes`; it comes back unread then.")

#: the longest snooze: a day
MAX_SNOOZE_MINUTES = 1440


class InboxQuery(colander.MappingSchema):
    querystring = colander.SchemaNode(colander.Mapping(), *page_nodes("limit", 20))


def message_json(request, message: InboxMessage) -> dict:
    data = {"id": message.id, "title": message.title, "content": message.content}
    for source in request.registry.tessera_notification_sources:
        data[f"{source}_id"] = message.source_id if message.source == source else None
    data.update({
        "source": message.source, "source_id": message.source_id, "is_read": message.is_read,
        "create_datetime": isoformat_local(request.registry, message.create_datetime),
        "snoozed_until": isoformat_local(request.registry, message.snoozed_until),
    })
    return data


SOURCE_NAME = re.compile(r"[a-z][a-z0-9_]{0,49}")
#: names whose ``<name>_id`` would shadow a field of every message
RESERVED_SOURCES = {"source"}


def add_notification_source(config, name: str) -> None:
    """Config directive: messages may link to ``name`` objects; each message answers ``<name>_id``."""
    if not SOURCE_NAME.fullmatch(name) or name in RESERVED_SOURCES:
        raise ConfigurationError(
            f"notification source {name!r} must be lower-case letters, digits and _ (at most 50), and not 'source'.")
    claim(config.registry, "notification source", name)
    config.registry.tessera_notification_sources.append(name)


def shown(request):
    """Where-clauses for the caller's messages that are in the inbox now (not snoozed past now)."""
    now = request.registry.clock.now()
    return [InboxMessage.user_id == current_user(request).id,
            or_(InboxMessage.snoozed_until.is_(None), InboxMessage.snoozed_until <= now)]


@inbox.get(schema=InboxQuery(), permission=AUTHENTICATED)
def list_inbox(request):
    query = request.validated["querystring"]
    statement = (select(InboxMessage).where(*shown(request))
                 .order_by(case((InboxMessage.is_read, 1), else_=0), InboxMessage.id.desc()))
    page = paginate(request.dbsession, statement, query["page"], query["limit"])
    unread = request.dbsession.scalar(select(func.count()).where(*shown(request), InboxMessage.is_read.is_(False)))
    data = page.as_count_next_previous(request, [message_json(request, m) for m in page.items])
    data["unread_count"] = unread
    return ok(request, data, "获取成功")


def _own_message(request) -> InboxMessage:
    message = request.dbsession.get(InboxMessage, path_id(request, "id", "通知不存在"))
    if message is None or message.user_id != current_user(request).id:
        raise NotFound("通知不存在")
    return message


@read_one.post(permission=AUTHENTICATED)
def mark_read(request):
    message = _own_message(request)
    message.is_read = True
    return ok(request, message_json(request, message), "已读")


class SnoozeRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Integer(strict=True), name="minutes", validator=colander.Range(1, MAX_SNOOZE_MINUTES),
                            description=f"how long to put it away, 1–{MAX_SNOOZE_MINUTES} minutes"))


@snooze.post(schema=SnoozeRequest(), permission=AUTHENTICATED)
def snooze_message(request):
    message = _own_message(request)
    message.snoozed_until = request.registry.clock.now() + dt.timedelta(minutes=request.validated["body"]["minutes"])
    message.is_read = False
    return ok(request, message_json(request, message), "稍后提醒")


@read_all.post(permission=AUTHENTICATED)
def mark_all_read(request):
    result = request.dbsession.execute(
        update(InboxMessage).where(*shown(request), InboxMessage.is_read.is_(False))
        .values(is_read=True).execution_options(synchronize_session=False))
    return ok(request, {"updated_count": result.rowcount}, "全部已读")


def includeme(config) -> None:
    config.registry.tessera_notification_sources = []
    config.add_directive("add_notification_source", add_notification_source)
    config.add_cornice_service(read_all)
    config.add_cornice_service(read_one)
    config.add_cornice_service(snooze)
    config.add_cornice_service(inbox)
