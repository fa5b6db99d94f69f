"""CLI: ``flask --app intake <command>`` or ``python -m intake <command>``."""

from __future__ import annotations

import signal
import sys

import click
from flask import current_app
from sqlalchemy import select

from .models import ROLES


def init_app(app) -> None:
    for command in (
        migrate_command,
        create_staff,
        deactivate_staff,
        create_staff_token,
        outbox_worker,
        mail_sink,
        purge_command,
    ):
        app.cli.add_command(command)


@click.command("migrate")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
def migrate_command(revision: str) -> None:
    """Apply the database migrations (upgrade to head)."""
    from . import migrate

    url = current_app.config["DATABASE_URL"]
    migrate.upgrade(url, revision)
    click.echo(f"database at revision {migrate.current_revision(url)}")


@click.command("create-staff")
@click.option("--username", required=True)
@click.option("--password", default=None, help="Non-interactive; prefer --password-stdin in scripts.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--role", type=click.Choice(ROLES), default="caseworker", show_default=True)
@click.option("--update", is_flag=True, help="Change password/role of an existing account.")
def create_staff(username: str, password: str | None, password_stdin: bool, role: str, update: bool) -> None:
    """Create a staff account (passwords are stored hashed)."""
    from .auth import hash_password, revoke_sessions
    from .db import get_db
    from .models import StaffUser, utcnow

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 10:
        raise click.UsageError("the password must be at least 10 characters")
    username = username.strip()
    if not username or len(username) > 80:
        raise click.UsageError("the username must be 1-80 characters")
    with get_db().write() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
        if user is not None and not update:
            raise click.ClickException(f"staff account {username!r} already exists (use --update to change it)")
        if user is None:
            user = StaffUser(
                username=username, created_at=utcnow(), active=True, role=role, password_hash=hash_password(password)
            )
            s.add(user)
        else:
            user.password_hash = hash_password(password)
            user.role = role
            user.active = True
            revoke_sessions(user)  # a password change or reset signs out every browser
    click.echo(f"staff account {username!r} ({role}) {'updated' if update else 'created'}")


@click.command("deactivate-staff")
@click.option("--username", required=True)
def deactivate_staff(username: str) -> None:
    """Deactivate a staff account: its sessions and API tokens stop working at once."""
    from .auth import revoke_sessions
    from .db import get_db
    from .models import StaffToken, StaffUser, utcnow

    with get_db().write() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"no staff account {username!r}")
        user.active = False
        revoke_sessions(user)
        for token in s.execute(
            select(StaffToken).where(StaffToken.staff_user_id == user.id, StaffToken.revoked_at.is_(None))
        ).scalars():
            token.revoked_at = utcnow()
    click.echo(f"staff account {username!r} deactivated (create-staff --update reactivates it)")


@click.command("create-staff-token")
@click.option("--username", required=True)
@click.option("--label", default=None, help="What the token is for.")
def create_staff_token(username: str, label: str | None) -> None:
    """Create an API token for a staff account and print it (once; only its hash is stored)."""
    from .auth import new_token, token_hash
    from .db import get_db
    from .models import StaffToken, StaffUser, utcnow

    token = new_token()
    with get_db().write() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"no staff account {username!r}")
        s.add(StaffToken(staff_user_id=user.id, token_hash=token_hash(token), label=label, created_at=utcnow()))
    click.echo(token)


@click.command("outbox-worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (1 if any send failed).")
@click.option("--interval", type=float, default=None, help="Seconds between polls (OUTBOX_POLL_INTERVAL).")
def outbox_worker(once: bool, interval: float | None) -> None:
    """Send queued mail from the outbox, retrying with backoff."""
    from .db import get_db
    from .outbox_worker import OutboxWorker

    cfg = dict(current_app.config)
    if interval is not None:
        cfg["OUTBOX_POLL_INTERVAL"] = interval
    worker = OutboxWorker(get_db(), cfg)
    if once:
        stats = worker.run_once()
        click.echo(
            f"sent {stats['sent']}, retrying later {stats['retry']}, failed {stats['failed']}, "
            f"pending {worker.pending_count()}"
        )
        sys.exit(1 if stats["retry"] or stats["failed"] else 0)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: worker.stop_event.set())
    worker.run_forever()


@click.command("mail-sink")
@click.option("--host", default=None, help="Default: SMTP_HOST.")
@click.option("--port", type=int, default=None, help="Default: SMTP_PORT.")
@click.option("--dir", "directory", default=None, help="Default: MAIL_DIR (var/mail).")
def mail_sink(host: str | None, port: int | None, directory: str | None) -> None:
    """DEVELOPMENT TOOL: a local SMTP server that stores each message as an .eml file.

    For a local run only: the files keep every mail whole (names, addresses, working links) and
    nothing ever deletes them. In production point SMTP_HOST at the real mail server instead.
    """
    from .mail_sink import serve_forever

    cfg = current_app.config
    serve_forever(host or cfg["SMTP_HOST"], port or cfg["SMTP_PORT"], directory or cfg["MAIL_DIR"])


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="ISO",
    help="The clock to count from (ISO date-time, UTC without an offset); default: now.",
)
def purge_command(dry_run: bool, now_text: str | None) -> None:
    """Anonymise closed requests and handoffs older than INTAKE_RETENTION_DAYS and strip sent mail;
    delete the files of delivery links that have expired.

    Keeps reference, type, dates, outcome, clock and audit trail; removes names, emails, phone and
    free text (intake/retention.py), and answers whose link expired (intake/delivery.py).
    Idempotent; audited with counts only. Run it daily.
    """
    from . import delivery, retention
    from .db import get_db

    try:
        now = retention.parse_now(now_text)
    except ValueError:
        raise click.BadParameter(f"not an ISO date-time: {now_text[:40]!r}", param_hint="--now") from None
    cfg = current_app.config
    with get_db().write_conn() as conn:
        result = retention.purge(
            conn,
            now=now,
            retention_days=cfg["INTAKE_RETENTION_DAYS"],
            outbox_grace_seconds=cfg["OUTBOX_SENT_BODY_GRACE_SECONDS"],
            dry_run=dry_run,
        )
    click.echo(f"purge: {result.summary(dry_run)} (retention {cfg['INTAKE_RETENTION_DAYS']} days)")
    with get_db().write() as s:
        delivered = delivery.purge(s, cfg, now=now, dry_run=dry_run)
        if dry_run:
            s.rollback()
    click.echo(f"purge: {delivered.summary(dry_run)}")
