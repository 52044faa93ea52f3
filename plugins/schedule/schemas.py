"""Request schemas of the schedule API (colander), bound to the request so they can read the site.

Times: a value with an offset is honoured, a naive one is the site's wall-clock
time; either way the validated value is an aware UTC datetime. ``null`` is a
value (it clears an optional field, also in a PATCH); a missing key is not.
"""
from __future__ import annotations

import copy
import datetime as dt

import colander

from core.toolkit import MAX_ID, email_address, page_nodes, single_line, site_aware, supported_year, web_url

from .models import PRIORITIES, RELATED_TYPES, SCHEDULE_TYPES, SCOPES, STATUSES
from .recurrence import FREQUENCIES
from .sharing_models import ACCESS_LEVELS, RESPONSES

ORDERING_FIELDS = ("id", "title", "start_time", "end_time", "priority", "status", "create_datetime", "update_datetime")
MAX_REMINDER_MINUTES = 10080  # one week
ID_RANGE = colander.Range(1, MAX_ID)
MAX_ATTACHMENT_BYTES = 2**53  # the largest size a JavaScript client reads exactly
MAX_ATTACHMENTS = 50
MAX_TEXT = 5000  # description, remark: as long as a contacts plan's description
MAX_EXDATES = 1000


# --- nodes ------------------------------------------------------------------------------
# Plain colander types only (cornice_swagger documents exactly those); behaviour lives in the nodes.

class Node(colander.SchemaNode):
    """A body field where JSON null is either a value (``nullable=True``: ``null_value``) or refused — never "missing"."""

    nullable = False
    null_value = None

    def deserialize(self, cstruct=colander.null):
        if cstruct is None:
            if not self.nullable:
                raise colander.Invalid(self, "不能为 null")
            return copy.copy(self.null_value)
        return super().deserialize(cstruct)


class SiteDateTime(Node):
    """An ISO 8601 date or datetime; naive values are read in the site's zone. Yields aware UTC.

    With ``empty_is_missing`` (query strings) an empty value means "not given"; in a body it is invalid.
    """

    empty_is_missing = False

    @staticmethod
    def schema_type():
        return colander.DateTime(default_tzinfo=None)

    def deserialize(self, cstruct=colander.null):
        if cstruct is None:
            return super().deserialize(cstruct)
        given = cstruct is not colander.null and not (cstruct == "" and self.empty_is_missing)
        if given and (not isinstance(cstruct, str) or not cstruct):
            raise colander.Invalid(self, "须为ISO 8601日期或时间字符串")
        value = super().deserialize(cstruct)
        if value not in (None, colander.null, colander.drop):
            supported_year(self, value)
        if isinstance(value, dt.datetime):
            return site_aware(self.bindings["registry"], value).astimezone(dt.timezone.utc)
        return value


class IdList(colander.SchemaNode):
    """A query-string list of ids, comma separated (``owner_id=3,5``); yields a list of distinct ints."""

    max_ids = 20

    @staticmethod
    def schema_type():
        return colander.String()

    def deserialize(self, cstruct=colander.null):
        value = super().deserialize(cstruct)
        if value in (colander.null, None) or value is self.missing:
            return value
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts or not all(part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_ID for part in parts):
            raise colander.Invalid(self, "须为逗号分隔的用户ID，如 3,5")
        ids = list(dict.fromkeys(int(part) for part in parts))
        if len(ids) > self.max_ids:
            raise colander.Invalid(self, f"最多 {self.max_ids} 个")
        return ids


def owner_ids_node() -> IdList:
    return IdList(name="owner_id", missing=None,
                  description="只看这些人的日历（逗号分隔的用户ID；需对方的共享授权，管理员可看所有人）")


def unique_methods(value):
    if value is colander.null:
        return value
    return ",".join(dict.fromkeys(m.strip() for m in value.split(",") if m.strip()))


def integer() -> colander.Integer:
    return colander.Integer(strict=True)


def boolean() -> colander.Boolean:
    return colander.Boolean(false_choices=("false", "0"), true_choices=("true", "1"))


def _iso_date(node, value):
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise colander.Invalid(node, "不是有效的日期（YYYY-MM-DD）")
    supported_year(node, day)


def _iso_date_or_datetime(node, value):
    """A date or an ISO 8601 time, in the supported years: stored as text, it is read again by every view."""
    try:
        moment = dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
    except ValueError:
        raise colander.Invalid(node, "不是有效的日期或ISO 8601时间")
    supported_year(node, moment)


