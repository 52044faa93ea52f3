"""Endpoints of shared calendars: answering an invitation, calendar grants, free/busy."""
from __future__ import annotations

from core.toolkit import AUTHENTICATED, BadRequest, api_service, current_user, isoformat_local, ok, path_id

from . import schemas
from .delegation import busy_intervals, grant, grant_json, grants_of, revoke
from .shapes import schedule_detail_json
from .sharing import respond
from .views import PREFIX
from .windows import Window

respond_service = api_service(name="schedule.respond", path=PREFIX + "/{id:\\d+}/respond/",
                              description="An attendee (a participant with their user_id) answers the invitation.")
delegations = api_service(name="schedule.delegations", path=f"{PREFIX}/delegations/",
                          description="Calendar grants the caller gave (`granted`) and received (`received`); "
                                      "POST grants (or changes) freebusy/read/write on the caller's calendar.")
delegation = api_service(name="schedule.delegation", path=PREFIX + "/delegations/{id:\\d+}/",
                         description="Revoke a grant (its owner), or give it up (its grantee).")
free_busy = api_service(name="schedule.free_busy", path=f"{PREFIX}/free_busy/",
                        description="Busy intervals of several users' calendars in a window; titles only where "
                                    "the caller may read them.")

SERVICES = (respond_service, delegations, delegation, free_busy)


@respond_service.post(schema=schemas.RespondRequest(), permission=AUTHENTICATED)
def answer_invitation(request):
    schedule = respond(request.dbsession, request.registry, current_user(request), path_id(request, "id", "日程不存在"),
                       request.validated["body"]["response"])
    return ok(request, schedule_detail_json(request, schedule), "答复成功")


@delegations.get(permission=AUTHENTICATED)
def list_grants(request):
    granted, received = grants_of(request.dbsession, current_user(request))
    return ok(request, {"granted": [grant_json(request.registry, row) for row in granted],
                        "received": [grant_json(request.registry, row) for row in received]}, "获取成功")


@delegations.post(schema=schemas.GrantRequest(), permission=AUTHENTICATED)
def give_grant(request):
    body = request.validated["body"]
    row = grant(request.dbsession, request.registry, current_user(request), body["grantee_id"], body["access"])
    return ok(request, grant_json(request.registry, row), "授权成功")


@delegation.delete(permission=AUTHENTICATED)
def take_back_grant(request):
    revoke(request.dbsession, current_user(request), path_id(request, "id", "授权不存在"))
    return ok(request, {}, "已撤销授权")


@free_busy.get(schema=schemas.FreeBusyRequest(), permission=AUTHENTICATED)
def list_free_busy(request):
    query = request.validated["querystring"]
    if query["end"] <= query["start"]:
        raise BadRequest.field("end", "结束时间须晚于开始时间")
    if (query["end"] - query["start"]).days >= schemas.MAX_WINDOW_DAYS:
        raise BadRequest.field("end", f"窗口最长 {schemas.MAX_WINDOW_DAYS} 天")
    users = busy_intervals(request.dbsession, request.registry, current_user(request), query["user_ids"],
                           Window(query["start"], query["end"]))
    return ok(request, {"start": isoformat_local(request.registry, query["start"]),
                        "end": isoformat_local(request.registry, query["end"]), "users": users}, "获取成功")
