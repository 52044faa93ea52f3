"""The notify_email plugin (being built)."""
from core.plugins import Manifest

manifest = Manifest(name="notify_email", summary="notify_email")


def includeme(config):
    pass
