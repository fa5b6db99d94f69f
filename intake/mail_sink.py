"""A DEVELOPMENT TOOL: a local SMTP sink (aiosmtpd) that stores every message as an .eml file.

Not for production: the files keep every mail whole (names, addresses, working links) and nothing
deletes them (the intake's retention purge does not touch them). In production SMTP_HOST is the real mail server.

Used with the embedded defaults so nothing leaves the machine: the files are the local
shoppers' inbox (they keep the working verification links, so a local run can be confirmed),
readable by this user only (0600); admins can read them at /staff/mail, where the one-time
codes are blanked.  The envelope recipients are recorded in an ``X-Sink-Rcpt-To``
header at the top of each file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger("intake.mail_sink")


class EmlDirHandler:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{stamp}-{secrets.token_hex(4)}.eml"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        rcpts = ", ".join(envelope.rcpt_tos)
        header = f"X-Sink-Rcpt-To: {rcpts}\r\nX-Sink-Mail-From: {envelope.mail_from}\r\n".encode("utf-8", "replace")
        tmp = self.directory / (name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + content)
        os.replace(tmp, self.directory / name)
        log.info("stored message %s (%d recipient(s))", name, len(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def start_sink(host: str, port: int, directory: str | os.PathLike) -> Controller:
    controller = Controller(EmlDirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def serve_forever(host: str, port: int, directory: str | os.PathLike) -> None:
    controller = start_sink(host, port, directory)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(
        f"mail sink (development tool, not for production: messages are kept whole and never deleted) "
        f"listening on {host}:{port}, storing messages in {directory}",
        flush=True,
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        controller.stop()
