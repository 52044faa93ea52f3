"""Declared, typed settings with an environment override for every key.

The core and each plugin declare the keys they read (``Setting``); at start-up
every declared key is read from the ini, overridden by its environment
variable, converted to its type and validated. A wrong value stops start-up
with a message that names the key, the value and what is expected.

The environment variable of a key is its name in upper case with dots turned
into underscores: ``tessera.jwt_secret`` -> ``TESSERA_JWT_SECRET``,
``tessera.notify_sms.secret_id`` -> ``TESSERA_NOTIFY_SMS_SECRET_ID``. A few
keys also have a short, conventional name (``TESSERA_DATABASE_URL``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping


class ConfigurationError(Exception):
    """Start-up cannot go on; the message says what is wrong and how to fix it."""


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value or "").replace(",", " ").split()


def as_positive_int(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("expected a whole number of at least 1")
    return number


def as_non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("expected a whole number of at least 0")
    return number


def one_of(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = str(value).strip()
        if text not in choices:
            raise ValueError("expected one of: " + ", ".join(choices))
        return text

    return convert


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default, how to read it, what it is for."""

    key: str
    default: Any = None
    convert: Callable[[Any], Any] = str
    help: str = ""
    secret: bool = False
    env: tuple[str, ...] = field(default_factory=tuple)
    required: bool = False

    @property
    def env_names(self) -> tuple[str, ...]:
        return self.env + (self.key.upper().replace(".", "_"),)


def resolve(raw: Mapping[str, Any], declared: Iterable[Setting], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the typed values of the declared keys; raise ConfigurationError listing every bad one."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in declared:
        value, source = raw.get(setting.key, setting.default), "the ini"
        for name in setting.env_names:
            if environ.get(name):
                value, source = environ[name], f"${name}"
                break
        if value is None or (isinstance(value, str) and value.strip() == "" and (setting.default is None or setting.required)):
            if setting.required:
                problems.append(f"{setting.key} is required ({setting.help or 'no default'}): set it in the ini "
                                f"or ${setting.env_names[-1]}")
            values[setting.key] = None
            continue
        try:
            values[setting.key] = setting.convert(value)
        except (TypeError, ValueError) as exc:
            reason = str(exc)
            if setting.secret:
                value, reason = "***", reason.replace(str(value), "***")
            problems.append(f"{setting.key} = {value if setting.secret else repr(value)} (from {source}): {reason}")
    if problems:
        raise ConfigurationError("invalid settings:\n  " + "\n  ".join(problems))
    return values
