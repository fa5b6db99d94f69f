"""The pages of a delivery (``delivery.py``): the shopper's download page (``/download/<reference>``) and
the staff actions on a request's page (upload, attach the chat transcript, remove a file, re-issue).

The download link opens a page asking for the one-time code (a GET never uses anything up, so mail
scanners that prefetch links do no harm); the code is POSTed, and a confirmed browser gets a grant in its
signed session cookie; each download is a POST too.
"""

from __future__ import annotations

import io
import time

from flask import (
    Blueprint,
    Request,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from . import auth, delivery, staff_pages
from .auth import login_required
from .db import get_db
from .errors import ApiError

bp = Blueprint("download", __name__)
staff_bp = Blueprint("delivery_staff", __name__, url_prefix="/staff")

#: room for the multipart framing and the form's other fields around an upload at the size limit
MULTIPART_SLACK = 64 * 1024
_GRANTS = "delivery_grants"


class InMemoryUploadRequest(Request):
    """Uploaded files are read into memory, never spooled to a temporary file: an answer's plaintext
    must not reach the disk (its size is capped by ``UPLOAD_MAX_BYTES``; every other endpoint by
    ``MAX_CONTENT_LENGTH``)."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


# --- the shopper's pages ------------------------------------------------------------------------------


def _granted(delivery_id: int) -> bool:
    until = session.get(_GRANTS, {}).get(str(delivery_id))
    return until is not None and until > time.time()


def _grant(delivery_id: int, expires_at) -> None:
    grants = {k: v for k, v in session.get(_GRANTS, {}).items() if v > time.time()}
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    grants[str(delivery_id)] = min(expires_at.timestamp(), time.time() + lifetime)
    session[_GRANTS] = grants
    session.permanent = True


def _actor() -> str:
    staff = auth.current_staff()  # a staff browser's act is the staff member's
    return staff.actor if staff else "requester"


def _page(reference: str, token: str, *, outcome=None, link=None, status=200):
    return render_template(
        "download.html",
        reference=reference.upper(),
        token=token,
        outcome=outcome,
        link=link,
        granted=link is not None and _granted(link.delivery_id),
    ), status


_STATUS = {
    delivery.INVALID: 404,
    delivery.GONE: 410,
    delivery.LOCKED: 423,
    delivery.USED: 409,
}


@bp.get("/download/<reference>")
def page(reference: str):
    token = request.args.get("code", "")[:200]
    cfg = current_app.config
    with get_db().write() as s:  # an expired link ends (and its files go) on this visit
        link, why = delivery.open_link(s, cfg, reference, token)
    if link is None:
        return _page(reference, "", outcome=why, status=_STATUS[why])
    return _page(reference, token, link=link)


@bp.post("/download/<reference>")
def confirm(reference: str):
    token = request.form.get("token", "")[:200]
    code = request.form.get("code", "")[:40]
    cfg = current_app.config
    with get_db().write() as s:
        outcome, delivery_id = delivery.check_code(
            s, cfg, reference, token, code, client=request.remote_addr, actor=_actor()
        )
        link = delivery.open_link(s, cfg, reference, token)[0] if outcome == delivery.CONFIRMED else None
    if outcome != delivery.CONFIRMED:
        if outcome == delivery.INVALID and token:  # a wrong code for a working link: ask again
            with get_db().write() as s:
                link = delivery.open_link(s, cfg, reference, token)[0]
            if link is not None:
                return _page(reference, token, outcome=outcome, link=link, status=400)
        return _page(reference, "", outcome=outcome, status=_STATUS[outcome])
    _grant(delivery_id, link.expires_at)
    return redirect(url_for("download.page", reference=reference.upper(), code=token), code=303)


@bp.post("/download/<reference>/files/<int:file_id>")
def file(reference: str, file_id: int):
    token = request.form.get("token", "")[:200]
    cfg = current_app.config
    with get_db().read() as s:
        d, _ = delivery._find(s, reference, token)
        delivery_id = d.id if d is not None else None
    if delivery_id is None or not _granted(delivery_id):
        abort(404)
    try:
        with get_db().write() as s:
            name, content_type, data = delivery.download(s, cfg, reference, token, file_id, actor=_actor())
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return _page(reference, "", outcome=delivery.GONE, status=exc.status)
    resp = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --- the staff actions ------------------------------------------------------------------------------------


@staff_bp.before_request
def _csrf():
    if request.method == "POST":
        if request.endpoint == "delivery_staff.upload":
            request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"] + MULTIPART_SLACK
        if auth.current_staff() is None:
            abort(401)  # no credential: 401 before the body is read
        auth.check_csrf()


@staff_bp.errorhandler(413)
def _too_large(exc):
    reference = (request.view_args or {}).get("reference", "")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    message = (
        f"The upload is larger than the limit of {delivery._size(limit)} per file; nothing was stored and "
        "the request's other files are unchanged."
    )
    return staff_pages._render_detail(reference, error=message), 413


@staff_bp.post("/requests/<reference>/delivery/files")
@login_required("caseworker")
def upload(reference: str):
    """Staff add a file to the answer of an access or portability request in progress (encrypted, audited)."""
    upload = request.files.get("file")
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        if upload is None or not upload.filename:
            raise ApiError(422, "file_required", "Choose a file to upload.")
        row = delivery.add_file(s, cfg, req, upload.filename, upload.read(), actor=staff.actor)
        flash(f"{req.reference}: {row.filename} added to the answer (stored encrypted).", "ok")

    return staff_pages._apply(reference, fn)


@staff_bp.post("/requests/<reference>/delivery/transcript")
@login_required("caseworker")
def attach_transcript(reference: str):
    """Staff add the linked chat's transcript to the answer, as a file (text; JSON for portability)."""
    from . import conversations

    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        if not req.conversation_id:
            raise ApiError(409, "no_conversation", "This request has no linked chat.")
        try:
            lines = conversations.for_app(current_app).transcript(req.conversation_id)
        except conversations.TrackerStoreUnavailable as exc:
            raise ApiError(503, "tracker_store_unavailable", str(exc)) from None
        name, data = delivery.transcript_file(req, lines)
        row = delivery.add_file(s, cfg, req, name, data, actor=staff.actor, source="transcript")
        flash(f"{req.reference}: the chat transcript ({len(lines)} turns) added to the answer as {row.filename}.", "ok")

    return staff_pages._apply(reference, fn)


@staff_bp.post("/requests/<reference>/delivery/files/<int:file_id>/remove")
@login_required("caseworker")
def remove(reference: str, file_id: int):
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        row = delivery.remove_file(s, cfg, req, file_id, actor=staff.actor)
        flash(f"{req.reference}: {row.filename} removed from the answer and deleted.", "ok")

    return staff_pages._apply(reference, fn)


@staff_bp.post("/requests/<reference>/delivery/reissue")
@login_required("caseworker")
def reissue(reference: str):
    staff = auth.current_staff()
    cfg = current_app.config

    def fn(s, req):
        d = delivery.reissue(s, cfg, req, actor=staff.actor)
        flash(f"{req.reference}: a new link (until {d.expires_at:%Y-%m-%d}) and code are on their way.", "ok")

    return staff_pages._apply(reference, fn)
