"""The webhook channel as a site sees it: enabled by the ini, found by its entry point, posting to a real server.

The fixtures are Tessera's testing kit (core.testing): ``site``/``make_site`` build a real site
with this plugin (conftest.py), ``json_server`` plays the robot.
"""
import dataclasses

import pytest

from core.toolkit import ConfigurationError, Notification, Recipient

REMINDER = Notification(template="schedule_reminder", subject="日程提醒: 客户拜访",
                        text="您的日程「客户拜访」将于 2025-12-26 15:00 开始。",
                        params={"title": "客户拜访", "time": "2025-12-26 15:00", "schedule_id": 7})
PERSON = Recipient(name="张三", user_id=3, email="zhang@example.com", mobile="13800138000")


def test_the_channel_posts_the_reminder_as_json(site, json_server):
    channel = site.registry.tessera_channels["webhook"]

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert result.ok
    (post,) = json_server.requests
    assert (post.method, post.path) == ("POST", "/cgi-bin/webhook/send?key=robot-key-123")
    assert post.headers["Content-Type"] == "application/json; charset=utf-8"
    assert post.json == {"template": "schedule_reminder", "subject": "日程提醒: 客户拜访", "text": REMINDER.text,
                            "params": REMINDER.params, "recipient": {"name": "张三", "user_id": 3}}


def test_the_address_shown_in_records_hides_the_robots_key(site):
    channel = site.registry.tessera_channels["webhook"]

    address = channel.address_of(PERSON)

    assert "robot-key-123" not in address and address.endswith("/cgi-bin/webhook/send")
    assert channel.address_of(Recipient(name="没有联系方式的人")) == address  # the group is everyone's address


def test_the_wecom_format_is_a_robot_text_message_mentioning_the_mobile(make_site, json_server):
    channel = make_site(settings={"tessera.notify_webhook.format": "wecom"}).registry.tessera_channels["webhook"]
    json_server.answer(200, {"errcode": 0, "errmsg": "ok"})

    assert channel.send(REMINDER, PERSON, channel.address_of(PERSON)).ok

    assert json_server.requests[0].json == {"msgtype": "text", "text": {
        "content": "日程提醒: 客户拜访\n您的日程「客户拜访」将于 2025-12-26 15:00 开始。",
        "mentioned_mobile_list": ["13800138000"]}}


@pytest.mark.parametrize("status, body, payload_format, transient", [
    (500, {}, "json", True),
    (503, {}, "json", True),
    (429, {}, "json", True),
    (404, {}, "json", False),
    (400, {}, "json", False),
    (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, "wecom", True),
    (200, {"errcode": 93000, "errmsg": "invalid webhook url"}, "wecom", False),
])
def test_failures_are_transient_or_permanent(make_site, json_server, status, body, payload_format, transient):
    site = make_site(settings={"tessera.notify_webhook.format": payload_format})
    channel = site.registry.tessera_channels["webhook"]
    json_server.answer(status, body)

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert (result.ok, result.transient) == (False, transient)
    assert "robot-key-123" not in result.detail


def test_a_webhook_that_cannot_be_reached_is_transient(site, json_server):
    channel = site.registry.tessera_channels["webhook"]
    json_server.stop()

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert (result.ok, result.transient) == (False, True)


@pytest.mark.parametrize("url", [None, "", "ftp://example.com/hook", "not a url"])
def test_without_a_usable_url_start_up_stops_naming_the_setting(make_site, url):
    with pytest.raises(ConfigurationError, match="tessera.notify_webhook.url") as error:
        make_site(settings={"tessera.notify_webhook.url": url})  # None: not set at all

    assert "robot-key" not in str(error.value)


def test_not_listed_in_the_ini_means_no_channel(make_site):
    registry = make_site(plugins=()).registry

    assert "webhook" not in registry.tessera_channels
    assert "notify_webhook" in registry.tessera_installed_plugins


def test_the_idempotency_key_is_a_header_on_every_attempt(site, json_server):
    channel = site.registry.tessera_channels["webhook"]
    keyed = dataclasses.replace(REMINDER, idempotency_key="rem-7:webhook")
    json_server.answer(503)

    results = [channel.send(keyed, PERSON, channel.address_of(PERSON)) for _ in range(2)]

    assert [(r.ok, r.transient) for r in results] == [(False, True), (True, False)]
    assert [post.headers["Idempotency-Key"] for post in json_server.requests] == ["rem-7:webhook"] * 2


def test_without_a_key_no_idempotency_header_is_sent(site, json_server):
    channel = site.registry.tessera_channels["webhook"]

    channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert "Idempotency-Key" not in json_server.requests[0].headers
