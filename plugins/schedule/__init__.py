"""The schedule plugin (being built)."""
from core.plugins import Manifest

manifest = Manifest(name="schedule", summary="schedule")


def includeme(config):
    pass
