"""The e-mail send log: audit trail and rate-limit counter (see ``core.sendlog``)."""
from core.toolkit import Base, SendLogMixin


class EmailSendLog(SendLogMixin, Base):
    __tablename__ = "notify_email_send_log"
