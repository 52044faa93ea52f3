"""Request schemas of the schedule API (colander), bound to the request so they can read the site.

Times: a value with an offset is honoured, a naive one is the site's wall-clock
time; either way the validated value is an aware UTC datetime. ``null`` is a
value (it clears an optional field, also in a PATCH); a missing key is not.
"""
from __future__ import annotations

import datetime as dt

import colander

from core.api import page_nodes
from core.timefmt import site_aware

from .recurrence import FREQUENCIES
from .service import PRIORITIES, RELATED_TYPES, SCHEDULE_TYPES, STATUSES

ORDERING_FIELDS = ("id", "title", "start_time", "end_time", "priority", "status", "create_datetime", "update_datetime")
MAX_REMINDER_MINUTES = 10080  # one week


# --- types ----------------------------------------------------------------------------

class SiteDateTime(colander.SchemaType):
    """An ISO 8601 date or datetime; naive values are read in the site's zone. Yields aware UTC.

    In a query string an empty value means "not given"; in a body it is invalid.
    """

    def __init__(self, empty_is_missing: bool = False):
        self.empty_is_missing = empty_is_missing

    def deserialize(self, node, cstruct):
        if cstruct is colander.null or (cstruct == "" and self.empty_is_missing):
            return colander.null
        if not isinstance(cstruct, str) or not cstruct:
            raise colander.Invalid(node, "须为ISO 8601日期或时间字符串")
        value = colander.DateTime(default_tzinfo=None).deserialize(node, cstruct)
        registry = node.bindings["request"].registry
        return site_aware(registry, value).astimezone(dt.timezone.utc)


def nullable(type_class):
    """The type, except that JSON ``null`` is a value (None) rather than "missing"."""
    class NullableType(type_class):
        def deserialize(self, node, cstruct):
            return None if cstruct is None else super().deserialize(node, cstruct)

    NullableType.__name__ = f"Nullable{type_class.__name__}"
    return NullableType


NullableString, NullableInteger = nullable(colander.String), nullable(colander.Integer)
NullableSequence, NullableMapping, NullableDateTime = nullable(colander.Sequence), nullable(colander.Mapping), nullable(SiteDateTime)


def unless_none(validator):
    def check(node, value):
        if value is not None:
            validator(node, value)
    return check


def none_as(empty):
    """Preparer: JSON null stands for the field's empty value (a missing key stays missing)."""
    return lambda value: empty() if value is None else value


def unique_methods(value):
    if value is colander.null:
        return value
    return ",".join(dict.fromkeys(m.strip() for m in value.split(",") if m.strip()))


def integer(type_class=colander.Integer) -> colander.Integer:
    return type_class(strict=True)


def boolean() -> colander.Boolean:
    return colander.Boolean(false_choices=("false", "0"), true_choices=("true", "1"))


def _iso_date(node, value):
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise colander.Invalid(node, "不是有效的日期（YYYY-MM-DD）")


def _iso_date_or_datetime(node, value):
    try:
        dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
    except ValueError:
        raise colander.Invalid(node, "不是有效的日期或ISO 8601时间")


def _monthday(node, value):
    if not (1 <= value <= 31 or value == -1):
        raise colander.Invalid(node, "按月日期须为 1–31 或 -1（月末）")


@colander.deferred
def enabled_channels(_node, kw):
    """``reminder_method``: a comma list of the channels this site has (core's ``system`` + notify plugins)."""
    channels = kw["request"].registry.tessera_channels

    def check(node, value):
        unknown = [m for m in value.split(",") if m.strip() and m.strip() not in channels]
        if unknown:
            raise colander.Invalid(
                node, f"本站不支持的提醒方式: {', '.join(unknown)}（可用: {', '.join(sorted(channels))}）")
    return check


def _ordering(node, value):
    unknown = [f for f in value.split(",") if f.strip().lstrip("-") not in ORDERING_FIELDS]
    if unknown:
        raise colander.Invalid(node, f"不支持的排序字段: {', '.join(unknown)}（可用: {', '.join(ORDERING_FIELDS)}）")


# --- nested JSON values ----------------------------------------------------------------------

def _text(name, max_length=None, **kw):
    validator = colander.Length(max=max_length) if max_length else None
    return colander.SchemaNode(colander.String(allow_empty=True), name=name, missing=colander.drop,
                               validator=validator, **kw)


class Participant(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.Length(1, 100))
    role = _text("role", 100)
    phone = _text("phone", 32)
    email = colander.SchemaNode(colander.String(allow_empty=True), missing=colander.drop,
                                validator=colander.Any(colander.Email(), colander.OneOf([""])))


class Attachment(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.Length(1, 255))
    url = colander.SchemaNode(colander.String(), validator=colander.Length(1, 1000))
    size = colander.SchemaNode(integer(), missing=colander.drop, validator=colander.Range(min=0))
    upload_time = colander.SchemaNode(colander.String(), missing=colander.drop, validator=_iso_date_or_datetime)


class RecurrenceRule(colander.MappingSchema):
    """The spec's appendix plus ``exdates``; unknown keys are refused (a typo must not silently repeat forever)."""

    frequency = colander.SchemaNode(colander.String(), validator=colander.OneOf(list(FREQUENCIES)))
    interval = colander.SchemaNode(integer(), missing=1, validator=colander.Range(1, 1000))
    end_date = colander.SchemaNode(colander.String(), missing=colander.drop, validator=_iso_date)
    count = colander.SchemaNode(integer(), missing=colander.drop, validator=colander.Range(1, 10000))
    by_weekday = colander.SchemaNode(colander.Sequence(), colander.SchemaNode(integer(), validator=colander.Range(1, 7)),
                                     missing=colander.drop)
    by_monthday = colander.SchemaNode(colander.Sequence(), colander.SchemaNode(integer(), validator=_monthday),
                                      missing=colander.drop)
    exdates = colander.SchemaNode(colander.Sequence(),
                                  colander.SchemaNode(colander.String(), validator=_iso_date_or_datetime),
                                  missing=colander.drop)


