"""Several reminders per schedule: each lead is its own reminder rows, fired at its own time."""
import datetime as dt

import pytest

from core.testing import shanghai
from plugins.schedule.reminders.dispatch import dispatch_due
from tests.plugins.schedule.api_support import call
from tests.plugins.schedule.reminder_support import (  # noqa: F401 - fixtures
    channels,
    create_schedule,
    inbox_titles,
    owner,
    reminder_rows,
)

COURT_LEADS = [{"minutes": 3 * 24 * 60, "method": "system"}, {"minutes": 24 * 60, "method": "system,email"},
               {"minutes": 120, "method": "system"}]


@pytest.fixture
def site(make_site, channels):
    return make_site(plugins=("schedule",), hookimpls=[channels])


def test_three_leads_make_three_reminders_at_the_right_times(site, clock, owner, channels):
    start = shanghai(2026, 1, 10, 9, 0)
    created = create_schedule(site, owner, start, reminder_leads=COURT_LEADS)
    assert (created["reminder_time"], created["reminder_method"]) == (4320, "system")  # the first lead
    assert created["reminder_leads"] == COURT_LEADS
    assert [(row.remind_time, row.remind_method) for row in reminder_rows(site)] == [
        (start - dt.timedelta(days=3), "system"), (start - dt.timedelta(days=1), "email"),
        (start - dt.timedelta(days=1), "system"), (start - dt.timedelta(hours=2), "system")]
    for moment, expected_inbox in ((start - dt.timedelta(days=3), 1), (start - dt.timedelta(days=1), 2),
                                   (start - dt.timedelta(hours=2), 3)):
        clock.set(moment - dt.timedelta(seconds=1))
        dispatch_due(site.registry)
        assert len(inbox_titles(site, owner)) == expected_inbox - 1
        clock.set(moment)
        dispatch_due(site.registry)
        assert len(inbox_titles(site, owner)) == expected_inbox
    assert channels.email.accepted_count() == {"lawyer@example.com": 1}


def test_patching_reminder_time_changes_the_first_lead_and_null_keeps_only_it(site, owner):
    leads = [{"minutes": 4320}, {"minutes": 1440}, {"minutes": 120}]
    created = create_schedule(site, owner, shanghai(2026, 1, 10, 9, 0), reminder_leads=leads)
    path = f"{created['id']}/"
    changed = call(site, "PATCH", path, owner, {"reminder_time": 60})["data"]
    assert [lead["minutes"] for lead in changed["reminder_leads"]] == [60, 1440, 120]
    assert len(reminder_rows(site)) == 3
    changed = call(site, "PATCH", path, owner, {"reminder_leads": None})["data"]
    assert changed["reminder_leads"] == [{"minutes": 60, "method": "system"}]
    assert [row.remind_method for row in reminder_rows(site)] == ["system"]


@pytest.mark.parametrize("leads", [[], [{"minutes": 30}] * 2, [{"minutes": n} for n in range(6)],
                                   [{"minutes": -1}], [{"minutes": 30, "method": "pigeon"}]])
def test_bad_leads_are_refused(site, owner, leads):
    answer = call(site, "POST", "", owner, {"title": "x", "schedule_type": "court", "start_time": "2026-01-10T09:00:00",
                                            "reminder_leads": leads}, expect=400)
    assert list(answer["data"])[0].startswith("reminder_leads")
    assert reminder_rows(site) == []


def test_a_lead_changed_after_the_reminder_rang_does_not_ring_late(site, clock, owner):
    start = shanghai(2025, 12, 26, 10, 40)
    created = create_schedule(site, owner, start)  # rings at 10:10
    clock.set(shanghai(2025, 12, 26, 10, 10))
    dispatch_due(site.registry)
    call(site, "PATCH", f"{created['id']}/", owner, {"reminder_leads": [{"minutes": 60}, {"minutes": 10}]})
    dispatch_due(site.registry)  # the 60-minute lead's time (09:40) has passed: no late second message
    assert len(inbox_titles(site, owner)) == 1
    clock.set(shanghai(2025, 12, 26, 10, 30))
    dispatch_due(site.registry)  # the 10-minute lead rings on time
    assert len(inbox_titles(site, owner)) == 2
