"""The platform's hooks: what any Tessera plugin may implement, whatever it is about.

Implement a hook with a module-level function of the same name in your plugin's
``__init__.py``, decorated with ``core.toolkit.hookimpl``. Accept only the
arguments you need: pluggy passes them by name.

Plugins never import each other's modules — except a declared dependency's public
module (``from plugins.notify import …`` with ``depends=("notify",)``, docs/plugins.md);
whatever else one plugin offers another goes through a hook. Only hooks the
platform itself calls live here. A hook about a plugin's business is declared
by the plugin that calls it, in that plugin's ``hookspecs.py`` named by its
``Manifest.hookspecs``; ``tessera plugins --hooks`` lists every hook with who
declares and who implements it. Implementing another plugin's hook, mark it
``@hookimpl(optionalhook=True)``: your plugin then still starts while that
plugin is disabled, and the hook is simply never called.

``registry`` is always the site's Pyramid registry (settings, clock, time zone)
and ``dbsession`` a session inside the caller's transaction: don't commit it.
Hooks marked *first result* stop at the first plugin that answers something
other than ``None``; for the others every enabled plugin is called and the
answers are collected in a list, in plugin order (dependencies first) — no
hook's meaning depends on that order.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("tessera")


@hookspec
def tessera_notification_channels(registry):
    """Return the notification channels this plugin provides, as a list of ``core.toolkit.Channel``.

    Called once at start-up, after every plugin's ``includeme``; ``registry`` is the
    Pyramid registry (``registry.settings`` holds the typed settings). Each channel's
    ``name`` must be unique on the site: it is what ``reminder_method`` accepts, and
    start-up stops naming both plugins when two provide the same name.
    Order does not matter.
    """


@hookspec
def tessera_authenticated_request(request, user):
    """Called once per request whose bearer token resolved to an active ``user``.

    For light bookkeeping such as "last active" times; keep it cheap (it runs on
    every authenticated request) and never raise. Order does not matter.

    A ``GET`` answered with a reused answer (``core.toolkit.reuse_answer``) does not
    call it; an answer is reused for ``tessera.read_cache.max_age`` seconds at most
    (default 60), so a user who keeps asking passes here at least that often.
    """


@hookspec
def tessera_demo_data(registry, dbsession, rng, scale, progress):
    """Add this plugin's share of a demonstration site (``tessera demo-data``); return nothing.

    The core has already added users of every role (``core.models.User``; read
    them back by ``role``). ``rng`` is a ``random.Random`` seeded by the command:
    draw every random choice from it, in a fixed order, so the same seed gives the
    same site. ``scale`` says how big: ``scale.users`` (already added) and
    ``scale.size(name, default)`` for the sizes of your own things, which the
    integrator sets with ``--size name=N`` (document the names you read). Insert in bulk (``dbsession.execute(insert(Model), rows)``),
    not object by object: a demo site of a hundred thousand rows is made in under a minute.
    Call ``progress(label, done, total)`` now and then so a person sees it move.
    ``dbsession`` is inside the command's one transaction: don't commit it.
    Rows of another plugin are never written: reach it through its hooks.
    Order does not matter.
    """


@hookspec
def tessera_event_types(registry):
    """Return the business events this plugin publishes, as ``{"type": "what it means"}``.

    Types are ``<noun>.<verb>`` (``invoice.paid``, ``ticket.closed``); each is
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
