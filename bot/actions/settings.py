"""Action-server settings, from environment variables with safe local defaults.

Every variable is documented in the README's Configuration table.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

# Same development default as intake/config.py; set INTAKE_API_SECRET in production.
DEV_INTAKE_SECRET = "dev-only-insecure-intake-api-secret"


@dataclass(frozen=True)
class Settings:
    policy_url: str
    team_email: str
    intake_url: str
    intake_secret: str
    intake_timeout: float
    intake_retries: int

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
        )
