"""Where an e-mail goes: the console (development) or an SMTP server.

A backend's ``send(message)`` takes a composed ``EmailMessage`` and answers a
``SendResult``; SMTP refusals are classified like SMTP itself does — 4xx replies
and connection failures are transient, 5xx replies permanent — and never raised.
"""
from __future__ import annotations

import collections
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Mapping

from core.toolkit import ConfigurationError, SendResult
from plugins.notify import CONSOLE_BACKEND
from plugins.notify_email.messages import parse_sender

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_DETAIL_LIMIT = 300


def classify_smtp(exc: Exception) -> SendResult:
    """An smtplib/socket failure as a result: 4xx and lost connections transient, 5xx and the rest permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, reply = exc.smtp_code, exc.smtp_error
    elif isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException):
        # sockets, timeouts, TLS handshakes (smtplib's own errors are OSErrors too, hence the order)
        return SendResult.retry_later(f"smtp: connection failed: {type(exc).__name__}: {exc}"[:_DETAIL_LIMIT])
    else:  # e.g. STARTTLS or AUTH not offered: the configuration must change first
        return SendResult.failed(f"smtp: {type(exc).__name__}: {exc}"[:_DETAIL_LIMIT])
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    detail = f"smtp: {code} {text}"[:_DETAIL_LIMIT]
    return SendResult.failed(detail) if 500 <= code < 600 else SendResult.retry_later(detail)


class ConsoleBackend:
    """Logs each message and keeps the latest in ``outbox``; nothing leaves the machine."""

    name = CONSOLE_BACKEND

    def __init__(self):
        self.outbox: collections.deque[EmailMessage] = collections.deque(maxlen=200)

    def send(self, message: EmailMessage) -> SendResult:
        self.outbox.append(message)
        log.info("console e-mail (not sent) to %s: %s", message["To"], message["Subject"])
        return SendResult.sent("console: logged, not sent")


class SmtpBackend:
    """One SMTP connection per message, with STARTTLS or implicit TLS and an optional login."""

    name = "smtp"

    def __init__(self, host: str, port: int, security: str, user: str | None, password: str | None, timeout: int):
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self._login = (user, password) if user else None

    def send(self, message: EmailMessage) -> SendResult:
        try:
            smtp = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            return classify_smtp(exc)
        try:
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self._login:
                smtp.login(*self._login)
            smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            return classify_smtp(exc)
        finally:
            _close(smtp)
        return SendResult.sent(f"smtp: accepted by {self.host}")

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _close(smtp: smtplib.SMTP) -> None:
    # the message is already accepted or refused; a failing QUIT changes neither
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def make_backend(settings: Mapping) -> ConsoleBackend | SmtpBackend:
    """The backend the ini chooses; an smtp backend without server, sender or credentials stops start-up."""
    def value(name):
        return settings[f"tessera.notify_email.{name}"]

    if value("backend") == "console":
        return ConsoleBackend()
    required = ["host", "from_address"] + (["user", "password"] if value("authenticate") else [])
    missing = [f"tessera.notify_email.{name}" for name in required if not value(name)]
    if missing:
        raise ConfigurationError(
            "tessera.notify_email.backend = smtp needs " + ", ".join(missing)
            + " (or their environment variables, e.g. TESSERA_NOTIFY_EMAIL_PASSWORD); a relay without login may set "
            "tessera.notify_email.authenticate = false. See docs/notifications.md."
        )
    security = value("security")
    return SmtpBackend(value("host"), value("port") or _DEFAULT_PORTS[security], security,
                       value("user") if value("authenticate") else None, value("password"), value("timeout"))


def sender_of(settings: Mapping):
    """The From address; a malformed one stops start-up. Console sites without one send as noreply@localhost."""
    configured = settings["tessera.notify_email.from_address"] or "Tessera <noreply@localhost>"
    try:
        return parse_sender(configured)
    except ValueError as exc:
        raise ConfigurationError(f"tessera.notify_email.from_address: {exc}") from None
