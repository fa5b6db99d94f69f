"""Staff: the 401/403 matrix, lifecycle transitions (409s), extensions, audit trail, pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import requests
from intake_support import lodge_at, request_body
from sqlalchemy.exc import DatabaseError

from intake import deadlines, queries, workflow
from intake.auth import hash_password, new_token, token_hash
from intake.models import StaffToken, StaffUser, utcnow


def add_staff(live, username, role, password="correct horse battery"):
    with live.db.write() as s:
        user = StaffUser(
            username=username, password_hash=hash_password(password), role=role, active=True, created_at=utcnow()
        )
        s.add(user)
        s.flush()
        token = new_token()
        s.add(StaffToken(staff_user_id=user.id, token_hash=token_hash(token), created_at=utcnow()))
    return token


@pytest.fixture
def staff(live):
    return {role: add_staff(live, role + "-user", role) for role in ("viewer", "caseworker", "admin")}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def new_request(live, rtype="access"):
    return live.post_signed("/api/v1/requests", request_body(rtype)).json()["reference"]


def verified_request(live, staff, rtype="access"):
    ref = new_request(live, rtype)
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"),
        json={"to": "in_progress", "reason": "checked ID over the phone"},
        headers=bearer(staff["caseworker"]),
    )
    assert r.status_code == 200, r.text
    return ref


# --- 401 / 403 -----------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/api/v1/staff/requests", None, "viewer"),
    ("GET", "/api/v1/staff/requests/{ref}", None, "viewer"),
    ("POST", "/api/v1/staff/requests/{ref}/transition", {"to": "withdrawn", "reason": "asked to stop"}, "caseworker"),
    ("POST", "/api/v1/staff/requests/{ref}/extension", {"reason": "complex"}, "caseworker"),
    ("GET", "/api/v1/staff/handoffs", None, "viewer"),
    ("GET", "/api/v1/staff/outbox", None, "admin"),
]
RANK = {"viewer": 0, "caseworker": 1, "admin": 2}


@pytest.mark.parametrize("method,path,body,minimum", ENDPOINTS)
def test_staff_api_auth_matrix(live, staff, method, path, body, minimum):
    def call(headers):
        ref = new_request(live)
        return live.http.request(method, live.url(path.format(ref=ref)), json=body, headers=headers)

    no_cred = call({})
    assert no_cred.status_code == 401
    assert no_cred.headers["WWW-Authenticate"].startswith("Bearer")
    assert no_cred.json()["error"]["code"] == "unauthorized"
    assert call({"Authorization": "Bearer smst_not-a-real-token"}).status_code == 401
    assert call({"Authorization": "Basic dmlld2VyOnB3"}).status_code == 401
    from intake.signing import signed_headers

    assert call(signed_headers("whatever", b"")).status_code == 401  # a machine signature is no staff credential
    for role, token in staff.items():
        r = call(bearer(token))
        if RANK[role] < RANK[minimum]:
            assert r.status_code == 403, (role, r.text)
            assert r.json()["error"]["code"] == "forbidden"
        else:
            assert r.status_code in (200, 409), (role, r.text)  # 409: extension of an unverified request


def test_revoked_token_and_inactive_account_are_401(live, staff):
    live.sql(
        "UPDATE staff_tokens SET revoked_at = :t WHERE staff_user_id = "
        "(SELECT id FROM staff_users WHERE username = 'viewer-user')",
        t=dt.datetime(2026, 1, 1),
    )
    assert live.get("/api/v1/staff/requests", headers=bearer(staff["viewer"])).status_code == 401
    live.sql("UPDATE staff_users SET active = :f WHERE username = 'admin-user'", f=False)
    assert live.get("/api/v1/staff/requests", headers=bearer(staff["admin"])).status_code == 401


# --- lifecycle ---------------------------------------------------------------------------------


def transition(live, staff, ref, to, reason=None, role="caseworker"):
    return live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"),
        json={"to": to, "reason": reason},
        headers=bearer(staff[role]),
    )


@pytest.mark.postgres
def test_full_lifecycle_and_audit_trail(live, staff):
    ref = new_request(live)
    r = transition(live, staff, ref, "in_progress", "verified in person with a receipt")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert r.json()["clock_start_on"] == deadlines.local_date(utcnow()).isoformat()
    r = transition(live, staff, ref, "completed", "data sent by post")
    assert r.status_code == 200
    detail = r.json()
    assert detail["status"] == "completed" and detail["allowed_transitions"] == []
    trail = [(e["actor"], e["from_status"], e["to_status"], e["reason"]) for e in detail["audit"]]
    assert trail == [
        ("api-client", None, "received", "via web_widget"),
        ("system", "received", "awaiting_verification", "verification email sent"),
        ("staff:caseworker-user", "awaiting_verification", "in_progress", "verified in person with a receipt"),
        ("staff:caseworker-user", "in_progress", "completed", "data sent by post"),
    ]
    for event in detail["audit"]:
        assert dt.datetime.fromisoformat(event["at"].replace("Z", "+00:00"))


ILLEGAL = [
    ("completed", "in_progress"),
    ("completed", "refused"),
    ("completed", "withdrawn"),
    ("refused", "completed"),
    ("withdrawn", "in_progress"),
    ("in_progress", "awaiting_verification"),
    ("in_progress", "received"),
    ("awaiting_verification", "completed"),
    ("awaiting_verification", "received"),
]


@pytest.mark.parametrize("start,to", ILLEGAL)
def test_illegal_transitions_are_409(live, staff, start, to):
    ref = new_request(live)
    path = {
        "awaiting_verification": [],
        "in_progress": ["in_progress"],
        "completed": ["in_progress", "completed"],
        "refused": ["refused"],
        "withdrawn": ["withdrawn"],
    }[start]
    for step in path:
        assert transition(live, staff, ref, step, "because").status_code == 200
    events_before = live.count("audit_events")
    r = transition(live, staff, ref, to, "because")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "illegal_transition"
    assert start in r.json()["error"]["message"]
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref)[0][0] == start
    assert live.count("audit_events") == events_before


def test_refusal_needs_a_reason(live, staff):
    ref = verified_request(live, staff)
    for reason in (None, "", "   "):
        r = transition(live, staff, ref, "refused", reason)
        assert r.status_code == 422 and r.json()["error"]["fields"] == {"reason": "required"}
    r = transition(live, staff, ref, "refused", "manifestly unfounded: same request answered last week")
    assert r.status_code == 200
    assert r.json()["closing_reason"].startswith("manifestly unfounded")


def test_unknown_reference_is_404_and_bad_body_422(live, staff):
    assert transition(live, staff, "SM-0000-0000", "completed").status_code == 404
    ref = new_request(live)
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"), json={"to": "done"}, headers=bearer(staff["caseworker"])
    )
    assert r.status_code == 422
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"),
        json={"to": "withdrawn", "status": "completed"},
        headers=bearer(staff["caseworker"]),
    )
    assert r.status_code == 422


def extend(live, staff, ref, reason="several years of orders across two systems"):
    return live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/extension"),
        json={"reason": reason},
        headers=bearer(staff["caseworker"]),
    )


@pytest.mark.postgres
def test_extension_adds_two_months_once_with_a_reason(live, staff, mailbox):
    ref = verified_request(live, staff)
    assert extend(live, staff, ref, "").status_code == 422
    r = extend(live, staff, ref)
    assert r.status_code == 200, r.text
    start = dt.date.fromisoformat(r.json()["clock_start_on"])
    assert r.json()["due_at"] == deadlines.due_date(start, 3).isoformat()
    assert r.json()["first_due_at"] == deadlines.due_date(start).isoformat()
    assert r.json()["audit"][-1]["action"] == "extended"
    again = extend(live, staff, ref)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_extended"
    # the requester is told, with the reason
    live.run_worker()
    told = [m for m in mailbox.to("ada.lovelace@example.org") if "extended" in m["Subject"]]
    assert len(told) == 1 and "several years of orders" in told[0].get_content()


def test_extension_only_before_the_first_due_date(live, staff):
    # the due date comes from the clock events, which cannot be edited: a request lodged and
    # verified 40 days ago (the creation and verification code run with the clock set back)
    long_ago = utcnow() - dt.timedelta(days=40)
    ref = lodge_at(live, long_ago)
    with live.app.app_context(), live.db.write() as s:
        req = queries.request_by_reference(s, ref)
        workflow.staff_transition(
            s, req, "in_progress", "ID seen in the shop", "staff:caseworker-user", "Europe/London", now=long_ago
        )
    r = extend(live, staff, ref)
    assert r.status_code == 409 and r.json()["error"]["code"] == "too_late_to_extend"
    assert deadlines.due_date(deadlines.local_date(long_ago)).isoformat() in r.json()["error"]["message"]
    # not before verification either (the clock has not started)
    assert extend(live, staff, new_request(live)).status_code == 409


@pytest.mark.postgres
def test_audit_records_cannot_be_changed_or_deleted(live, staff):
    new_request(live)
    before = live.count("audit_events")
    assert before >= 2
    for statement in ("DELETE FROM audit_events", "UPDATE audit_events SET reason = 'edited'"):
        with pytest.raises(DatabaseError):
            live.sql(statement)
    assert live.count("audit_events") == before
    assert ("edited",) not in live.sql("SELECT reason FROM audit_events")


def test_staff_list_is_sorted_by_due_date_with_marks(live, staff):
    today = deadlines.local_date(utcnow())
    refs = {}
    for name, delta in (("later", 20), ("overdue", -2), ("soon", 3), ("edge", 7)):
        refs[name] = verified_request(live, staff)
        live.sql(
            "UPDATE dsar_requests SET due_on = :d WHERE reference = :r",
            d=today + dt.timedelta(days=delta),
            r=refs[name],
        )
    r = live.get("/api/v1/staff/requests", headers=bearer(staff["viewer"]), params={"status": "open"})
    rows = r.json()["requests"]
    assert [x["reference"] for x in rows] == [refs["overdue"], refs["soon"], refs["edge"], refs["later"]]
    assert [x["mark"] for x in rows] == ["overdue", "due_soon", "due_soon", None]


# --- pages -------------------------------------------------------------------------------------


def login(live, username, password="correct horse battery"):
    s = requests.Session()
    page = s.get(live.url("/staff/login"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = s.post(
        live.url("/staff/login"),
        data={"username": username, "password": password, "csrf_token": csrf},
        allow_redirects=False,
    )
    return s, r


def csrf_of(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_pages_need_a_login(live, staff):
    ref = new_request(live)
    r = live.http.get(live.url("/staff/"), allow_redirects=False)
    assert r.status_code == 302 and "/staff/login" in r.headers["Location"]
    r = live.http.get(live.url(f"/staff/requests/{ref}"), allow_redirects=False)
    assert r.status_code == 302
    r = live.http.post(live.url(f"/staff/requests/{ref}/transition"), data={"to": "withdrawn"})
    assert r.status_code == 401
    _, bad = login(live, "caseworker-user", "wrong password!")
    assert bad.status_code == 401 and "Wrong username or password" in bad.text
    _, unknown = login(live, "nobody", "whatever12345")
    assert unknown.status_code == 401
    # a staff API token does not open the pages
    r = live.http.get(live.url("/staff/"), headers=bearer(staff["admin"]), allow_redirects=False)
    assert r.status_code == 302


@pytest.mark.postgres
def test_caseworker_uses_the_pages(live, staff):
    ref = new_request(live)
    s, r = login(live, "caseworker-user")
    assert r.status_code == 302
    listing = s.get(live.url("/staff/"))
    assert listing.status_code == 200 and ref in listing.text
    detail = s.get(live.url(f"/staff/requests/{ref}"))
    assert "the data you have on me please" in detail.text  # the shopper's own words
    assert "ada.lovelace@example.org" in detail.text
    assert "Audit trail" in detail.text and "verification email sent" in detail.text
    # buttons only for the allowed transitions
    offered = set(re.findall(r'name="to" value="([a-z_]+)"', detail.text))
    assert offered == {"in_progress", "refused", "withdrawn"}
    csrf = csrf_of(detail.text)
    # without the CSRF token: refused
    r = s.post(live.url(f"/staff/requests/{ref}/transition"), data={"to": "withdrawn"})
    assert r.status_code == 400
    # refused without a reason: the page explains, status unchanged
    r = s.post(live.url(f"/staff/requests/{ref}/transition"), data={"to": "refused", "reason": "", "csrf_token": csrf})
    assert r.status_code == 422 and "needs a reason" in r.text
    r = s.post(
        live.url(f"/staff/requests/{ref}/transition"),
        data={"to": "in_progress", "reason": "ID checked in shop", "csrf_token": csrf},
        allow_redirects=False,
    )
    assert r.status_code == 303
    page = s.get(live.url(f"/staff/requests/{ref}"))
    assert "in_progress" in page.text and "ID checked in shop" in page.text
    assert "Extend by 2 months" in page.text
    r = s.post(live.url(f"/staff/requests/{ref}/transition"), data={"to": "awaiting_verification", "csrf_token": csrf})
    assert r.status_code == 409
    r = s.post(
        live.url(f"/staff/requests/{ref}/extend"), data={"reason": "complex", "csrf_token": csrf}, allow_redirects=False
    )
    assert r.status_code == 303
    assert live.sql("SELECT extension_reason FROM dsar_requests WHERE reference = :r", r=ref) == [("complex",)]


def test_viewer_sees_but_cannot_act(live, staff):
    ref = new_request(live)
    s, _ = login(live, "viewer-user")
    detail = s.get(live.url(f"/staff/requests/{ref}"))
    assert detail.status_code == 200
    assert 'name="to"' not in detail.text
    r = s.post(
        live.url(f"/staff/requests/{ref}/transition"), data={"to": "withdrawn", "csrf_token": csrf_of(detail.text)}
    )
    assert r.status_code == 403
    assert live.sql("SELECT status FROM dsar_requests") == [("awaiting_verification",)]


def test_page_list_marks_overdue_and_due_soon(live, staff):
    today = deadlines.local_date(utcnow())
    overdue, soon = verified_request(live, staff), verified_request(live, staff)
    live.sql("UPDATE dsar_requests SET due_on = :d WHERE reference = :r", d=today - dt.timedelta(days=1), r=overdue)
    live.sql("UPDATE dsar_requests SET due_on = :d WHERE reference = :r", d=today + dt.timedelta(days=5), r=soon)
    s, _ = login(live, "viewer-user")
    html = s.get(live.url("/staff/")).text
    assert f'data-reference="{overdue}" data-mark="overdue"' in html
    assert f'data-reference="{soon}" data-mark="due_soon"' in html
    assert html.index(overdue) < html.index(soon)


def test_staff_can_read_the_local_mail_sink(live, staff, mailbox):
    new_request(live)
    live.run_worker()
    s, _ = login(live, "admin-user")  # admins only (test_intake_mail_view.py)
    page = s.get(live.url("/staff/mail"))
    assert page.status_code == 200
    names = re.findall(r'/staff/mail/([0-9A-Za-z_.-]+\.eml)"', page.text)
    assert len(names) == 2
    msg = s.get(live.url(f"/staff/mail/{names[0]}"))
    assert msg.status_code == 200 and "Session Music" in msg.text
    raw = s.get(live.url(f"/staff/mail/{names[0]}"), params={"raw": 1})
    assert raw.headers["Content-Type"].startswith("message/rfc822")
    assert s.get(live.url("/staff/mail/..%2F..%2Fetc%2Fpasswd")).status_code == 404


def test_locked_verification_can_be_resent_by_staff(live, staff, mailbox):
    from test_intake_verification import confirm, create_and_get_link

    ref, old_code = create_and_get_link(live, mailbox)
    for i in range(5):
        confirm(live, ref, f"bad{i}")
    assert confirm(live, ref, old_code).status_code == 423
    s, _ = login(live, "caseworker-user")
    page = s.get(live.url(f"/staff/requests/{ref}"))
    assert "Send a new verification link" in page.text
    r = s.post(
        live.url(f"/staff/requests/{ref}/resend-verification"),
        data={"csrf_token": csrf_of(page.text)},
        allow_redirects=False,
    )
    assert r.status_code == 303
    live.run_worker()
    mails = [m.get_content() for m in mailbox.to("ada.lovelace@example.org")]
    assert len(mails) == 2
    new_code = re.search(r"code=(\S+)", mails[-1]).group(1)
    assert new_code != old_code
    assert confirm(live, ref, old_code).status_code == 400  # the old code is revoked
    assert confirm(live, ref, new_code).status_code == 200
    assert ("staff:caseworker-user", "verification_resent") in live.sql("SELECT actor, action FROM audit_events")


def test_deeply_nested_json_to_the_staff_api_is_a_clear_400(live, staff):
    ref = new_request(live)
    raw = b'{"to": "withdrawn", "reason": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"),
        data=raw,
        headers={**bearer(staff["caseworker"]), "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "too_deeply_nested"
