"""What the API accepts from a client, before any of it reaches a view or the database.

Every JSON body is checked as a whole (``json_problem``): nesting depth,
integers the database can bind (64-bit), finite numbers, no NUL (PostgreSQL
refuses it in text) and no control character but tab and line breaks. Fields
then add their own rules with the validators below: ``single_line`` for
titles, names and other one-line text (no line breaks: they would forge log
lines and e-mail headers), ``web_url`` for links a browser will follow,
``email_address`` for addresses mail is sent to.
"""
from __future__ import annotations

import math
import unicodedata
from typing import Any

import colander

#: deeper JSON is no request a client of ours sends; refusing it keeps recursion out of parsing and validation
MAX_JSON_DEPTH = 32
INT64 = (-(2**63), 2**63 - 1)
_MULTI_LINE_CONTROLS = "\t\n\r"


def _control_characters(text: str, allowed: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c not in allowed]


def json_problem(value: Any) -> tuple[str, str] | None:
    """The first thing in a parsed JSON body we refuse, as (field path, message), or None."""
    stack: list[tuple[str, Any, int]] = [("", value, 1)]
    while stack:
        path, item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return path.partition(".")[0] or "body", f"嵌套超过 {MAX_JSON_DEPTH} 层"
        if isinstance(item, dict):
            for key, child in item.items():
                if _control_characters(key, ""):
                    return path or "body", "字段名含有控制字符"
                stack.append((f"{path}.{key}" if path else key, child, depth + 1))
        elif isinstance(item, list):
            stack.extend((f"{path}.{index}" if path else str(index), child, depth + 1) for index, child in enumerate(item))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int) and not INT64[0] <= item <= INT64[1]:
            return path or "body", "整数超出范围"
        elif isinstance(item, float) and not math.isfinite(item):
            return path or "body", "数值超出范围"
        elif isinstance(item, str) and _control_characters(item, _MULTI_LINE_CONTROLS):
            return path or "body", "不能含有控制字符（如 NUL）"
    return None


def text_problem(text: str) -> str | None:
    """Why a query-string or path value is refused (control characters, NUL included), or None."""
    return "不能含有控制字符（如 NUL）" if _control_characters(text, "") else None


class Pattern(colander.Regex):
    """colander.Regex that must match the whole value (``re.fullmatch``).

    colander's own uses ``re.match``, where ``$`` also matches before a final
    newline: ``"admin\\n"`` would pass ``^[a-z]+$``. The pattern is published
    in the OpenAPI document as it is, so keep it to what JSON Schema understands.
    """

    def __call__(self, node, value):
        if self.match_object.fullmatch(value) is None:
            raise colander.Invalid(node, self.msg)


#: one line of text: no line break, tab or other control character (they would forge log lines and mail headers)
single_line = Pattern(r"^[^\x00-\x1f\x7f-\x9f]*$", "不能含有换行或控制字符")

#: a link a browser will follow: ``http``/``https``, or a path on this site — never ``javascript:``, ``file:``, ``data:``
web_url = Pattern(r"^(?:https?://[^\s/?#]+[^\s]*|/[^\s]*)?$", "只接受 http/https 链接或本站路径（不含空白）")

#: one plain address (``name@example.com``), the whole value — no display name, no trailing newline
email_address = Pattern(r"^(?:[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)?$", "不是有效的邮箱地址")
