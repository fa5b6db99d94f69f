"""The OpenAPI 3.0 document served at /openapi.json (bodies share schemas.py with validation)."""

from __future__ import annotations

import copy

from flask import Blueprint, current_app, jsonify

from . import schemas
from .models import REQUEST_TYPES, STATUSES

bp = Blueprint("openapi", __name__)


def _error_response(description: str, headers: dict | None = None) -> dict:
    resp = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        resp["headers"] = headers
    return resp


DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
REFERENCE_PARAM = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 32}}

ERR = {
    "400": _error_response("Malformed JSON, or JSON nested more than 32 levels deep (too_deeply_nested)."),
    "401": _error_response(
        "Missing or invalid credentials, stale timestamp or replayed signature.",
        {"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    "403": _error_response("The token's role does not allow this."),
    "404": _error_response("Not found."),
    "409": _error_response("Conflicts with the current state (illegal transition, reused idempotency key)."),
    "413": _error_response("Body too large."),
    "415": _error_response("Body is not application/json."),
    "422": _error_response("Validation failed; `fields` says which."),
    "429": _error_response(
        "Rate limited.",
        {"Retry-After": {"required": True, "schema": {"type": "integer"}, "description": "Seconds to wait."}},
    ),
}


def _errs(*codes: str) -> dict:
    return {c: ERR[c] for c in codes}


def build_spec() -> dict:
    created = {
        "type": "object",
        "additionalProperties": False,
        "required": ["reference", "request_type", "status", "received_at", "due_at", "verification_required"],
        "properties": {
            "reference": {"type": "string", "pattern": r"^SM-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
            "request_type": {"type": "string", "enum": list(REQUEST_TYPES)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "received_at": DATETIME,
            "due_at": dict(DATE, description="Due date; provisional (counted from today) until verified."),
            "verification_required": {"type": "boolean"},
        },
    }
    audit = {
        "type": "object",
        "properties": {
            "at": DATETIME,
            "actor": {"type": "string"},
            "action": {"type": "string"},
            "from_status": {"type": "string", "nullable": True},
            "to_status": {"type": "string", "nullable": True},
            "reason": {"type": "string", "nullable": True},
        },
    }
    summary = {
        "type": "object",
        "required": ["reference", "request_type", "status", "due_at", "mark"],
        "properties": {
            "reference": {"type": "string"},
            "request_type": {"type": "string", "enum": list(REQUEST_TYPES)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "received_at": DATETIME,
            "due_at": DATE,
            "mark": {"type": "string", "enum": ["paused", "overdue", "due_soon"], "nullable": True},
            "requester_name": {"type": "string"},
        },
    }
    detail = copy.deepcopy(summary)
    detail["required"] = summary["required"] + ["audit", "allowed_transitions", "can_extend"]
    detail["properties"].update(
        {
            "requester": {"type": "object"},
            "details": {"type": "string", "nullable": True},
            "rectification": {"type": "object", "nullable": True},
            "objection": {"type": "object", "nullable": True},
            "source": {"type": "object"},
            "verification_required": {"type": "boolean"},
            "verified_at": dict(DATETIME, nullable=True),
            "clock_start_on": dict(DATE, nullable=True),
            "first_due_at": DATE,
            "extended_at": dict(DATETIME, nullable=True),
            "extension_reason": {"type": "string", "nullable": True},
            "closed_at": dict(DATETIME, nullable=True),
            "closing_reason": {"type": "string", "nullable": True},
            "allowed_transitions": {"type": "array", "items": {"type": "string", "enum": list(STATUSES)}},
            "can_extend": {"type": "boolean"},
            "can_ask_clarification": {"type": "boolean"},
            "clock": {
                "type": "object",
                "description": "The clock as the request's events give it (UK GDPR Art 12A).",
                "properties": {
                    "started_on": dict(DATE, nullable=True),
                    "provisional": {"type": "boolean"},
                    "paused_since": dict(DATE, nullable=True),
                    "pauses": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"asked_on": DATE, "answered_on": dict(DATE, nullable=True)},
                        },
                    },
                    "paused_days": {"type": "integer"},
                    "extended": {"type": "boolean"},
                    "first_due_at": DATE,
                    "due_at": DATE,
                    "withdraw_possible_from": dict(DATE, nullable=True),
                    "open_question": {"type": "string", "nullable": True},
                },
            },
            "audit": {"type": "array", "items": audit},
        }
    )
    json_body = lambda ref: {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}  # noqa: E731
    ok = lambda ref, desc="OK": {"description": desc, "content": {"application/json": {"schema": {"$ref": ref}}}}  # noqa: E731
    signed = [{"smTimestamp": [], "smSignature": []}]
    staff = [{"staffToken": []}]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Session Music data-rights intake",
            "version": "1.0.0",
            "description": (
                "Logs UK GDPR data-rights requests and handoffs from the chat assistant. Requests are "
                "free of charge. Machine endpoints need X-SM-Timestamp and X-SM-Signature "
                "(sha256=hex HMAC-SHA256(secret, timestamp + '.' + raw body)); each signature works once "
                "and only within 300 s of its timestamp."
            ),
        },
        "paths": {
            "/api/v1/requests": {
                "post": {
                    "operationId": "createRequest",
                    "summary": "Log a data-rights request (signed).",
                    "security": signed,
                    "requestBody": json_body("#/components/schemas/RequestCreate"),
                    "responses": {
                        "201": ok("#/components/schemas/RequestCreated", "Created (or replayed by idempotency_key)."),
                        **_errs("400", "401", "409", "413", "415", "422"),
                    },
                }
            },
            "/api/v1/requests/{reference}/status": {
                "get": {
                    "operationId": "requestStatus",
                    "summary": "Status and due date; needs the requester's email.",
                    "security": [],
                    "parameters": [
                        REFERENCE_PARAM,
                        {
                            "name": "email",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 254},
                        },
                    ],
                    "responses": {"200": ok("#/components/schemas/RequestStatus"), **_errs("404", "422", "429")},
                }
            },
            "/api/v1/handoffs": {
                "post": {
                    "operationId": "createHandoff",
                    "summary": "Hand a question over to the team (signed).",
                    "security": signed,
                    "requestBody": json_body("#/components/schemas/HandoffCreate"),
                    "responses": {
                        "201": ok("#/components/schemas/HandoffCreated", "Created (or replayed by idempotency_key)."),
                        **_errs("400", "401", "409", "413", "415", "422"),
                    },
                }
            },
            "/api/v1/staff/requests": {
                "get": {
                    "operationId": "staffListRequests",
                    "security": staff,
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["open", *STATUSES]},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Requests by due date.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["requests"],
                                        "properties": {
                                            "requests": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/RequestSummary"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        **_errs("401", "403", "422"),
                    },
                }
            },
            "/api/v1/staff/requests/{reference}": {
                "get": {
                    "operationId": "staffGetRequest",
                    "security": staff,
                    "parameters": [REFERENCE_PARAM],
                    "responses": {"200": ok("#/components/schemas/RequestDetail"), **_errs("401", "403", "404")},
                }
            },
            "/api/v1/staff/requests/{reference}/transition": {
                "post": {
                    "operationId": "staffTransition",
                    "security": staff,
                    "parameters": [REFERENCE_PARAM],
                    "summary": "Change status (caseworker or admin).",
                    "requestBody": json_body("#/components/schemas/Transition"),
                    "responses": {
                        "200": ok("#/components/schemas/RequestDetail"),
                        **_errs("400", "401", "403", "404", "409", "413", "415", "422"),
                    },
                }
            },
            "/api/v1/staff/requests/{reference}/extension": {
                "post": {
                    "operationId": "staffExtend",
                    "security": staff,
                    "parameters": [REFERENCE_PARAM],
                    "summary": "Extend by two further months, once, before the first due date (caseworker or admin).",
                    "requestBody": json_body("#/components/schemas/Extension"),
                    "responses": {
                        "200": ok("#/components/schemas/RequestDetail"),
                        **_errs("400", "401", "403", "404", "409", "413", "415", "422"),
                    },
                }
            },
            "/api/v1/staff/requests/{reference}/clarification": {
                "post": {
                    "operationId": "staffAskClarification",
                    "security": staff,
                    "parameters": [REFERENCE_PARAM],
                    "summary": "Ask the requester a clarification (emailed with a reply link); the clock stops "
                    "(caseworker or admin).",
                    "requestBody": json_body("#/components/schemas/Clarification"),
                    "responses": {
                        "200": ok("#/components/schemas/RequestDetail"),
                        **_errs("400", "401", "403", "404", "409", "413", "415", "422"),
                    },
                }
            },
            "/api/v1/staff/requests/{reference}/clarification-received": {
                "post": {
                    "operationId": "staffClarificationReceived",
                    "security": staff,
                    "parameters": [REFERENCE_PARAM],
                    "summary": "Record the requester's answer; the clock runs again (caseworker or admin).",
                    "requestBody": json_body("#/components/schemas/ClarificationReceived"),
                    "responses": {
                        "200": ok("#/components/schemas/RequestDetail"),
                        **_errs("400", "401", "403", "404", "409", "413", "415", "422"),
                    },
                }
            },
            "/api/v1/staff/handoffs": {
                "get": {
                    "operationId": "staffListHandoffs",
                    "security": staff,
                    "responses": {
                        "200": {
                            "description": "Handoffs, newest first.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["handoffs"],
                                        "properties": {"handoffs": {"type": "array", "items": {"type": "object"}}},
                                    }
                                }
                            },
                        },
                        **_errs("401", "403"),
                    },
                }
            },
            "/api/v1/staff/handoffs/{reference}": {
                "get": {
                    "operationId": "staffGetHandoff",
                    "security": staff,
                    "parameters": [REFERENCE_PARAM],
                    "responses": {
                        "200": {
                            "description": "A handoff.",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "required": ["reference", "question"]}
                                }
                            },
                        },
                        **_errs("401", "403", "404"),
                    },
                }
            },
            "/api/v1/staff/outbox": {
                "get": {
                    "operationId": "staffOutbox",
                    "security": staff,
                    "summary": "Mail outbox overview (admin).",
                    "responses": {
                        "200": {
                            "description": "Counts and failing messages.",
                            "content": {
                                "application/json": {"schema": {"type": "object", "required": ["counts", "failing"]}}
                            },
                        },
                        **_errs("401", "403"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "smTimestamp": {"type": "apiKey", "in": "header", "name": "X-SM-Timestamp"},
                "smSignature": {"type": "apiKey", "in": "header", "name": "X-SM-Signature"},
                "staffToken": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {
                "RequestCreate": schemas.REQUEST_CREATE,
                "RequestCreated": created,
                "RequestStatus": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["reference", "status", "due_at", "paused_since", "summary"],
                    "properties": {
                        "reference": {"type": "string"},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "due_at": dict(
                            DATE, nullable=True, description=("Null while the clock is paused for a clarification.")
                        ),
                        "paused_since": dict(DATE, nullable=True),
                        "summary": {
                            "type": "string",
                            "description": ("Plain English, e.g. 'paused: waiting for your reply since 3 March 2026'."),
                        },
                    },
                },
                "HandoffCreate": schemas.HANDOFF_CREATE,
                "HandoffCreated": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["reference", "received_at"],
                    "properties": {
                        "reference": {"type": "string", "pattern": r"^HO-[0-9A-Z]{4}-[0-9A-Z]{4}$"},
                        "received_at": DATETIME,
                    },
                },
                "RequestSummary": summary,
                "RequestDetail": detail,
                "Transition": schemas.TRANSITION,
                "Extension": schemas.EXTENSION,
                "Clarification": schemas.CLARIFICATION,
                "ClarificationReceived": schemas.CLARIFICATION_RECEIVED,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                            },
                        }
                    },
                },
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    spec = current_app.extensions.get("intake_openapi")
    if spec is None:
        spec = current_app.extensions["intake_openapi"] = build_spec()
    return jsonify(spec)
