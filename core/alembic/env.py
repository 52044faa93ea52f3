"""Alembic environment shared by the core and every plugin.

``core.migrate`` runs Alembic once per migration unit (the core, then each
enabled plugin), passing the unit's connection, version table and table prefix
in ``config.attributes``; each unit keeps its own history and version table.
"""
from alembic import context

from core.db import Base
from core.readcache import migrating

config = context.config
unit_prefix = config.attributes["table_prefix"]
foreign_prefixes = config.attributes.get("foreign_prefixes", ())


def include_object(obj, name, type_, reflected, compare_to):
    # autogenerate looks only at the unit's own tables: its prefix, not a longer one of another unit
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", "")
    return (bool(table_name) and table_name.startswith(unit_prefix)
            and not table_name.startswith(tuple(foreign_prefixes)))


def render_item(type_, obj, autogen_context):
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        autogen_context.imports.add("import core.db")
        return "core.db.UTCDateTime()"
    return False


connection = config.attributes["connection"]
migrating(connection)
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=config.attributes["version_table"],
    include_object=include_object,
    render_item=render_item,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
