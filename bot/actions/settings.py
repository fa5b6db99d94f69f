"""Action-server settings, from environment variables with safe local defaults.

Every variable is documented in the README's Configuration table.  The intake's shared
secret has no default: outside development mode (INTAKE_DEVELOPMENT=1, which `make run` and
the tests set) the action server refuses to start without INTAKE_API_SECRET.  `make run`
passes the same per-checkout secret to the intake and to this server (launcher/dev_secrets.py).
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from typing import Mapping

logger = logging.getLogger(__name__)

#: The variable that switches development mode on, read by the intake too (intake/config.py;
#: tests/intake/test_intake_secrets.py holds the two names together).
DEVELOPMENT_ENV = "INTAKE_DEVELOPMENT"
SECRET_ENV = "INTAKE_API_SECRET"


class MissingIntakeSecret(RuntimeError):
    """INTAKE_API_SECRET is not set outside development mode."""


def development_mode(env: Mapping[str, str]) -> bool:
    return env.get(DEVELOPMENT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


_process_secret = None


def intake_secret(env: Mapping[str, str]) -> str:
    """The shared secret for signing intake requests.

    Missing outside development mode: ``MissingIntakeSecret``.  Missing in development mode: a
    random secret for this process, which no intake accepts, so a submission is honestly
    reported as not sent.
    """
    global _process_secret
    value = env.get(SECRET_ENV, "")
    if value:
        return value
    if not development_mode(env):
        raise MissingIntakeSecret(
            f"refusing to start: {SECRET_ENV} is not set. Set it to the intake's shared secret, "
            f"or set {DEVELOPMENT_ENV}=1 for a local development run."
        )
    if _process_secret is None:
        _process_secret = secrets.token_urlsafe(32)
        logger.warning("%s is not set (development mode): requests to the intake will be refused", SECRET_ENV)
    return _process_secret


# Seconds all attempts of one submission may take together: below the widget's timeout
# (web_widget/widget.js, 15 s by default) with room for the rest of the turn, and far below
# Rasa's wait for the action server (300 s). tests/unit/test_contract.py holds this.
DEFAULT_INTAKE_DEADLINE = 8.0


@dataclass(frozen=True)
class Settings:
    policy_url: str
    team_email: str
    intake_url: str
    intake_secret: str
    intake_timeout: float
    intake_retries: int
    intake_deadline: float

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            policy_url=env.get("POLICY_URL", "http://127.0.0.1:8000/privacy-policy").rstrip("#"),
            team_email=env.get("HANDOFF_EMAIL", "sales@sessionmusic.co.uk"),
            intake_url=env.get("INTAKE_URL", "http://127.0.0.1:5100").rstrip("/"),
            intake_secret=intake_secret(env),
            intake_timeout=float(env.get("INTAKE_TIMEOUT", "5")),
            intake_retries=int(env.get("INTAKE_RETRIES", "3")),
            intake_deadline=float(env.get("INTAKE_DEADLINE", str(DEFAULT_INTAKE_DEADLINE))),
        )


# The action server imports this module while loading the actions: checked here, a missing
# secret stops it at start-up rather than at a shopper's first request.
intake_secret(os.environ)
