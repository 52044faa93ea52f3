"""Every hook a Tessera plugin may implement, declared once, for third parties to follow.

Implement a hook with a module-level function of the same name in your plugin's
``__init__.py``, decorated with ``core.plugins.hookimpl``. Accept only the
arguments you need: pluggy passes them by name.

Plugins never import each other's modules — except a declared dependency's public
module (``from plugins.notify import …`` with ``depends=("notify",)``, docs/plugins.md);
whatever else one plugin offers another goes through one of these hooks. ``registry`` is always the site's Pyramid
registry (settings, clock, time zone) and ``dbsession`` a session inside the
caller's transaction: don't commit it. Hooks marked *first result* stop at the first
plugin that answers something other than ``None``; for the others every
enabled plugin is called and the answers are collected in a list, in plugin
order (dependencies first) — no hook's meaning depends on that order.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("tessera")


@hookspec
def tessera_notification_channels(registry):
    """Return the notification channels this plugin provides, as a list of ``core.channels.Channel``.

    Called once at start-up, after every plugin's ``includeme``; ``registry`` is the
    Pyramid registry (``registry.settings`` holds the typed settings). Each channel's
    ``name`` must be unique on the site: it is what ``reminder_method`` accepts.
    Order does not matter.
    """


@hookspec(firstresult=True)
def tessera_related_info(registry, dbsession, related_type, related_id, user):
    """Describe an object that a schedule (or anything else) is related to.

    ``related_type`` is a name such as ``customer`` or ``customer_plan``. The plugin that
    owns that type returns a JSON-able dict, at least ``{"id", "name"}`` (contacts adds
    ``contact_person``); a plugin that does not own the type returns ``None``. Return
    ``None`` too when the object does not exist or ``user`` may not see it. First result.
    """


@hookspec(firstresult=True)
def tessera_create_customer_plan(registry, dbsession, user, customer_id, title, plan_time, description, reminder_minutes, schedule_id):
    """Create a follow-up plan for a customer and return its id.

    Called by the schedule plugin's ``create_from_customer_plan`` after it has created
    the plan's schedule (``schedule_id``), so the plan is linked and must not create a
    schedule of its own. ``plan_time`` is a timezone-aware datetime. Raise
    ``core.api.NotFound`` when the customer does not exist or ``user`` may not see it.
    The plugin that owns customer plans answers; others return ``None``. First result.
    """


@hookspec(firstresult=True)
def tessera_create_plan_schedule(registry, dbsession, user, plan_id, customer_id, title, plan_time, description, reminder_minutes):
    """Create the schedule that follows a customer plan and return the schedule's id.

    Called by the contacts plugin when a plan is created through its own API. The
    schedule is of type ``reminder`` with ``related_type`` ``customer_plan`` and
    ``related_id`` ``plan_id``, owned by ``user``, with a reminder ``reminder_minutes``
    before ``plan_time`` (timezone-aware). The schedule plugin answers; without it the
    hook returns ``None`` and the plan has no schedule. First result.
    """


@hookspec
def tessera_related_schedules(registry, dbsession, user, related_type, related_ids, limit):
    """Return upcoming schedules related to some objects, as a list of JSON-able dicts.

    Lets an object's owner show what is planned for it (a customer's next visits)
    without importing the schedule plugin. Each dict has ``id``, ``title``,
    ``start_time`` (ISO 8601), ``status``, ``related_type`` and ``related_id``; at
    most ``limit`` per object, only what ``user`` may see. Plugins that keep no
    schedules return ``None`` or an empty list.
    """


@hookspec
def tessera_authenticated_request(request, user):
    """Called once per request whose bearer token resolved to an active ``user``.

    For light bookkeeping such as "last active" times; keep it cheap (it runs on
    every authenticated request) and never raise. Order does not matter.
    """


@hookspec
def tessera_demo_data(registry, dbsession, rng, scale, progress):
    """Add this plugin's share of a demonstration site (``tessera demo-data``); return nothing.

    The core has already added users of every role (``core.models.User``; read
    them back by ``role``). ``rng`` is a ``random.Random`` seeded by the command:
    draw every random choice from it, in a fixed order, so the same seed gives the
    same site. ``scale`` says how big: ``scale.users``, ``scale.customers`` and
    ``scale.schedules`` (targets for the plugins that keep such things; ignore what
    you don't keep). Insert in bulk (``dbsession.execute(insert(Model), rows)``),
    not object by object: the command promises 100,000 schedules in under a minute.
    Call ``progress(label, done, total)`` now and then so a person sees it move.
    ``dbsession`` is inside the command's one transaction: don't commit it.
    Rows of another plugin are never written: reach it through its hooks.
    Order does not matter.
    """


@hookspec
def tessera_event_types(registry):
    """Return the business events this plugin publishes, as ``{"type": "what it means"}``.

    Types are ``<noun>.<verb>`` (``schedule.created``, ``customer.changed``); each is
    published with ``core.toolkit.publish_event`` and named by exactly one plugin.
    Listeners (the webhooks plugin) offer these to their users to subscribe to.
    Called at start-up and when a listener needs the list; order does not matter.
    """


@hookspec
def tessera_event(registry, dbsession, event):
    """Hear a business event (``core.events.Event``: ``id``, ``type``, ``data``, ``occurred_at``).

    Called by ``core.toolkit.publish_event`` inside the transaction that made the
    change: write what you need with ``dbsession`` (never commit it), so it commits or
    rolls back with the change. Do nothing slow here (no network): queue the work and
    do it after the commit. Ignore types you do not know. Order does not matter.
    """
