"""Machine-to-machine request signing (dependency-free; the bot's client copies ``sign``).

Headers: ``X-SM-Timestamp: <unix seconds>`` and
``X-SM-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw_body)>``.
"""
import hashlib
import hmac
import time


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-SM-Timestamp": ts, "X-SM-Signature": sign(secret, ts, body)}


def verify(secret: str, timestamp: str, body: bytes, signature: str,
           max_age: int = 300, now: float | None = None) -> bool:
    """True when the signature matches and the timestamp is within ``max_age`` seconds."""
    if not timestamp or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_age:
        return False
    expected = sign(secret, timestamp, body).encode()
    return hmac.compare_digest(expected, (signature or "").encode("utf-8", "replace"))
