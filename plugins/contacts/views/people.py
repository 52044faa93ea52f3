"""Engineers and other colleagues: who is where, doing what. Open to every signed-in user."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.toolkit import (
    AUTHENTICATED,
    Forbidden,
    NotFound,
    User,
    api_service,
    contains_text,
    current_user,
    isoformat_utc_ms,
    ok,
    path_id,
)
from plugins.contacts.access import ENGINEER
from plugins.contacts.models import EngineerPresence
from plugins.contacts.presence import set_status, shown_status
from plugins.contacts.schemas import OtherContactsRequest, UpdateStatusRequest
from plugins.contacts.shapes import engineer_task_json
from plugins.contacts.work import BOARD_TASK_COLUMNS, engineer_tasks

engineers_status = api_service(name="contacts.engineers_status", path="/api/v1/contacts/engineers/status",
                               description="Engineers' status grouped by location; engineers set their own.")
engineer = api_service(name="contacts.engineer", path="/api/v1/contacts/engineers/{userId:\\d+}",
                       description="An engineer with their current and completed tasks.")
other_contacts = api_service(name="contacts.other", path="/api/v1/contacts/other",
                             description="Active colleagues who are not engineers.")

COMPLETED_TASKS_SHOWN = 20
NO_LOCATION = "未设置"


#: what the engineers' pages show of each, and of their presence: read as rows, not ORM objects
#: (the status board shows a hundred engineers)
_PERSON_COLUMNS = (User.id, User.work_id, User.name, User.avatar, User.department, User.location, User.mobile,
                   EngineerPresence.user_id.label("presence_of"), EngineerPresence.status,
                   EngineerPresence.last_active_time, EngineerPresence.status_set_at)


def _engineers(dbsession, *where) -> list[tuple]:
    """(person, presence) rows of the active engineers, by id; presence is None for one who never had any."""
    rows = dbsession.connection().execute(
        select(*_PERSON_COLUMNS).outerjoin(EngineerPresence, EngineerPresence.user_id == User.id)
        .where(User.role == ENGINEER, User.is_active.is_(True), *where).order_by(User.id)).all()
    return [(row, row if row.presence_of is not None else None) for row in rows]


def working_since(in_progress: list) -> dt.datetime | None:
    """When the newest of these in-progress tasks started: from then on the engineer shows busy."""
    return max((task.status_since for task in in_progress), default=None)


@engineers_status.get(permission=AUTHENTICATED)
def list_engineer_status(request):
    """Locations in the order of their first engineer (by id); each engineer's newest in-progress task."""
    rows = _engineers(request.dbsession)
    in_progress: dict[int, list] = {}
    for task in engineer_tasks(request.dbsession, [person.id for person, _ in rows], "in_progress",
                               columns=BOARD_TASK_COLUMNS):
        in_progress.setdefault(task.engineer_id, []).append(task)
    locations: dict[str, list] = {}
    for person, presence in rows:
        tasks = in_progress.get(person.id, [])
        task = tasks[0] if tasks else None
        locations.setdefault(person.location or NO_LOCATION, []).append({
            "userId": person.id, "workId": person.work_id, "name": person.name, "avatar": person.avatar,
            "status": shown_status(request.registry, presence, working_since(tasks)),
            "currentTaskId": task.task_code if task else None, "currentTaskName": task.title if task else None,
            "lastActiveTime": isoformat_utc_ms(presence.last_active_time) if presence else None,
        })
    data = [{"location": name, "engineers": people} for name, people in locations.items()]
    return ok(request, {"locations": data}, "获取成功")


@engineers_status.put(schema=UpdateStatusRequest(), permission=AUTHENTICATED)
def update_own_status(request):
    user = current_user(request)
    if user.role != ENGINEER:
        raise Forbidden("只有工程师可以更新状态")
    set_status(request.dbsession, request.registry.clock, user, request.validated["body"]["status"])
    return ok(request, None, "状态更新成功")


@engineer.get(permission=AUTHENTICATED)
def get_engineer(request):
    rows = _engineers(request.dbsession, User.id == path_id(request, "userId", "工程师不存在"))
    if not rows:
        raise NotFound("工程师不存在")
    person, presence = rows[0]
    current = engineer_tasks(request.dbsession, [person.id], "in_progress")
    completed = engineer_tasks(request.dbsession, [person.id], "completed", limit=COMPLETED_TASKS_SHOWN)
    return ok(request, {
        "userId": person.id, "workId": person.work_id, "name": person.name, "avatar": person.avatar,
        "department": person.department, "location": person.location,
        "status": shown_status(request.registry, presence, working_since([task for _, task in current])),
        "mobile": person.mobile,
        "currentTasks": [engineer_task_json(task) for _, task in current],
        "completedTasks": [engineer_task_json(task) for _, task in completed],
    }, "获取成功")


@other_contacts.get(schema=OtherContactsRequest(), permission=AUTHENTICATED)
def list_other_contacts(request):
    statement = select(User).where(User.is_active.is_(True), User.role != ENGINEER).order_by(User.id)
    keyword = request.validated["querystring"]["keyword"]
    if keyword:
        statement = statement.where(contains_text(keyword, User.name, User.work_id, User.department, User.mobile))
    people = request.dbsession.scalars(statement)
    return ok(request, {"list": [
        {"userId": p.id, "workId": p.work_id, "name": p.name, "avatar": p.avatar, "department": p.department,
         "role": p.role, "mobile": p.mobile} for p in people]}, "获取成功")


SERVICES = (engineers_status, engineer, other_contacts)
