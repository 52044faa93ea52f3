"""Endpoints 1–7, 11 and 12 of the schedule spec: list, detail, create, update, delete, status, related."""
from __future__ import annotations

import functools

from sqlalchemy import and_, bindparam, case, or_, select

from core.toolkit import (
    AUTHENTICATED,
    BadRequest,
    PageQuery,
    User,
    api_service,
    contains_text,
    current_user,
    like_pattern,
    ok,
    path_id,
    reuse_answer,
)

from . import schemas
from .exceptions import change_occurrences, delete_occurrences
from .models import PRIORITIES, STATUSES, Schedule
from .notices import CANCELLED, DELETED, announce, change_of, occurrence_snapshot, snapshot
from .shapes import LIST_ROWS, schedule_detail_json, schedule_json, schedule_rows_json
from .visibility import editable, get_editable, get_readable, may_write_for, reach_clauses, readable, readable_reach
from .writes import delete_schedules, save_schedule, set_status

PREFIX = "/api/customer/schedules"

collection = api_service(name="schedule.schedules", path=f"{PREFIX}/", description="The caller's schedules (an admin's: all).")
item = api_service(name="schedule.schedule", path=PREFIX + "/{id:\\d+}/", description="One schedule.")
batch_delete = api_service(name="schedule.batch_delete", path=f"{PREFIX}/batch_delete/",
                           description="Delete several schedules at once (only those the caller may delete).")
update_status = api_service(name="schedule.update_status", path=PREFIX + "/{id:\\d+}/update_status/",
                            description="Move a schedule through its status state machine.")
by_related = api_service(name="schedule.by_related", path=f"{PREFIX}/by_related/",
                         description="The schedules related to one object (customer, case, plan, visit).")
from_customer_plan = api_service(name="schedule.create_from_customer_plan", path=f"{PREFIX}/create_from_customer_plan/",
                                 description="Create a customer follow-up plan and its reminder schedule (needs contacts).")

SERVICES = (collection, item, batch_delete, update_status, by_related, from_customer_plan)


# priority and status sort by meaning (low < … < urgent, pending < … < cancelled), not alphabetically
_RANKED = {"priority": PRIORITIES, "status": STATUSES}


def _order_by(ordering: str) -> list:
    clauses = []
    for name in (part.strip() for part in ordering.split(",") if part.strip()):
        field = name.lstrip("-")
        key = getattr(Schedule, field)
        if field in _RANKED:
            key = case({value: rank for rank, value in enumerate(_RANKED[field])}, value=key)
        clauses.append(key.desc() if name.startswith("-") else key.asc())
    return clauses + [Schedule.id.desc()]


# the list's filters: the query-string field each reads, and its where-clause (its value bound by name)
_FILTERS = {
    **{name: getattr(Schedule, name) == bindparam(name)
       for name in ("schedule_type", "status", "priority", "related_type", "related_id")},
    "start_time_after": Schedule.start_time >= bindparam("start_time_after"),
    "start_time_before": Schedule.start_time <= bindparam("start_time_before"),
    "search": contains_text(bindparam("search"), Schedule.title, Schedule.description, Schedule.location),
}


@functools.lru_cache(maxsize=256)
def _list_query(reach_shape: tuple, filters: tuple[str, ...], ordering: str) -> PageQuery:
    """The list's query for one shape of request: built once, run with its values."""
    keys = select(Schedule.id).where(*reach_clauses(reach_shape), *(_FILTERS[name] for name in filters))
    return PageQuery(keys.order_by(*_order_by(ordering)), LIST_ROWS)


@collection.get(schema=schemas.ListSchedulesRequest(), permission=AUTHENTICATED)
def list_schedules(request):
    query = request.validated["querystring"]
    reach = readable_reach(request.registry, request.dbsession, current_user(request), query["owner_id"])
    filters = tuple(name for name in _FILTERS if query[name] is not None and query[name] != "")
    values = {**reach.values, **{name: query[name] for name in filters}}
    if "search" in filters:
        values["search"] = like_pattern(query["search"])
    page = _list_query(reach.shape, filters, query["ordering"]).page(request.dbsession, query["page"], query["limit"],
                                                                     values)
    results = schedule_rows_json(request.registry, page.items)
    reuse_answer(request)
    return ok(request, page.as_count_next_previous(request, results), "获取成功")


def _fields(request) -> tuple[dict, bool, int | None]:
    values = dict(request.validated["body"])
    return values, values.pop("allow_conflict", False), values.pop("owner_id", None)


def _owner(request, owner_id: int | None) -> User | None:
    """Whose calendar a new schedule goes in: ``owner_id`` needs the owner's write grant (4001 otherwise)."""
    if owner_id is None:
        return None
    owner = request.dbsession.get(User, owner_id)
    if owner is None or not owner.is_active or not may_write_for(request.dbsession, current_user(request), owner_id):
        raise BadRequest.field("owner_id", "没有在此用户的日历中创建日程的权限")
    return owner


@collection.post(schema=schemas.CreateScheduleRequest(), permission=AUTHENTICATED)
def create_schedule(request):
    values, allow_conflict, owner_id = _fields(request)
    schedule = save_schedule(request.dbsession, request.registry, current_user(request), Schedule(), values, allow_conflict,
                             owner=_owner(request, owner_id))
    return ok(request, schedule_detail_json(request, schedule), "创建成功")


