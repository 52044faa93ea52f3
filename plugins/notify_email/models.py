"""The e-mail send log: audit trail and rate-limit counter (see ``core.sendlog``)."""
from core.db import Base
from core.sendlog import SendLogMixin


class EmailSendLog(SendLogMixin, Base):
    __tablename__ = "notify_email_send_log"
