"""Delivering the answer to an access or portability request: encrypted files, a link that expires and
needs a one-time code, a few downloads each, then the files are deleted.

* Staff (caseworkers) add files to a request in progress: an upload (``ALLOWED_TYPES`` by request type,
  at most ``UPLOAD_MAX_BYTES``, the content checked against the extension) or the linked chat's
  transcript.  Each is encrypted with Fernet under a key derived from ``INTAKE_DELIVERY_KEY`` (HKDF-SHA256)
  and written to ``DELIVERY_DIR`` under a random name (0600, folder 0700); the plaintext never touches
  the disk (uploads are read into memory, ``InMemoryUploadRequest``).
* Completing the request (``workflow.staff_transition``, the one path) calls ``on_status_change``, which
  issues a link: a random token in the URL and a one-time code in a second email, both stored as sha256
  only.  The link works ``DELIVERY_LINK_DAYS`` days; the code is compared in constant time, works once,
  and five wrong codes lock the link for the client that sent them (as verification does).  A confirmed
  browser may download each file ``DELIVERY_MAX_DOWNLOADS`` times; every download is audited.
* A file leaves the disk after its last allowed download; every file goes when the link expires (at the
  next touch of the link, or by ``flask --app intake purge``: ``purge``), when the request is refused or
  withdrawn, or when staff remove it before completion.  Staff may re-issue a link once while its files
  remain (the old one stops at once).
* No email, log line or audit reason carries a file's content or name: mails give the file count, audit
  reasons the file's number, type and size.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from . import mail, workflow
from .errors import ApiError
from .models import (
    COMPLETED,
    IN_PROGRESS,
    TERMINAL,
    Delivery,
    DeliveryFailure,
    DeliveryFile,
    DsarRequest,
    utcnow,
)

log = logging.getLogger("intake.delivery")

#: what an answer may be made of, by request type (portability: structured, machine-readable only)
ALLOWED_TYPES = {
    "access": (".pdf", ".json", ".csv", ".txt", ".zip"),
    "portability": (".json", ".csv"),
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".zip": "application/zip",
}
MAX_FILES = 20
MAX_NAME = 120
#: a file written to the folder but never committed (a failed transaction) is swept after this long
ORPHAN_GRACE = dt.timedelta(hours=1)
_KDF_INFO = b"session-music intake: delivery files v1"
#: Crockford base32 without I, L, O, U (as references): 8 characters, 40 bits, read out as XXXX-XXXX
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# reasons a file leaves the disk / a link ends
LAST_DOWNLOAD = "last allowed download"
LINK_EXPIRED = "link expired"
REQUEST_CLOSED = "request closed without delivery"
REMOVED_BY_STAFF = "removed by staff"
REPLACED = "replaced by a re-issued link"
ALL_DOWNLOADED = "every file downloaded"


# --- the key, the folder ---------------------------------------------------------------------------


def fernet_for(secret: str) -> Fernet:
    """The Fernet key derived from ``INTAKE_DELIVERY_KEY`` (any random value of 32+ characters, like the
    other secrets: the launcher makes one per checkout)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def _fernet(cfg) -> Fernet:
    return fernet_for(cfg["DELIVERY_KEY"])


