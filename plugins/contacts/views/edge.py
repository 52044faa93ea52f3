"""The view edge: the contacts API speaks camelCase (its spec's field names), the services snake_case.

Views hand services ``snake_case(request.validated["body"])``; services name the
fields they refuse in their own words (``BadRequest.field("sales_id", …)``), and
``api_field_names()`` puts the API's names back before the client sees them.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

from core.toolkit import BadRequest

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def to_snake(name: str) -> str:
    """``serialNumber`` -> ``serial_number``."""
    return _WORD_START.sub("_", name).lower()


def to_camel(name: str) -> str:
    """``serial_number`` -> ``serialNumber``."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def snake_case(fields: dict) -> dict:
    return {to_snake(name): value for name, value in fields.items()}


@contextmanager
def api_field_names():
    """Re-raise a service's BadRequest with the fields it names in the API's camelCase."""
    try:
        yield
    except BadRequest as error:
        if not isinstance(error.data, dict):
            raise
        data = {to_camel(name): messages for name, messages in error.data.items()}
        first, messages = next(iter(data.items()))
        raise BadRequest(f"{first}: {messages[0]}", data) from None