def _schedule(request) -> Schedule:
    return get_readable(request.dbsession, request.registry, current_user(request), path_id(request, "id", "日程不存在"))


def _editable_schedule(request) -> Schedule:
    return get_editable(request.dbsession, request.registry, current_user(request), path_id(request, "id", "日程不存在"))


@item.get(permission=AUTHENTICATED)
def get_schedule(request):
    return ok(request, schedule_detail_json(request, _schedule(request)), "获取成功")


def _scope(request) -> tuple[str, object]:
    query = request.validated["querystring"]
    return query["scope"], query["occurrence"]


@item.put(schema=schemas.ReplaceScheduleRequest(), permission=AUTHENTICATED)
@item.patch(schema=schemas.PatchScheduleRequest(), permission=AUTHENTICATED)
def change_schedule(request):
    """With ``scope=this`` / ``following`` and ``occurrence``, only part of a series changes: the answer is the
    schedule that now holds it (exceptions.py)."""
    schedule = _editable_schedule(request)
    values, allow_conflict, owner_id = _fields(request)
    if owner_id not in (None, schedule.creator_id):
        raise BadRequest.field("owner_id", "不能把日程移到另一个人的日历")
    before = snapshot(schedule)
    scope, occurrence = _scope(request)
    changed = change_occurrences(request.dbsession, request.registry, current_user(request), schedule,
                                 scope, occurrence, values, allow_conflict)
    if changed is not schedule:  # a part taken out of the series: it was that occurrence
        before = occurrence_snapshot(before, occurrence, changed)
    announce(request, changed, change_of(before, changed), was=before["start_time"])
    return ok(request, schedule_detail_json(request, changed), "更新成功")


@item.delete(schema=schemas.DeleteScheduleRequest(), permission=AUTHENTICATED)
def delete_schedule(request):
    schedule = _editable_schedule(request)
    scope, occurrence = _scope(request)
    delete_occurrences(request.dbsession, request.registry, current_user(request), schedule, scope, occurrence)
    announce(request, schedule, DELETED, was=occurrence if scope != "all" else None)
    return ok(request, {}, "删除成功")


@batch_delete.post(schema=schemas.BatchDeleteRequest(), permission=AUTHENTICATED)
def delete_many(request):
    ids = request.validated["body"]["ids"]
    schedules = request.dbsession.scalars(
        select(Schedule).where(Schedule.id.in_(ids), *editable(current_user(request)))).all()
    deleted = delete_schedules(request.dbsession, request.registry, current_user(request), ids)
    for schedule in schedules:
        announce(request, schedule, DELETED)
    return ok(request, {"deleted_count": deleted}, f"批量删除成功，共删除 {deleted} 条记录")


@update_status.post(schema=schemas.UpdateStatusRequest(), permission=AUTHENTICATED)
def change_status(request):
    schedule = _editable_schedule(request)
    status, (scope, occurrence) = request.validated["body"]["status"], _scope(request)
    before = snapshot(schedule)
    if scope == "all":
        set_status(request.dbsession, request.registry, current_user(request), schedule, status)
    else:  # completing one occurrence leaves the others as they are
        schedule = change_occurrences(request.dbsession, request.registry, current_user(request), schedule, scope,
                                      occurrence, {"status": status})
    announce(request, schedule, CANCELLED if status == "cancelled" != before["status"] else None, was=occurrence)
    return ok(request, schedule_detail_json(request, schedule), "状态更新成功")


@by_related.get(schema=schemas.ByRelatedRequest(), permission=AUTHENTICATED)
def list_by_related(request):
    query = request.validated["querystring"]
    about = [and_(Schedule.related_type == query["related_type"], Schedule.related_id == query["related_id"])]
    for answer in request.registry.tessera_plugin_manager.hook.tessera_related_parts(
            registry=request.registry, dbsession=request.dbsession, related_type=query["related_type"],
            related_id=query["related_id"]):
        about += [and_(Schedule.related_type == part_type, Schedule.related_id.in_(list(ids)))
                  for part_type, ids in (answer or ()) if ids]
    schedules = request.dbsession.scalars(
        select(Schedule).where(*readable(request.registry, request.dbsession, current_user(request)), or_(*about))
        .order_by(Schedule.start_time, Schedule.id)).all()
    return ok(request, [schedule_json(request.registry, schedule) for schedule in schedules], "获取成功")


@from_customer_plan.post(schema=schemas.FromCustomerPlanRequest(), permission=AUTHENTICATED)
def create_from_plan(request):
    """The plan's owner creates the plan and has its schedule made (see plans.py); this answers with that schedule."""
    body = request.validated["body"]
    created = request.registry.tessera_plugin_manager.hook.tessera_create_customer_plan(
        registry=request.registry, dbsession=request.dbsession, user=current_user(request),
        customer_id=body["customer_id"], title=body["plan_title"], plan_time=body["plan_time"],
        description=body["plan_description"], reminder_minutes=body["reminder_time"])
    if created is None:
        raise BadRequest.field("customer_id", "需要启用 contacts 插件才能从客户计划创建日程")
    schedule = request.dbsession.get(Schedule, created["schedule_id"])
    # related_id holds the plan's id; both ids are given, so no client has to guess which one it is
    return ok(request, dict(schedule_detail_json(request, schedule), plan_id=created["plan_id"],
                            customer_id=body["customer_id"]), "日程创建成功")
