"""Declares a hook the schedule plugin already declares."""
from core.toolkit import Manifest, hookspec


class Hooks:
    @hookspec
    def tessera_related_info(self, registry, related_type, related_id):
        """Describe a related object (a second declaration: start-up must refuse it)."""


manifest = Manifest(name="hooks_clash", hookspecs=Hooks)


def includeme(config):
    pass
