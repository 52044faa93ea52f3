"""An admin who registers webhook endpoints; the receiver is the testing kit's ``json_server``; schedules,
made through the schedule plugin's API, are what the events are about."""
from __future__ import annotations

import json

import pytest

from core.testing import shanghai

API = "/api/webhooks"
SCHEDULES = "/api/customer/schedules"


@pytest.fixture
def admin(site, clock):
    clock.set(shanghai(2025, 12, 26, 10, 0))
    return site.create_user("root", role="admin")


@pytest.fixture
def receiver(json_server):
    json_server.url += "/hooks/tessera"
    return json_server


def received(receiver) -> list[tuple[dict, str]]:
    """Every POST as (headers with lower-case names, body text)."""
    return [({name.lower(): value for name, value in request.headers.items()}, request.body.decode("utf-8"))
            for request in receiver.requests]


def events(receiver) -> list[dict]:
    return [json.loads(body) for _headers, body in received(receiver)]


def register(site, admin, url: str, event_types=("schedule.created", "schedule.updated", "schedule.deleted"),
             status: int = 200, **fields) -> dict:
    body = dict(fields, url=url, event_types=list(event_types))
    return site.post_json(f"{API}/endpoints", body, headers=site.headers(admin), status=status).json


def create_schedule(site, user, **fields) -> dict:
    """``user`` creates a schedule (a meeting on 2025-12-27 unless ``fields`` say otherwise); the answer's data."""
    body = {"title": "与客户A洽谈合同", "schedule_type": "meeting", "start_time": "2025-12-27T14:00:00+08:00",
            "end_time": "2025-12-27T16:00:00+08:00", **fields}
    return site.post_json(f"{SCHEDULES}/", body, headers=site.headers(user)).json["data"]
