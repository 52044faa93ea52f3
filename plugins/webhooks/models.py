"""The webhooks plugin's tables: the endpoints an admin registered, and the outbox of deliveries.

A ``webhooks_delivery`` row is written for each subscribed endpoint in the same
transaction as the change it reports, so an event is never lost; the worker then
sends it, and the row keeps its state and the endpoint's last answer.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import Base, UTCDateTime

# Delivery states. ``pending`` waits for ``next_attempt_at``; ``sending`` is claimed by
# ``claimed_by`` until ``claimed_until`` (past that, another worker takes it over); the rest are final.
PENDING, SENDING, DELIVERED, FAILED, CANCELLED = "pending", "sending", "delivered", "failed", "cancelled"
DELIVERY_STATES = (PENDING, SENDING, DELIVERED, FAILED, CANCELLED)


class WebhookEndpoint(Base):
    """A URL outside Tessera that receives the events it subscribed to, signed with its secret."""

    __tablename__ = "webhooks_endpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    # ``whsec_`` + base64 of the HMAC key, as Standard Webhooks libraries expect it
    secret: Mapped[str] = mapped_column(String(200))
    event_types: Mapped[list] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event for one endpoint. ``event_id`` is the ``webhook-id`` header: the receiver's idempotency key."""

    __tablename__ = "webhooks_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhooks_delivery_endpoint", "endpoint_id", "id"),
        # the claim queries: due pending rows, and claims whose lease ran out
        Index("ix_webhooks_delivery_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_webhooks_delivery_state_claimed_until", "state", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhooks_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(100))
    # the exact JSON body, fixed when the event happened: every attempt sends (and signs) the same bytes
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
