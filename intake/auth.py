"""Authentication: signed machine requests, staff sessions (pages) and staff tokens (API).

* Machine clients (the bot's action server) sign each body with the shared secret
  (see ``signing.py``); a signature is accepted once (``used_signatures``) and only within
  ``SIGNATURE_MAX_AGE`` seconds of its timestamp.
* Staff log in with a username and password (hashed with werkzeug's scrypt) for the pages,
  or send ``Authorization: Bearer <token>`` (stored as sha256) to the staff API.
* Roles: viewer < caseworker < admin.  No credential -> 401, too low a role -> 403.
* A page session carries the account's ``session_version``; logout, a password change and
  deactivation bump it (``revoke_sessions``), so a copied cookie dies with them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from . import signing
from .db import get_db
from .errors import ApiError
from .models import ROLES, StaffToken, StaffUser, UsedSignature, utcnow

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_PREFIX = "smst_"

# --- machine-to-machine ------------------------------------------------------------------


def verify_machine_signature(raw_body: bytes) -> str:
    """Check the HMAC headers of the current request; return the signature hex digest.

    Stateless part only: the replay check is ``consume_signature`` inside the write transaction.
    """
    ts = request.headers.get("X-SM-Timestamp", "")
    sig = request.headers.get("X-SM-Signature", "")
    if not ts or not sig:
        raise ApiError(
            401,
            "unauthorized",
            "Signed request required (X-SM-Timestamp and X-SM-Signature).",
            headers={"WWW-Authenticate": 'HMAC realm="intake"'},
        )
    cfg = current_app.config
    if not signing.verify(cfg["INTAKE_API_SECRET"], ts, raw_body, sig, max_age=cfg["SIGNATURE_MAX_AGE"]):
        raise ApiError(
            401,
            "unauthorized",
            "The request signature is invalid or its timestamp is too old.",
            headers={"WWW-Authenticate": 'HMAC realm="intake"'},
        )
    return sig[len("sha256=") :]


def replayed() -> ApiError:
    return ApiError(
        401,
        "replayed",
        "This signed request was already used; sign each request afresh.",
        headers={"WWW-Authenticate": 'HMAC realm="intake"'},
    )


def consume_signature(session, signature_hex: str) -> None:
    """Record the signature; a second use (a replay) is refused with 401."""
    session.add(UsedSignature(signature=signature_hex, used_at=utcnow()))
    try:
        session.flush()
    except IntegrityError:
        raise replayed() from None


# --- staff accounts ------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return generate_password_hash(password)


_DUMMY_HASH = None


def authenticate(db_session, username: str, password: str):
    """Return the active StaffUser for these credentials, else None (in similar time)."""
    global _DUMMY_HASH
    user = db_session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = generate_password_hash(secrets.token_hex(8))
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class StaffIdentity:
    """A detached snapshot of the signed-in staff member."""

    def __init__(self, user: StaffUser):
        self.id = user.id
        self.username = user.username
        self.role = user.role

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"


def _load_token_user(raw: str):
    with get_db().read() as s:
        row = s.execute(
            select(StaffUser)
            .join(StaffToken, StaffToken.staff_user_id == StaffUser.id)
            .where(StaffToken.token_hash == token_hash(raw), StaffToken.revoked_at.is_(None))
        ).scalar_one_or_none()
        if row is None or not row.active:
            return None
        return StaffIdentity(row)


def token_required(minimum_role: str):
    """Staff API guard: Bearer token; 401 without a valid one, 403 below ``minimum_role``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise ApiError(
                    401,
                    "unauthorized",
                    "A staff API token is required (Authorization: Bearer ...).",
                    headers={"WWW-Authenticate": 'Bearer realm="intake-staff"'},
                )
            identity = _load_token_user(raw.strip())
            if identity is None:
                raise ApiError(
                    401,
                    "unauthorized",
                    "The staff API token is not valid.",
                    headers={"WWW-Authenticate": 'Bearer realm="intake-staff", error="invalid_token"'},
                )
            if ROLE_RANK.get(identity.role, -1) < ROLE_RANK[minimum_role]:
                raise ApiError(403, "forbidden", f"This needs the {minimum_role} role or higher.")
            g.staff = identity
            return view(*args, **kwargs)

        return wrapper

    return decorator


# --- staff sessions (pages) ---------------------------------------------------------------


def start_session(user: StaffUser) -> None:
    """Sign ``user`` in on this browser (a fresh session, bound to the current session version)."""
    session.clear()
    session.permanent = True
    session["staff_id"] = user.id
    session["role"] = user.role
    session["session_version"] = user.session_version


def revoke_sessions(user: StaffUser) -> None:
    """End every page session of ``user`` (call inside a write transaction)."""
    user.session_version = (user.session_version or 1) + 1


def current_staff():
    """The signed-in staff member for the pages (or None)."""
    if "staff" in g:
        return g.staff
    g.staff = None
    staff_id = session.get("staff_id")
    if staff_id is not None:
        with get_db().read() as s:
            user = s.get(StaffUser, staff_id)
            if (
                user is not None
                and user.active
                and user.role == session.get("role")
                and user.session_version == session.get("session_version")
            ):
                g.staff = StaffIdentity(user)
    return g.staff


def login_required(minimum_role: str = "viewer"):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                if request.method == "GET":
                    return redirect(url_for("staff.login", next=request.full_path))
                abort(401)
            if ROLE_RANK.get(staff.role, -1) < ROLE_RANK[minimum_role]:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="The form expired or did not come from this site; reload the page and try again.")
