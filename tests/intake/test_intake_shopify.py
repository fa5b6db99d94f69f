"""Shopify's privacy webhooks (customers/data_request, customers/redact, shop/redact), sent to the
real intake on a loopback port with payloads of the shape Shopify documents, signed the way Shopify
signs them (base64 HMAC-SHA256 of the raw body with the app's client secret)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import threading
import uuid

import pytest
import requests

from intake import config, create_app, deadlines
from intake.auth import hash_password
from intake.models import StaffUser, utcnow

SHOPIFY_SECRET = "shpss_" + "5f" * 16  # the shape of a Shopify client secret (38 characters)
SHOP = "session-music.myshopify.com"
TABLES = ("dsar_requests", "audit_events", "outbox", "verifications", "shopify_webhooks")
PATHS = {
    "customers/data_request": "/webhooks/shopify/customers/data_request",
    "customers/redact": "/webhooks/shopify/customers/redact",
    "shop/redact": "/webhooks/shopify/shop/redact",
}


def data_request_body(**overrides) -> dict:
    body = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [299938, 280263, 220458],
        "customer": {"id": 191167, "email": "john.smith@example.com", "phone": "555-625-1199"},
        "data_request": {"id": 9999},
    }
    body.update(overrides)
    return body


def redact_body(**overrides) -> dict:
    body = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "customer": {"id": 191167, "email": "john.smith@example.com", "phone": "555-625-1199"},
        "orders_to_redact": [299938, 280263, 220458],
    }
    body.update(overrides)
    return body


def shop_redact_body() -> dict:
    return {"shop_id": 954889, "shop_domain": SHOP}


def shopify_hmac(secret: str, raw: bytes) -> str:
    """Written here from Shopify's description, independently of intake.shopify_webhooks.sign."""
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def deliver(
    live,
    topic: str,
    body=None,
    *,
    raw: bytes | None = None,
    secret: str = SHOPIFY_SECRET,
    webhook_id: str | None = None,
    headers: dict | None = None,
    sign: bool = True,
) -> requests.Response:
    data = raw if raw is not None else json.dumps(body).encode()
    h = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": dt.datetime.now(dt.timezone.utc).isoformat(),
    }
    if sign:
        h["X-Shopify-Hmac-Sha256"] = shopify_hmac(secret, data)
    h.update(headers or {})
    h = {k: v for k, v in h.items() if v is not None}
    return live.http.post(live.url(PATHS[topic]), data=data, headers=h)


def counts(live) -> dict:
    return {t: live.count(t) for t in TABLES}


def today_london() -> dt.date:
    return deadlines.local_date(dt.datetime.now(dt.timezone.utc))


@pytest.fixture
def shop_live(app_factory, db_url):
    return app_factory(db_url, SHOPIFY_API_SECRET=SHOPIFY_SECRET)


# --- valid deliveries create requests, once ----------------------------------------------------


def test_data_request_creates_one_access_request_in_progress_with_its_clock(shop_live):
    live = shop_live
    r = deliver(live, "customers/data_request", data_request_body(), webhook_id="wh-data-1")
    assert r.status_code == 200, r.text
    reply = r.json()
    assert reply["status"] == "recorded" and re.fullmatch(r"SM-[0-9A-Z]{4}-[0-9A-Z]{4}", reply["reference"])
    assert "john.smith" not in r.text  # nothing personal echoed
    rows = live.sql(
        "SELECT reference, request_type, status, source_channel, requester_email, requester_phone, "
        "verification_required, verified_at, clock_start_on, due_on, details FROM dsar_requests"
    )
    assert len(rows) == 1
    ref, rtype, status, source, email, phone, needs_verification, verified_at, clock, due, details = rows[0]
    assert (ref, rtype, status, source) == (reply["reference"], "access", "in_progress", "shopify")
    assert (email, phone) == ("john.smith@example.com", "555-625-1199")
    assert not needs_verification and verified_at is not None
    today = today_london()
    assert str(clock) == today.isoformat() and str(due) == deadlines.due_date(today).isoformat()
    for order in ("299938", "280263", "220458"):
        assert order in details
    assert "9999" in details  # Shopify's data request id
    hook = live.sql(
        "SELECT topic, shop_domain, customer_id, order_ids, data_request_id, api_version, request_id "
        "FROM shopify_webhooks"
    )
    assert len(hook) == 1
    assert hook[0][:3] == ("customers/data_request", SHOP, "191167")
    assert json.loads(hook[0][3]) == ["299938", "280263", "220458"]
    assert hook[0][4:6] == ("9999", "2025-10") and hook[0][6] is not None
    trail = live.sql("SELECT actor, action, from_status, to_status FROM audit_events ORDER BY id")
    assert trail == [
        ("shopify", "created", None, "received"),
        ("shopify", "verified_by_shopify", "received", "in_progress"),
    ]
    assert live.count("verifications") == 0  # no verification link: Shopify's store owner made the request
    # The clock is derived from clock events, like every request's: received today, no identity step.
    assert live.sql("SELECT kind, actor FROM clock_events") == [("received", "shopify")]
    mails = live.sql("SELECT recipient, subject, body FROM outbox")
    assert [m[0] for m in mails] == [live.app.config["TEAM_EMAIL"]]  # the team only, not the customer
    assert ref in mails[0][1] and "Shopify" in mails[0][1] and "john.smith" not in mails[0][2]


