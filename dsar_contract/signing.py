"""How the bot signs its calls to the intake, and how the intake checks them.

Headers: ``X-SM-Timestamp: <unix seconds>`` and
``X-SM-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>``.
"""

import hashlib
import hmac

TIMESTAMP_HEADER = "X-SM-Timestamp"
SIGNATURE_HEADER = "X-SM-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
