import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SMTP_PASSWORD = "smtp-pass-do-not-log-42"


class SmtpRecorder:
    """An aiosmtpd handler that keeps what arrives and answers chosen recipients with chosen replies."""

    def __init__(self):
        self.envelopes = []
        self.replies: dict[str, str] = {}
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd answers a refusal with 535 itself
        return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode(), handled=False)

    @property
    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0 (its self-check connects to the port it was given)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(**options):
    recorder = SmtpRecorder()
    if options.pop("with_login", False):
        options.update(authenticator=recorder.authenticate, auth_require_tls=False, auth_required=True)
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    recorder.port = controller.port
    return controller, recorder


@pytest.fixture
def smtp():
    controller, recorder = _serve()
    yield recorder
    controller.stop()


@pytest.fixture
def smtp_with_login():
    controller, recorder = _serve(with_login=True)
    yield recorder
    controller.stop()


def smtp_settings(port: int, **extra) -> dict:
    settings = {
        "tessera.notify_email.backend": "smtp",
        "tessera.notify_email.host": "127.0.0.1",
        "tessera.notify_email.port": str(port),
        "tessera.notify_email.security": "none",
        "tessera.notify_email.authenticate": "false",
        "tessera.notify_email.from_address": "Tessera 日程 <noreply@example.com>",
        "tessera.notify_email.timeout": "5",
    }
    settings.update(extra)
    return settings


@pytest.fixture
def smtp_site(make_site, smtp):
    return make_site(plugins=("notify", "notify_email"), settings=smtp_settings(smtp.port))
