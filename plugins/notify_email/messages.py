"""Composing e-mails: Jinja2 templates (an HTML and a plain-text part each) into a MIME message."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Mapping

import colander
import jinja2

TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), "templates")
#: the template used when none is named, or the named one does not exist (for the channel)
GENERIC_TEMPLATE = "generic"

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.ChainableUndefined,
    keep_trailing_newline=True,
)
_ADDRESS = re.compile(colander.EMAIL_RE)


def template_names() -> list[str]:
    """Templates that have both parts: ``<name>.html`` and ``<name>.txt`` (``_layout`` and other ``_`` files are shared parts)."""
    files = set(os.listdir(TEMPLATE_DIR))
    return sorted(name[:-5] for name in files
                  if name.endswith(".html") and f"{name[:-5]}.txt" in files and not name.startswith("_"))


def is_address(text: str | None) -> bool:
    return bool(text) and bool(_ADDRESS.match(text))


def parse_sender(value: str) -> Address:
    """``'Name <addr>'`` or ``addr`` as an Address; ValueError when it is not an address."""
    name, addr = parseaddr(value)
    if not is_address(addr):
        raise ValueError(f"{value!r} is not an e-mail address (e.g. 'Tessera <noreply@example.com>')")
    user, _, domain = addr.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def render(template: str, *, subject: str, content: str, params: Mapping[str, Any], recipient_name: str = "") -> tuple[str, str]:
    """The plain-text and HTML bodies of ``template``; values are escaped in the HTML part."""
    context = {"subject": subject, "content": content, "params": dict(params), "recipient_name": recipient_name}
    return (_environment.get_template(f"{template}.txt").render(context),
            _environment.get_template(f"{template}.html").render(context))


#: what an RFC 5322 msg-id may hold left of its ``@`` unquoted (dot-atom-text)
_DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def message_id(idempotency_key: str | None, domain: str) -> str:
    """A fresh ``Message-ID``, or one derived from ``idempotency_key`` that every attempt of the message shares.

    The key itself when it may stand in a msg-id (so a receiver can read it back), else its SHA-256.
    """
    if not idempotency_key:
        return make_msgid(domain=domain)
    local = idempotency_key if _DOT_ATOM.match(idempotency_key) else hashlib.sha256(idempotency_key.encode()).hexdigest()
    return f"<{local}@{domain}>"


def compose(sender: Address, to: str, subject: str, text: str, html: str, *, to_name: str = "",
            date: dt.datetime, idempotency_key: str | None = None) -> EmailMessage:
    """A multipart/alternative message; headers with non-ASCII text are encoded as UTF-8 (RFC 2047)."""
    user, _, domain = to.rpartition("@")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = Address(display_name=to_name, username=user, domain=domain)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id(idempotency_key, sender.domain)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def templated_message(registry, *, to: str, subject: str, content: str, template: str,
                      params: Mapping[str, Any] | None = None, to_name: str = "",
                      idempotency_key: str | None = None) -> EmailMessage:
    """Render ``template`` and compose the message from the site's sender, dated by the site clock."""
    text, html = render(template, subject=subject, content=content, params=params or {}, recipient_name=to_name)
    return compose(registry.notify_email_sender, to, subject, text, html, to_name=to_name, date=registry.clock.now(),
                   idempotency_key=idempotency_key)
