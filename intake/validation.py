"""Body parsing and validation; every failure is a 4xx ApiError with a clear message."""

from __future__ import annotations

import hashlib
import json

from flask import request
from jsonschema import Draft7Validator

from dsar_contract.email_address import is_valid_email  # noqa: F401  (the one rule, shared with the bot; used as validation.is_valid_email)

from . import schemas
from .errors import ApiError


def normalise_email(value: str) -> str:
    return value.strip().lower()


def email_hash(value: str) -> str:
    return hashlib.sha256(normalise_email(value).encode()).hexdigest()


def payload_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


_VALIDATORS: dict[int, Draft7Validator] = {}


def _validator(schema: dict) -> Draft7Validator:
    v = _VALIDATORS.get(id(schema))
    if v is None:
        v = Draft7Validator(schemas.to_json_schema(schema))
        _VALIDATORS[id(schema)] = v
    return v


def _path(parts) -> str:
    return ".".join(str(p) for p in parts) or "(body)"


def _describe(error) -> list[tuple[str, str]]:
    path = list(error.absolute_path)
    v, val = error.validator, error.validator_value
    if v == "required":
        missing = [name for name in val if isinstance(error.instance, dict) and name not in error.instance]
        return [(_path(path + [m]), "required") for m in missing]
    if v == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in known)
        return [(_path(path + [k]), "unknown field") for k in extra]
    if v == "type":
        types = val if isinstance(val, list) else [val]
        names = {
            "string": "a string",
            "object": "an object",
            "array": "a list",
            "boolean": "true or false",
            "null": "null",
            "integer": "an integer",
        }
        return [(_path(path), "must be " + " or ".join(names.get(t, t) for t in types))]
    if v == "enum":
        options = ", ".join(str(o) for o in val if o is not None)
        return [(_path(path), f"must be one of: {options}")]
    if v == "minLength":
        return [(_path(path), "must not be empty" if val == 1 else f"must be at least {val} characters")]
    if v == "maxLength":
        return [(_path(path), f"must be at most {val} characters")]
    if v == "pattern":
        return [
            (
                _path(path),
                error.schema.get("x-invalid")
                or "contains characters that are not allowed here (control characters or line breaks)",
            )
        ]
    if v == "maxItems":
        return [(_path(path), f"must have at most {val} items")]
    return [(_path(path), "is not valid")]


def _check_strings(value, path, fields) -> None:
    """Reject lone surrogates (not encodable, so not storable) anywhere in the body."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            fields[_path(path)] = "is not valid Unicode text"
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(v, path + [k], fields)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_strings(v, path + [i], fields)


def read_body(max_bytes: int) -> bytes:
    """The raw body, refusing (413) anything larger than ``max_bytes``."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise ApiError(413, "payload_too_large", f"The body is larger than {max_bytes} bytes.")
    request.max_content_length = max_bytes  # also enforced while streaming a chunked body
    return request.get_data(cache=True)


def parse_json(raw: bytes) -> dict:
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "validation_failed", "The body must be a JSON object.")
    return data


def validate(data: dict, schema: dict, *, server_owned: bool = True) -> dict:
    """Validate ``data`` against ``schema``; raise 422 listing every problem."""
    if server_owned:
        owned = sorted(k for k in data if k in schemas.SERVER_OWNED)
        if owned:
            raise ApiError(
                422,
                "server_owned_fields",
                "These fields are set by the server and must not be sent: " + ", ".join(owned) + ".",
                {k: "set by the server; do not send it" for k in owned},
            )
    fields: dict[str, str] = {}
    for error in _validator(schema).iter_errors(data):
        for path, message in _describe(error):
            fields.setdefault(path, message)
    _check_strings(data, [], fields)
    if fields:
        unknown = [p for p, m in fields.items() if m == "unknown field"]
        if unknown and len(unknown) == len(fields):
            raise ApiError(422, "unknown_fields", "Unknown fields: " + ", ".join(unknown) + ".", fields)
        raise ApiError(422, "validation_failed", "Some fields are missing or invalid.", fields)
    return data
