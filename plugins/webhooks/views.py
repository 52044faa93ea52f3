"""The admin's API: endpoints (register, list, change, disable, delete), their deliveries, the event types."""
from __future__ import annotations

import json

from sqlalchemy import delete, select

from core.toolkit import NotFound, api_service, current_user, isoformat_local, ok, paginate, path_id
from plugins.webhooks import schemas
from plugins.webhooks.models import WebhookDelivery, WebhookEndpoint
from plugins.webhooks.signing import new_secret

PREFIX = "/api/webhooks"
#: the permission of every webhooks endpoint: endpoints receive every subscribed change on the site
MANAGE_PERMISSION = "webhooks.manage"

event_types = api_service(name="webhooks.event_types", path=f"{PREFIX}/event_types",
                          description="The events this site publishes, to subscribe endpoints to.")
endpoints = api_service(name="webhooks.endpoints", path=f"{PREFIX}/endpoints",
                        description="Registered webhook endpoints; register one (its secret is shown once).")
endpoint = api_service(name="webhooks.endpoint", path=PREFIX + "/endpoints/{id:\\d+}",
                       description="One endpoint: show, change (is_active false disables it), delete.")
deliveries = api_service(name="webhooks.deliveries", path=PREFIX + "/endpoints/{id:\\d+}/deliveries",
                         description="An endpoint's deliveries, newest first, with their outcomes.")

SERVICES = (event_types, endpoints, endpoint, deliveries)


def endpoint_json(registry, found: WebhookEndpoint, with_secret: bool = False) -> dict:
    data = {"id": found.id, "url": found.url, "description": found.description, "event_types": found.event_types,
            "is_active": found.is_active, "creator_id": found.creator_id,
            "created_at": isoformat_local(registry, found.created_at),
            "updated_at": isoformat_local(registry, found.updated_at)}
    if with_secret:
        data["secret"] = found.secret
    return data


def delivery_json(registry, delivery: WebhookDelivery) -> dict:
    local = lambda value: isoformat_local(registry, value)  # noqa: E731
    return {"id": delivery.id, "webhook_id": delivery.event_id, "event_type": delivery.event_type,
            "state": delivery.state, "attempts": delivery.attempts,
            "next_attempt_at": local(delivery.next_attempt_at) if delivery.state == "pending" else None,
            "response_status": delivery.response_status, "detail": delivery.detail,
            "created_at": local(delivery.created_at), "delivered_at": local(delivery.delivered_at),
            "payload": json.loads(delivery.body)}


def _endpoint(request) -> WebhookEndpoint:
    found = request.dbsession.get(WebhookEndpoint, path_id(request, "id", "端点不存在"))
    if found is None:
        raise NotFound("端点不存在")
    return found


@event_types.get(permission=MANAGE_PERMISSION)
def list_event_types(request):
    return ok(request, [{"type": name, "description": text}
                        for name, text in sorted(request.registry.webhooks_event_types.items())], "获取成功")


@endpoints.get(schema=schemas.ListEndpointsRequest(), permission=MANAGE_PERMISSION)
def list_endpoints(request):
    query = request.validated["querystring"]
    page = paginate(request.dbsession, select(WebhookEndpoint).order_by(WebhookEndpoint.id), query["page"],
                    query["limit"])
    return ok(request, page.as_count_next_previous(
        request, [endpoint_json(request.registry, found) for found in page.items]), "获取成功")


@endpoints.post(schema=schemas.CreateEndpointRequest(), permission=MANAGE_PERMISSION)
def create_endpoint(request):
    body = request.validated["body"]
    now = request.registry.clock.now()
    created = WebhookEndpoint(url=body["url"], description=body["description"], secret=body.get("secret") or new_secret(),
                              event_types=list(dict.fromkeys(body["event_types"])), is_active=body["is_active"],
                              creator_id=current_user(request).id, created_at=now, updated_at=now)
    request.dbsession.add(created)
    request.dbsession.flush()
    return ok(request, endpoint_json(request.registry, created, with_secret=True), "创建成功")


@endpoint.get(permission=MANAGE_PERMISSION)
def get_endpoint(request):
    return ok(request, endpoint_json(request.registry, _endpoint(request)), "获取成功")


@endpoint.patch(schema=schemas.ChangeEndpointRequest(), permission=MANAGE_PERMISSION)
def change_endpoint(request):
    found = _endpoint(request)
    body = request.validated["body"]
    if "event_types" in body:
        body["event_types"] = list(dict.fromkeys(body["event_types"]))
    for name, value in body.items():
        setattr(found, name, value)
    found.updated_at = request.registry.clock.now()
    return ok(request, endpoint_json(request.registry, found, with_secret="secret" in body), "更新成功")


@endpoint.delete(permission=MANAGE_PERMISSION)
def delete_endpoint(request):
    found = _endpoint(request)
    request.dbsession.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == found.id))
    request.dbsession.delete(found)
    return ok(request, {}, "删除成功")


@deliveries.get(schema=schemas.ListDeliveriesRequest(), permission=MANAGE_PERMISSION)
def list_deliveries(request):
    found = _endpoint(request)
    query = request.validated["querystring"]
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == found.id)
    for name in ("state", "event_type"):
        if query[name] is not None:
            statement = statement.where(getattr(WebhookDelivery, name) == query[name])
    page = paginate(request.dbsession, statement.order_by(WebhookDelivery.id.desc()), query["page"], query["limit"])
    return ok(request, page.as_count_next_previous(
        request, [delivery_json(request.registry, delivery) for delivery in page.items]), "获取成功")
