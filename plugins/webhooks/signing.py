"""Standard Webhooks signatures: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``.

Secrets look like ``whsec_<base64 key>``; the HMAC key is the decoded part, so the
receiver can verify with any Standard Webhooks library given the same string.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
#: bytes of key a secret may carry: at least 192 bits, at most what SHA-256's block holds
KEY_BYTES = range(24, 65)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret; ValueError saying what is expected otherwise."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"须以 {SECRET_PREFIX} 开头，后接 base64 编码的 24–64 字节密钥")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{SECRET_PREFIX} 之后须为 base64 编码") from None
    if len(key) not in KEY_BYTES:
        raise ValueError(f"密钥须为 {KEY_BYTES.start}–{KEY_BYTES.stop - 1} 字节，当前 {len(key)} 字节")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header of one attempt."""
    signed = f"{message_id}.{timestamp}.{body}".encode("utf-8")
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")
