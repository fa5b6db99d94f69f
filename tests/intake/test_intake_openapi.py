"""Schemathesis against /openapi.json, in-process (WSGI): no 5xx, responses match the document."""

from __future__ import annotations

import itertools
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from intake_support import API_SECRET, make_config, request_body

from intake import create_app
from intake.auth import hash_password, new_token, token_hash
from intake.models import StaffToken, StaffUser, utcnow
from intake.signing import signed_headers

SIGNED = {"/api/v1/requests", "/api/v1/handoffs"}
EXAMPLES = {"/api/v1/requests": 60, "/api/v1/handoffs": 40}


@pytest.fixture
def app(db_url, tmp_path):
    app = create_app(make_config(db_url, None, tmp_path, STATUS_RATE_LIMIT="30 per minute"))
    yield app
    app.extensions["intake_db"].dispose()


def seed(app):
    db = app.extensions["intake_db"]
    token = new_token()
    with db.write() as s:
        user = StaffUser(
            username="fuzz-admin",
            password_hash=hash_password("irrelevant-password"),
            role="admin",
            active=True,
            created_at=utcnow(),
        )
        s.add(user)
        s.flush()
        s.add(StaffToken(staff_user_id=user.id, token_hash=token_hash(token), created_at=utcnow()))
    client = app.test_client()
    raw = json.dumps(request_body()).encode()
    r = client.post(
        "/api/v1/requests", data=raw, headers={"Content-Type": "application/json", **signed_headers(API_SECRET, raw)}
    )
    return token, r.get_json()["reference"]


def test_openapi_document(app):
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0")
    assert {"/api/v1/requests", "/api/v1/handoffs", "/api/v1/requests/{reference}/status"} <= set(spec["paths"])
    body = spec["components"]["schemas"]["RequestCreate"]
    assert body["additionalProperties"] is False
    assert set(body["properties"]) == {
        "request_type",
        "requester",
        "details",
        "rectification",
        "objection",
        "portability",
        "restriction",
        "complaint",
        "source",
        "conversation_id",
        "idempotency_key",
    }
    assert body["properties"]["conversation_id"]["nullable"] is True


@pytest.mark.postgres
def test_schemathesis_conformance(app):
    token, reference = seed(app)
    schema = schemathesis.from_wsgi("/openapi.json", app)
    toggle = itertools.cycle([True, False])
    seen = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        path = operation.path

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES.get(path, 15),
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            headers = {}
            if path in SIGNED:
                # sign exactly the bytes that will be sent, like the bot's client does
                raw = json.dumps(case.body).encode()
                case.body = raw
                headers.update(signed_headers(API_SECRET, raw))
            if path.startswith("/api/v1/staff"):
                headers["Authorization"] = f"Bearer {token}"
            if "reference" in (case.path_parameters or {}) and next(toggle):
                case.path_parameters["reference"] = reference
            response = case.call_wsgi(headers=headers)
            seen.setdefault(path, set()).add(response.status_code)
            case.validate_response(response)

        check()

    print(seen)
    # the fuzzing reached the real logic, not just the front door
    assert 201 in seen["/api/v1/requests"], seen
    assert 201 in seen["/api/v1/handoffs"], seen
    assert 422 in seen["/api/v1/requests"], seen
    assert all(code < 500 for codes in seen.values() for code in codes), seen
