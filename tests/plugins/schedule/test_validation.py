"""Every invalid input answers 400 / 4001 naming the field, and nothing is written."""
from __future__ import annotations

import pytest

from tests.plugins.schedule.api_support import API, SPEC_EXAMPLE, call, create, rows, snapshot

INVALID = [
    ({"title": ...}, "title"),
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"start_time": None}, "start_time"),
    ({"status": None}, "status"),
    ({"title": "长" * 201}, "title"),
    ({"schedule_type": "party"}, "schedule_type"),
    ({"schedule_type": ...}, "schedule_type"),
    ({"start_time": ...}, "start_time"),
    ({"start_time": "明天下午"}, "start_time"),
    ({"start_time": "0001-01-01T00:00:00+00:01"}, "start_time"),  # a zone shift there would overflow

    ({"end_time": "2025-12-27T13:59:59+08:00"}, "end_time"),
    ({"end_time": "2025-12-27T05:00:00Z"}, "end_time"),
    ({"status": "done"}, "status"),
    ({"priority": "critical"}, "priority"),
    ({"is_all_day": "maybe"}, "is_all_day"),
    ({"reminder_enabled": "perhaps"}, "reminder_enabled"),
    ({"reminder_time": -1}, "reminder_time"),
    ({"reminder_time": 10081}, "reminder_time"),
    ({"reminder_time": "soon"}, "reminder_time"),
    ({"reminder_time": 2.5}, "reminder_time"),
    ({"reminder_method": "fax"}, "reminder_method"),
    ({"reminder_method": "system,pigeon"}, "reminder_method"),
    ({"location": "地" * 501}, "location"),
    ({"related_type": "project"}, "related_type"),
    ({"related_type": "customer", "related_id": None}, "related_id"),
    ({"related_type": None, "related_id": 10}, "related_type"),
    ({"related_id": "ten"}, "related_id"),
    ({"participants": '[{"name": "张三"}]'}, "participants"),
    ({"participants": [{"role": "律师"}]}, "participants.0.name"),
    ({"participants": ["张三"]}, "participants.0"),
    ({"participants": [{"name": "张三", "email": "not-an-email"}]}, "participants.0.email"),
    ({"attachments": [{"name": "a.pdf"}]}, "attachments.0.url"),
    ({"attachments": [{"name": "a.pdf", "url": "/a.pdf", "size": -1}]}, "attachments.0.size"),
    ({"attachments": [{"name": "a.pdf", "url": "/a.pdf", "upload_time": "yesterday"}]}, "attachments.0.upload_time"),
    ({"attachments": "a.pdf"}, "attachments"),
    ({"recurrence_rule": '{"frequency": "daily"}'}, "recurrence_rule"),
    ({"recurrence_rule": {"frequency": "hourly"}}, "recurrence_rule.frequency"),
    ({"recurrence_rule": {"interval": 2}}, "recurrence_rule.frequency"),
    ({"recurrence_rule": {"frequency": "daily", "interval": 0}}, "recurrence_rule.interval"),
    ({"recurrence_rule": {"frequency": "weekly", "by_weekday": [0]}}, "recurrence_rule.by_weekday.0"),
    ({"recurrence_rule": {"frequency": "weekly", "by_weekday": [8]}}, "recurrence_rule.by_weekday.0"),
    ({"recurrence_rule": {"frequency": "monthly", "by_monthday": [0]}}, "recurrence_rule.by_monthday.0"),
    ({"recurrence_rule": {"frequency": "monthly", "by_monthday": [32]}}, "recurrence_rule.by_monthday.0"),
    ({"recurrence_rule": {"frequency": "monthly", "by_monthday": [-2]}}, "recurrence_rule.by_monthday.0"),
    ({"recurrence_rule": {"frequency": "daily", "end_date": "2026-13-01"}}, "recurrence_rule.end_date"),
    ({"recurrence_rule": {"frequency": "daily", "count": 0}}, "recurrence_rule.count"),
    ({"recurrence_rule": {"frequency": "daily", "exdates": ["someday"]}}, "recurrence_rule.exdates.0"),
    ({"recurrence_rule": {"frequency": "daily", "every": 2}}, "recurrence_rule"),
]


@pytest.mark.parametrize("change, field", INVALID, ids=[field for _, field in INVALID])
def test_invalid_create_answers_4001_naming_the_field_and_writes_nothing(site, change, field):
    alice = site.create_user("alice")
    answer = create(site, alice, expect=400, **change)
    assert answer["code"] == 4001, answer
    assert field in answer["data"], answer["data"]
    assert rows(site) == 0


@pytest.mark.parametrize("change, field", [c for c in INVALID if ... not in c[0].values()][::3],
                         ids=[field for change, field in INVALID if ... not in change.values()][::3])
def test_invalid_patch_changes_nothing(site, change, field):
    alice = site.create_user("alice")
    schedule_id = create(site, alice)["data"]["id"]
    before = snapshot(site, schedule_id)
    answer = call(site, "PATCH", f"{API}/{schedule_id}/", alice, change, expect=400)
    assert answer["code"] == 4001 and field in answer["data"]
    assert snapshot(site, schedule_id) == before


def test_sms_is_refused_on_a_site_without_notify_sms(make_site):
    site = make_site(plugins=("schedule",))
    alice = site.create_user("alice")
    answer = create(site, alice, expect=400, reminder_method="system,sms")
    assert "reminder_method" in answer["data"] and rows(site) == 0
    assert create(site, alice, reminder_method="system")["data"]["reminder_method"] == "system"


def test_channels_of_enabled_notification_plugins_are_accepted(site):
    alice = site.create_user("alice")
    accepted = create(site, alice, reminder_method="system, sms,email,sms")["data"]
    assert accepted["reminder_method"] == "system,sms,email"


def test_a_body_that_is_not_json_is_refused(site):
    alice = site.create_user("alice")
    response = site.post(f"{API}/", "{not json", headers={**site.headers(alice), "Content-Type": "application/json"},
                         status=400)
    assert response.json["code"] == 4001 and rows(site) == 0


def test_a_valid_rule_is_stored_as_json_with_its_defaults(site):
    alice = site.create_user("alice")
    rule = {"frequency": "weekly", "by_weekday": [1, 3, 5], "end_date": "2026-12-31", "count": 10,
            "exdates": ["2025-12-29", "2025-12-31T14:00:00+08:00"]}
    data = create(site, alice, start_time="2025-12-26T14:00:00+08:00", end_time="2025-12-26T15:00:00+08:00",
                  recurrence_rule=rule)["data"]
    assert data["recurrence_rule"] == {**rule, "interval": 1}
    assert data["participants"] == SPEC_EXAMPLE["participants"]
    assert call(site, "PATCH", f"{API}/{data['id']}/", alice, {"recurrence_rule": None})["data"]["recurrence_rule"] is None
