"""Logging without personal data.

The service never logs names, emails, phone numbers or transcripts itself.  As a second line
of defence a filter on the loggers that print request lines (werkzeug's development server,
gunicorn's access log) and on the service's own loggers blanks email addresses and the
``email=`` query parameter of the status look-up.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+'!#$&*=?^`{|}~-]+(?:@|%40|%2540)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_EMAIL_PARAM = re.compile(r"(?i)(email=)[^&\s\"']*")
_CODE_PARAM = re.compile(r"(?i)(code=)[^&\s\"']*")

FILTERED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "intake", "flask-limiter")


def redact(text: str) -> str:
    text = _EMAIL_PARAM.sub(r"\1[redacted]", text)
    text = _CODE_PARAM.sub(r"\1[redacted]", text)
    return _EMAIL.sub("[email redacted]", text)


class RedactPII(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own handling
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = RedactPII()


def install() -> None:
    for name in FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPII) for f in logger.filters):
            logger.addFilter(_FILTER)
    # aiosmtpd logs envelope addresses at INFO
    logging.getLogger("mail.log").setLevel(logging.WARNING)
