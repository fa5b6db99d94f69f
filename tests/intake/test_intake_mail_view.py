"""/staff/mail (the local mail sink) is for admins only and shows no live verification link or
code; a verification done from a staff session is audited as that staff member."""

from __future__ import annotations

import re

from test_intake_staff import add_staff, login, new_request, staff  # noqa: F401  (fixture)
from test_intake_verification import create_and_get_link


def mail_names(page_html: str) -> list[str]:
    return re.findall(r'/staff/mail/([0-9A-Za-z_.-]+\.eml)"', page_html)


def test_only_admins_see_the_mail_sink(live, staff, mailbox):  # noqa: F811
    new_request(live)
    live.run_worker()
    names = mail_names(login(live, "admin-user")[0].get(live.url("/staff/mail")).text)
    assert len(names) == 2
    for role in ("viewer", "caseworker"):
        browser, _ = login(live, f"{role}-user")
        assert browser.get(live.url("/staff/mail")).status_code == 403
        assert browser.get(live.url(f"/staff/mail/{names[0]}")).status_code == 403
        assert browser.get(live.url(f"/staff/mail/{names[0]}"), params={"raw": 1}).status_code == 403
        assert "/staff/mail" not in browser.get(live.url("/staff/")).text  # no link to a page it may not open


def test_the_mail_view_blanks_verification_codes_and_links(live, staff, mailbox):  # noqa: F811
    ref, code = create_and_get_link(live, mailbox)
    admin, _ = login(live, "admin-user")
    shown = []
    for name in mail_names(admin.get(live.url("/staff/mail")).text):
        shown.append(admin.get(live.url(f"/staff/mail/{name}")).text)
        raw = admin.get(live.url(f"/staff/mail/{name}"), params={"raw": 1})
        assert raw.status_code == 200 and raw.headers["Content-Type"].startswith("message/rfc822")
        shown.append(raw.content.decode("utf-8", "replace"))
    assert len(shown) == 4
    everything = "\n".join(shown)
    assert code not in everything and code[:12] not in everything
    assert f"/verify/{ref}?code=[hidden]" in everything  # the staff can still see a link was sent
    # the shopper's own mail still carries the working link
    assert confirm_works(live, ref, code)


def confirm_works(live, ref, code) -> bool:
    return live.http.post(live.url(f"/verify/{ref}"), data={"code": code}).status_code == 200


def test_a_verification_from_a_staff_session_is_audited_as_staff(live, staff, mailbox):  # noqa: F811
    ref, code = create_and_get_link(live, mailbox)
    viewer, _ = login(live, "viewer-user")
    assert viewer.post(live.url(f"/verify/{ref}"), data={"code": code}).status_code == 200
    events = live.sql("SELECT actor, action, reason FROM audit_events WHERE action = 'verified'")
    assert events == [("staff:viewer-user", "verified", "email link confirmed from a staff session")]


def test_the_sink_stores_mail_readable_by_its_owner_only(live, mailbox):
    import stat

    new_request(live)
    live.run_worker()
    files = sorted(mailbox.folder.glob("*.eml"))
    assert len(files) == 2
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
