"""Shopify's mandatory privacy webhooks: customers/data_request, customers/redact, shop/redact.

The shop runs on Shopify; its Shopify app points the three compliance topics at
``POST /webhooks/shopify/customers/data_request``, ``/customers/redact`` and ``/shop/redact``.

* Every delivery is signed: ``X-Shopify-Hmac-Sha256`` is base64(HMAC-SHA256(client secret, raw
  body)).  It is checked on the raw bytes, before anything is parsed, with a constant-time
  compare; a missing or wrong signature is a 401 and nothing is stored (Shopify's requirement).
* customers/data_request creates an access request, customers/redact an erasure request
  (source "shopify", the customer's email and phone, the order ids), through the workflow's one
  transition path.  The store owner made the request in Shopify's admin for the customer, so it
  starts ``in_progress`` with the one-month clock running from today: no email verification link.
* shop/redact (48 hours after the app is uninstalled) creates no request: it is recorded for
  staff (``/staff/shopify``), audited, and the team is emailed.
* A second delivery with the same ``X-Shopify-Webhook-Id`` (or the same ``X-Shopify-Event-Id``, or
  for customers/data_request the same ``data_request.id``) gets 200 and creates nothing.
* A signed body that is not the documented JSON is a 400 and stores nothing.

The webhooks are off (404) until ``SHOPIFY_API_SECRET`` is set.  Logs name the topic and the
reference only, never the customer's email, phone or ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from flask import Blueprint, current_app, jsonify, render_template, request
from jsonschema import Draft7Validator
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from . import deadlines, json_nesting, mail, queries, validation, workflow
from .auth import login_required
from .db import get_db
from .errors import ApiError
from .models import IN_PROGRESS, RECEIVED, AuditEvent, ClockEvent, DsarRequest, ShopifyWebhook, utcnow
from .schemas import LINE_PATTERN

log = logging.getLogger("intake.shopify")

bp = Blueprint("shopify_webhooks", __name__, url_prefix="/webhooks/shopify")
staff_bp = Blueprint("shopify_staff", __name__, url_prefix="/staff/shopify")

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
EVENT_ID_HEADER = "X-Shopify-Event-Id"
API_VERSION_HEADER = "X-Shopify-API-Version"

DATA_REQUEST = "customers/data_request"
CUSTOMER_REDACT = "customers/redact"
SHOP_REDACT = "shop/redact"
#: topic -> the request type it creates (None: recorded for staff only)
TOPICS = {DATA_REQUEST: "access", CUSTOMER_REDACT: "erasure", SHOP_REDACT: None}
#: topic -> the payload's list of order ids
ORDER_FIELDS = {DATA_REQUEST: "orders_requested", CUSTOMER_REDACT: "orders_to_redact"}
SOURCE_CHANNEL = "shopify"
MAX_ORDER_IDS = 10000
MAX_HEADER_ID = 100


# --- the signature ------------------------------------------------------------------------------


def sign(secret: str, raw_body: bytes) -> str:
    """What Shopify puts in X-Shopify-Hmac-Sha256 for ``raw_body``."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode("ascii")


def signature_valid(secret: str, raw_body: bytes, header: str | None) -> bool:
    if not header:
        return False
    return hmac.compare_digest(sign(secret, raw_body).encode(), header.strip().encode("utf-8", "replace"))


# --- the payloads (Shopify's documented shapes; fields Shopify may add later are ignored) --------