def _monthday(node, value):
    if not (1 <= value <= 31 or value == -1):
        raise colander.Invalid(node, "按月日期须为 1–31 或 -1（月末）")


@colander.deferred
def enabled_channels(_node, kw):
    """``reminder_method``: a comma list of the channels this site has (core's ``system`` + notify plugins)."""
    channels = kw["registry"].tessera_channels

    def check(node, value):
        unknown = [m for m in value.split(",") if m.strip() and m.strip() not in channels]
        if unknown:
            raise colander.Invalid(
                node, f"本站不支持的提醒方式: {', '.join(unknown)}（可用: {', '.join(sorted(channels))}）")
    return check


@colander.deferred
def participant_cap(_node, kw):
    """``participants``: at most ``tessera.schedule.max_participants`` (every one may be sent reminders)."""
    cap = kw["registry"].settings["tessera.schedule.max_participants"]
    return colander.Length(max=cap, max_err=f"参与人最多 {cap} 个")


def _ordering(node, value):
    unknown = [f for f in value.split(",") if f.strip().lstrip("-") not in ORDERING_FIELDS]
    if unknown:
        raise colander.Invalid(node, f"不支持的排序字段: {', '.join(unknown)}（可用: {', '.join(ORDERING_FIELDS)}）")


# --- nested JSON values ----------------------------------------------------------------------

def _text(name, max_length, *validators, **kw):
    return colander.SchemaNode(colander.String(allow_empty=True), name=name, missing=colander.drop,
                               validator=colander.All(colander.Length(max=max_length), *validators), **kw)


class Participant(colander.MappingSchema):
    """A free-text person (``name`` required), or a site user (``user_id``; ``name`` defaults to theirs)."""

    name = colander.SchemaNode(colander.String(), validator=colander.All(colander.Length(1, 100), single_line),
                               missing=colander.drop)
    user_id = colander.SchemaNode(integer(), validator=ID_RANGE, missing=colander.drop,
                                  description="a site user: sees the schedule, is reminded in their inbox, answers")
    role = _text("role", 100, single_line)
    phone = _text("phone", 32, single_line)
    email = colander.SchemaNode(colander.String(allow_empty=True), missing=colander.drop,
                                validator=colander.All(colander.Length(0, 254), email_address))

    def validator(self, node, value):
        if "name" not in value and "user_id" not in value:
            error = colander.Invalid(node)
            error["name"] = "Required"
            raise error


class Attachment(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.All(colander.Length(1, 255), single_line))
    url = colander.SchemaNode(colander.String(), validator=colander.All(colander.Length(1, 1000), web_url),
                              description="an http/https link or a path on this site")
    size = colander.SchemaNode(integer(), missing=colander.drop, validator=colander.Range(0, MAX_ATTACHMENT_BYTES))
    upload_time = colander.SchemaNode(colander.String(), missing=colander.drop, validator=_iso_date_or_datetime)


#: how many reminders one schedule may have (``reminder_leads``)
MAX_LEADS = 5


class ReminderLead(colander.MappingSchema):
    minutes = colander.SchemaNode(integer(), validator=colander.Range(0, MAX_REMINDER_MINUTES),
                                  description="minutes before the start (all-day: before all_day_reminder_time)")
    method = colander.SchemaNode(colander.String(allow_empty=True), missing="system", validator=enabled_channels,
                                 preparer=unique_methods, description="channels, comma separated (default system)")


def _distinct_leads(node, value):
    if not 1 <= len(value) <= MAX_LEADS:
        raise colander.Invalid(node, f"提醒须为 1–{MAX_LEADS} 个")
    if len({lead["minutes"] for lead in value}) != len(value):
        raise colander.Invalid(node, "提前时间不能重复")


class RecurrenceRule(colander.MappingSchema):
    """The spec's appendix plus ``exdates``; unknown keys are refused (a typo must not silently repeat forever)."""

    frequency = colander.SchemaNode(colander.String(), validator=colander.OneOf(list(FREQUENCIES)))
    interval = colander.SchemaNode(integer(), missing=1, validator=colander.Range(1, 1000))
    end_date = colander.SchemaNode(colander.String(), missing=colander.drop, validator=_iso_date)
    count = colander.SchemaNode(integer(), missing=colander.drop, validator=colander.Range(1, 10000))
    by_weekday = colander.SchemaNode(colander.Sequence(), colander.SchemaNode(integer(), validator=colander.Range(1, 7)),
                                     missing=colander.drop, validator=colander.Length(max=7))
    by_monthday = colander.SchemaNode(colander.Sequence(),
                                      colander.SchemaNode(integer(), validator=colander.All(colander.Range(-1, 31), _monthday)),
                                      missing=colander.drop, validator=colander.Length(max=32))
    exdates = colander.SchemaNode(colander.Sequence(),
                                  colander.SchemaNode(colander.String(), validator=colander.All(
                                      colander.Length(max=40), _iso_date_or_datetime)),
                                  missing=colander.drop, validator=colander.Length(max=MAX_EXDATES),
                                  description=f"dates or times the series skips (at most {MAX_EXDATES}), years 1900–2999")


