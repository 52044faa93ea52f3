"""``GET /api/customer/schedules/upcoming_reminders/``: the caller's reminders due in the next hours."""
from __future__ import annotations

import colander

from core.toolkit import api_service, current_user, ok
from plugins.schedule.reminders.upcoming import upcoming_for

upcoming = api_service(
    name="schedule.upcoming_reminders", path="/api/customer/schedules/upcoming_reminders/",
    description="The caller's own reminders (their schedules' and those they attend) due within the next "
                "`hours` (admins too see only their own).")


class UpcomingQuery(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Integer(), name="hours", missing=24, validator=colander.Range(min=1, max=720),
                            description="未来多少小时内的提醒，默认24，1–720"))


@upcoming.get(schema=UpcomingQuery(), permission="authenticated")
def upcoming_reminders(request):
    items = upcoming_for(request.dbsession, request.registry, current_user(request),
                         request.validated["querystring"]["hours"])
    return ok(request, {"count": len(items), "reminders": items}, "获取成功")
