"""The built-in ``system`` channel: messages land in a user's inbox, read through /api/notifications."""
import pytest
from sqlalchemy import func, select

from core.channels import Notification, Recipient
from core.db import transaction_scope
from core.inbox import InboxMessage


@pytest.fixture
def site(make_site):
    return make_site(plugins=[])


def deliver(site, user, title, source=None, source_id=None):
    """Send through the site's real ``system`` channel, as the reminder engine does."""
    channel = site.registry.tessera_channels["system"]
    recipient = Recipient(name=user.name, user_id=user.id)
    notification = Notification(template="visit_reminder", subject=title, text=f"{title} text",
                                source=source, source_id=source_id)
    result = channel.send(notification, recipient, channel.address_of(recipient))
    assert result.ok
    return int(result.detail.rsplit(" ", 1)[-1])


def unread_in_db(site, user):
    with transaction_scope(site.registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(InboxMessage)
                                .where(InboxMessage.user_id == user.id, InboxMessage.is_read.is_(False)))


def test_the_system_channel_reaches_only_platform_users(site):
    channel = site.registry.tessera_channels["system"]
    assert channel.address_of(Recipient(name="外部参与人", email="guest@example.com", mobile="13800138000")) is None
    assert channel.address_of(Recipient(name="张三", user_id=7)) == "7"


def test_inbox_lists_unread_first_newest_first_with_unread_count(site, clock):
    alice, bob = site.create_user("alice"), site.create_user("bob")
    first = deliver(site, alice, "first", source="visit", source_id=11)
    clock.advance(minutes=1)
    second = deliver(site, alice, "second")
    third = deliver(site, alice, "third")
    deliver(site, bob, "for bob")
    site.post(f"/api/notifications/{third}/read", headers=site.headers(alice))

    body = site.get("/api/notifications", headers=site.headers(alice)).json
    assert body["code"] == 2000
    data = body["data"]
    assert data["count"] == 3 and data["unread_count"] == 2
    assert [m["id"] for m in data["results"]] == [second, first, third]
    assert data["results"][1] == {
        "id": first, "title": "first", "content": "first text", "source": "visit", "source_id": 11, "is_read": False,
        "create_datetime": "2025-12-26T10:00:00+08:00", "snoozed_until": None}
    assert data["results"][2]["is_read"] is True
    assert data["results"][0]["source"] is None and data["results"][0]["source_id"] is None


def test_a_registered_source_answers_its_own_id_field_on_every_message(make_site):
    """The schedule plugin registers ``schedule``: clients keep reading ``schedule_id`` as before the generic link."""
    site = make_site(plugins=["schedule"])
    alice = site.create_user("alice")
    linked = deliver(site, alice, "linked", source="schedule", source_id=11)
    elsewhere = deliver(site, alice, "elsewhere", source="visit", source_id=12)
    plain = deliver(site, alice, "plain")
    results = {m["id"]: m for m in site.get("/api/notifications", headers=site.headers(alice)).json["data"]["results"]}
    assert (results[linked]["schedule_id"], results[linked]["source"], results[linked]["source_id"]) == (11, "schedule", 11)
    assert results[elsewhere]["schedule_id"] is None and results[elsewhere]["source_id"] == 12
    assert results[plain]["schedule_id"] is None
    marked = site.post(f"/api/notifications/{linked}/read", headers=site.headers(alice)).json["data"]
    assert marked["schedule_id"] == 11


def test_inbox_pages(site):
    alice = site.create_user("alice")
    ids = [deliver(site, alice, f"m{n}") for n in range(3)]
    first_page = site.get("/api/notifications?limit=2", headers=site.headers(alice)).json["data"]
    assert [m["id"] for m in first_page["results"]] == [ids[2], ids[1]]
    assert first_page["next"].endswith("page=2") and first_page["previous"] is None
    second_page = site.get("/api/notifications?limit=2&page=2", headers=site.headers(alice)).json["data"]
    assert [m["id"] for m in second_page["results"]] == [ids[0]] and second_page["next"] is None
    assert second_page["unread_count"] == 3


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("page=0", "page"),
                                          ("limit=many", "limit")])