_ID = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "minLength": 1, "maxLength": MAX_HEADER_ID, "pattern": LINE_PATTERN},
    ]
}
_SHOP = {"shop_id": _ID, "shop_domain": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": LINE_PATTERN}}
_CUSTOMER = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": _ID,
        "email": {"type": ["string", "null"], "maxLength": 254, "pattern": LINE_PATTERN},
        "phone": {"type": ["string", "null"], "maxLength": 40, "pattern": LINE_PATTERN},
    },
}
_ORDERS = {"type": ["array", "null"], "maxItems": MAX_ORDER_IDS, "items": _ID}
SCHEMAS = {
    DATA_REQUEST: {
        "type": "object",
        "required": ["shop_id", "shop_domain", "customer"],
        "properties": {
            **_SHOP,
            "customer": _CUSTOMER,
            "orders_requested": _ORDERS,
            "data_request": {"type": ["object", "null"], "properties": {"id": _ID}},
        },
    },
    CUSTOMER_REDACT: {
        "type": "object",
        "required": ["shop_id", "shop_domain", "customer"],
        "properties": {**_SHOP, "customer": _CUSTOMER, "orders_to_redact": _ORDERS},
    },
    SHOP_REDACT: {"type": "object", "required": ["shop_id", "shop_domain"], "properties": _SHOP},
}
_VALIDATORS = {topic: Draft7Validator(schema) for topic, schema in SCHEMAS.items()}


def parse_payload(topic: str, raw: bytes) -> dict:
    """The payload of a signed delivery, or a 400 saying what is wrong with it."""
    json_nesting.check_depth(raw)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_payload", f"A {topic} body must be a JSON object.")
    fields = {}
    for error in _VALIDATORS[topic].iter_errors(data):
        path = ".".join(str(p) for p in error.absolute_path) or "(body)"
        if error.validator == "required":
            fields.update(
                {
                    f"{path}.{n}" if path != "(body)" else n: "required"
                    for n in error.validator_value
                    if n not in error.instance
                }
            )
        elif error.validator == "maxItems":
            fields[path] = f"must have at most {error.validator_value} items"
        else:
            fields.setdefault(path, "is not valid here (wrong type, too long or control characters)")
    if fields:
        raise ApiError(400, "invalid_payload", f"The body is not a {topic} payload as Shopify documents it.", fields)
    return data


def _id(value) -> str | None:
    return None if value is None else str(value)


def _header_id(name: str) -> str | None:
    value = (request.headers.get(name) or "").strip()
    if not value:
        return None
    if len(value) > MAX_HEADER_ID or not value.isprintable():
        raise ApiError(400, "invalid_header", f"{name} is longer than {MAX_HEADER_ID} characters or not printable.")
    return value


# --- receiving ----------------------------------------------------------------------------------


@bp.post("/customers/data_request")
def customers_data_request():
    return _receive(DATA_REQUEST)


@bp.post("/customers/redact")
def customers_redact():
    return _receive(CUSTOMER_REDACT)


@bp.post("/shop/redact")
def shop_redact():
    return _receive(SHOP_REDACT)


def _receive(topic: str):
    cfg = current_app.config
    secret = cfg.get("SHOPIFY_API_SECRET")
    if not secret:
        log.warning("a Shopify %s webhook arrived but SHOPIFY_API_SECRET is not set: refused (404)", topic)
        raise ApiError(404, "not_enabled", "Shopify webhooks are not enabled on this service.")
    raw = validation.read_body(cfg["SHOPIFY_MAX_BODY_BYTES"])
    if not signature_valid(secret, raw, request.headers.get(HMAC_HEADER)):
        log.info("Shopify %s webhook refused: missing or wrong %s", topic, HMAC_HEADER)
        raise ApiError(401, "unauthorized", f"Missing or invalid {HMAC_HEADER}.")
    sent_topic = (request.headers.get(TOPIC_HEADER) or "").strip()
    if sent_topic and sent_topic != topic:
        raise ApiError(400, "topic_mismatch", f"{TOPIC_HEADER} does not match this endpoint ({topic}).")
    data = parse_payload(topic, raw)
    # Shopify sends X-Shopify-Webhook-Id with every delivery; without it, the body's own hash is the key
    webhook_id = _header_id(WEBHOOK_ID_HEADER) or "sha256:" + hashlib.sha256(raw).hexdigest()
    event_id = _header_id(EVENT_ID_HEADER)
    api_version = (_header_id(API_VERSION_HEADER) or "")[:20] or None
    now = utcnow()
    data_request_id = _id((data.get("data_request") or {}).get("id")) if topic == DATA_REQUEST else None
    try:
        with get_db().write() as s:
            if _seen(s, webhook_id, event_id, shop_id=str(data["shop_id"]), data_request_id=data_request_id):
                return _duplicate(topic)
            reference = _record(
                s, topic, data, raw, webhook_id=webhook_id, event_id=event_id, api_version=api_version, now=now
            )
    except IntegrityError:
        # a concurrent delivery of the same webhook won the race: it is the one that counts
        with get_db().read() as s:
            if _seen(s, webhook_id, event_id):
                return _duplicate(topic)
        raise
    log.info("Shopify %s webhook recorded%s", topic, f" as {reference}" if reference else "")
    return jsonify({"status": "recorded", "topic": topic, "reference": reference})


