"""Subscription feeds: a secret URL that serves one user's calendar as iCalendar without a token.

Calendar apps (Google "From URL", Outlook "Subscribe", Apple Calendar) cannot send an
``Authorization`` header, so the URL itself is the credential: 256 random bits, shown
once when created or rotated; only its SHA-256 is stored, so a database leak reveals no
feed. Rotating replaces it (the old URL answers 404 at once); revoking removes it.
The feed holds the user's own calendar: what they own and what they attend and have
not declined, from 30 days back to a year ahead.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.toolkit import AUTHENTICATED, NotFound, User, api_service, current_user, isoformat_local, ok

from .ical import calendar_body
from .models import LISTED, Schedule
from .sharing_models import FeedToken
from .views import PREFIX
from .visibility import own_calendar
from .windows import touching

feed_settings = api_service(name="schedule.feed", path=f"{PREFIX}/feed/",
                            description="The caller's subscription feed: GET says whether one exists; POST creates "
                                        "or rotates it and shows its URL once; DELETE revokes it.")
feed_calendar = api_service(name="schedule.feed_calendar", path=PREFIX + "/feed/{token}/calendar.ics",
                            description="A subscription feed as text/calendar; the secret in the path is the credential "
                                        "(no Authorization header). Unknown or revoked: 404.")
SERVICES = (feed_settings, feed_calendar)

FEED_PAST = dt.timedelta(days=30)
FEED_AHEAD = dt.timedelta(days=365)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed(dbsession: Session, registry, user: User) -> str:
    """A new secret for ``user``'s feed (replacing any earlier one); the caller shows it once."""
    token = secrets.token_urlsafe(32)
    row = dbsession.scalar(select(FeedToken).where(FeedToken.user_id == user.id))
    if row is None:
        row = FeedToken(user_id=user.id)
        dbsession.add(row)
    row.token_hash, row.create_datetime = token_hash(token), registry.clock.now()
    dbsession.flush()
    return token


def feed_schedules(dbsession: Session, registry, user_id: int) -> list[Schedule]:
    now = registry.clock.now()
    return list(dbsession.scalars(
        select(Schedule).where(*LISTED, own_calendar(user_id),
                               *touching(now - FEED_PAST, now + FEED_AHEAD))
        .options(selectinload(Schedule.attendees)).order_by(Schedule.start_time, Schedule.id)))


def _feed_json(request, row: FeedToken | None, token: str | None = None) -> dict:
    data = {"active": row is not None,
            "create_datetime": isoformat_local(request.registry, row.create_datetime) if row else None}
    if token is not None:
        url = request.route_url("schedule.feed_calendar", token=token)
        data.update(url=url, webcal_url="webcal://" + url.split("://", 1)[1])
    return data


def _own_feed(request) -> FeedToken | None:
    return request.dbsession.scalar(select(FeedToken).where(FeedToken.user_id == current_user(request).id))


@feed_settings.get(permission=AUTHENTICATED)
def show_feed(request):
    return ok(request, _feed_json(request, _own_feed(request)), "获取成功")


@feed_settings.post(permission=AUTHENTICATED)
def create_or_rotate_feed(request):
    token = issue_feed(request.dbsession, request.registry, current_user(request))
    return ok(request, _feed_json(request, _own_feed(request), token), "订阅地址已生成（仅显示一次）")


@feed_settings.delete(permission=AUTHENTICATED)
def revoke_feed(request):
    row = _own_feed(request)
    if row is None:
        raise NotFound("没有订阅地址")
    request.dbsession.delete(row)
    return ok(request, {}, "订阅地址已撤销")


@feed_calendar.get(permission=NO_PERMISSION_REQUIRED)
def serve_feed(request):
    row = request.dbsession.scalar(select(FeedToken).where(FeedToken.token_hash == token_hash(request.matchdict["token"])))
    user = request.dbsession.get(User, row.user_id) if row is not None else None
    if user is None or not user.is_active:
        raise NotFound("订阅地址不存在或已撤销")
    schedules = feed_schedules(request.dbsession, request.registry, user.id)
    body = calendar_body(request.registry, schedules, name=f"{user.name or user.username} 的日程")
    response = Response(body=body, content_type="text/calendar", charset="utf-8")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
