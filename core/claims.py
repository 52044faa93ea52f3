"""The outbox claim: workers take due rows of a table for themselves, and never the same row twice.

A plugin that sends something later and must neither lose it nor send it twice (the
reminder engine, webhook deliveries) keeps one row per thing to send with four columns:
``state``, ``next_attempt_at``, ``claimed_by`` and ``claimed_until``. A worker claims a
batch with ``claim_due`` in a transaction of its own, sends outside any transaction, then
records each outcome; a row whose worker died is claimed again once its lease ran out.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session


def claim_due(dbsession: Session, model: Any, token: str, now: dt.datetime, lease: dt.timedelta, limit: int, *,
              waiting: str, claimed: str, values: dict[str, Any] | None = None,
              returning: Sequence = ()) -> list:
    """Mark up to ``limit`` rows of ``model`` ``claimed`` by ``token`` until ``now + lease``; returns them.

    First the rows whose claim ran out (``claimed`` with ``claimed_until`` past: their worker
    died), then those ``waiting`` whose ``next_attempt_at`` has come, oldest first. Rows
    another worker is claiming are skipped (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite
    the write transaction, begun ``IMMEDIATE``, keeps claimers one at a time), and the UPDATE
    repeats the conditions, so a row is never claimed twice. ``values`` are set as well (an
    attempt counted, say). The rows returned carry ``id`` and the columns of ``returning``.

    ``model`` is the mapped class, not its table: an ORM UPDATE is what tells the request's or
    ``transaction_scope``'s transaction that it wrote, and so must commit.
    """
    due = (model.state == waiting) & (model.next_attempt_at <= now)
    abandoned = (model.state == claimed) & (model.claimed_until < now)
    ids: list[int] = []
    for condition in (abandoned, due):
        room = limit - len(ids)
        if room:
            ids += dbsession.scalars(select(model.id).where(condition).order_by(model.next_attempt_at)
                                     .limit(room).with_for_update(skip_locked=True)).all()
    if not ids:
        return []
    return list(dbsession.execute(
        update(model).where(model.id.in_(ids), due | abandoned)
        .values(state=claimed, claimed_by=token, claimed_until=now + lease, **(values or {}))
        .returning(model.id, *returning).execution_options(synchronize_session=False)).all())