def _seen(
    s, webhook_id: str, event_id: str | None, *, shop_id: str | None = None, data_request_id: str | None = None
) -> bool:
    """Whether this delivery was already accepted: same webhook id, same event id, or (neither header is
    signed) the same Shopify data request of the same shop."""
    cond = ShopifyWebhook.webhook_id == webhook_id
    if event_id is not None:
        cond = or_(cond, ShopifyWebhook.event_id == event_id)
    if data_request_id is not None:
        cond = or_(
            cond,
            and_(
                ShopifyWebhook.topic == DATA_REQUEST,
                ShopifyWebhook.shop_id == shop_id,
                ShopifyWebhook.data_request_id == data_request_id,
            ),
        )
    return s.execute(select(ShopifyWebhook.id).where(cond).limit(1)).first() is not None


def _duplicate(topic: str):
    log.info("Shopify %s webhook already received: nothing new stored", topic)
    return jsonify({"status": "duplicate", "topic": topic})


def _record(
    s, topic: str, data: dict, raw: bytes, *, webhook_id: str, event_id: str | None, api_version: str | None, now
) -> str | None:
    """Store one accepted delivery (and, for the customers/* topics, its request); return the reference."""
    cfg = current_app.config
    customer = data.get("customer") or {}
    orders = [str(o) for o in (data.get(ORDER_FIELDS.get(topic, ""), None) or [])]
    data_request_id = _id((data.get("data_request") or {}).get("id")) if topic == DATA_REQUEST else None
    hook = ShopifyWebhook(
        webhook_id=webhook_id,
        event_id=event_id,
        topic=topic,
        shop_id=str(data["shop_id"]),
        shop_domain=data["shop_domain"],
        api_version=api_version,
        customer_id=_id(customer.get("id")),
        order_ids=json.dumps(orders) if customer else None,
        data_request_id=data_request_id,
        received_at=now,
    )
    req = None
    if TOPICS[topic] is not None:
        req = _open_request(s, topic, hook, customer, orders, raw, now)
        hook.request_id = req.id
        subject, body = _team_mail(cfg, hook, req)
    else:
        s.add(
            AuditEvent(
                request_id=None,
                handoff_id=None,
                at=now,
                actor=workflow.SHOPIFY,
                action="shop_redact_received",
                reason=f"shop/redact for {hook.shop_domain} (shop id {hook.shop_id}), webhook {webhook_id}: "
                "erase what the intake holds for this shop, or record why it is kept",
            )
        )
        subject, body = _team_mail(cfg, hook, None)
    s.add(hook)
    mail.enqueue(
        s,
        kind="team_shopify_webhook",
        recipient=cfg["TEAM_EMAIL"],
        subject=subject,
        body=body,
        reference=req.reference if req is not None else None,
    )
    s.flush()  # a duplicate webhook or event id fails here, inside the transaction
    return req.reference if req is not None else None


