"""Log lines that a client cannot forge: every text argument of a log record is escaped.

A value a client sent (a title, a name, an address) may reach a log line as an
argument (``log.info("sent %s", title)``). Its line breaks and other control
characters are written as escapes (``\\n``), so it cannot start a line of its own
that looks like the server wrote it. Format strings — ours — are left alone.
"""
from __future__ import annotations

import logging
from typing import Any

_ESCAPES = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def escape(value: Any) -> Any:
    return value.translate(_ESCAPES) if isinstance(value, str) else value


def install() -> None:
    """Escape the text arguments of every log record from now on (idempotent, process-wide)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "escapes_arguments", False):
        return

    def make_record(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.args, tuple):
            record.args = tuple(escape(argument) for argument in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: escape(argument) for key, argument in record.args.items()}
        return record

    make_record.escapes_arguments = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
