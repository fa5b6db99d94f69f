"""The HMAC signing helper the bot's client copies."""

import hashlib
import hmac
import time

from intake import signing


def test_signature_format_matches_the_spec():
    body = b'{"a": 1}'
    sig = signing.sign("k", "1700000000", body)
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sig == "sha256=" + expected


def test_verify():
    now = int(time.time())
    body = b"{}"
    sig = signing.sign("k", str(now), body)
    assert signing.verify("k", str(now), body, sig)
    assert not signing.verify("k2", str(now), body, sig)
    assert not signing.verify("k", str(now), b"{ }", sig)
    assert not signing.verify("k", str(now - 301), body, signing.sign("k", str(now - 301), body))
    assert signing.verify("k", str(now - 299), body, signing.sign("k", str(now - 299), body))
    assert not signing.verify("k", "abc", body, sig)
    assert not signing.verify("k", str(now), body, "sha256=" + "0" * 64)
    assert not signing.verify("k", str(now), body, "sha256=é")
    headers = signing.signed_headers("k", body, now)
    assert headers == {"X-SM-Timestamp": str(now), "X-SM-Signature": sig}
