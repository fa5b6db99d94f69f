"""A tiny loopback HTTP server that stands in for the bot, for the widget *renderer* tests.

The component under test there is the widget (how it renders hostile or broken bot
replies, how it behaves on errors and time-outs), not the bot: the real bot never sends
such replies, so the real stack cannot produce them. Every other browser test drives the
real stack. The server serves, from one origin:

  GET  /                          a page with the widget's script tag
  GET  /widget/widget.js|css      the real widget files from web_widget/
  GET  /privacy-policy            a stub policy page (only its URL matters here)
  POST /webhooks/rest/webhook     answers from `script`: message -> reply
"""

from __future__ import annotations

import html
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

WIDGET_DIR = Path(__file__).resolve().parents[2] / "web_widget"


@dataclass
class Reply:
    """What the fake bot does for one message: a JSON body, a status, an optional delay."""

    body: Any = field(default_factory=list)
    status: int = 200
    delay: float = 0.0


Script = Callable[[str], Union[Reply, List[Dict[str, Any]]]]


class FakeBot:
    def __init__(self, script: Script, widget_attrs: Optional[Dict[str, str]] = None):
        self.script = script
        self.widget_attrs = widget_attrs or {}
        self.received: List[Dict[str, Any]] = []
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def policy_url(self) -> str:
        return f"{self.url}/privacy-policy"

    def page(self) -> str:
        attrs = {
            "data-bot-url": self.url,
            "data-policy-url": self.policy_url,
            "data-title": "Session Music privacy help",
            **self.widget_attrs,
        }
        rendered = " ".join(f'{name}="{html.escape(value)}"' for name, value in attrs.items())
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><title>Widget test page</title>"
            "</head><body><h1>Widget test page</h1>"
            f"<script src='/widget/widget.js' {rendered} defer></script></body></html>"
        )

    def start(self) -> "FakeBot":
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?")[0]
                if path == "/":
                    self._send(200, bot.page().encode(), "text/html; charset=utf-8")
                elif path in ("/widget/widget.js", "/widget/widget.css"):
                    name = path.rsplit("/", 1)[1]
                    kind = "text/javascript" if name.endswith(".js") else "text/css"
                    self._send(200, (WIDGET_DIR / name).read_bytes(), kind + "; charset=utf-8")
                elif path == "/privacy-policy":
                    self._send(
                        200,
                        b"<!doctype html><title>Policy</title><p id='clause-cookies'>Cookies</p>",
                        "text/html; charset=utf-8",
                    )
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self):
                if self.path != "/webhooks/rest/webhook":
                    self._send(404, b"not found", "text/plain")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                bot.received.append(request)
                reply = bot.script(str(request.get("message", "")))
                if not isinstance(reply, Reply):
                    reply = Reply(reply)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, (bytes, str)) else json.dumps(reply.body)
                if isinstance(body, str):
                    body = body.encode()
                try:
                    self._send(reply.status, body, "application/json")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the widget gave up (time-out)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
