"""Client of the DSAR intake service (POST /api/v1/requests, /api/v1/handoffs).

Machine-to-machine auth: HMAC-SHA256 over "<timestamp>.<raw body>" with the
shared secret (headers X-SM-Timestamp, X-SM-Signature; the scheme is dsar_contract.signing). Connection errors and
5xx are retried with exponential backoff, always with the same idempotency
key, so a retry can never lodge a request twice.

The intake refuses a signature it has already seen (replay protection), and a
signature covers a whole-second timestamp and the body. A retry (or the same
submission sent again) within the same second would carry the same signature,
so every attempt is signed with a timestamp not used before by this process,
and a "replayed" refusal is signed afresh and sent again.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional

import requests

from dsar_contract.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

from .settings import Settings

logger = logging.getLogger(__name__)


class IntakeError(RuntimeError):
    """The intake did not accept the submission (unreachable, 4xx or 5xx)."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


_last_timestamp = 0
_timestamp_lock = threading.Lock()


def fresh_timestamp() -> str:
    """A whole-second timestamp later than any this process signed with before."""
    global _last_timestamp
    with _timestamp_lock:
        now = int(time.time())
        if now <= _last_timestamp:
            time.sleep(_last_timestamp + 1 - time.time())
            now = _last_timestamp + 1
        _last_timestamp = now
        return str(now)


def error_code(response: requests.Response) -> Optional[str]:
    try:
        return (response.json().get("error") or {}).get("code")
    except ValueError:
        return None


@dataclass
class IntakeClient:
    base_url: str
    secret: str
    timeout: float = 5.0
    retries: int = 3
    backoff: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> "IntakeClient":
        return cls(settings.intake_url, settings.intake_secret, settings.intake_timeout, settings.intake_retries)

    def submit_request(self, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._post("/api/v1/requests", body)

    def submit_handoff(self, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._post("/api/v1/handoffs", body)

    def _post(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        raw = json.dumps(body, separators=(",", ":")).encode()
        last_error: Optional[IntakeError] = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            timestamp = fresh_timestamp()
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.secret, timestamp, raw),
            }
            try:
                response = requests.post(self.base_url + path, data=raw, headers=headers, timeout=self.timeout)
            except requests.RequestException as error:
                last_error = IntakeError(f"intake unreachable: {type(error).__name__}")
                logger.warning("intake %s attempt %d failed: %s", path, attempt + 1, type(error).__name__)
                continue
            if response.status_code >= 500:
                last_error = IntakeError(f"intake error {response.status_code}", response.status_code)
                logger.warning("intake %s attempt %d: HTTP %d", path, attempt + 1, response.status_code)
                continue
            if response.status_code == 401 and error_code(response) == "replayed":
                last_error = IntakeError("intake saw this signature already", 401)
                continue
            if response.status_code not in (200, 201):
                raise IntakeError(f"intake refused the submission: HTTP {response.status_code}", response.status_code)
            return response.json()
        raise last_error or IntakeError("intake unreachable")
