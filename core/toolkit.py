"""Everything a Tessera plugin may import from the core — the one public surface.

Plugins, ours and third parties', import from here and nowhere else in ``core``
(a test fails when a shipped plugin does otherwise). What is named here keeps
its meaning across the minor versions of the plugin contract
(``CONTRACT_VERSION``); anything else in ``core`` may change without notice.
See docs/plugins.md.
"""
from __future__ import annotations

from core import CONTRACT_VERSION
from core import __version__ as CORE_VERSION
from core.accounts import create_user
from core.api import (
                      BUSINESS_CODE_ENVELOPE,
                      HTTP_CODE_ENVELOPE,
                      MAX_ID,
                      ApiError,
                      BadRequest,
                      Conflict,
                      Envelope,
                      Forbidden,
                      NotFound,
                      PageQuery,
                      TooManyRequests,
                      Unauthorized,
                      api_service,
                      colander_validator,
                      envelope_response,
                      ok,
                      page_nodes,
                      paginate,
                      path_id,
)
from core.auth import ADMIN, AUTHENTICATED, current_user, user_has_permission
from core.channels import Channel, Notification, Recipient, SendResult, send_to_users
from core.claims import claim_due
from core.clock import FixedClock, SystemClock
from core.db import Base, UTCDateTime, contains_text, like_pattern, transaction_scope
from core.events import Event, publish_event
from core.hookspecs import hookspec
from core.inputs import Pattern, email_address, single_line, web_url
from core.models import User
from core.passwords import verify_password
from core.plugins import Manifest, hookimpl
from core.readcache import reuse_answer
from core.settings import ConfigurationError, Setting, as_bool, as_list, as_non_negative_int, as_positive_int, one_of
from core.tasks import enqueue_after_commit
from core.timefmt import isoformat_local, isoformat_utc_ms, local_date, site_aware, site_today, supported_year

__all__ = [
    "ADMIN", "AUTHENTICATED", "BUSINESS_CODE_ENVELOPE", "CONTRACT_VERSION", "CORE_VERSION",
    "HTTP_CODE_ENVELOPE", "MAX_ID", "Pattern",
    "ApiError", "BadRequest", "Base", "Channel", "ConfigurationError", "Conflict", "Envelope", "Event", "FixedClock",
    "Forbidden", "Manifest", "NotFound", "Notification", "PageQuery", "Recipient", "SendResult", "Setting",
    "SystemClock", "TooManyRequests", "UTCDateTime", "Unauthorized", "User",
    "api_service", "as_bool", "as_list", "as_non_negative_int", "as_positive_int", "claim_due", "colander_validator",
    "contains_text", "create_user", "current_user", "email_address", "enqueue_after_commit", "envelope_response", "hookimpl", "hookspec", "isoformat_local",
    "isoformat_utc_ms", "like_pattern", "local_date", "ok", "one_of", "page_nodes", "paginate", "path_id", "publish_event", "reuse_answer", "send_to_users", "single_line", "site_aware", "site_today", "supported_year", "transaction_scope",
    "user_has_permission", "verify_password", "web_url",
]
