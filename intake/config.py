"""Configuration from environment variables, with safe defaults for a local run.

Every setting can also be overridden by the dict passed to ``create_app(config)``.

The three secrets (the action server's signing secret, the session key and the key that encrypts
answers for delivery) have no built-in value.  Outside development mode (``INTAKE_DEVELOPMENT=1``)
the app refuses to start without them (``check_secrets``); in development mode a missing
secret is replaced by a random one for this process only (``make run`` passes per-checkout
secrets from ``var/secrets/`` instead, see ``launcher/dev_secrets.py``).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from dsar_contract.conversations import RETENTION_VARIABLE, retention_days

from . import retention as intake_retention

REPO_ROOT = Path(__file__).resolve().parent.parent

#: One variable switches development mode on (``make run``, the tests); never set it in production.
DEVELOPMENT_ENV = "INTAKE_DEVELOPMENT"
#: config key -> the environment variable that sets it
SECRET_VARIABLES = {
    "INTAKE_API_SECRET": "INTAKE_API_SECRET",
    "SECRET_KEY": "INTAKE_SECRET_KEY",
    # encrypts the files staff upload as a request's answer (intake/delivery.py); losing it loses
    # only deliveries in flight (at most INTAKE_DELIVERY_LINK_DAYS old)
    "DELIVERY_KEY": "INTAKE_DELIVERY_KEY",
}
MIN_SECRET_LENGTH = 32
#: Development secrets this repository once shipped in its source: public, so never accepted
#: outside development mode.
PUBLISHED_SECRETS = frozenset({"dev-only-insecure-intake-api-secret", "dev-only-insecure-intake-session-key"})

DEFAULT_TEAM_EMAIL = "sales@sessionmusic.co.uk"

#: Shopify's privacy webhooks (``intake/shopify_webhooks.py``) are on when this is set: the Shopify
#: app's client secret, which signs every webhook.  Optional (unset: the endpoints answer 404), but a
#: value that is set must be strong enough outside development mode, like the two secrets above.
SHOPIFY_SECRET_VARIABLE = "SHOPIFY_API_SECRET"


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


def _bounded(env, variable: str, default: int, low: int, high: int) -> int:
    """A whole-number setting within [low, high]; ValueError naming the variable otherwise."""
    text = (env.get(variable) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{variable} must be a whole number from {low} to {high}, not {text[:20]!r}")
    return int(text)


def default_database_url() -> str:
    return "sqlite:///" + str(REPO_ROOT / "var" / "intake.sqlite3")


def tracker_store_url(raw: str | None) -> str:
    """The bot's tracker store (``TRACKER_STORE_URL``, as the launcher reads it for Rasa): unset,
    ``var/conversations.sqlite3``; a relative SQLite path is from the repository root."""
    from sqlalchemy.engine import make_url

    raw = (raw or "").strip()
    if not raw:
        return "sqlite:///" + str(REPO_ROOT / "var" / "conversations.sqlite3")
    url = make_url(raw)
    if (
        url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        and not Path(url.database).is_absolute()
    ):
        return url.set(database=str(REPO_ROOT / url.database)).render_as_string(hide_password=False)
    return raw


def load_config(environ: dict | None = None) -> dict:
    """Read the service configuration from ``environ`` (default ``os.environ``)."""
    env = os.environ if environ is None else environ
    g = env.get
    return {
        # database
        "DATABASE_URL": g("DATABASE_URL") or default_database_url(),
        "DEVELOPMENT": _bool(g(DEVELOPMENT_ENV), False),
        # the bot's conversations (Rasa's SQL tracker store): read for transcripts, deleted on
        # erasure and by the retention purge (intake/conversation_purge.py)
        "TRACKER_STORE_URL": tracker_store_url(g("TRACKER_STORE_URL")),
        "CONVERSATION_RETENTION_DAYS": retention_days(g(RETENTION_VARIABLE)),
        # the intake's own retention (intake/retention.py): closed requests and handoffs anonymised after
        # this many days; sent mail loses its body this many seconds after sending
        "INTAKE_RETENTION_DAYS": intake_retention.retention_days(g(intake_retention.RETENTION_VARIABLE)),
        "OUTBOX_SENT_BODY_GRACE_SECONDS": intake_retention.outbox_grace_seconds(
            g(intake_retention.OUTBOX_GRACE_VARIABLE)
        ),
        # secrets (no defaults: see check_secrets)
        "INTAKE_API_SECRET": g("INTAKE_API_SECRET") or None,
        "SECRET_KEY": g("INTAKE_SECRET_KEY") or None,
        "DELIVERY_KEY": g("INTAKE_DELIVERY_KEY") or None,
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
        # memory:// counts per process: with several gunicorn workers use shared storage (redis://)
        "RATELIMIT_STORAGE_URI": g("INTAKE_RATELIMIT_STORAGE_URI") or g("RATELIMIT_STORAGE_URI") or "memory://",
        "STATUS_RATE_LIMIT": g("INTAKE_STATUS_RATE_LIMIT") or "10 per minute;60 per hour",
        "VERIFY_RATE_LIMIT": g("INTAKE_VERIFY_RATE_LIMIT") or "20 per minute",
        "LOGIN_RATE_LIMIT": g("INTAKE_LOGIN_RATE_LIMIT") or "10 per minute",
        # request handling
        "SIGNATURE_MAX_AGE": _int(g("INTAKE_SIGNATURE_MAX_AGE"), 300),
        "MAX_REQUEST_BYTES": _int(g("INTAKE_MAX_REQUEST_BYTES"), 64 * 1024),
        "MAX_HANDOFF_BYTES": _int(g("INTAKE_MAX_HANDOFF_BYTES"), 512 * 1024),
        "VERIFICATION_TTL_SECONDS": _int(g("INTAKE_VERIFICATION_TTL_SECONDS"), 24 * 3600),
        "VERIFICATION_MAX_ATTEMPTS": 5,
        # days without an answer to a clarification after which staff may close the request as withdrawn
        "CLARIFICATION_WAIT_DAYS": _int(g("INTAKE_CLARIFICATION_WAIT_DAYS"), 30),
        # where the shop's time zone lives (for "the day the request was received")
        "INTAKE_TIMEZONE": g("INTAKE_TIMEZONE") or "Europe/London",
        # staff sessions
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "sm_intake_session",
        "PERMANENT_SESSION_LIFETIME": _int(g("INTAKE_SESSION_HOURS"), 8) * 3600,
        "LOG_LEVEL": g("INTAKE_LOG_LEVEL") or "INFO",
        # delivering the answer (intake/delivery.py): encrypted files under DELIVERY_DIR, a link that
        # expires and needs a one-time code, a few downloads, then the files are deleted
        "DELIVERY_DIR": g("INTAKE_DELIVERY_DIR") or str(REPO_ROOT / "var" / "deliveries"),
        "UPLOAD_MAX_BYTES": _bounded(env, "INTAKE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, 1, 200 * 1024 * 1024),
        "DELIVERY_LINK_DAYS": _bounded(env, "INTAKE_DELIVERY_LINK_DAYS", 7, 1, 90),
        "DELIVERY_MAX_DOWNLOADS": _bounded(env, "INTAKE_DELIVERY_MAX_DOWNLOADS", 3, 1, 100),
        # Shopify's privacy webhooks: unset = off (see SHOPIFY_SECRET_VARIABLE)
        "SHOPIFY_API_SECRET": g(SHOPIFY_SECRET_VARIABLE) or None,
        "SHOPIFY_MAX_BODY_BYTES": _int(g("SHOPIFY_MAX_BODY_BYTES"), 256 * 1024),
    }


class InsecureConfiguration(RuntimeError):
    """The configuration is not safe to serve with outside development mode."""


def secret_problems(cfg: dict) -> list[str]:
    """What is wrong with the secrets in ``cfg`` for production use (empty: nothing)."""
    problems = []
    for key, variable in SECRET_VARIABLES.items():
        value = cfg.get(key)
        if not value:
            problems.append(f"{variable} is not set")
        elif value in PUBLISHED_SECRETS:
            problems.append(f"{variable} is a development secret published in this repository's source")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{variable} is shorter than {MIN_SECRET_LENGTH} characters")
    shopify = cfg.get("SHOPIFY_API_SECRET")
    if shopify and len(shopify) < MIN_SECRET_LENGTH:  # optional, but if set it must be a real client secret
        problems.append(
            f"{SHOPIFY_SECRET_VARIABLE} is shorter than {MIN_SECRET_LENGTH} characters "
            "(copy the Shopify app's client secret, or leave it unset to turn the webhooks off)"
        )
    return problems


def check_secrets(cfg: dict, log: logging.Logger) -> None:
    """Refuse missing, short or published secrets outside development mode.

    In development mode a missing secret becomes a random one for this process (with a
    warning): sessions, signatures and files encrypted for delivery then work only within this
    process (``make run`` gives every process the checkout's secrets from ``var/secrets``).
    """
    problems = secret_problems(cfg)
    if not problems:
        return
    if not cfg.get("DEVELOPMENT"):
        raise InsecureConfiguration(
            "refusing to start: " + "; ".join(problems) + ". Set " + ", ".join(SECRET_VARIABLES.values()) + " to "
            f"random values of at least {MIN_SECRET_LENGTH} characters (python -c 'import secrets; "
            f"print(secrets.token_urlsafe(32))'), or set {DEVELOPMENT_ENV}=1 for a local development run."
        )
    for key, variable in SECRET_VARIABLES.items():
        if not cfg.get(key):
            cfg[key] = secrets.token_urlsafe(32)
            log.warning("%s is not set (development mode): using a random secret valid in this process only", variable)
