"""Finding, checking and ordering the plugins a site enables.

A plugin is a Python module announced by an entry point in the group
``tessera.plugins``. The module holds a ``manifest`` (a ``Manifest``), an
``includeme(config)`` and its hook implementations. Installing a plugin makes it
available; listing it in ``tessera.plugins`` of the ini enables it.
"""
from __future__ import annotations

import importlib.metadata
import os
from dataclasses import dataclass, field
from types import ModuleType
from typing import Iterable

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import CONTRACT_VERSION, __version__, hookspecs
from core.settings import ConfigurationError, Setting

ENTRY_POINT_GROUP = "tessera.plugins"
hookimpl = pluggy.HookimplMarker("tessera")


@dataclass(frozen=True)
class Manifest:
    """What a plugin says about itself.

    ``depends`` names the plugins that must be enabled with it (they are set up
    first). ``settings`` declares the keys it reads, all under ``tessera.<name>.``.
    ``version`` defaults to the version of the distribution that ships it.
    ``table_prefix`` is the prefix of its tables (default ``<name>_``).
    ``hookspecs`` is the module declaring the hooks this plugin *calls* (others
    implement them); it is added to the site's plugin manager before any plugin
    is registered. ``requires_core`` is the range of plugin-contract versions
    (``core.toolkit.CONTRACT_VERSION``) the plugin was built for, as a PEP 440
    specifier such as ``">=1.0,<2"``; start-up refuses a plugin outside it.
    """

    name: str
    summary: str = ""
    version: str | None = None
    depends: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    table_prefix: str | None = None
    hookspecs: ModuleType | type | None = None
    requires_core: str | None = None

    @property
    def tables(self) -> str:
        return self.table_prefix or f"{self.name}_"


@dataclass
class InstalledPlugin:
    name: str
    entry_point: importlib.metadata.EntryPoint
    module: ModuleType | None = None
    manifest: Manifest | None = None
    enabled: bool = False
    distribution_version: str | None = field(default=None)

    @property
    def version(self) -> str:
        if self.manifest and self.manifest.version:
            return self.manifest.version
        return self.distribution_version or "unknown"

    @property
    def depends(self) -> tuple[str, ...]:
        return self.manifest.depends if self.manifest else ()

    @property
    def tables(self) -> str:
        """The prefix of the plugin's table names."""
        return self.manifest.tables if self.manifest else f"{self.name}_"

    @property
    def hookspecs(self) -> ModuleType | type | None:
        """The module (or class) declaring the hooks the plugin calls."""
        return self.manifest.hookspecs if self.manifest else None

    @property
    def package(self) -> str:
        """The dotted name under which the plugin's modules live."""
        return self.module.__name__ if self.module else self.entry_point.value

    @property
    def migrations_dir(self) -> str | None:
        source = getattr(self.module, "__file__", None)
        if not source:
            return None
        path = os.path.join(os.path.dirname(source), "migrations")
        return path if os.path.isdir(path) else None


def installed_plugins() -> dict[str, InstalledPlugin]:
    """Every plugin announced by an installed distribution, not yet imported."""
    found: dict[str, InstalledPlugin] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in found:
            continue  # the same distribution seen twice on sys.path
        dist = getattr(entry_point, "dist", None)
        found[entry_point.name] = InstalledPlugin(
            name=entry_point.name,
            entry_point=entry_point,
            distribution_version=dist.version if dist else None,
        )
    return found


