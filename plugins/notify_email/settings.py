"""The e-mail plugin's settings (``tessera.notify_email.*``)."""
from core.toolkit import Setting, as_bool, as_positive_int, one_of

SETTINGS = (
    Setting("tessera.notify_email.backend", "console", one_of("console", "smtp"),
            "console logs messages and keeps them in memory (development); smtp sends them"),
    Setting("tessera.notify_email.host", None, str, "SMTP server (the spec's EMAIL_HOST)"),
    Setting("tessera.notify_email.port", None, as_positive_int,
            "SMTP port (EMAIL_PORT); default 587 for starttls, 465 for ssl, 25 for none"),
    Setting("tessera.notify_email.security", "starttls", one_of("starttls", "ssl", "none"),
            "starttls (EMAIL_USE_TLS), ssl (EMAIL_USE_SSL) or none (a trusted local relay only)"),
    Setting("tessera.notify_email.authenticate", True, as_bool,
            "log in with user/password; false for a relay that takes no login"),
    Setting("tessera.notify_email.user", None, str, "SMTP login (EMAIL_HOST_USER)"),
    Setting("tessera.notify_email.password", None, str, "SMTP password (EMAIL_HOST_PASSWORD)", secret=True),
    Setting("tessera.notify_email.from_address", None, str,
            "sender, e.g. 'Tessera 日程 <noreply@example.com>' (DEFAULT_FROM_EMAIL)"),
    Setting("tessera.notify_email.timeout", 10, as_positive_int, "seconds to wait for the SMTP server"),
)