def folder(cfg) -> Path:
    path = Path(cfg["DELIVERY_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _write_encrypted(cfg, data: bytes) -> str:
    """Encrypt ``data`` into a new file of the folder; returns its (random) name."""
    name = secrets.token_hex(16)
    path = folder(cfg) / name
    token = _fernet(cfg).encrypt(data)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(token)
        fh.flush()
        os.fsync(fh.fileno())
    return name


def read_plaintext(cfg, f: DeliveryFile) -> bytes:
    path = Path(cfg["DELIVERY_DIR"]) / f.storage_name
    try:
        token = path.read_bytes()
    except FileNotFoundError:
        raise ApiError(410, "file_gone", "This file is no longer available.") from None
    try:
        return _fernet(cfg).decrypt(token)
    except InvalidToken:
        log.error("delivery file %s cannot be decrypted with INTAKE_DELIVERY_KEY (was the key changed?)", f.id)
        raise ApiError(500, "undecryptable", "This file cannot be read; please contact us.") from None


# --- unlinking only once the database agrees ------------------------------------------------------


def _unlink_later(session, cfg, names) -> None:
    """Delete these files from the folder when ``session`` commits (never if it rolls back)."""
    pending = session.info.setdefault("delivery_unlink", [])
    pending.extend(Path(cfg["DELIVERY_DIR"]) / n for n in names)


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    for path in session.info.pop("delivery_unlink", []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("delivery_unlink", None)


# --- what the staff page shows --------------------------------------------------------------------


def deliverable(req) -> bool:
    return req.request_type in ALLOWED_TYPES


def files(session, req, live_only: bool = False) -> list[DeliveryFile]:
    q = select(DeliveryFile).where(DeliveryFile.request_id == req.id)
    if live_only:
        q = q.where(DeliveryFile.deleted_at.is_(None))
    return list(session.execute(q.order_by(DeliveryFile.id)).scalars())


def deliveries(session, req) -> list[Delivery]:
    return list(session.execute(select(Delivery).where(Delivery.request_id == req.id).order_by(Delivery.id)).scalars())


def _current(session, req) -> Delivery | None:
    found = deliveries(session, req)
    return found[-1] if found else None


def staff_context(session, req, can_act: bool, cfg) -> dict:
    """The delivery card of a request's staff page (empty for other request types)."""
    if not deliverable(req):
        return {"delivery": None}
    links = deliveries(session, req)
    current = links[-1] if links else None
    live = files(session, req, live_only=True)
    return {
        "delivery": {
            "files": files(session, req),
            "links": links,
            "allowed": ALLOWED_TYPES[req.request_type],
            "max_bytes": cfg["UPLOAD_MAX_BYTES"],
            "max_downloads": cfg["DELIVERY_MAX_DOWNLOADS"],
            "link_days": cfg["DELIVERY_LINK_DAYS"],
            "can_upload": can_act and req.status == IN_PROGRESS,
            "can_attach_transcript": can_act and req.status == IN_PROGRESS and bool(req.conversation_id),
            "can_reissue": can_act
            and req.status == COMPLETED
            and current is not None
            and not any(d.reissue_of for d in links)
            and bool(live)
            and current.ended_at is None
            and current.expires_at > utcnow(),
        }
    }


# --- adding files -----------------------------------------------------------------------------------


def _check_content(ext: str, data: bytes) -> str | None:
    """Why ``data`` is not a file of type ``ext`` (None: it is)."""
    if not data:
        return "The file is empty."
    if ext == ".pdf":
        return None if data.startswith(b"%PDF-") else "This is not a PDF file (it does not start with %PDF-)."
    if ext == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                z.infolist()
        except zipfile.BadZipFile:
            return "This is not a ZIP archive."
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return f"A {ext[1:].upper()} file must be UTF-8 text."
    if "\x00" in text:
        return f"A {ext[1:].upper()} file must be text (this one holds binary data)."
    if ext == ".json":
        try:
            json.loads(text)
        except ValueError:
            return "This is not valid JSON."
    return None


def _clean_name(filename: str, ext: str, reference: str) -> str:
    stem = secure_filename(filename.rsplit(".", 1)[0] if "." in filename else filename)[: MAX_NAME - len(ext)]
    return (stem or f"{reference}-answer") + ext


def add_file(
    session, cfg, req: DsarRequest, filename: str, data: bytes, *, actor: str, source: str = "upload", now=None
) -> DeliveryFile:
    """Validate, encrypt and store one file of ``req``'s answer (audited); 4xx ApiError otherwise, with
    nothing stored and the request's other files untouched."""
    if not deliverable(req):
        raise ApiError(409, "not_deliverable", "Files are delivered only for access and portability requests.")
    if req.status != IN_PROGRESS:
        raise ApiError(
            409, "not_in_progress", f"Files can be added while the request is in progress (it is {req.status})."
        )
    allowed = ALLOWED_TYPES[req.request_type]
    ext = ("." + filename.rsplit(".", 1)[1].lower()) if "." in (filename or "") else ""
    if ext not in allowed:
        raise ApiError(
            415,
            "file_type_not_allowed",
            f"A {req.request_type} answer can be {', '.join(e[1:].upper() for e in allowed)} files; "
            f"{(ext[1:].upper() + ' is') if ext else 'a file without an extension is'} not allowed.",
        )
    limit = cfg["UPLOAD_MAX_BYTES"]
    if len(data) > limit:
        raise ApiError(413, "file_too_large", f"The file is {_size(len(data))}; the limit is {_size(limit)} per file.")
    problem = _check_content(ext, data)
    if problem:
        raise ApiError(422, "file_content_mismatch", problem)
    if len(files(session, req, live_only=True)) >= MAX_FILES:
        raise ApiError(409, "too_many_files", f"A request's answer can have at most {MAX_FILES} files.")
    now = now or utcnow()
    name = _write_encrypted(cfg, data)
    try:
        row = DeliveryFile(
            request_id=req.id,
            storage_name=name,
            filename=_clean_name(filename, ext, req.reference),
            content_type=CONTENT_TYPES[ext],
            size_bytes=len(data),
            source=source,
            added_by=actor,
            added_at=now,
            downloads=0,
        )
        session.add(row)
        session.flush()
        workflow.note(
            session,
            req,
            actor=actor,
            action="delivery_file_added",
            reason=f"file {row.id}: {ext[1:]}, {len(data)} bytes"
            + (" (the chat transcript)" if source != "upload" else ""),
            at=now,
        )
    except BaseException:
        (Path(cfg["DELIVERY_DIR"]) / name).unlink(missing_ok=True)
        raise
    return row


def transcript_file(req, lines) -> tuple[str, bytes]:
    """The linked chat as a file of the answer: text for an access request, JSON for portability."""
    from . import conversations

    if req.request_type == "portability":
        data = {
            "reference": req.reference,
            "conversation_id": req.conversation_id,
            "turns": [
                {"speaker": line.speaker, "at": line.at.isoformat() if line.at else None, "text": line.text}
                for line in lines
            ],
        }
        return f"{req.reference}-conversation.json", json.dumps(data, ensure_ascii=False, indent=2).encode()
    return f"{req.reference}-conversation.txt", conversations.as_text(
        req.reference, req.conversation_id, lines
    ).encode()


def remove_file(session, cfg, req: DsarRequest, file_id: int, *, actor: str, now=None) -> DeliveryFile:
    """Staff take a file out of the answer before the request is completed (audited)."""
    if req.status != IN_PROGRESS:
        raise ApiError(409, "not_in_progress", "Files can be removed only while the request is in progress.")
    f = session.get(DeliveryFile, file_id)
    if f is None or f.request_id != req.id or f.deleted_at is not None:
        raise ApiError(404, "no_such_file", "That file is not part of this request's answer.")
    _delete_files(session, cfg, req, [f], REMOVED_BY_STAFF, actor=actor, now=now or utcnow())
    return f


def _delete_files(session, cfg, req, rows, why: str, *, actor: str, now) -> int:
    rows = [f for f in rows if f.deleted_at is None]
    for f in rows:
        f.deleted_at = now
        f.deleted_reason = why
    if rows:
        _unlink_later(session, cfg, [f.storage_name for f in rows])
        workflow.note(
            session,
            req,
            actor=actor,
            action="delivery_files_deleted",
            reason=f"{why}: file(s) {', '.join(str(f.id) for f in rows)} deleted",
            at=now,
        )
    return len(rows)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


# --- links and codes -------------------------------------------------------------------------------


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def new_code() -> str:
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_code(code: str) -> str:
    """What the shopper typed, as the code is stored: upper case, without spaces or the dash, and the
    letters people mistake for digits read as those digits."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return text.translate(str.maketrans("OIL", "011"))


def link_url(cfg, reference: str, token: str) -> str:
    return f"{cfg['INTAKE_PUBLIC_URL']}/download/{reference}?code={token}"


def issue_link(session, cfg, req: DsarRequest, *, actor: str, now=None, reissue_of: Delivery | None = None) -> Delivery:
    """A new link for ``req``'s remaining files, emailed to the requester with the code in a second mail."""
    now = now or utcnow()
    live = files(session, req, live_only=True)
    token, code = secrets.token_urlsafe(32), new_code()
    d = Delivery(
        request_id=req.id,
        link_hash=hash_secret(token),
        code_hash=hash_secret(normalise_code(code)),
        created_at=now,
        expires_at=now + dt.timedelta(days=cfg["DELIVERY_LINK_DAYS"]),
        issued_by=actor,
        reissue_of=reissue_of.id if reissue_of else None,
        failed_attempts=0,
    )
    session.add(d)
    session.flush()
    context = dict(
        req=req,
        what=mail.TYPE_LABELS[req.request_type],
        n_files=len(live),
        expires_on=d.expires_at.date(),
        max_downloads=cfg["DELIVERY_MAX_DOWNLOADS"],
        reissued=reissue_of is not None,
    )
    subject = f"Your Session Music data request {req.reference} - your answer is ready"
    mail.enqueue(
        session,
        kind="delivery_link",
        recipient=req.requester_email,
        subject=subject,
        body=mail._body("requester_delivery_link.txt", link=link_url(cfg, req.reference, token), **context),
        reference=req.reference,
    )
    mail.enqueue(
        session,
        kind="delivery_code",
        recipient=req.requester_email,
        subject=f"Your Session Music data request {req.reference} - your one-time code",
        body=mail._body("requester_delivery_code.txt", code=code, **context),
        reference=req.reference,
    )
    workflow.note(
        session,
        req,
        actor=actor,
        action="delivery_link_reissued" if reissue_of else "delivery_link_sent",
        reason=f"link {d.id} to {len(live)} file(s), valid until {d.expires_at:%Y-%m-%d %H:%M} UTC, "
        f"{cfg['DELIVERY_MAX_DOWNLOADS']} download(s) per file; the code sent in a separate email",
        at=now,
    )
    return d


def on_status_change(session, req: DsarRequest, *, actor: str, now=None) -> None:
    """Called by ``workflow.staff_transition`` after every staff move: a completed access or portability
    request with files gets its link; one refused or withdrawn loses its files."""
    if not deliverable(req) or req.status not in TERMINAL:
        return
    cfg = current_app.config
    now = now or utcnow()
    live = files(session, req, live_only=True)
    if not live:
        return
    if req.status == COMPLETED:
        issue_link(session, cfg, req, actor=actor, now=now)
    else:
        _delete_files(session, cfg, req, live, REQUEST_CLOSED, actor=actor, now=now)


def _end(session, cfg, req, d: Delivery, why: str, *, actor: str, now, delete: bool = True) -> None:
    d.ended_at = now
    d.ended_reason = why
    if delete:
        _delete_files(session, cfg, req, files(session, req, live_only=True), why, actor=actor, now=now)


def _end_if_expired(session, cfg, req, d: Delivery, now) -> bool:
    if d.ended_at is None and now >= d.expires_at:
        _end(session, cfg, req, d, LINK_EXPIRED, actor=workflow.SYSTEM, now=now)
        return True
    return d.ended_at is not None


def reissue(session, cfg, req: DsarRequest, *, actor: str, now=None) -> Delivery:
    """Replace the request's link by a new one (fresh expiry, fresh code), once, while its files remain."""
    now = now or utcnow()
    links = deliveries(session, req)
    if req.status != COMPLETED or not links:
        raise ApiError(409, "no_link", "A link is re-issued only for a completed request that was sent one.")
    if any(d.reissue_of for d in links):
        raise ApiError(409, "already_reissued", "This request's link has already been re-issued once.")
    current = links[-1]
    if _end_if_expired(session, cfg, req, current, now) or not files(session, req, live_only=True):
        raise ApiError(
            409,
            "delivery_over",
            "The link has ended and its files are deleted; upload the answer again under a new request.",
        )
    _end(session, cfg, req, current, REPLACED, actor=actor, now=now, delete=False)
    return issue_link(session, cfg, req, actor=actor, now=now, reissue_of=current)


# --- the shopper's side ------------------------------------------------------------------------------

# outcomes of a code check
CONFIRMED, INVALID, LOCKED, USED, GONE = "confirmed", "invalid", "locked", "used", "gone"


@dataclass
class Link:
    """A link as the shopper's pages see it."""

    delivery_id: int
    reference: str
    expires_at: dt.datetime
    files: list
    max_downloads: int


def _find(session, reference: str, token: str, for_update: bool = False):
    q = select(Delivery, DsarRequest).join(DsarRequest, DsarRequest.id == Delivery.request_id)
    q = q.where(Delivery.link_hash == hash_secret(token or ""), DsarRequest.reference == (reference or "").upper())
    if for_update:
        q = q.with_for_update()
    row = session.execute(q).first()
    return (row[0], row[1]) if row else (None, None)


def open_link(session, cfg, reference: str, token: str, now=None):
    """(Link, None) for a working link, else (None, GONE / INVALID); an expired link ends here."""
    now = now or utcnow()
    d, req = _find(session, reference, token, for_update=True)
    if d is None:
        return None, INVALID
    if _end_if_expired(session, cfg, req, d, now):
        return None, GONE
    live = files(session, req, live_only=True)
    if not live:
        return None, GONE
    return Link(d.id, req.reference, d.expires_at, live, cfg["DELIVERY_MAX_DOWNLOADS"]), None


def client_key(cfg, address: str | None) -> str:
    """A keyed hash of the client's address (as ``verification.client_key``)."""
    return hmac.new(cfg["SECRET_KEY"].encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def check_code(session, cfg, reference: str, token: str, code: str, *, client: str, actor: str, now=None):
    """Check the one-time code of a link: (outcome, delivery id)."""
    now = now or utcnow()
    max_attempts = cfg["VERIFICATION_MAX_ATTEMPTS"]
    d, req = _find(session, reference, token, for_update=True)
    if d is None:
        hmac.compare_digest(hash_secret(normalise_code(code)), "0" * 64)  # same work either way
        return INVALID, None
    if _end_if_expired(session, cfg, req, d, now) or not files(session, req, live_only=True):
        return GONE, None
    failures = session.execute(
        select(DeliveryFailure).where(
            DeliveryFailure.delivery_id == d.id, DeliveryFailure.client_hash == client_key(cfg, client)
        )
    ).scalar_one_or_none()
    if failures is not None and failures.failures >= max_attempts:
        return LOCKED, None
    if d.code_used_at is not None:
        return USED, None
    if not hmac.compare_digest(hash_secret(normalise_code(code)), d.code_hash):
        d.failed_attempts += 1
        if failures is None:
            failures = DeliveryFailure(delivery_id=d.id, client_hash=client_key(cfg, client), failures=0)
            session.add(failures)
        failures.failures += 1
        if failures.failures >= max_attempts:
            workflow.note(
                session,
                req,
                actor=actor,
                action="delivery_code_locked",
                reason=f"link {d.id}: {max_attempts} wrong codes from one client",
                at=now,
            )
            return LOCKED, None
        return INVALID, None
    d.code_used_at = now
    workflow.note(
        session,
        req,
        actor=actor,
        action="delivery_code_confirmed",
        reason=f"link {d.id}: the one-time code confirmed",
        at=now,
    )
    return CONFIRMED, d.id


def download(session, cfg, reference: str, token: str, file_id: int, *, actor: str, now=None):
    """One download of one file (audited): (filename, content type, plaintext). After the last allowed
    download the file is deleted (once this transaction commits); when none is left the link ends."""
    now = now or utcnow()
    d, req = _find(session, reference, token, for_update=True)
    if d is None or d.code_used_at is None:
        raise ApiError(404, "not_found", "Not found.")
    if _end_if_expired(session, cfg, req, d, now):
        raise ApiError(410, "link_ended", "This link has ended and its files are deleted.")
    f = session.get(DeliveryFile, file_id)
    if f is None or f.request_id != req.id:
        raise ApiError(404, "not_found", "Not found.")
    if f.deleted_at is not None:
        raise ApiError(410, "file_gone", "This file is no longer available.")
    data = read_plaintext(cfg, f)
    f.downloads += 1
    limit = cfg["DELIVERY_MAX_DOWNLOADS"]
    workflow.note(
        session,
        req,
        actor=actor,
        action="delivery_downloaded",
        reason=f"link {d.id}, file {f.id} ({f.size_bytes} bytes): download {f.downloads} of {limit}",
        at=now,
    )
    if f.downloads >= limit:
        _delete_files(session, cfg, req, [f], LAST_DOWNLOAD, actor=workflow.SYSTEM, now=now)
        if not files(session, req, live_only=True):
            _end(session, cfg, req, d, ALL_DOWNLOADED, actor=workflow.SYSTEM, now=now, delete=False)
    return f.filename, f.content_type, data


# --- the purge -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    links_expired: int
    files_deleted: int
    files_removed_from_disk: int

    def summary(self, dry_run: bool = False) -> str:
        if dry_run:
            return (
                f"would end {self.links_expired} expired delivery link(s) and delete {self.files_deleted} "
                "delivery file(s)"
            )
        return (
            f"ended {self.links_expired} expired delivery link(s), deleted {self.files_deleted} delivery "
            f"file(s) ({self.files_removed_from_disk} removed from disk)"
        )


def purge(session, cfg, *, now: dt.datetime, dry_run: bool = False) -> PurgeResult:
    """End the links expired at ``now`` and delete their files; delete the files of closed requests with
    no link running; remove from the folder every file the database no longer holds. Idempotent; each
    request's deletion audited like any other."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    expired = list(
        session.execute(select(Delivery).where(Delivery.ended_at.is_(None), Delivery.expires_at <= now)).scalars()
    )
    running = select(Delivery.request_id).where(Delivery.ended_at.is_(None), Delivery.expires_at > now)
    stranded = list(
        session.execute(
            select(DsarRequest)
            .join(DeliveryFile, DeliveryFile.request_id == DsarRequest.id)
            .where(
                DeliveryFile.deleted_at.is_(None),
                DsarRequest.status.in_([s.value for s in TERMINAL]),
                DsarRequest.id.notin_(running),
            )
            .distinct()
        ).scalars()
    )
    if dry_run:
        due_requests = {d.request_id for d in expired} | {r.id for r in stranded}
        n_files = session.execute(
            select(func.count())
            .select_from(DeliveryFile)
            .where(DeliveryFile.deleted_at.is_(None), DeliveryFile.request_id.in_(due_requests))
        ).scalar_one()
        return PurgeResult(len(expired), n_files, 0)
    n_files = 0
    for d in expired:
        req = session.get(DsarRequest, d.request_id)
        live = files(session, req, live_only=True)
        n_files += len(live)
        _end(session, cfg, req, d, LINK_EXPIRED, actor=workflow.SYSTEM, now=now)
    for req in stranded:
        n_files += _delete_files(
            session, cfg, req, files(session, req, live_only=True), REQUEST_CLOSED, actor=workflow.SYSTEM, now=now
        )
    session.flush()
    # the folder holds exactly the live files: the rest is gone already, or was never committed
    keep = set(session.execute(select(DeliveryFile.storage_name).where(DeliveryFile.deleted_at.is_(None))).scalars())
    known = set(session.execute(select(DeliveryFile.storage_name)).scalars())
    on_disk = 0
    base = Path(cfg["DELIVERY_DIR"])
    scheduled = {p.name for p in session.info.get("delivery_unlink", [])}  # go when this commits
    if base.is_dir():
        for path in base.iterdir():
            if not path.is_file() or path.name in keep:
                continue
            if path.name in scheduled:
                on_disk += 1
                continue
            if path.name not in known:
                written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
                if utcnow() - written < ORPHAN_GRACE:
                    continue  # an upload still being committed
            path.unlink(missing_ok=True)
            on_disk += 1
    return PurgeResult(len(expired), n_files, on_disk)