def test_customers_redact_creates_one_erasure_request(shop_live):
    live = shop_live
    r = deliver(live, "customers/redact", redact_body(orders_to_redact=[450789469, "450789470"]))
    assert r.status_code == 200, r.text
    rows = live.sql(
        "SELECT reference, request_type, status, source_channel, requester_email, details FROM dsar_requests"
    )
    assert len(rows) == 1
    assert rows[0][:5] == (r.json()["reference"], "erasure", "in_progress", "shopify", "john.smith@example.com")
    assert "450789469" in rows[0][5] and "450789470" in rows[0][5]
    assert json.loads(live.sql("SELECT order_ids FROM shopify_webhooks")[0][0]) == ["450789469", "450789470"]


@pytest.mark.parametrize(
    "topic,body",
    [
        ("customers/data_request", data_request_body()),
        ("customers/redact", redact_body()),
        ("shop/redact", shop_redact_body()),
    ],
)
def test_a_duplicate_delivery_gets_200_and_creates_nothing(shop_live, topic, body):
    live = shop_live
    first = deliver(live, topic, body, webhook_id="wh-dup-1")
    assert first.status_code == 200 and first.json()["status"] == "recorded"
    after_first = counts(live)
    second = deliver(live, topic, body, webhook_id="wh-dup-1")
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "duplicate"
    assert counts(live) == after_first
    assert after_first["shopify_webhooks"] == 1


def test_the_same_event_id_under_a_new_webhook_id_is_a_duplicate_too(shop_live):
    live = shop_live
    event = {"X-Shopify-Event-Id": "evt-" + uuid.uuid4().hex}
    assert (
        deliver(live, "customers/redact", redact_body(), webhook_id="a1", headers=event).json()["status"] == "recorded"
    )
    assert (
        deliver(live, "customers/redact", redact_body(), webhook_id="a2", headers=event).json()["status"] == "duplicate"
    )
    assert live.count("dsar_requests") == 1


def test_the_same_data_request_id_is_one_request_whatever_the_headers_say(shop_live):
    # the Webhook-Id header is not covered by the signature: a captured body re-sent under a new id
    live = shop_live
    assert deliver(live, "customers/data_request", data_request_body(), webhook_id="b1").json()["status"] == "recorded"
    again = deliver(live, "customers/data_request", data_request_body(), webhook_id="b2")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert live.count("dsar_requests") == 1


@pytest.mark.postgres
def test_concurrent_duplicate_deliveries_create_one_request(shop_live):
    live = shop_live
    raw = json.dumps(data_request_body()).encode()
    results = []

    def send():
        results.append(deliver(live, "customers/data_request", raw=raw, webhook_id="wh-race"))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r.status_code for r in results) == [200] * 6
    assert sorted(r.json()["status"] for r in results) == ["duplicate"] * 5 + ["recorded"]
    assert live.count("dsar_requests") == 1 and live.count("shopify_webhooks") == 1


def test_different_deliveries_are_different_requests(shop_live):
    live = shop_live
    deliver(live, "customers/data_request", data_request_body())
    deliver(live, "customers/data_request", data_request_body(data_request={"id": 10000}))
    assert live.count("dsar_requests") == 2


def test_a_customer_without_email_is_still_recorded(shop_live):
    live = shop_live
    r = deliver(live, "customers/redact", redact_body(customer={"id": 207119551, "email": None, "phone": None}))
    assert r.status_code == 200, r.text
    email, details = live.sql("SELECT requester_email, details FROM dsar_requests")[0]
    assert email == "" and "no email address" in details


# --- bad signatures: 401, nothing stored ---------------------------------------------------------


def _other_body_signature(raw: bytes) -> dict:
    return {"X-Shopify-Hmac-Sha256": shopify_hmac(SHOPIFY_SECRET, raw + b" ")}


