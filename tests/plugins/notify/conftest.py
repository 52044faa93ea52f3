"""Providers that do not answer: one that hangs, and a closed port. One that answers is the kit's ``json_server``."""
from __future__ import annotations

import socket

import pytest


@pytest.fixture
def silent_provider():
    """A URL whose server accepts the connection and never answers (a provider that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    listener.close()


@pytest.fixture
def closed_port():
    """A URL on a local port nobody listens on (the connection is refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/hook"
