"""Schema migrations: one Alembic history per migration unit.

The units are the core (its users and inbox) and each enabled plugin that ships
a ``migrations/`` folder. Each unit has its own version table
(``alembic_version_<name>``) and only touches tables with its own prefix, so
enabling a plugin later and upgrading again adds that plugin's tables and
leaves everything else as it was. Units run in dependency order: the core first.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Mapping

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

import core
from core.plugins import InstalledPlugin
from core.settings import ConfigurationError

_ENV_DIR = os.path.join(os.path.dirname(core.__file__), "alembic")
_CORE_VERSIONS = os.path.join(os.path.dirname(core.__file__), "migrations")


@dataclass(frozen=True)
class MigrationUnit:
    name: str
    versions_dir: str
    table_prefix: str
    #: longer prefixes of other units that start with this one's (``notify_sms_`` for ``notify_``): not its tables
    foreign_prefixes: tuple[str, ...] = ()

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"


def units_for(registry) -> list[MigrationUnit]:
    """The migration units of a site: the core's, then its enabled plugins'."""
    return units_of(registry.tessera_enabled_plugins)


def units_of(plugins: Iterable[InstalledPlugin]) -> list[MigrationUnit]:
    """The core's unit, then one per plugin that ships migrations, in the order given (dependencies first)."""
    plugins = list(plugins)
    prefixes = ["core_"] + [plugin.tables for plugin in plugins]

    def unit(name: str, versions_dir: str, prefix: str) -> MigrationUnit:
        nested = tuple(other for other in prefixes if other != prefix and other.startswith(prefix))
        return MigrationUnit(name, versions_dir, prefix, nested)

    units = [unit("core", _CORE_VERSIONS, "core_")]
    for plugin in plugins:
        if plugin.migrations_dir:
            units.append(unit(plugin.name, plugin.migrations_dir, plugin.tables))
    return units


def _alembic_config(unit: MigrationUnit, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", _ENV_DIR)
    config.set_main_option("version_locations", unit.versions_dir)
    config.set_main_option("path_separator", "os")
    config.attributes.update(connection=connection, version_table=unit.version_table, table_prefix=unit.table_prefix,
                             foreign_prefixes=unit.foreign_prefixes)
    return config


def upgrade(engine: Engine, units: list[MigrationUnit], log=print, revisions: Mapping[str, str] | None = None) -> None:
    """Upgrade each unit, in order, to head or to its revision in ``revisions`` (by unit name; ``"base"``: none)."""
    for unit in units:
        target = (revisions or {}).get(unit.name, "head")
        with engine.begin() as connection:
            before = MigrationContext.configure(connection, opts={"version_table": unit.version_table}).get_current_revision()
            command.upgrade(_alembic_config(unit, connection), target)
            after = MigrationContext.configure(connection, opts={"version_table": unit.version_table}).get_current_revision()
        log(f"{unit.name}: {before or 'empty'} -> {after}" if before != after else f"{unit.name}: up to date ({after})")


def current_heads(engine: Engine, units: list[MigrationUnit]) -> dict[str, tuple[str | None, str | None]]:
    """For each unit: (revision in the database, newest revision shipped)."""
    state = {}
    with engine.connect() as connection:
        for unit in units:
            current = MigrationContext.configure(connection, opts={"version_table": unit.version_table}).get_current_revision()
            head = ScriptDirectory.from_config(_alembic_config(unit, connection)).get_current_head()
            state[unit.name] = (current, head)
    return state


def revision(engine: Engine, unit: MigrationUnit, message: str, autogenerate: bool = True) -> None:
    """Write a new revision for one unit (for plugin authors: ``tessera db revision NAME -m …``)."""
    if not os.path.isdir(unit.versions_dir):
        raise ConfigurationError(f"{unit.name} has no migrations folder at {unit.versions_dir}; create it first.")
    with engine.begin() as connection:
        command.revision(_alembic_config(unit, connection), message=message, autogenerate=autogenerate)