# --- schedule fields ------------------------------------------------------------------------------

def schedule_fields(partial: bool) -> list[colander.SchemaNode]:
    """The writable fields. Whole (POST, PUT): required ones required, others their defaults; partial (PATCH): all optional."""
    def node(typ, name, default, **kw):
        return Node(typ, name=name, missing=colander.drop if partial else copy.copy(default), **kw)

    def nullable(typ, name, default, **kw):  # null is the empty value: clears the field, also in a PATCH
        return node(typ, name, default, nullable=True, null_value=default, **kw)

    required = colander.drop if partial else colander.required
    text = colander.String(allow_empty=True)  # "" is a value to validate, not a missing key
    return [
        Node(text, name="title", missing=required, validator=colander.All(colander.Length(1, 200), single_line)),
        nullable(text, "description", "", validator=colander.Length(max=MAX_TEXT)),
        Node(text, name="schedule_type", missing=required, validator=colander.OneOf(SCHEDULE_TYPES)),
        SiteDateTime(name="start_time", missing=required),
        SiteDateTime(name="end_time", missing=colander.drop if partial else None, nullable=True),
        nullable(text, "location", "", validator=colander.All(colander.Length(0, 500), single_line)),
        nullable(colander.Sequence(), "participants", [], children=[Participant(name="item")],
                 validator=participant_cap),
        node(text, "status", "pending", validator=colander.OneOf(STATUSES)),
        node(text, "priority", "medium", validator=colander.OneOf(PRIORITIES)),
        node(boolean(), "is_all_day", False),
        node(boolean(), "reminder_enabled", True),
        node(integer(), "reminder_time", 30, validator=colander.Range(0, MAX_REMINDER_MINUTES)),
        node(text, "reminder_method", "system", validator=enabled_channels, preparer=unique_methods),
        Node(colander.Sequence(), name="reminder_leads", missing=colander.drop if partial else None, nullable=True,
             children=[ReminderLead(name="item")], validator=_distinct_leads,
             description=f"several reminders (1–{MAX_LEADS}): the first is reminder_time/reminder_method and "
                         "overrides them; null or left out of a PUT: only reminder_time/reminder_method"),
        nullable(colander.String(), "related_type", None, validator=colander.OneOf(RELATED_TYPES)),
        nullable(integer(), "related_id", None, validator=ID_RANGE),
        nullable(colander.Mapping(unknown="raise"), "recurrence_rule", None, children=RecurrenceRule().children),
        nullable(colander.Sequence(), "attachments", [], children=[Attachment(name="item")],
                 validator=colander.Length(max=MAX_ATTACHMENTS)),
        nullable(text, "remark", "", validator=colander.Length(max=MAX_TEXT)),
        Node(boolean(), name="allow_conflict", missing=False,
             description="true: save even when it overlaps another schedule (no 4005)"),
        *([] if partial else [Node(integer(), name="owner_id", missing=colander.drop, validator=ID_RANGE,
                                   description="create in this user's calendar (needs their write grant; admins: anyone)")]),
    ]


def occurrence_scope() -> colander.SchemaNode:
    """Which occurrences of a series a change applies to (exceptions.py)."""
    return colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.String(), name="scope", missing="all", validator=colander.OneOf(SCOPES),
                            description="重复日程：this 只改这一次，following 这一次及以后，all 全部（默认）"),
        SiteDateTime(name="occurrence", missing=None, empty_is_missing=True,
                     description="scope 为 this/following 时：那一次的原开始时间（日历项的 occurrence）"))


class CreateScheduleRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *schedule_fields(partial=False))


class ReplaceScheduleRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *schedule_fields(partial=False))
    querystring = occurrence_scope()


class PatchScheduleRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *schedule_fields(partial=True))
    querystring = occurrence_scope()


class DeleteScheduleRequest(colander.MappingSchema):
    querystring = occurrence_scope()


class ListSchedulesRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(), *page_nodes("limit", 20),
        colander.SchemaNode(colander.String(), name="schedule_type", missing=None, validator=colander.OneOf(SCHEDULE_TYPES)),
        colander.SchemaNode(colander.String(), name="status", missing=None, validator=colander.OneOf(STATUSES)),
        colander.SchemaNode(colander.String(), name="priority", missing=None, validator=colander.OneOf(PRIORITIES)),
        SiteDateTime(name="start_time_after", missing=None, empty_is_missing=True, description="start_time ≥ this"),
        SiteDateTime(name="start_time_before", missing=None, empty_is_missing=True, description="start_time ≤ this"),
        colander.SchemaNode(colander.String(), name="related_type", missing=None, validator=colander.OneOf(RELATED_TYPES)),
        colander.SchemaNode(integer(), name="related_id", missing=None, validator=ID_RANGE),
        colander.SchemaNode(colander.String(), name="search", missing=None, validator=colander.Length(max=200),
                            description="标题、描述、地点（不区分大小写）"),
        colander.SchemaNode(colander.String(), name="ordering", missing="-start_time", validator=_ordering,
                            description="逗号分隔，如 -start_time,title；可用: " + ", ".join(ORDERING_FIELDS)),
        owner_ids_node(),
    )


class BatchDeleteRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Sequence(), colander.SchemaNode(integer(), name="id", validator=ID_RANGE), name="ids",
                            validator=colander.Length(1, 1000)),
    )


class UpdateStatusRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(), colander.SchemaNode(colander.String(), name="status", validator=colander.OneOf(STATUSES)))
    querystring = occurrence_scope()


class StatisticsRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Date(), name="start_date", missing=None, validator=supported_year),
        colander.SchemaNode(colander.Date(), name="end_date", missing=None, validator=supported_year),
        owner_ids_node(),
    )


def _site_date(name: str, description: str) -> colander.SchemaNode:
    return colander.SchemaNode(colander.Date(), name=name, missing=None, validator=supported_year, description=description)


class CalendarRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(integer(), name="year", missing=None, validator=colander.Range(1900, 2200),
                            description="年份（与 month 一起必填，除非给出 date）"),
        colander.SchemaNode(integer(), name="month", missing=None, validator=colander.Range(1, 12),
                            description="月份（与 year 一起必填，除非给出 date）"),
        _site_date("date", "该日期所在的月份（YYYY-MM-DD）"),
        owner_ids_node(),
    )


class DayRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(), _site_date("date", "哪一天（YYYY-MM-DD，默认今天；this_week: 该日所在的周）"), owner_ids_node())


class RangeRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Date(), name="start_date", validator=supported_year, description="第一天（含）"),
        colander.SchemaNode(colander.Date(), name="end_date", validator=supported_year, description="最后一天（含）"),
        owner_ids_node(),
    )


class ByRelatedRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.String(), name="related_type", validator=colander.OneOf(RELATED_TYPES)),
        colander.SchemaNode(integer(), name="related_id", validator=ID_RANGE),
    )


class FromCustomerPlanRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(integer(), name="customer_id", validator=ID_RANGE),
        colander.SchemaNode(colander.String(), name="plan_title", validator=colander.All(colander.Length(1, 200), single_line)),
        SiteDateTime(name="plan_time"),
        Node(colander.String(allow_empty=True), name="plan_description", missing="", nullable=True, null_value="",
             validator=colander.Length(max=MAX_TEXT)),
        colander.SchemaNode(integer(), name="reminder_time", missing=30, validator=colander.Range(0, MAX_REMINDER_MINUTES)),
    )


class ExportRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        SiteDateTime(name="start", missing=None, empty_is_missing=True, description="默认30天前"),
        SiteDateTime(name="end", missing=None, empty_is_missing=True, description="默认一年后"),
    )


class RespondRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.String(), name="response", validator=colander.OneOf(RESPONSES),
                            description="accepted / declined / tentative"))


class GrantRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(integer(), name="grantee_id", validator=ID_RANGE, description="who receives the grant"),
        colander.SchemaNode(colander.String(), name="access", validator=colander.OneOf(ACCESS_LEVELS),
                            description="freebusy: busy intervals only; read: everything; write: also create and edit"))


#: the longest window free/busy and range views expand (every occurrence in it is computed)
MAX_WINDOW_DAYS = 62


class FreeBusyRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        IdList(name="user_ids", description="逗号分隔的用户ID（最多20个）"),
        SiteDateTime(name="start", description="窗口开始（含）"),
        SiteDateTime(name="end", description=f"窗口结束（不含），最长 {MAX_WINDOW_DAYS} 天"),
    )