def load(plugin: InstalledPlugin) -> InstalledPlugin:
    """Import a plugin's module and check its manifest."""
    try:
        module = plugin.entry_point.load()
    except Exception as exc:
        raise ConfigurationError(
            f"plugin '{plugin.name}' failed to import ({plugin.entry_point.value}): "
            f"{type(exc).__name__}: {exc}. Fix or reinstall the package that provides it, "
            f"or remove '{plugin.name}' from tessera.plugins."
        ) from exc
    manifest = getattr(module, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise ConfigurationError(
            f"plugin '{plugin.name}' ({plugin.entry_point.value}) has no `manifest = core.plugins.Manifest(...)`; "
            "see docs/plugins.md."
        )
    if manifest.name != plugin.name:
        raise ConfigurationError(
            f"plugin entry point '{plugin.name}' points at a manifest named '{manifest.name}'; the two must match."
        )
    if not callable(getattr(module, "includeme", None)):
        raise ConfigurationError(f"plugin '{plugin.name}' has no includeme(config) function; see docs/plugins.md.")
    plugin.module, plugin.manifest = module, manifest
    return plugin


def check_requires_core(plugin: InstalledPlugin, contract: str = CONTRACT_VERSION) -> None:
    """Refuse a plugin whose ``requires_core`` range leaves out this core's plugin-contract version."""
    wanted = plugin.manifest.requires_core if plugin.manifest else None
    if wanted is None:
        return
    try:
        accepted = SpecifierSet(wanted)
    except InvalidSpecifier:
        raise ConfigurationError(
            f"plugin '{plugin.name}' declares requires_core = {wanted!r}, which is not a version range "
            "such as '>=1.0,<2'; fix its manifest."
        ) from None
    if not accepted.contains(Version(contract), prereleases=True):
        raise ConfigurationError(
            f"plugin '{plugin.name}' {plugin.version} requires core contract {wanted}, but this Tessera "
            f"({__version__}) has contract {contract}: install a version of '{plugin.name}' built for "
            f"contract {contract}, or remove it from tessera.plugins."
        )


def resolve_enabled(requested: Iterable[str], installed: dict[str, InstalledPlugin]) -> list[InstalledPlugin]:
    """Load the requested plugins and return them dependencies first.

    Raises ConfigurationError for an unknown name, a name listed twice, a plugin
    built for another core contract, a missing dependency, a dependency cycle or a
    plugin that fails to import.
    """
    names = list(requested)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigurationError(f"plugin '{name}' is listed twice in tessera.plugins; list it once.")
        seen.add(name)
    available = ", ".join(sorted(installed)) or "none"
    for name in names:
        if name not in installed:
            raise ConfigurationError(
                f"plugin '{name}' is not installed; installed: {available}. "
                f"Install the package that provides it (pip install …) or remove it from tessera.plugins."
            )
    plugins = {name: load(installed[name]) for name in names}
    for plugin in plugins.values():
        check_requires_core(plugin)
    for plugin in plugins.values():
        for dependency in plugin.depends:
            if dependency not in plugins:
                hint = "add it to tessera.plugins" if dependency in installed else "install it and add it to tessera.plugins"
                raise ConfigurationError(
                    f"plugin '{plugin.name}' depends on '{dependency}', which is not enabled: {hint}."
                )
    return _dependencies_first(plugins, names)


def _dependencies_first(plugins: dict[str, InstalledPlugin], listed: list[str]) -> list[InstalledPlugin]:
    ordered: list[InstalledPlugin] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = path[path.index(name):] + [name]
            raise ConfigurationError(
                "plugin dependency cycle: " + " -> ".join(cycle) + ". Remove one of these dependencies."
            )
        state[name] = "visiting"
        for dependency in plugins[name].depends:
            visit(dependency, path + [name])
        state[name] = "done"
        ordered.append(plugins[name])

    for name in listed:  # the ini order breaks ties, nothing more
        visit(name, [])
    for plugin in ordered:
        plugin.enabled = True
    return ordered


def hook_declarers(enabled: Iterable[InstalledPlugin]) -> dict[str, str]:
    """Hook name -> who declares it (``core`` or a plugin's name), for the core and the enabled plugins.

    Raises ConfigurationError when two of them declare the same hook.
    """
    declarers: dict[str, str] = {}
    sources: list[tuple[str, ModuleType | type]] = [("core", hookspecs)]
    sources += [(p.name, p.hookspecs) for p in enabled if p.hookspecs]
    for declarer, module in sources:
        for name in _declared_hooks(module):
            if name in declarers:
                raise ConfigurationError(
                    f"hook '{name}' is declared by both '{declarers[name]}' and '{declarer}'; "
                    "a hook has one declarer: rename one of them."
                )
            declarers[name] = declarer
    return declarers


def _declared_hooks(module: ModuleType | type) -> list[str]:
    return [name for name in dir(module) if name.startswith("tessera_") and hasattr(getattr(module, name), "tessera_spec")]


def make_plugin_manager(builtin: Iterable[ModuleType], enabled: Iterable[InstalledPlugin],
                        hookimpls: Iterable[object] = ()) -> pluggy.PluginManager:
    """One plugin manager per app: every declared hook first, then the core's built-in plugins, the enabled ones
    and any extra ``hookimpls``.

    Check the declarations with ``hook_declarers`` first: it names both declarers of a hook declared twice.
    An implementation of a hook that no enabled plugin declares is refused unless it
    is marked ``@hookimpl(optionalhook=True)`` (it is then never called).
    """
    enabled = list(enabled)
    manager = pluggy.PluginManager("tessera")
    manager.add_hookspecs(hookspecs)
    for plugin in enabled:
        if plugin.hookspecs:
            manager.add_hookspecs(plugin.hookspecs)
    for module in builtin:
        manager.register(module, name=f"core.{module.__name__.rsplit('.', 1)[-1]}")
    for plugin in enabled:
        try:
            manager.register(plugin.module, name=plugin.name)
        except pluggy.PluginValidationError as exc:
            raise ConfigurationError(f"plugin '{plugin.name}' implements a hook wrongly: {exc}") from exc
    for extra in hookimpls:
        manager.register(extra)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise ConfigurationError(
            f"{exc}: no enabled plugin declares it. If it is another plugin's hook, mark the implementation "
            "@hookimpl(optionalhook=True) so it is simply not called while that plugin is disabled."
        ) from exc
    return manager


def hook_rows(manager: pluggy.PluginManager, declarers: dict[str, str]) -> list[dict]:
    """Every hook the site knows: its name, who declares it, who implements it (``tessera plugins --hooks``).

    A hook implemented only as an optional hook of a plugin that is not enabled has no declarer.
    """
    rows = []
    for name, caller in sorted(vars(manager.hook).items()):
        if name.startswith("tessera_"):
            rows.append({"hook": name, "declared_by": declarers.get(name),
                         "implemented_by": [impl.plugin_name for impl in caller.get_hookimpls()]})
    return rows
