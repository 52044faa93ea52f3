"""Who registered what on a site, so that nothing is registered twice unnoticed.

The app factory records whose configuration is running — ``core`` in the core's
phase, then each plugin's name while its ``includeme`` runs — and every
registration directive of the core (permissions, API prefixes, services,
notification sources) claims its name here. A name claimed twice stops
start-up with a ConfigurationError naming both claimants. Tables are checked
once every plugin is set up: each carries its plugin's prefix.
"""
from __future__ import annotations

from typing import Iterable

from core.settings import ConfigurationError

CORE = "core"


def set_including(registry, name: str) -> None:
    """From now on, registrations are ``name``'s (the core's, or a plugin's while its includeme runs)."""
    registry.tessera_including = name
    if not hasattr(registry, "tessera_registrations"):
        registry.tessera_registrations = {}


def claim(registry, kind: str, key: str) -> None:
    """``key`` of ``kind`` is now the including plugin's; a second claim raises ``clash``'s error."""
    owners = registry.tessera_registrations.setdefault(kind, {})
    claim_in(owners, kind, key, registry.tessera_including)


def claim_in(owners: dict[str, str], kind: str, key: str, claimant: str) -> None:
    """Record ``claimant`` as ``key``'s owner in ``owners``, refusing a key that already has one."""
    if key in owners:
        first = owners[key]
        who = f"twice by '{first}'" if first == claimant else f"by both '{first}' and '{claimant}'"
        raise ConfigurationError(f"{kind} '{key}' is registered {who}; each {kind} belongs to one plugin: "
                                 "rename one, or enable only one of the plugins.")
    owners[key] = claimant


def check_tables(mappers: Iterable, owners: Iterable[tuple[str, str, str]]) -> None:
    """Every mapped table of the core or an enabled plugin carries its owner's prefix, and no longer prefix of another.

    ``owners`` are ``(name, package, table prefix)``; models of packages that are not
    enabled (imported by someone, not set up on this site) are not this site's tables.
    """
    owners = list(owners)
    prefixes: dict[str, str] = {}
    for name, _package, prefix in owners:
        if prefix in prefixes:
            raise ConfigurationError(f"table prefix '{prefix}' is used by both '{prefixes[prefix]}' and '{name}'; "
                                     "set a distinct Manifest.table_prefix.")
        prefixes[prefix] = name
    for mapper in mappers:
        module = mapper.class_.__module__
        owner = next(((name, prefix) for name, package, prefix in owners
                      if module == package or module.startswith(package + ".")), None)
        if owner is None:
            continue
        name, prefix = owner
        for table in mapper.tables:
            matching = [p for p in prefixes if table.name.startswith(p)]
            if prefix not in matching:
                raise ConfigurationError(f"'{name}' defines table '{table.name}' ({mapper.class_.__name__}) without "
                                         f"its prefix '{prefix}': rename the table.")
            longest = max(matching, key=len)
            if longest != prefix:
                raise ConfigurationError(f"'{name}' defines table '{table.name}', which carries the prefix "
                                         f"'{longest}' of '{prefixes[longest]}': rename the table.")
