from core.plugins import Manifest

manifest = Manifest(name="needs_missing", depends=("nowhere",))


def includeme(config):
    pass
