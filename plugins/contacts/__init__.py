"""The contacts plugin (being built)."""
from core.plugins import Manifest

manifest = Manifest(name="contacts", summary="contacts")


def includeme(config):
    pass