@pytest.mark.parametrize("case", ["missing", "empty", "wrong secret", "other body", "hex not base64", "garbage"])
@pytest.mark.parametrize(
    "topic,body",
    [
        ("customers/data_request", data_request_body()),
        ("customers/redact", redact_body()),
        ("shop/redact", shop_redact_body()),
    ],
)
def test_unsigned_or_wrongly_signed_deliveries_get_401_and_store_nothing(shop_live, topic, body, case):
    live = shop_live
    raw = json.dumps(body).encode()
    if case == "missing":
        r = deliver(live, topic, raw=raw, sign=False)
    elif case == "empty":
        r = deliver(live, topic, raw=raw, headers={"X-Shopify-Hmac-Sha256": ""})
    elif case == "wrong secret":
        r = deliver(live, topic, raw=raw, secret="shpss_" + "00" * 16)
    elif case == "other body":
        r = deliver(live, topic, raw=raw, headers=_other_body_signature(raw))
    elif case == "hex not base64":
        r = deliver(
            live,
            topic,
            raw=raw,
            headers={"X-Shopify-Hmac-Sha256": hmac.new(SHOPIFY_SECRET.encode(), raw, hashlib.sha256).hexdigest()},
        )
    else:
        r = deliver(live, topic, raw=raw, headers={"X-Shopify-Hmac-Sha256": "\u00e9t\u00e9=="})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthorized"
    assert counts(live) == dict.fromkeys(TABLES, 0)
    # and the same body correctly signed is accepted: the refusal was the signature's doing
    assert deliver(live, topic, raw=raw).status_code == 200


def test_a_body_changed_after_signing_is_refused(shop_live):
    live = shop_live
    signed = json.dumps(redact_body()).encode()
    tampered = json.dumps(redact_body(customer={"id": 1, "email": "someone.else@example.com", "phone": None})).encode()
    r = deliver(
        live, "customers/redact", raw=tampered, headers={"X-Shopify-Hmac-Sha256": shopify_hmac(SHOPIFY_SECRET, signed)}
    )
    assert r.status_code == 401
    assert counts(live) == dict.fromkeys(TABLES, 0)


# --- signed but malformed: 400, nothing stored ---------------------------------------------------


