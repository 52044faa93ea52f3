"""The SMS send log: audit trail and rate-limit counter (see ``core.sendlog``)."""
from core.toolkit import Base, SendLogMixin


class SmsSendLog(SendLogMixin, Base):
    __tablename__ = "notify_sms_send_log"