def test_bad_paging_is_refused_naming_the_field(site, query, field):
    alice = site.create_user("alice")
    body = site.get(f"/api/notifications?{query}", headers=site.headers(alice), status=400).json
    assert body["code"] == 4001 and field in body["data"]


def test_marking_one_read_changes_only_that_message(site):
    alice = site.create_user("alice")
    kept, read = deliver(site, alice, "kept"), deliver(site, alice, "read")
    answer = site.post(f"/api/notifications/{read}/read", headers=site.headers(alice)).json
    assert answer["code"] == 2000 and answer["data"]["id"] == read and answer["data"]["is_read"] is True
    data = site.get("/api/notifications", headers=site.headers(alice)).json["data"]
    assert data["unread_count"] == 1 and [m["id"] for m in data["results"]] == [kept, read]
    # marking it again is harmless
    site.post(f"/api/notifications/{read}/read", headers=site.headers(alice))
    assert unread_in_db(site, alice) == 1


def test_read_all_marks_only_the_callers_messages(site):
    alice, bob = site.create_user("alice"), site.create_user("bob")
    deliver(site, alice, "a1")
    deliver(site, alice, "a2")
    deliver(site, bob, "b1")
    answer = site.post("/api/notifications/read_all", headers=site.headers(alice)).json
    assert answer["code"] == 2000 and answer["data"] == {"updated_count": 2}
    assert unread_in_db(site, alice) == 0 and unread_in_db(site, bob) == 1
    assert site.post("/api/notifications/read_all", headers=site.headers(alice)).json["data"] == {"updated_count": 0}


def test_another_users_notification_is_not_found_and_stays_unread(site):
    alice, bob = site.create_user("alice"), site.create_user("bob")
    bobs = deliver(site, bob, "private")
    body = site.post(f"/api/notifications/{bobs}/read", headers=site.headers(alice), status=404).json
    assert body["code"] == 4004
    assert unread_in_db(site, bob) == 1
    assert site.get("/api/notifications", headers=site.headers(alice)).json["data"]["count"] == 0
    site.post(f"/api/notifications/{bobs + 1000}/read", headers=site.headers(alice), status=404)
    site.post("/api/notifications/not-a-number/read", headers=site.headers(alice), status=404)
    site.post("/api/notifications/99999999999999999999/read", headers=site.headers(alice), status=404)


def test_every_inbox_endpoint_needs_a_token(site):
    alice = site.create_user("alice")
    message = deliver(site, alice, "hello")
    assert site.get("/api/notifications", status=401).json["code"] == 401
    site.post(f"/api/notifications/{message}/read", status=401)
    site.post("/api/notifications/read_all", status=401)
    assert unread_in_db(site, alice) == 1


def test_a_snoozed_notification_comes_back_unread_after_its_minutes(site, clock):
    alice, bob = site.create_user("alice"), site.create_user("bob")
    message = deliver(site, alice, "开庭提醒")
    site.post(f"/api/notifications/{message}/read", headers=site.headers(alice))
    snoozed = site.post_json(f"/api/notifications/{message}/snooze", {"minutes": 10}, headers=site.headers(alice)).json
    assert snoozed["data"]["snoozed_until"] == "2025-12-26T10:10:00+08:00"
    listed = lambda: site.get("/api/notifications", headers=site.headers(alice)).json["data"]  # noqa: E731
    assert (listed()["count"], listed()["unread_count"]) == (0, 0)
    site.post("/api/notifications/read_all", headers=site.headers(alice))  # does not touch what is put away
    clock.advance(minutes=10)
    data = listed()
    assert data["unread_count"] == 1 and [m["id"] for m in data["results"]] == [message]
    site.post_json(f"/api/notifications/{message}/snooze", {"minutes": 10}, headers=site.headers(bob), status=404)
    bad = site.post_json(f"/api/notifications/{message}/snooze", {"minutes": 0}, headers=site.headers(alice), status=400)
    assert list(bad.json["data"]) == ["minutes"]
