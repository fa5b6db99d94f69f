"""Configuration from environment variables, with safe defaults for a local run.

Every setting can also be overridden by the dict passed to ``create_app(config)``.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: The fixed development secret for machine-to-machine HMAC signing.  Using it
#: makes the app log a warning at start-up; set INTAKE_API_SECRET in production.
DEV_API_SECRET = "dev-only-insecure-intake-api-secret"
DEV_SECRET_KEY = "dev-only-insecure-intake-session-key"

DEFAULT_TEAM_EMAIL = "sales@sessionmusic.co.uk"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    return int(value)


def _float(value: str | None, default: float) -> float:
    if value is None or value.strip() == "":
        return default
    return float(value)


def default_database_url() -> str:
    return "sqlite:///" + str(REPO_ROOT / "var" / "intake.sqlite3")


def load_config(environ: dict | None = None) -> dict:
    """Read the service configuration from ``environ`` (default ``os.environ``)."""
    env = os.environ if environ is None else environ
    g = env.get
    return {
        # database
        "DATABASE_URL": g("DATABASE_URL") or default_database_url(),
        # secrets
        "INTAKE_API_SECRET": g("INTAKE_API_SECRET") or DEV_API_SECRET,
        "SECRET_KEY": g("INTAKE_SECRET_KEY") or DEV_SECRET_KEY,
        # public base URL for links in mails
        "INTAKE_PUBLIC_URL": (g("INTAKE_PUBLIC_URL") or "http://127.0.0.1:5100").rstrip("/"),
        # mail routing
        "TEAM_EMAIL": g("TEAM_EMAIL") or DEFAULT_TEAM_EMAIL,
        "HANDOFF_EMAIL": g("HANDOFF_EMAIL") or DEFAULT_TEAM_EMAIL,
        "MAIL_FROM": g("MAIL_FROM") or "Session Music <sales@sessionmusic.co.uk>",
        "SMTP_HOST": g("SMTP_HOST") or "127.0.0.1",
        "SMTP_PORT": _int(g("SMTP_PORT"), 1025),
        "SMTP_USERNAME": g("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": g("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _bool(g("SMTP_STARTTLS"), False),
        "SMTP_TIMEOUT": _float(g("SMTP_TIMEOUT"), 10.0),
        "MAIL_DIR": g("MAIL_DIR") or str(REPO_ROOT / "var" / "mail"),
        # outbox worker
        "OUTBOX_POLL_INTERVAL": _float(g("OUTBOX_POLL_INTERVAL"), 2.0),
        "OUTBOX_BACKOFF_BASE": _float(g("OUTBOX_BACKOFF_BASE"), 30.0),
        "OUTBOX_BACKOFF_MAX": _float(g("OUTBOX_BACKOFF_MAX"), 3600.0),
        "OUTBOX_MAX_ATTEMPTS": _int(g("OUTBOX_MAX_ATTEMPTS"), 50),
        # rate limiting (Flask-Limiter)
        "RATELIMIT_STORAGE_URI": g("RATELIMIT_STORAGE_URI") or "memory://",
        "STATUS_RATE_LIMIT": g("INTAKE_STATUS_RATE_LIMIT") or "10 per minute;60 per hour",
        "VERIFY_RATE_LIMIT": g("INTAKE_VERIFY_RATE_LIMIT") or "20 per minute",
        "LOGIN_RATE_LIMIT": g("INTAKE_LOGIN_RATE_LIMIT") or "10 per minute",
        # request handling
        "SIGNATURE_MAX_AGE": _int(g("INTAKE_SIGNATURE_MAX_AGE"), 300),
        "MAX_REQUEST_BYTES": _int(g("INTAKE_MAX_REQUEST_BYTES"), 64 * 1024),
        "MAX_HANDOFF_BYTES": _int(g("INTAKE_MAX_HANDOFF_BYTES"), 512 * 1024),
        "VERIFICATION_TTL_SECONDS": _int(g("INTAKE_VERIFICATION_TTL_SECONDS"), 24 * 3600),
        "VERIFICATION_MAX_ATTEMPTS": 5,
        # where the shop's time zone lives (for "the day the request was received")
        "INTAKE_TIMEZONE": g("INTAKE_TIMEZONE") or "Europe/London",
        # staff sessions
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "sm_intake_session",
        "PERMANENT_SESSION_LIFETIME": _int(g("INTAKE_SESSION_HOURS"), 8) * 3600,
        "LOG_LEVEL": g("INTAKE_LOG_LEVEL") or "INFO",
    }