def _open_request(
    s, topic: str, hook: ShopifyWebhook, customer: dict, orders: list[str], raw: bytes, now
) -> DsarRequest:
    """A new access or erasure request, moved received -> in_progress by the workflow."""
    tz = current_app.config["INTAKE_TIMEZONE"]
    today = deadlines.local_date(now, tz)
    email = (customer.get("email") or "").strip()
    phone = (customer.get("phone") or "").strip() or None
    order_text = ", ".join(orders) if orders else "none listed"
    what = "orders requested" if topic == DATA_REQUEST else "orders to redact"
    details = f"Shopify order ids ({what}): {order_text}."
    if hook.data_request_id:
        details += f" Shopify data request id: {hook.data_request_id}."
    if not email:
        details += " Shopify sent no email address for this customer: find them in Shopify by the customer id."
    req = DsarRequest(
        reference=workflow.new_reference(),
        request_type=TOPICS[topic],
        status=None,
        requester_name=f"Shopify customer {hook.customer_id}",
        requester_email=email,
        email_hash=validation.email_hash(email),
        requester_phone=phone,
        details=details,
        source_channel=SOURCE_CHANNEL,
        source_conversation_id=f"{hook.shop_domain} customer {hook.customer_id}"[:200],
        source_text=(
            f"{topic} webhook from Shopify ({hook.shop_domain}): the store owner asked, in Shopify's "
            f"admin, for {'a copy of' if topic == DATA_REQUEST else 'the erasure of'} this customer's data."
        ),
        idempotency_key=f"shopify:{hook.webhook_id}"[:200],
        payload_hash=hashlib.sha256(raw).hexdigest(),
        verification_required=False,
        received_at=now,
        first_due_on=deadlines.due_date(today),
        due_on=deadlines.due_date(today),
        updated_at=now,
    )
    audits = [
        workflow.transition(
            req,
            RECEIVED,
            actor=workflow.SHOPIFY,
            action="created",
            reason=f"via shopify ({topic}, webhook {hook.webhook_id})",
            now=now,
        ),
        workflow.transition(
            req,
            IN_PROGRESS,
            actor=workflow.SHOPIFY,
            action="verified_by_shopify",
            reason="made by the store owner in Shopify's admin for the customer: "
            "no email verification; the one-month clock starts today",
            now=now,
        ),
    ]
    # The clock (Art 12A) is derived from clock events, as for every request: received today, no
    # identity step (Shopify vouches for the customer), so the month runs from today.
    clock = [
        workflow.clock_event(
            req, deadlines.RECEIVED, actor=workflow.SHOPIFY, now=now, tz=tz, note=f"via shopify ({topic})"
        )
    ]
    c = deadlines.clock([(e["kind"], e["on_date"]) for e in clock], identity_required=False)
    req.verified_at = now
    req.clock_start_on, req.first_due_on, req.due_on = c.started_on, c.first_due_on, c.due_on
    s.add(req)
    s.flush()
    s.add_all(AuditEvent(request_id=req.id, handoff_id=None, **a) for a in audits)
    s.add_all(ClockEvent(request_id=req.id, **e) for e in clock)
    return req


def _team_mail(cfg, hook: ShopifyWebhook, req: DsarRequest | None) -> tuple[str, str]:
    if req is not None:
        subject = f"[DSAR] {req.reference} {req.request_type} from Shopify - due {req.due_on.isoformat()}"
        link = mail.staff_url(cfg, "/staff/requests/" + req.reference)
    else:
        subject = f"[Shopify] shop/redact for {hook.shop_domain}"
        link = mail.staff_url(cfg, "/staff/shopify")
    body = render_template("email/team_shopify_webhook.txt", hook=hook, req=req, staff_link=link)
    return subject, body.rstrip("\n") + "\n"


# --- what staff see -----------------------------------------------------------------------------


@staff_bp.get("/")
@login_required("viewer")
def deliveries():
    with get_db().read() as s:
        hooks = list(s.execute(select(ShopifyWebhook).order_by(ShopifyWebhook.id.desc()).limit(1000)).scalars())
        refs = {h.request_id: h.request.reference for h in hooks if h.request_id is not None}
        audits = list(
            s.execute(
                select(AuditEvent)
                .where(AuditEvent.actor == workflow.SHOPIFY, AuditEvent.request_id.is_(None))
                .order_by(AuditEvent.id.desc())
                .limit(1000)
            ).scalars()
        )
    return render_template(
        "staff/shopify.html",
        hooks=hooks,
        refs=refs,
        audits=audits,
        today=queries.today(),
        enabled=bool(current_app.config.get("SHOPIFY_API_SECRET")),
    )
