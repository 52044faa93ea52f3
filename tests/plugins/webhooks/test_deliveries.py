"""Events reach a registered endpoint once, signed, and again after it failed; outcomes are listed."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from core.testing import shanghai
from core.toolkit import publish_event, transaction_scope
from plugins.webhooks.dispatch import claim_batch, deliver, dispatch_due
from plugins.webhooks.models import WebhookDelivery
from plugins.webhooks.settings import WebhookSettings
from tests.plugins.webhooks.conftest import API, SCHEDULES, create_schedule, events, received, register

UTC = dt.timezone.utc


def verify(secret: str, headers: dict, body: str) -> None:
    """What a receiver does with the reference Standard Webhooks library (its clock check aside: ours is fixed)."""
    sent_at = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], sent_at, body)
    assert expected in headers["webhook-signature"].split(" ")


def deliveries(site, admin, endpoint_id: int, **params) -> list[dict]:
    return site.get(f"{API}/endpoints/{endpoint_id}/deliveries", params=params,
                    headers=site.headers(admin)).json["data"]["results"]


def outbox_rows(site) -> int:
    with transaction_scope(site.registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(WebhookDelivery))


def test_each_event_arrives_once_signed_and_listed(site, admin, receiver, clock):
    endpoint = register(site, admin, receiver.url)["data"]
    assert endpoint["secret"].startswith("whsec_")
    owner = site.create_user("lawyer")
    schedule = create_schedule(site, owner, title="开庭")

    report = dispatch_due(site.registry)
    assert (report.claimed, report.delivered) == (1, 1)
    assert dispatch_due(site.registry).claimed == 0  # nothing is sent twice

    [(headers, body)] = received(receiver)
    verify(endpoint["secret"], headers, body)
    [event] = events(receiver)
    assert event["type"] == "schedule.created"
    assert event["id"] == headers["webhook-id"]
    assert event["data"]["id"] == schedule["id"] and event["data"]["title"] == "开庭"
    assert headers["webhook-timestamp"] == str(int(clock.now().timestamp()))

    [listed] = deliveries(site, admin, endpoint["id"])
    assert listed["webhook_id"] == event["id"]
    assert (listed["state"], listed["attempts"], listed["response_status"]) == ("delivered", 1, 200)
    assert listed["payload"] == event


def test_a_failed_attempt_is_retried_after_the_back_off_with_the_same_id(site, admin, receiver, clock):
    endpoint = register(site, admin, receiver.url)["data"]
    receiver.answer(500, "not now")
    create_schedule(site, site.create_user("lawyer"))

    assert dispatch_due(site.registry).retrying == 1
    [first] = deliveries(site, admin, endpoint["id"])
    assert (first["state"], first["attempts"], first["response_status"]) == ("pending", 1, 500)
    assert "HTTP 500" in first["detail"]

    clock.advance(seconds=30)
    assert dispatch_due(site.registry).claimed == 0  # not due before the back-off ends
    clock.advance(seconds=30)
    assert dispatch_due(site.registry).delivered == 1

    assert len(received(receiver)) == 2
    (first_headers, first_body), (second_headers, second_body) = received(receiver)
    assert second_headers["webhook-id"] == first_headers["webhook-id"] and second_body == first_body
    assert int(second_headers["webhook-timestamp"]) - int(first_headers["webhook-timestamp"]) == 60
    verify(endpoint["secret"], second_headers, second_body)
    [settled] = deliveries(site, admin, endpoint["id"])
    assert (settled["state"], settled["attempts"], settled["response_status"]) == ("delivered", 2, 200)


def test_attempts_double_their_wait_and_give_up_as_failed(make_site, clock, receiver):
    site = make_site(settings={"tessera.webhooks.max_attempts": "3", "tessera.webhooks.retry_seconds": "60"})
    admin = site.create_user("root", role="admin")
    endpoint = register(site, admin, receiver.url)["data"]
    for _attempt in range(3):
        receiver.answer(503)
    create_schedule(site, site.create_user("lawyer"))
    dispatch_due(site.registry)
    clock.advance(seconds=60)
    dispatch_due(site.registry)
    clock.advance(seconds=119)
    assert dispatch_due(site.registry).claimed == 0
    clock.advance(seconds=1)
    assert dispatch_due(site.registry).failed == 1
    clock.advance(days=1)
    assert dispatch_due(site.registry).claimed == 0
    [failed] = deliveries(site, admin, endpoint["id"], state="failed")
    assert failed["attempts"] == 3 and "3 次尝试后放弃" in failed["detail"]
    assert len(received(receiver)) == 3


def test_a_redirect_is_not_followed_and_counts_as_not_received(site, admin, receiver):
    endpoint = register(site, admin, receiver.url)["data"]
    receiver.answer(302, headers={"Location": receiver.url + "/elsewhere"})
    create_schedule(site, site.create_user("lawyer"))
    assert dispatch_due(site.registry).retrying == 1
    assert len(received(receiver)) == 1
    assert deliveries(site, admin, endpoint["id"])[0]["response_status"] == 302


def test_an_unreachable_endpoint_is_retried(site, admin, receiver):
    endpoint = register(site, admin, "http://127.0.0.1:9/nobody-listens")["data"]
    create_schedule(site, site.create_user("lawyer"))
    assert dispatch_due(site.registry).retrying == 1
    [pending] = deliveries(site, admin, endpoint["id"])
    assert pending["state"] == "pending" and pending["response_status"] is None and pending["detail"]


def test_only_subscribed_types_are_written_and_every_endpoint_gets_its_copy(site, admin, receiver):
    updates_only = register(site, admin, receiver.url, event_types=["schedule.updated"])["data"]
    everything = register(site, admin, receiver.url + "/all")["data"]
    owner = site.create_user("lawyer")
    schedule = create_schedule(site, owner)
    site.patch_json(f"{SCHEDULES}/{schedule['id']}/", {"title": "改期"}, headers=site.headers(owner))
    site.delete(f"{SCHEDULES}/{schedule['id']}/", headers=site.headers(owner))
    dispatch_due(site.registry)
    assert [d["event_type"] for d in deliveries(site, admin, updates_only["id"])] == ["schedule.updated"]
    assert [d["event_type"] for d in deliveries(site, admin, everything["id"])] == [
        "schedule.deleted", "schedule.updated", "schedule.created"]
    assert len(received(receiver)) == 4


def test_a_disabled_endpoint_stops_receiving(site, admin, receiver):
    endpoint = register(site, admin, receiver.url)["data"]
    owner = site.create_user("lawyer")
    create_schedule(site, owner, allow_conflict=True)  # written while active, not yet sent
    site.patch_json(f"{API}/endpoints/{endpoint['id']}", {"is_active": False}, headers=site.headers(admin))
    create_schedule(site, owner, allow_conflict=True)  # not written at all

    report = dispatch_due(site.registry)
    assert (report.claimed, report.cancelled) == (1, 1)
    assert received(receiver) == []
    [cancelled] = deliveries(site, admin, endpoint["id"])
    assert cancelled["state"] == "cancelled" and "停用" in cancelled["detail"]

    site.patch_json(f"{API}/endpoints/{endpoint['id']}", {"is_active": True}, headers=site.headers(admin))
    create_schedule(site, owner, allow_conflict=True)
    assert dispatch_due(site.registry).delivered == 1


def test_nothing_is_written_when_the_change_rolls_back(site, admin, receiver):
    register(site, admin, receiver.url)
    with pytest.raises(RuntimeError):
        with transaction_scope(site.registry) as dbsession:
            publish_event(site.registry, dbsession, "schedule.created", {"id": 1})
            assert dbsession.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
            raise RuntimeError("the change failed after its event")
    assert outbox_rows(site) == 0


def test_a_worker_that_died_mid_delivery_is_taken_over_after_its_lease(site, admin, receiver, clock):
    register(site, admin, receiver.url)
    create_schedule(site, site.create_user("lawyer"))
    settings = WebhookSettings.of(site.registry)
    [claimed] = claim_batch(site.registry, settings, "dead-worker")  # claims, then never sends
    assert dispatch_due(site.registry).claimed == 0  # the lease holds

    clock.advance(seconds=settings.lease.total_seconds() + 1)
    assert dispatch_due(site.registry, worker="alive").delivered == 1
    assert deliver(site.registry, settings, "dead-worker", claimed) == "lost"  # the dead one comes back: too late
    assert len(received(receiver)) == 1


def test_contacts_changes_are_events_too(site, admin, receiver):
    register(site, admin, receiver.url, event_types=["customer.changed", "task.changed"])
    sales = site.create_user("sales", role="sales")
    engineer = site.create_user("eng", role="engineer")
    customer = site.post_json("/api/v1/contacts/customers", {
        "name": "上海医疗器械有限公司", "level": "A", "contact": "张经理", "phone": "13800138001",
        "address": "上海市浦东新区", "engineerIds": [engineer.id]}, headers=site.headers(sales)).json["data"]
    site.post_json(f"/api/v1/contacts/customers/{customer['customerId']}/tasks", {
        "title": "气相色谱仪维修", "taskType": "repair", "engineerIds": [engineer.id]}, headers=site.headers(sales))
    dispatch_due(site.registry)
    customer_event, task_event = events(receiver)
    assert customer_event["type"] == "customer.changed" and customer_event["data"]["action"] == "created"
    assert customer_event["data"]["customer"]["engineerIds"] == [engineer.id]
    assert task_event["type"] == "task.changed" and task_event["data"]["task"]["title"] == "气相色谱仪维修"


def test_reminder_outcomes_are_events(site, admin, receiver, clock):
    register(site, admin, receiver.url, event_types=["reminder.sent", "reminder.failed"])
    schedule = create_schedule(site, site.create_user("lawyer"), reminder_time=30)  # 2025-12-27 14:00 in Shanghai
    clock.set(shanghai(2025, 12, 27, 13, 31))
    site.run_periodic_tasks()  # the reminder engine sends, the webhook outbox delivers what it published
    [event] = events(receiver)
    assert event["type"] == "reminder.sent"
    assert (event["data"]["schedule_id"], event["data"]["remind_method"]) == (schedule["id"], "system")
    assert event["data"]["occurrence_start"] == "2025-12-27T14:00:00+08:00"
