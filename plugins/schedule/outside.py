"""Reminders to people who are not site users: a capability a role must be granted.

A schedule's participants are free-form names with an e-mail address or a phone
number; a channel that reaches them (``email``, ``sms``, …) sends in the site's
name to addresses nobody at the site has vouched for. So that needs the
``schedule.remind_external`` permission of the schedule's organiser (its creator,
in whose name the reminders go): checked when a schedule is saved (403 naming
``participants``) and again when each reminder is sent (those recipients end
``skipped``). The notify plugin counts what does go out against the organiser's
rate limit and the site's daily quota. See docs/notifications.md, "Outside recipients".
"""
from __future__ import annotations

from core.toolkit import Forbidden, Recipient, user_has_permission

from .models import Schedule
from .sharing import recipients_of

REMIND_EXTERNAL = "schedule.remind_external"
#: roles that have the permission unless the ini says otherwise (``tessera.permission.schedule.remind_external``)
DEFAULT_ROLES = ("admin",)
HELD_BACK = f"组织者没有 {REMIND_EXTERNAL} 权限，不发给站外人员"


def is_outside(recipient: Recipient) -> bool:
    return recipient.user_id is None


def outside_addresses(registry, schedule: Schedule) -> list[str]:
    """The addresses of people who are not site users that this schedule's reminders would reach."""
    if not schedule.reminder_enabled:
        return []
    listed = [schedule.reminder_method or ""] + [lead["method"] for lead in schedule.more_reminders or ()]
    methods = {method.strip() for text in listed for method in text.split(",") if method.strip()}
    people = recipients_of(schedule)
    found = []
    for channel in (registry.tessera_channels[m] for m in sorted(methods) if m in registry.tessera_channels):
        # an address a site user of the schedule also has is theirs: the engine sends there once, to them
        theirs = {channel.address_of(person) for person in people if not is_outside(person)}
        found += [address for person in people if is_outside(person)
                  and (address := channel.address_of(person)) is not None and address not in theirs]
    return found


def check_outside_recipients(registry, schedule: Schedule) -> None:
    """On save: refuse (403 naming ``participants``) reminders to outsiders the organiser may not send."""
    if user_has_permission(registry, schedule.creator, REMIND_EXTERNAL):
        return
    addresses = outside_addresses(registry, schedule)
    if addresses:
        raise Forbidden(f"没有 {REMIND_EXTERNAL} 权限：不能向站外人员发送提醒（{', '.join(sorted(set(addresses))[:5])}）",
                        {"participants": [f"向非本站用户发送 {schedule.reminder_method} 提醒需要 {REMIND_EXTERNAL} 权限"]})


def permitted(registry, schedule: Schedule, reachable: list[tuple[Recipient, str]]
              ) -> tuple[list[tuple[Recipient, str]], list[str]]:
    """On send, for the reminder engine: (the recipients to send to, a ``send_result`` line for each
    outsider held back because the organiser lacks the permission — the organiser may have lost it,
    or the schedule predates the rule)."""
    if user_has_permission(registry, schedule.creator, REMIND_EXTERNAL):
        return reachable, []
    return ([(r, a) for r, a in reachable if not is_outside(r)],
            [f"{r.name} <{a}>: skipped（{HELD_BACK}）" for r, a in reachable if is_outside(r)])
