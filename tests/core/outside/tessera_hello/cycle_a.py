from core.plugins import Manifest

manifest = Manifest(name="cycle_a", depends=("cycle_b",))


def includeme(config):
    pass
