"""``GET /api/health`` (public) and ``GET /api/plugins`` (admin)."""
from __future__ import annotations

import logging

import colander
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from core import __version__
from core.api import answer_schema, api_service, envelope_response, ok
from core.auth import ADMIN

log = logging.getLogger(__name__)

health = api_service(name="core.health", path="/api/health", description="Is the site up? No token needed.")
plugins = api_service(name="core.plugins", path="/api/plugins", description="Installed plugins and whether this site enables them.")


def plugin_rows(registry) -> list[dict]:
    """Every installed plugin: name, version, enabled, depends, summary (shared with ``tessera plugins``)."""
    from core.plugins import load

    enabled = {p.name for p in registry.tessera_enabled_plugins}
    rows = []
    for name, plugin in sorted(registry.tessera_installed_plugins.items()):
        try:
            load(plugin)
        except Exception as exc:  # an installed-but-broken plugin is still listed, with why
            rows.append({"name": name, "version": plugin.version, "enabled": False, "depends": [], "summary": f"cannot load: {exc}"})
            continue
        rows.append({"name": name, "version": plugin.version, "enabled": name in enabled,
                     "depends": list(plugin.depends), "summary": plugin.manifest.summary})
    return rows


class PluginVersion(colander.MappingSchema):
    name = colander.SchemaNode(colander.String())
    version = colander.SchemaNode(colander.String())


class HealthData(colander.MappingSchema):
    status = colander.SchemaNode(colander.String(), validator=colander.OneOf(["ok", "degraded"]))
    version = colander.SchemaNode(colander.String())
    database = colander.SchemaNode(colander.String(), validator=colander.OneOf(["ok", "unreachable"]))
    plugins = colander.SchemaNode(colander.Sequence(), PluginVersion())


@health.get(permission=NO_PERMISSION_REQUIRED,
            response_schemas={"200": answer_schema(HealthData(), "the site is up"),
                              "503": answer_schema(HealthData(), "the database is unreachable")})
def get_health(request):
    try:
        request.dbsession.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", exc)
        database = "unreachable"
    data = {
        "status": "ok" if database == "ok" else "degraded",
        "version": __version__,
        "database": database,
        "plugins": [{"name": p.name, "version": p.version} for p in request.registry.tessera_enabled_plugins],
    }
    if database != "ok":
        return envelope_response(request, 503, "数据库不可用", data)
    return ok(request, data, "ok")


@plugins.get(permission=ADMIN)
def get_plugins(request):
    return ok(request, plugin_rows(request.registry), "获取成功")


def includeme(config) -> None:
    config.add_cornice_service(health)
    config.add_cornice_service(plugins)