# --- schedule fields ------------------------------------------------------------------------------

def schedule_fields(partial: bool) -> list[colander.SchemaNode]:
    """The writable fields. Whole (POST, PUT): required ones required, others their defaults; partial (PATCH): all optional."""
    def node(typ, name, default, **kw):
        return colander.SchemaNode(typ, name=name, missing=colander.drop if partial else default, **kw)

    required = colander.drop if partial else colander.required
    text = colander.String(allow_empty=True)  # "" is a value to validate, not a missing key
    return [
        colander.SchemaNode(text, name="title", missing=required, validator=colander.Length(1, 200)),
        node(NullableString(allow_empty=True), "description", "", preparer=none_as(str)),
        colander.SchemaNode(text, name="schedule_type", missing=required, validator=colander.OneOf(SCHEDULE_TYPES)),
        colander.SchemaNode(SiteDateTime(), name="start_time", missing=required),
        node(NullableDateTime(), "end_time", None),
        node(NullableString(allow_empty=True), "location", "", validator=colander.Length(0, 500), preparer=none_as(str)),
        node(NullableSequence(), "participants", [], children=[Participant(name="item")], preparer=none_as(list)),
        node(text, "status", "pending", validator=colander.OneOf(STATUSES)),
        node(text, "priority", "medium", validator=colander.OneOf(PRIORITIES)),
        node(boolean(), "is_all_day", False),
        node(boolean(), "reminder_enabled", True),
        node(integer(), "reminder_time", 30, validator=colander.Range(0, MAX_REMINDER_MINUTES)),
        node(text, "reminder_method", "system", validator=enabled_channels, preparer=unique_methods),
        node(NullableString(), "related_type", None, validator=unless_none(colander.OneOf(RELATED_TYPES))),
        node(integer(NullableInteger), "related_id", None, validator=unless_none(colander.Range(min=1))),
        node(NullableMapping(unknown="raise"), "recurrence_rule", None, children=RecurrenceRule().children),
        node(NullableSequence(), "attachments", [], children=[Attachment(name="item")], preparer=none_as(list)),
        node(NullableString(allow_empty=True), "remark", "", preparer=none_as(str)),
        colander.SchemaNode(boolean(), name="allow_conflict", missing=False,
                            description="true: save even when it overlaps another schedule (no 4005)"),
    ]


class CreateScheduleRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *schedule_fields(partial=False))


class PatchScheduleRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *schedule_fields(partial=True))


class ListSchedulesRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(), *page_nodes("limit", 20),
        colander.SchemaNode(colander.String(), name="schedule_type", missing=None, validator=colander.OneOf(SCHEDULE_TYPES)),
        colander.SchemaNode(colander.String(), name="status", missing=None, validator=colander.OneOf(STATUSES)),
        colander.SchemaNode(colander.String(), name="priority", missing=None, validator=colander.OneOf(PRIORITIES)),
        colander.SchemaNode(SiteDateTime(empty_is_missing=True), name="start_time_after", missing=None, description="start_time ≥ this"),
        colander.SchemaNode(SiteDateTime(empty_is_missing=True), name="start_time_before", missing=None, description="start_time ≤ this"),
        colander.SchemaNode(colander.String(), name="related_type", missing=None, validator=colander.OneOf(RELATED_TYPES)),
        colander.SchemaNode(integer(), name="related_id", missing=None),
        colander.SchemaNode(colander.String(), name="search", missing=None, description="标题、描述、地点（不区分大小写）"),
        colander.SchemaNode(colander.String(), name="ordering", missing="-start_time", validator=_ordering,
                            description="逗号分隔，如 -start_time,title；可用: " + ", ".join(ORDERING_FIELDS)),
    )


class BatchDeleteRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Sequence(), colander.SchemaNode(integer(), name="id"), name="ids",
                            validator=colander.Length(1, 1000)),
    )


class UpdateStatusRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(), colander.SchemaNode(colander.String(), name="status", validator=colander.OneOf(STATUSES)))


class StatisticsRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Date(), name="start_date", missing=None),
        colander.SchemaNode(colander.Date(), name="end_date", missing=None),
    )


class CalendarRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(integer(), name="year", validator=colander.Range(1900, 2200)),
        colander.SchemaNode(integer(), name="month", validator=colander.Range(1, 12)),
    )


class ByRelatedRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.String(), name="related_type", validator=colander.OneOf(RELATED_TYPES)),
        colander.SchemaNode(integer(), name="related_id"),
    )


class FromCustomerPlanRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(integer(), name="customer_id", validator=colander.Range(min=1)),
        colander.SchemaNode(colander.String(), name="plan_title", validator=colander.Length(1, 200)),
        colander.SchemaNode(SiteDateTime(), name="plan_time"),
        colander.SchemaNode(NullableString(allow_empty=True), name="plan_description", missing="",
                            preparer=none_as(str)),
        colander.SchemaNode(integer(), name="reminder_time", missing=30, validator=colander.Range(0, MAX_REMINDER_MINUTES)),
    )


class ExportRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(SiteDateTime(empty_is_missing=True), name="start", missing=None, description="默认30天前"),
        colander.SchemaNode(SiteDateTime(empty_is_missing=True), name="end", missing=None, description="默认一年后"),
    )
