"""The webhook channel as a site sees it: enabled by the ini, found by its entry point, posting to a real server."""
import pytest

from core.toolkit import ConfigurationError, Notification, Recipient

REMINDER = Notification(template="schedule_reminder", subject="日程提醒: 客户拜访",
                        text="您的日程「客户拜访」将于 2025-12-26 15:00 开始。",
                        params={"title": "客户拜访", "time": "2025-12-26 15:00", "schedule_id": 7})
PERSON = Recipient(name="张三", user_id=3, email="zhang@example.com", mobile="13800138000")


def test_the_channel_posts_the_reminder_as_json(make_registry, webhook):
    channel = make_registry(**{"tessera.notify_webhook.url": webhook.url}).tessera_channels["webhook"]

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert result.ok
    (post,) = webhook.posts
    assert post["path"] == "/cgi-bin/webhook/send?key=robot-key-123"
    assert post["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert post["json"] == {"template": "schedule_reminder", "subject": "日程提醒: 客户拜访", "text": REMINDER.text,
                            "params": REMINDER.params, "recipient": {"name": "张三", "user_id": 3}}


def test_the_address_shown_in_records_hides_the_robots_key(make_registry, webhook):
    channel = make_registry(**{"tessera.notify_webhook.url": webhook.url}).tessera_channels["webhook"]

    address = channel.address_of(PERSON)

    assert "robot-key-123" not in address and address.endswith("/cgi-bin/webhook/send")
    assert channel.address_of(Recipient(name="没有联系方式的人")) == address  # the group is everyone's address


def test_the_wecom_format_is_a_robot_text_message_mentioning_the_mobile(make_registry, webhook):
    channel = make_registry(**{"tessera.notify_webhook.url": webhook.url,
                               "tessera.notify_webhook.format": "wecom"}).tessera_channels["webhook"]

    assert channel.send(REMINDER, PERSON, channel.address_of(PERSON)).ok

    assert webhook.posts[0]["json"] == {"msgtype": "text", "text": {
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
def test_failures_are_transient_or_permanent(make_registry, webhook, status, body, payload_format, transient):
    channel = make_registry(**{"tessera.notify_webhook.url": webhook.url,
                               "tessera.notify_webhook.format": payload_format}).tessera_channels["webhook"]
    webhook.answers.append((status, body))

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert (result.ok, result.transient) == (False, transient)
    assert "robot-key-123" not in result.detail


def test_a_webhook_that_cannot_be_reached_is_transient(make_registry, webhook):
    channel = make_registry(**{"tessera.notify_webhook.url": webhook.url}).tessera_channels["webhook"]
    webhook.stop()

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert (result.ok, result.transient) == (False, True)


@pytest.mark.parametrize("url", [None, "", "ftp://example.com/hook", "not a url"])
def test_without_a_usable_url_start_up_stops_naming_the_setting(make_registry, url):
    settings = {} if url is None else {"tessera.notify_webhook.url": url}

    with pytest.raises(ConfigurationError, match="tessera.notify_webhook.url") as error:
        make_registry(**settings)

    assert "robot-key" not in str(error.value)


def test_not_listed_in_the_ini_means_no_channel(make_registry):
    registry = make_registry(**{"tessera.plugins": ""})

    assert "webhook" not in registry.tessera_channels
    assert "notify_webhook" in registry.tessera_installed_plugins
