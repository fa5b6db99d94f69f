"""Machine-to-machine request signing: the scheme (``sign``) is defined once in
``dsar_contract.signing``, shared with the bot's client; this module checks it.

Headers: ``X-SM-Timestamp: <unix seconds>`` and
``X-SM-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw_body)>``.
"""

import hmac
import time

from dsar_contract.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = ["sign", "signed_headers", "verify"]


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: sign(secret, ts, body)}


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, max_age: int = 300, now: float | None = None
) -> bool:
    """True when the signature matches and the timestamp is within ``max_age`` seconds."""
    if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_age:
        return False
    expected = sign(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, (signature or "").encode("utf-8", "replace"))
