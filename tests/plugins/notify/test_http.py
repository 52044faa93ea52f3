"""post_json against a real local server: what each kind of answer becomes."""
import datetime as dt
import email.utils

import pytest

from plugins.notify import post_json
from plugins.notify.http import retry_after_seconds

#: a chat robot's address on the local server: the token in the query string is a secret
ROBOT = "/robot/send?access_token=secret-token"
PAYLOAD = {"msgtype": "text", "text": {"content": "日程提醒: 客户拜访"}}


def test_a_2xx_is_sent_and_the_payload_arrives_as_utf8_json_with_the_headers_given(json_server):
    json_server.answer(200, {"ok": True})

    answer = post_json(json_server.url + ROBOT, PAYLOAD, timeout=5, headers={"Idempotency-Key": "k-1"}, label="robot")

    assert answer.result.ok and answer.status == 200 and answer.json() == {"ok": True}
    (post,) = json_server.requests
    assert post.json == PAYLOAD and post.path == ROBOT
    assert post.headers["Content-Type"] == "application/json; charset=utf-8"
    assert post.headers["Idempotency-Key"] == "k-1"


@pytest.mark.parametrize("status, transient", [(408, True), (429, True), (500, True), (502, True), (503, True),
                                               (400, False), (401, False), (403, False), (404, False), (422, False)])
def test_408_429_and_5xx_are_retried_later_other_4xx_fail(json_server, status, transient):
    json_server.answer(status, {"errcode": 1})

    answer = post_json(json_server.url + ROBOT, PAYLOAD, timeout=5, label="robot")

    assert (answer.result.ok, answer.result.transient, answer.status) == (False, transient, status)
    assert answer.result.detail.startswith(f"robot: HTTP {status}")
    assert answer.json() == {"errcode": 1}  # the provider's own words stay readable
    assert "secret-token" not in answer.result.detail


def test_retry_after_in_seconds_is_passed_on(json_server):
    json_server.answer(429, headers={"Retry-After": "120"})

    assert post_json(json_server.url + ROBOT, PAYLOAD, timeout=5).result.retry_after == 120


def test_retry_after_as_an_http_date_becomes_seconds_from_now():
    now = dt.datetime(2025, 12, 26, 2, 0, tzinfo=dt.timezone.utc)
    later = email.utils.format_datetime(now + dt.timedelta(minutes=3), usegmt=True)

    assert retry_after_seconds(later, now) == 180
    assert retry_after_seconds(email.utils.format_datetime(now - dt.timedelta(minutes=3), usegmt=True), now) == 0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_a_5xx_without_retry_after_leaves_the_delay_to_the_caller(json_server):
    json_server.answer(503)

    result = post_json(json_server.url + ROBOT, PAYLOAD, timeout=5).result

    assert result.transient and result.retry_after is None


def test_a_refused_connection_is_retried_later(closed_port):
    answer = post_json(closed_port, PAYLOAD, timeout=5, label="robot")

    assert (answer.status, answer.result.ok, answer.result.transient) == (None, False, True)
    assert answer.result.detail.startswith("robot: ")


def test_a_provider_that_never_answers_is_retried_later(silent_provider):
    answer = post_json(silent_provider, PAYLOAD, timeout=0.2, label="robot")

    assert (answer.status, answer.result.ok, answer.result.transient) == (None, False, True)
    assert "timed out" in answer.result.detail
