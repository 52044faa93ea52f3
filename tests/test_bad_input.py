"""The bad-input table, generated from every endpoint's own schema: malformed JSON, wrong types, 10,000-character
strings, impossible dates, numbers no column holds, huge pages, 100,000 ids and bodies over 1 MiB are each
refused with a 4xx that names the field — and the database is exactly as it was."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import colander
import pytest
from sqlalchemy import func, select

from core.api import MAX_BODY_BYTES
from core.db import Base, transaction_scope

_PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]+)?\}")
LONG_TEXT = "长" * 10_000
MANY_IDS = list(range(1, 100_001))


def _location(args, location):
    schema = args.get("schema")
    for child in (schema.children if schema is not None else ()):
        if child.name == location and isinstance(child.typ, colander.Mapping):
            return child.children
    return []


def schema_operations(registry, location):
    """(method, concrete path, the nodes of ``location``) for every operation whose schema has that part."""
    for service in sorted(registry.cornice_services.values(), key=lambda s: s.name):
        for method, _view, args in service.definitions:
            nodes = _location(args, location)
            if method != "HEAD" and nodes:
                yield method, _PLACEHOLDER.sub("1", service.path), nodes


def max_length(node) -> int:
    """The longest value a string field declares it takes (0 when it declares none: the test then fails)."""
    validators = node.validator.validators if isinstance(node.validator, colander.All) else [node.validator]
    return min((v.max for v in validators if isinstance(v, colander.Length) and v.max is not None), default=0)


def bad_values(node):
    """(what, value) a field of this type must refuse."""
    typ = node.typ
    if isinstance(typ, colander.String):
        longest = max_length(node)
        if longest < 10_000:
            yield "10,000 characters", LONG_TEXT
        elif longest < MAX_BODY_BYTES // 3:  # a longer one is over 1 MiB in UTF-8: the 413 case below covers it
            yield "one character over its maximum", "长" * (longest + 1)
        yield "NUL", "a\x00b"
    elif isinstance(typ, colander.Integer):
        yield "wrong type", "many"
        yield "beyond the integer columns", 10**30
        yield "fraction", 1.5
    elif isinstance(typ, colander.Boolean):
        yield "wrong type", {"yes": True}
    elif isinstance(typ, (colander.Date, colander.DateTime)):
        yield "impossible date", "2025-02-30"
        yield "year 0", "0000-01-01"
    elif isinstance(typ, colander.Sequence):
        yield "wrong type", "1,2,3"
        yield "100,000 items", MANY_IDS
    elif isinstance(typ, colander.Mapping):
        yield "wrong type", ["a"]


def table_counts(site) -> dict[str, int]:
    with transaction_scope(site.registry) as dbsession:
        names = set(dbsession.get_bind().dialect.get_table_names(dbsession.connection()))
        return {table.name: dbsession.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables if table.name in names}


@pytest.fixture
def admin_headers(site):
    return {"Authorization": f"Bearer {site.token(site.create_user('bad-input-admin', role='admin'))}"}


def _request(site, method, path, headers, **kwargs):
    return site.app.request(path, method=method, headers=headers, expect_errors=True, **kwargs)


def _json(site, method, path, headers, body):
    import json

    return _request(site, method, path, headers, body=json.dumps(body).encode(), content_type="application/json")


def _named(response, field) -> bool:
    body = response.json
    return isinstance(body.get("data"), dict) and any(key == field or key.startswith(f"{field}.") for key in body["data"])


def test_every_body_field_refuses_what_it_cannot_hold(site, admin_headers):
    before = table_counts(site)
    wrong = []
    for method, path, nodes in schema_operations(site.registry, "body"):
        for shape, body in (("malformed JSON", b'{"title": '), ("a list", b"[1, 2]"), ("a string", b'"text"')):
            response = _request(site, method, path, admin_headers, body=body, content_type="application/json")
            if response.status_int != 400:
                wrong.append(f"{method} {path} {shape}: {response.status_int}")
        for node in nodes:
            for what, value in bad_values(node):
                response = _json(site, method, path, admin_headers, {node.name: value})
                if response.status_int != 400 or not _named(response, node.name):
                    wrong.append(f"{method} {path} {node.name} ({what}): {response.status_int} {response.text[:120]}")
        oversized = _request(site, method, path, admin_headers, body=b" " * (MAX_BODY_BYTES + 1),
                             content_type="application/json")
        if oversized.status_int != 413:
            wrong.append(f"{method} {path} over 1 MiB: {oversized.status_int}")
    assert wrong == [], "\n".join(wrong)
    assert table_counts(site) == before


def test_every_query_parameter_refuses_what_it_cannot_hold(site, admin_headers):
    before = table_counts(site)
    wrong = []
    for method, path, nodes in schema_operations(site.registry, "querystring"):
        for node in nodes:
            for what, value in bad_values(node):
                if isinstance(value, (list, dict)):
                    continue  # a query string carries text only
                response = _request(site, method, f"{path}?{urlencode({node.name: str(value)})}", admin_headers)
                if response.status_int != 400 or not _named(response, node.name):
                    wrong.append(f"{method} {path}?{node.name} ({what}): {response.status_int} {response.text[:120]}")
    assert wrong == [], "\n".join(wrong)
    assert table_counts(site) == before
