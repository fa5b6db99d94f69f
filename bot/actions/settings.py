"""Action-server settings, from environment variables with safe local defaults.

Every variable is documented in the README's Configuration table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

# Same development default as intake/config.py; set INTAKE_API_SECRET in production.
DEV_INTAKE_SECRET = "dev-only-insecure-intake-api-secret"


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
            intake_secret=env.get("INTAKE_API_SECRET", DEV_INTAKE_SECRET),
            intake_timeout=float(env.get("INTAKE_TIMEOUT", "5")),
            intake_retries=int(env.get("INTAKE_RETRIES", "3")),
            intake_deadline=float(env.get("INTAKE_DEADLINE", str(DEFAULT_INTAKE_DEADLINE))),
        )
