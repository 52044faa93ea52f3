"""A third-party plugin: one endpoint that greets the caller, one that fails, and a channel."""
from core.api import BadRequest, api_service, ok
from core.channels import SendResult
from core.plugins import Manifest, hookimpl
from core.tasks import enqueue_after_commit

manifest = Manifest(name="hello", summary="Says hello")  # version comes from the distribution: 0.3.0

greeting = api_service(name="hello.greeting", path="/api/hello", description="Greets the caller")
boom = api_service(name="hello.boom", path="/api/hello/boom", description="Always fails")
later = api_service(name="hello.later", path="/api/hello/later", description="Queues a greeting, then maybe fails")

#: what the `remember` task received, in order, and who made authenticated requests (the tests read them)
remembered = []
authenticated = []


def remember(registry, text):
    remembered.append(text)


@greeting.get()
def get_greeting(request):
    return ok(request, {"hello": request.identity.username})


@boom.get()
def get_boom(request):
    raise RuntimeError("secret internals that must not reach the client")


@later.post()
def post_later(request):
    enqueue_after_commit(request, "hello.remember", request.params["text"])
    if request.params.get("fail"):
        raise BadRequest.field("fail", "asked to fail")
    return ok(request, {"queued": True})


class EchoChannel:
    name = "echo"

    def address_of(self, recipient):
        return recipient.name

    def send(self, notification, recipient, address):
        return SendResult.sent(f"echoed to {address}")


def includeme(config):
    config.add_cornice_service(greeting)
    config.add_cornice_service(boom)
    config.add_cornice_service(later)
    config.add_task(remember, name="hello.remember")


@hookimpl
def tessera_notification_channels(registry):
    return [EchoChannel()]


@hookimpl
def tessera_authenticated_request(request, user):
    authenticated.append((request.path, user.username))
