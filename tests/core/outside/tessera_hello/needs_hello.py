from core.plugins import Manifest

manifest = Manifest(name="hello_needs_hello", depends=("hello",))


def includeme(config):
    pass