MALFORMED = {
    "not json": (b'{"shop_id": 954889, "shop_domain": ', "invalid_json"),
    "a list": (b"[1, 2, 3]", "invalid_payload"),
    "no customer": (json.dumps({"shop_id": 954889, "shop_domain": SHOP}).encode(), "invalid_payload"),
    "customer id an object": (json.dumps(data_request_body(customer={"id": {"x": 1}})).encode(), "invalid_payload"),
    "email too long": (
        json.dumps(data_request_body(customer={"id": 1, "email": "a" * 250 + "@example.com"})).encode(),
        "invalid_payload",
    ),
    "line break in email": (
        json.dumps(data_request_body(customer={"id": 1, "email": "a@example.com\r\nBcc: x@y.z"})).encode(),
        "invalid_payload",
    ),
    "orders not a list": (json.dumps(data_request_body(orders_requested="299938")).encode(), "invalid_payload"),
    "too many orders": (json.dumps(data_request_body(orders_requested=list(range(10001)))).encode(), "invalid_payload"),
    "deeply nested": (
        b'{"shop_id": 1, "shop_domain": "x", "customer": {"id": 1}, "extra": ' + b"[" * 100 + b"]" * 100 + b"}",
        "too_deeply_nested",
    ),
    "not utf-8": (b'{"shop_id": 1, "shop_domain": "\xff\xfe"}', "invalid_json"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_signed_but_malformed_payloads_get_400_and_store_nothing(shop_live, name):
    live = shop_live
    raw, code = MALFORMED[name]
    r = deliver(live, "customers/data_request", raw=raw)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == code
    assert counts(live) == dict.fromkeys(TABLES, 0)


def test_a_topic_header_that_does_not_match_the_endpoint_is_400(shop_live):
    live = shop_live
    r = deliver(live, "customers/redact", redact_body(), headers={"X-Shopify-Topic": "shop/redact"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "topic_mismatch"
    assert counts(live) == dict.fromkeys(TABLES, 0)


def test_a_body_over_the_limit_is_refused_before_anything_is_stored(app_factory, db_url):
    live = app_factory(db_url, SHOPIFY_API_SECRET=SHOPIFY_SECRET, SHOPIFY_MAX_BODY_BYTES=4096)
    big = data_request_body(orders_requested=list(range(100000, 101000)))  # ~8 KB, signed correctly
    r = deliver(live, "customers/data_request", big)
    assert r.status_code == 413, r.text
    assert counts(live) == dict.fromkeys(TABLES, 0)
    assert deliver(live, "customers/data_request", data_request_body()).status_code == 200


# --- shop/redact: recorded for staff, audited ----------------------------------------------------


def _login(live, role="viewer"):
    with live.db.write() as s:
        s.add(
            StaffUser(
                username=f"{role}-user",
                password_hash=hash_password("correct horse battery"),
                role=role,
                active=True,
                created_at=utcnow(),
            )
        )
    session = requests.Session()
    page = session.get(live.url("/staff/login"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = session.post(
        live.url("/staff/login"),
        allow_redirects=False,
        data={"username": f"{role}-user", "password": "correct horse battery", "csrf_token": csrf},
    )
    assert r.status_code == 302
    return session


def test_shop_redact_is_recorded_audited_and_shown_to_staff(shop_live):
    live = shop_live
    r = deliver(live, "shop/redact", shop_redact_body(), webhook_id="wh-shop-redact-1")
    assert r.status_code == 200 and r.json()["status"] == "recorded" and r.json()["reference"] is None
    assert live.count("dsar_requests") == 0
    assert live.sql("SELECT topic, shop_domain, shop_id, request_id FROM shopify_webhooks") == [
        ("shop/redact", SHOP, "954889", None)
    ]
    audit = live.sql("SELECT actor, action, request_id, reason FROM audit_events")
    assert len(audit) == 1 and audit[0][:3] == ("shopify", "shop_redact_received", None)
    assert SHOP in audit[0][3]
    team = live.sql("SELECT recipient, subject FROM outbox")
    assert team == [(live.app.config["TEAM_EMAIL"], f"[Shopify] shop/redact for {SHOP}")]

    assert live.http.get(live.url("/staff/shopify/"), allow_redirects=False).status_code == 302  # login first
    page = _login(live).get(live.url("/staff/shopify/"))
    assert page.status_code == 200
    assert 'data-webhook-id="wh-shop-redact-1"' in page.text and 'data-topic="shop/redact"' in page.text
    assert "shop_redact_received" in page.text and "erase this shop" in page.text


def test_staff_pages_show_the_shopify_source(shop_live):
    live = shop_live
    ref = deliver(live, "customers/data_request", data_request_body()).json()["reference"]
    staff = _login(live)
    listing = staff.get(live.url("/staff/"))
    row = re.search(rf'<tr[^>]*data-reference="{ref}".*?</tr>', listing.text, re.S).group(0)
    assert 'data-source="shopify"' in row
    detail = staff.get(live.url(f"/staff/requests/{ref}"))
    assert "via shopify" in detail.text and "299938" in detail.text
    deliveries = staff.get(live.url("/staff/shopify/"))
    assert f">{ref}</a>" in deliveries.text


# --- off until configured; weak secrets refused; nothing personal in the logs --------------------


def test_without_a_secret_the_webhooks_are_off(app_factory, db_url):
    live = app_factory(db_url)  # no SHOPIFY_API_SECRET
    r = deliver(live, "customers/redact", redact_body())
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_enabled"
    assert counts(live) == dict.fromkeys(TABLES, 0)


def test_a_weak_shopify_secret_is_refused_outside_development_mode(monkeypatch, sqlite_url, tmp_path):
    for name in ("INTAKE_DEVELOPMENT", "INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "SHOPIFY_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    good = {"DATABASE_URL": sqlite_url, "INTAKE_API_SECRET": "g" * 40, "SECRET_KEY": "k" * 40, "DELIVERY_KEY": "d" * 40}
    with pytest.raises(config.InsecureConfiguration) as err:
        create_app({**good, "SHOPIFY_API_SECRET": "hush"})
    assert "SHOPIFY_API_SECRET is shorter than 32 characters" in str(err.value)
    for ok in ({}, {"SHOPIFY_API_SECRET": SHOPIFY_SECRET}):  # unset (off) or a real one: starts
        create_app({**good, **ok}).extensions["intake_db"].dispose()
    monkeypatch.setenv("SHOPIFY_API_SECRET", "hush")  # read from the environment too
    with pytest.raises(config.InsecureConfiguration):
        create_app(good)


def test_no_customer_data_in_the_logs(shop_live, caplog):
    live = shop_live
    caplog.set_level(logging.DEBUG)
    body = data_request_body(customer={"id": 8675309, "email": "private.person@example.com", "phone": "07700 900123"})
    assert deliver(live, "customers/data_request", body).status_code == 200
    assert deliver(live, "customers/data_request", body, webhook_id="x", sign=False).status_code == 401
    logged = caplog.text
    assert "customers/data_request" in logged  # it did log
    for secret in ("private.person", "07700 900123", "8675309", "299938"):
        assert secret not in logged
