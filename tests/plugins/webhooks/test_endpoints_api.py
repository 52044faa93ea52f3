"""The admin's endpoint API: register, list, change, disable, delete; bad input names the field."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.toolkit import transaction_scope
from plugins.webhooks.models import WebhookEndpoint
from plugins.webhooks.signing import new_secret
from tests.plugins.webhooks.conftest import API, register


def endpoint_rows(site) -> int:
    with transaction_scope(site.registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(WebhookEndpoint))


def test_the_event_types_are_those_the_enabled_plugins_publish(site, admin):
    listed = site.get(f"{API}/event_types", headers=site.headers(admin)).json["data"]
    assert {"schedule.created", "schedule.updated", "schedule.deleted", "customer.changed",
            "task.changed"} <= {item["type"] for item in listed}
    assert all(item["description"] for item in listed)


@pytest.mark.plugins("webhooks", "contacts")
def test_without_the_schedule_plugin_its_events_are_not_offered(site, admin):
    listed = {item["type"] for item in site.get(f"{API}/event_types", headers=site.headers(admin)).json["data"]}
    assert "customer.changed" in listed and "schedule.created" not in listed
    answer = register(site, admin, "https://example.com/hook", event_types=["schedule.created"], status=400)
    assert "event_types.0" in answer["data"]


def test_register_list_change_and_delete(site, admin):
    secret = new_secret()
    created = register(site, admin, "https://example.com/hook", description="ERP", secret=secret)["data"]
    assert created["secret"] == secret and created["is_active"] is True
    listed = site.get(f"{API}/endpoints", headers=site.headers(admin)).json["data"]
    assert listed["count"] == 1 and "secret" not in listed["results"][0]

    path = f"{API}/endpoints/{created['id']}"
    changed = site.patch_json(path, {"event_types": ["schedule.deleted", "schedule.deleted"], "is_active": False},
                              headers=site.headers(admin)).json["data"]
    assert changed["event_types"] == ["schedule.deleted"] and changed["is_active"] is False
    assert "secret" not in changed
    rotated = site.patch_json(path, {"secret": new_secret()}, headers=site.headers(admin)).json["data"]
    assert rotated["secret"] != secret
    assert site.get(path, headers=site.headers(admin)).json["data"]["url"] == "https://example.com/hook"

    site.delete(path, headers=site.headers(admin))
    assert site.get(path, headers=site.headers(admin), status=404).json["code"] == 4004
    assert endpoint_rows(site) == 0


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "https:///no-host"}, "url"),
    ({"url": "https://exa mple.com/"}, "url"),
    ({"url": "http://[::1/"}, "url"),
    ({"event_types": []}, "event_types"),
    ({"event_types": ["schedule.exploded"]}, "event_types.0"),
    ({"secret": "hunter2"}, "secret"),
    ({"secret": "whsec_c2hvcnQ="}, "secret"),
    ({"secret": "whsec_not*base64"}, "secret"),
    ({"description": "x" * 501}, "description"),
])
def test_bad_input_names_the_field_and_writes_nothing(site, admin, body, field):
    full = {"url": "https://example.com/hook", "event_types": ["schedule.created"], **body}
    answer = site.post_json(f"{API}/endpoints", full, headers=site.headers(admin), status=400).json
    assert answer["code"] == 4001 and field in answer["data"]
    assert endpoint_rows(site) == 0


def test_only_admins_manage_endpoints(site, admin):
    engineer = site.create_user("eng")
    created = register(site, admin, "https://example.com/hook")["data"]
    headers = site.headers(engineer)
    assert site.get(f"{API}/endpoints", headers=headers, status=403).json["code"] == 4003
    site.post_json(f"{API}/endpoints", {"url": "https://evil.example/", "event_types": ["schedule.created"]},
                   headers=headers, status=403)
    site.delete(f"{API}/endpoints/{created['id']}", headers=headers, status=403)
    site.get(f"{API}/endpoints/{created['id']}/deliveries", headers=headers, status=403)
    site.get(f"{API}/endpoints", status=401)
    assert endpoint_rows(site) == 1


def test_unknown_endpoints_answer_404(site, admin):
    site.get(f"{API}/endpoints/99", headers=site.headers(admin), status=404)
    site.patch_json(f"{API}/endpoints/99", {"is_active": False}, headers=site.headers(admin), status=404)
    site.get(f"{API}/endpoints/99999999999/deliveries", headers=site.headers(admin), status=404)
