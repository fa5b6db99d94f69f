"""Session Music demo shop with the privacy chat widget, and the privacy policy page.

    python -m web_widget.demo_site --port 8000

Pages:
  /                  a small demo shop page with the widget embedded
  /privacy-policy    the policy rendered from bot/data/policy/privacy-policy.yml, one
                     element per clause with id="clause-<id>" (what the bot's citations link to)
  /widget/<file>     the widget's static files (widget.js, widget.css)

Configuration (environment): BOT_URL (default http://127.0.0.1:5005), POLICY_URL
(default http://127.0.0.1:8000/privacy-policy), POLICY_FILE (default the bot's policy YAML),
CONVERSATION_RETENTION_DAYS (default 90; the widget's notice states it).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import urlsplit

import yaml
from dsar_contract.conversations import RETENTION_VARIABLE, retention_days
from flask import Flask, abort, render_template, send_from_directory

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_POLICY_FILE = ROOT / "bot" / "data" / "policy" / "privacy-policy.yml"
DEFAULT_BOT_URL = "http://127.0.0.1:5005"
DEFAULT_POLICY_URL = "http://127.0.0.1:8000/privacy-policy"
WIDGET_FILES = {"widget.js", "widget.css"}

PRODUCTS = [
    ("Karaoke machine with twin wireless mics", "Karaoke", "£249.00"),
    ("Two-deck DJ controller", "DJ equipment", "£329.00"),
    ("Active PA speaker, 12 inch", "PA & sound", "£279.00"),
    ("LED party light bar", "Lighting", "£119.00"),
    ("Studio monitor headphones", "DJ equipment", "£79.00"),
    ("Wireless microphone pair", "Karaoke", "£149.00"),
]


def load_policy(path: Path) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    clauses = [
        {"id": str(c["id"]), "heading": str(c.get("heading", "")), "text": str(c.get("text", ""))}
        for c in data.get("clauses", [])
    ]
    return {"updated": str(data.get("updated", "")), "source": str(data.get("source", "")), "clauses": clauses}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def create_app(
    bot_url: Optional[str] = None,
    policy_url: Optional[str] = None,
    policy_file: Optional[Path] = None,
) -> Flask:
    app = Flask(__name__, static_folder=str(HERE / "static"), static_url_path="/static")
    bot_url = (bot_url or os.environ.get("BOT_URL") or DEFAULT_BOT_URL).rstrip("/")
    policy_url = (policy_url or os.environ.get("POLICY_URL") or DEFAULT_POLICY_URL).split("#")[0]
    policy = load_policy(Path(policy_file or os.environ.get("POLICY_FILE") or DEFAULT_POLICY_FILE))
    widget = {
        "bot_url": bot_url,
        "policy_url": policy_url,
        "title": "Session Music privacy help",
        "accent": "#5b21b6",
        # the notice says how long the chat is kept: the purge's setting, not a second number
        "retention_days": retention_days(os.environ.get(RETENTION_VARIABLE)),
    }
    # Only our own origin and the bot: the widget makes no third-party requests, and
    # neither do these pages. No inline scripts or styles anywhere.
    csp = "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {origin(bot_url)}".strip(),
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/")
    def shop():
        return render_template("shop.html", widget=widget, products=PRODUCTS, policy_url=policy_url)

    @app.get("/privacy-policy")
    def privacy_policy():
        return render_template("policy.html", widget=widget, policy=policy, policy_url=policy_url)

    @app.get("/widget/<path:name>")
    def widget_file(name: str):
        if name not in WIDGET_FILES:
            abort(404)
        return send_from_directory(HERE, name, max_age=0)

    return app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Session Music demo shop with the chat widget.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    app = create_app()
    base = f"http://{args.host}:{args.port}"
    print(f"Session Music demo shop with the chat widget: {base}/", flush=True)
    print(f"Privacy policy page: {base}/privacy-policy", flush=True)
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False, threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
