"""Shared helpers of the schedule API tests: the spec's example payload, requests as a user, row counts."""
from __future__ import annotations

from sqlalchemy import func, select

from core.toolkit import transaction_scope
from plugins.schedule.models import Schedule

API = "/api/customer/schedules"

#: The create body printed in the spec (endpoint 3).
SPEC_EXAMPLE = {
    "title": "与客户A洽谈合同",
    "description": "讨论合同细节和付款方式",
    "schedule_type": "meeting",
    "start_time": "2025-12-27T14:00:00+08:00",
    "end_time": "2025-12-27T16:00:00+08:00",
    "location": "公司会议室A",
    "participants": [{"name": "张三", "role": "律师"}, {"name": "李四", "role": "客户"}],
    "status": "pending",
    "priority": "high",
    "is_all_day": False,
    "reminder_enabled": True,
    "reminder_time": 30,
    "reminder_method": "system,email",
    "related_type": "customer",
    "related_id": 10,
    "remark": "",
}


def call(site, method: str, path: str, user=None, body=None, expect: int = 200, **params) -> dict:
    """One request as ``user`` (anonymous when None): checks the HTTP status, returns the JSON body."""
    headers = site.headers(user) if user is not None else {}
    url = path if path.startswith("/") else f"{API}/{path}"
    if method in ("GET", "DELETE") and body is None:
        response = getattr(site, method.lower())(url, params=params, headers=headers, status=expect)
    else:
        response = getattr(site, f"{method.lower()}_json")(url, body, headers=headers, status=expect)
    return response.json


def create(site, user, expect: int = 200, **fields) -> dict:
    """POST the spec's example with ``fields`` changed (no reminder e-mail by default: not every site has it)."""
    body = {**SPEC_EXAMPLE, "reminder_method": "system", **fields}
    return call(site, "POST", f"{API}/", user, {k: v for k, v in body.items() if v is not ...}, expect=expect)


def rows(site, **where) -> int:
    """How many schedule rows exist (deleted ones included) matching ``where``."""
    with transaction_scope(site.registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(Schedule).filter_by(**where))


def snapshot(site, schedule_id: int) -> dict:
    with transaction_scope(site.registry) as dbsession:
        schedule = dbsession.get(Schedule, schedule_id)
        return {c.name: getattr(schedule, c.name) for c in Schedule.__table__.columns}
