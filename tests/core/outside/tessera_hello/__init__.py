"""A third-party plugin: one endpoint that greets the caller, one that fails, and a channel."""
from core.api import api_service, ok
from core.channels import SendResult
from core.plugins import Manifest, hookimpl

manifest = Manifest(name="hello", summary="Says hello")  # version comes from the distribution: 0.3.0

greeting = api_service(name="hello.greeting", path="/api/hello", description="Greets the caller")
boom = api_service(name="hello.boom", path="/api/hello/boom", description="Always fails")


@greeting.get()
def get_greeting(request):
    return ok(request, {"hello": request.identity.username})


@boom.get()
def get_boom(request):
    raise RuntimeError("secret internals that must not reach the client")


class EchoChannel:
    name = "echo"

    def address_of(self, recipient):
        return recipient.name

    def send(self, notification, recipient, address):
        return SendResult.sent(f"echoed to {address}")


def includeme(config):
    config.add_cornice_service(greeting)
    config.add_cornice_service(boom)


@hookimpl
def tessera_notification_channels(registry):
    return [EchoChannel()]
