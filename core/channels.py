"""The notification-channel contract: what a channel receives and what it answers.

A channel (``system``, ``sms``, ``email``, a third party's ``webhook``…) sends one
message to one recipient. Plugins provide channels through the
``tessera_notification_channels`` hook (see ``core/hookspecs.py``); the reminder
engine and anything else that notifies people only ever talk to this contract.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select

from core.db import transaction_scope
from core.models import User


@dataclass(frozen=True)
class Recipient:
    """Someone to notify. ``user_id`` is set for platform users, ``None`` for outside participants."""

    name: str
    user_id: int | None = None
    email: str | None = None
    mobile: str | None = None


@dataclass(frozen=True)
class Notification:
    """What to say.

    ``template`` names the message kind, chosen by the plugin that sends it; channels
    that use provider templates map it to their own. ``params`` are the template's
    values (the sending plugin documents them). ``subject`` and ``text`` are a ready
    plain-text rendering for channels without templates.
    ``source`` and ``source_id`` link the message to what it is about — the sending
    plugin's kind of object (registered with ``config.add_notification_source``) and
    its id — so an inbox or a client can lead there; both ``None`` for a message about
    nothing in particular.
    ``requested_by`` is the id of the site user in whose name the message goes (the
    sending plugin says who: the reminder engine names the organiser), ``None`` for the
    platform's own messages: channels that log or limit sends attribute them to that user.
    ``idempotency_key`` is stable across every attempt to deliver the same message to the
    same recipient: pass it to the provider (a header, a ``Message-ID``, a session context)
    so a receiver can drop a repeat. ``None`` only for one-off sends that are never retried.
    """

    template: str
    subject: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    requested_by: int | None = None
    source: str | None = None
    source_id: int | None = None


@dataclass(frozen=True)
class SendResult:
    """The outcome of one send.

    ``ok`` — the provider accepted the message. Otherwise ``transient`` says whether
    trying again later may work (timeouts, rate limits, 4xx SMTP replies, 5xx HTTP)
    or not (bad number, unknown template, 5xx SMTP replies). ``detail`` is a short,
    secret-free text for logs and ``send_result``. ``retry_after`` (seconds), on a
    transient failure, is how long the provider asked us to wait (a rate limit's
    ``Retry-After``): the reminder engine tries again no sooner than that. ``skipped``
    means the message was held back before it reached any provider — a site rule or
    quota said no — and is not to be retried.
    """

    ok: bool
    detail: str = ""
    transient: bool = False
    retry_after: float | None = None
    skipped: bool = False

    @classmethod
    def sent(cls, detail: str = "sent") -> "SendResult":
        return cls(ok=True, detail=detail)

    @classmethod
    def retry_later(cls, detail: str, retry_after: float | None = None) -> "SendResult":
        return cls(ok=False, detail=detail, transient=True, retry_after=retry_after)

    @classmethod
    def failed(cls, detail: str) -> "SendResult":
        return cls(ok=False, detail=detail, transient=False)

    @classmethod
    def held_back(cls, detail: str) -> "SendResult":
        return cls(ok=False, detail=detail, skipped=True)


@runtime_checkable
class Channel(Protocol):
    """A way to reach people. Implementations must be safe to call from several threads.

    Two optional members tell the reminder engine how to send a batch:

    - ``concurrency: int`` — how many ``send`` calls a worker process may make at once
      (a bounded thread pool per channel; 1 sends one after the other). Without it the
      engine assumes a remote provider and uses 10. A site may override it through the
      sending plugin's settings (the reminder engine's: docs/reminders.md).
    - ``send_many(messages: list[tuple[Notification, Recipient, str]]) -> list[SendResult]``
      — send a whole batch at once, one answer per message in order (the in-app inbox
      writes a batch in one transaction). Used instead of ``send`` when present.
    """

    #: the name used in ``reminder_method`` (``sms``, ``email``, ``webhook``…)
    name: str

    def address_of(self, recipient: Recipient) -> str | None:
        """The recipient's address on this channel, or None when they have none (they are skipped)."""

    def send(self, notification: Notification, recipient: Recipient, address: str) -> SendResult:
        """Send one message. Never raise for a provider's refusal: answer a SendResult.

        Pass ``notification.idempotency_key``, when set, to the provider in the provider's
        own way (an ``Idempotency-Key`` header, the ``Message-ID``, a session context).
        """


def send_to_users(registry, user_ids, channel_names, notification: Notification, key: str) -> list[tuple[int, str, SendResult]]:
    """Send ``notification`` to each active platform user of ``user_ids`` on each enabled channel of
    ``channel_names`` where they have an address; the idempotency key of each message is
    ``{key}:{user id}:{channel}``. For notices sent from a background task (not for reminders,
    which the reminder engine delivers and records itself). Returns (user id, channel, result)
    per message sent; a channel not enabled on the site is passed over.
    """
    with transaction_scope(registry) as dbsession:
        people = {person.id: Recipient(name=person.name or person.username, user_id=person.id,
                                       email=person.email or None, mobile=person.mobile or None)
                  for person in dbsession.scalars(select(User).where(User.id.in_(list(user_ids)),
                                                                     User.is_active.is_(True)))}
    results = []
    for name in channel_names:
        channel = registry.tessera_channels.get(name)
        if channel is None:
            continue
        for user_id, person in people.items():
            address = channel.address_of(person)
            if address is not None:
                message = dataclasses.replace(notification, idempotency_key=f"{key}:{user_id}:{name}")
                results.append((user_id, name, channel.send(message, person, address)))
    return results
