"""Client of the DSAR intake service (POST /api/v1/requests, /api/v1/handoffs, the status look-up).

Machine-to-machine auth: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared secret
(the scheme is dsar_contract.signing, the intake's own). Failures are retried with
exponential backoff, always with the same idempotency key, so a retry can never lodge a
request twice, and all attempts together never take longer than `deadline` seconds (kept
below the widget's timeout: the shopper must get the bot's answer, not a network error).

How a failed submission ended decides what the bot may tell the shopper:
- IntakeUnreachable: no connection was ever made, so nothing was sent;
- IntakeOutcomeUnknown: the body may have arrived (a timeout waiting for the answer, a
  connection reset, a 5xx): the intake may have lodged it, so the bot must not say it didn't;
- IntakeRefused: the intake answered 4xx: nothing was stored; `fields` names what it refused.

The intake refuses a signature it has already seen (replay protection), and a signature
covers a whole-second timestamp and the body. A retry (or the same submission sent again)
within the same second would carry the same signature, so every attempt is signed with a
timestamp not used before by this process, and a "replayed" refusal is signed afresh and
sent again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional

import requests
from urllib.parse import quote
from urllib3.exceptions import NewConnectionError

from dsar_contract.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

from .settings import Settings

logger = logging.getLogger(__name__)

# An attempt that could not get at least this long (seconds) before the deadline is not made.
MIN_ATTEMPT_SECONDS = 0.5


class IntakeError(RuntimeError):
    """The intake did not accept the submission."""

    def __init__(self, message: str, status: Optional[int] = None, fields: Optional[Dict[str, str]] = None):
        super().__init__(message)
        self.status = status
        self.fields = fields or {}


class IntakeUnreachable(IntakeError):
    """No attempt ever connected: nothing was sent."""


class IntakeOutcomeUnknown(IntakeError):
    """An attempt may have delivered the body, and no answer said what became of it."""


class IntakeRefused(IntakeError):
    """The intake answered with a 4xx: the submission was not stored."""


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


def error_of(response: requests.Response) -> Dict[str, Any]:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def nothing_sent(error: requests.RequestException) -> bool:
    """True when the request never left this process (refused or unanswered connection,
    unusable URL); anything else may have reached the intake."""
    if isinstance(
        error,
        (
            requests.ConnectTimeout,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ),
    ):
        return True
    if isinstance(error, requests.ConnectionError):
        reason = error.args[0] if error.args else None
        return isinstance(getattr(reason, "reason", reason), NewConnectionError)
    return False


@dataclass
class IntakeClient:
    base_url: str
    secret: str
    timeout: float = 5.0
    retries: int = 3
    backoff: float = 0.5
    deadline: float = 8.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "IntakeClient":
        return cls(
            settings.intake_url,
            settings.intake_secret,
            settings.intake_timeout,
            settings.intake_retries,
            deadline=settings.intake_deadline,
        )

    def submit_request(self, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._post("/api/v1/requests", body)

    def submit_handoff(self, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._post("/api/v1/handoffs", body)

    def look_up_status(self, reference: str, email: str) -> Optional[Dict[str, Any]]:
        """GET /api/v1/requests/<reference>/status?email=...: the status fields, or None when
        no request matches the reference and email (the intake says 404 for either being
        wrong). One attempt (a look-up changes nothing, the shopper can ask again):
        IntakeUnreachable / IntakeOutcomeUnknown when there is no answer, IntakeRefused for
        another 4xx (429: too many look-ups)."""
        wait = max(min(self.timeout, self.deadline), 0.1)
        try:
            response = requests.get(
                f"{self.base_url}/api/v1/requests/{quote(reference, safe='')}/status",
                params={"email": email},
                timeout=(wait, wait),
            )
        except requests.RequestException as error:
            kind = IntakeUnreachable if nothing_sent(error) else IntakeOutcomeUnknown
            raise kind(f"intake unreachable: {type(error).__name__}") from None
        if response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise IntakeOutcomeUnknown(f"intake error {response.status_code}")
        if response.status_code != 200:
            raise IntakeRefused(
                f"intake refused the look-up: HTTP {response.status_code}",
                response.status_code,
                error_of(response).get("fields") or None,
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not answer.get("status"):
            raise IntakeOutcomeUnknown("intake answered the look-up without a status")
        return answer

    def _post(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        raw = json.dumps(body, separators=(",", ":")).encode()
        give_up_at = time.monotonic() + self.deadline
        may_have_arrived = False
        last_problem = "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause + MIN_ATTEMPT_SECONDS > give_up_at:
                    break
                time.sleep(pause)
            timestamp = fresh_timestamp()
            remaining = give_up_at - time.monotonic()
            if remaining < MIN_ATTEMPT_SECONDS and attempt:
                break
            wait = max(min(self.timeout, remaining), 0.1)
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.secret, timestamp, raw),
            }
            try:
                response = requests.post(self.base_url + path, data=raw, headers=headers, timeout=(wait, wait))
            except requests.RequestException as error:
                may_have_arrived = may_have_arrived or not nothing_sent(error)
                last_problem = f"intake unreachable: {type(error).__name__}"
                logger.warning("intake %s attempt %d failed: %s", path, attempt + 1, type(error).__name__)
                continue
            status = response.status_code
            if status >= 500:
                may_have_arrived = True
                last_problem = f"intake error {status}"
                logger.warning("intake %s attempt %d: HTTP %d", path, attempt + 1, status)
                continue
            if status == 401 and error_of(response).get("code") == "replayed":
                may_have_arrived = True  # that signature reached it before: this body may have too
                last_problem = "intake saw this signature already"
                continue
            if status not in (200, 201):
                fields = error_of(response).get("fields")
                raise IntakeRefused(
                    f"intake refused the submission: HTTP {status}",
                    status,
                    fields if isinstance(fields, dict) else None,
                )
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if isinstance(answer, dict) and answer.get("reference"):
                return answer
            # A success status without a usable answer: stored or not, nobody can say.
            may_have_arrived = True
            last_problem = f"intake answered {status} without a reference"
        if may_have_arrived:
            raise IntakeOutcomeUnknown(last_problem)
        raise IntakeUnreachable(last_problem)
