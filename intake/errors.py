"""JSON error bodies: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("intake")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    err = {"code": code, "message": message}
    if fields:
        err["fields"] = fields
    return {"error": err}


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
    resp = jsonify(error_body(code, message, fields))
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "Your role does not allow this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "This conflicts with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("rate_limited", "Too many requests; try again later."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def init_app(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():
            return exc
        code, message = _HTTP_CODES.get(exc.code or 500, ("http_error", exc.name))
        if exc.code == 429 and exc.description:
            message = f"Too many requests ({exc.description}); try again later."
        resp = error_response(exc.code or 500, code, message)
        if exc.code == 405 and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Never log the exception text: driver errors can carry personal data.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.path)
        if _wants_json():
            return error_response(500, "internal_error", "Something went wrong on our side.")
        return "Something went wrong on our side.", 500
