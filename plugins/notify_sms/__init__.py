"""The notify_sms plugin (being built)."""
from core.plugins import Manifest

manifest = Manifest(name="notify_sms", summary="notify_sms")


def includeme(config):
    pass
