"""Session Music data-rights (DSAR) intake service.

``create_app(config)`` is the application factory (``gunicorn 'intake:create_app()'``,
``flask --app intake <command>``).  Configuration comes from environment variables
(``intake.config``) and is overridden by the optional ``config`` dict.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask

from .config import check_secrets, load_config

__all__ = ["create_app"]

log = logging.getLogger("intake")


def create_app(config: dict | None = None) -> Flask:
    from .delivery_pages import InMemoryUploadRequest

    app = Flask(__name__)
    app.request_class = InMemoryUploadRequest  # an uploaded answer's plaintext never reaches the disk
    app.config.update(load_config())
    if config:
        app.config.update(config)
    if isinstance(app.config["PERMANENT_SESSION_LIFETIME"], (int, float)):
        app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    app.config["SESSION_COOKIE_SECURE"] = app.config["INTAKE_PUBLIC_URL"].startswith("https://")
    # the largest body any endpoint accepts; each endpoint sets its own tighter limit
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_REQUEST_BYTES"], app.config["MAX_HANDOFF_BYTES"])
    app.json.sort_keys = False

    from . import logs

    logs.install()
    if not logging.getLogger("intake").handlers and not logging.getLogger().handlers:
        logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("intake").setLevel(app.config["LOG_LEVEL"])
    check_secrets(app.config, log)
    if not app.config["DEVELOPMENT"] and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        log.warning(
            "rate limits use memory:// storage, counted per worker process; with more than one "
            "worker set INTAKE_RATELIMIT_STORAGE_URI to shared storage (redis://...)"
        )

    from . import db, errors

    db.init_app(app)
    errors.init_app(app)

    from . import api_requests, clarification, handoffs, openapi, staff_api, staff_pages, verification

    app.register_blueprint(api_requests.bp)
    app.register_blueprint(clarification.bp)
    app.register_blueprint(handoffs.bp)
    app.register_blueprint(staff_api.bp)
    app.register_blueprint(staff_pages.bp)
    app.register_blueprint(verification.bp)
    app.register_blueprint(openapi.bp)
    from . import shopify_webhooks

    app.register_blueprint(shopify_webhooks.bp)
    app.register_blueprint(shopify_webhooks.staff_bp)
    from . import delivery_pages

    app.register_blueprint(delivery_pages.bp)
    app.register_blueprint(delivery_pages.staff_bp)

    _init_rate_limits(app)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/")
    def index():
        from flask import redirect, url_for

        return redirect(url_for("staff.request_list"))

    @app.before_request
    def _refuse_nul_characters():
        # A NUL can be in no reference, code or address, and PostgreSQL refuses it in any string it
        # is sent (a 500 there, a plain miss on SQLite): a path holding one is not found, a query
        # string holding one is a bad request, the same on both.  Bodies are validated where parsed.
        from flask import abort, request

        if "\x00" in request.path:
            abort(404)
        if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            abort(400)

    @app.after_request
    def _security_headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Cache-Control", "no-store")
            resp.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'",
            )
        return resp

    from . import cli

    cli.init_app(app)
    return app


def _init_rate_limits(app: Flask) -> None:
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    limiter = Limiter(
        app=app,
        key_func=get_remote_address,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        headers_enabled=True,
        strategy="fixed-window",
    )
    app.extensions["intake_limiter"] = limiter
    limits = {
        "requests_api.request_status": app.config["STATUS_RATE_LIMIT"],
        "verify.confirm": app.config["VERIFY_RATE_LIMIT"],
        "clarify.answer": app.config["VERIFY_RATE_LIMIT"],
        "staff.login": app.config["LOGIN_RATE_LIMIT"],
        "download.confirm": app.config["VERIFY_RATE_LIMIT"],
        "download.file": app.config["VERIFY_RATE_LIMIT"],
    }
    for endpoint, value in limits.items():
        methods = ["POST"] if endpoint in ("staff.login", "clarify.answer") else None
        app.view_functions[endpoint] = limiter.limit(value, methods=methods)(app.view_functions[endpoint])
