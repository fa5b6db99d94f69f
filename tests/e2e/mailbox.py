"""What the local SMTP sink received, and what the intake stored, seen from outside."""

from __future__ import annotations

import time
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Callable, Dict, List, Optional

import sqlalchemy


def read_mail(mail_dir: Path) -> List[EmailMessage]:
    messages = []
    for path in sorted(Path(mail_dir).glob("*.eml")):
        with path.open("rb") as handle:
            messages.append(BytesParser(policy=email_policy.default).parse(handle))
    return messages


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def wait_for_mail(
    mail_dir: Path, match: Callable[[EmailMessage], bool], count: int = 1, timeout: float = 40
) -> List[EmailMessage]:
    """The outbox worker sends asynchronously: poll the sink until `count` messages match."""
    deadline = time.monotonic() + timeout
    found: List[EmailMessage] = []
    while time.monotonic() < deadline:
        found = [m for m in read_mail(mail_dir) if match(m)]
        if len(found) >= count:
            return found
        time.sleep(0.5)
    raise AssertionError(f"expected {count} message(s) in {mail_dir} within {timeout}s, found {len(found)}")


def mentions(reference: str) -> Callable[[EmailMessage], bool]:
    return lambda message: reference in str(message["Subject"]) or reference in body_of(message)


def row(database_url: str, table: str, **where: str) -> Optional[Dict[str, object]]:
    rows = rows_of(database_url, table, **where)
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def rows_of(database_url: str, table: str, **where: str) -> List[Dict[str, object]]:
    assert table in {"dsar_requests", "handoffs"}
    clause = " AND ".join(f"{column} = :{column}" for column in where) or "1 = 1"
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as connection:
            result = connection.execute(sqlalchemy.text(f"SELECT * FROM {table} WHERE {clause}"), where)
            return [dict(r._mapping) for r in result]
    finally:
        engine.dispose()
