"""Delivering the answer (intake/delivery.py) on the real intake served on a port, with the real mail
sink and outbox worker: staff upload an access request's files (stored encrypted), completing the request
emails a link and, separately, a one-time code; the shopper downloads the same bytes after confirming the
code; downloads are audited; the files go after the last allowed download or when the link expires (the
purge, with a controlled clock); a link is re-issued once; viewers cannot upload; bad uploads are clear
4xx errors that keep what was there."""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from intake_support import ROOT, make_config, request_body, subprocess_env
from test_intake_conversation_staff import ANSWERED, SAID, add_staff, csrf_of, login

from intake import config, create_app, delivery
from intake.models import utcnow

FLASK = str(Path(sys.executable).with_name("flask"))
EMAIL = "ada.lovelace@example.org"
MARKER = "TUBA-ORDER-4411 Ada's secret purchase history"
CSV = ("order,item,price\n1,tuba," + MARKER + "\n2,mute,12.50\n").encode()
PDF = b"%PDF-1.4\n% the answer letter\n" + MARKER.encode() + b"\n%%EOF\n"
MAX_DOWNLOADS = 2
UPLOAD_LIMIT = 4096


@pytest.fixture
def live(app_factory, db_url, rasa):
    return app_factory(
        db_url, TRACKER_STORE_URL=rasa.url, DELIVERY_MAX_DOWNLOADS=MAX_DOWNLOADS, UPLOAD_MAX_BYTES=UPLOAD_LIMIT
    )


# --- helpers ------------------------------------------------------------------------------------------


def folder(live) -> Path:
    return Path(live.app.config["DELIVERY_DIR"])


def stored(live) -> list[Path]:
    return sorted(folder(live).iterdir()) if folder(live).is_dir() else []


def post_form(s, live, ref, path, data=None, files=None):
    page = s.get(live.url(f"/staff/requests/{ref}"))
    return s.post(
        live.url(f"/staff/requests/{ref}{path}"),
        data={**(data or {}), "csrf_token": csrf_of(page.text)},
        files=files,
        allow_redirects=False,
    )


def upload(s, live, ref, name, data):
    return post_form(s, live, ref, "/delivery/files", files={"file": (name, data)})


def move(s, live, ref, to, reason=""):
    return post_form(s, live, ref, "/transition", {"to": to, "reason": reason})


def in_progress(live, s, rtype="access", **overrides) -> str:
    r = live.post_signed("/api/v1/requests", request_body(rtype, **overrides))
    assert r.status_code == 201, r.text
    ref = r.json()["reference"]
    assert move(s, live, ref, "in_progress", "ID checked by phone").status_code == 303
    return ref


def audits(live, ref, prefix="delivery"):
    return [
        (action, actor, reason)
        for action, actor, reason in live.sql(
            "SELECT a.action, a.actor, a.reason FROM audit_events a JOIN dsar_requests r ON r.id = a.request_id "
            "WHERE r.reference = :ref ORDER BY a.id",
            ref=ref,
        )
        if action.startswith(prefix)
    ]


def delivery_mails(live, mailbox):
    live.run_worker()
    out = {}
    for m in mailbox.to(EMAIL):
        if "answer is ready" in m["Subject"]:
            out.setdefault("link", []).append(m.get_content())
        elif "one-time code" in m["Subject"]:
            out.setdefault("code", []).append(m.get_content())
    return out


def link_and_code(mails, index=-1):
    ref, token = re.search(r"/download/(SM-[0-9A-Z-]+)\?code=(\S+)", mails["link"][index]).groups()
    code = re.search(r"one-time code: ([0-9A-Z]{4}-[0-9A-Z]{4})", mails["code"][index]).group(1)
    return ref, token, code


def file_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-file="(\d+)"', page)]


def fetch(shopper, live, ref, token, file_id):
    return shopper.post(live.url(f"/download/{ref}/files/{file_id}"), data={"token": token}, allow_redirects=False)


def confirm(shopper, live, ref, token, code):
    return shopper.post(live.url(f"/download/{ref}"), data={"token": token, "code": code}, allow_redirects=False)


def completed_with(live, s, mailbox, name="orders.csv", data=CSV):
    ref = in_progress(live, s)
    assert upload(s, live, ref, name, data).status_code == 303
    assert move(s, live, ref, "completed").status_code == 303
    return ref, link_and_code(delivery_mails(live, mailbox))


# --- the whole way ---------------------------------------------------------------------------------------


def test_upload_encrypt_complete_code_download_then_the_files_are_gone(live, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    s = login(live, "caseworker")
    ref = in_progress(live, s)
    page = s.get(live.url(f"/staff/requests/{ref}")).text
    assert "Delivering the answer" in page and "Upload a file of the answer" in page

    assert upload(s, live, ref, "orders.csv", CSV).status_code == 303
    assert upload(s, live, ref, "answer letter.pdf", PDF).status_code == 303
    on_disk = stored(live)
    assert len(on_disk) == 2
    fernet = delivery.fernet_for(live.app.config["DELIVERY_KEY"])
    for path in on_disk:  # ciphertext at rest, private, under a name that says nothing
        raw = path.read_bytes()
        assert MARKER.encode() not in raw and CSV not in raw and b"orders" not in raw and ref.encode() not in raw
        assert fernet.decrypt(raw) in (CSV, PDF)
        assert path.stat().st_mode & 0o777 == 0o600 and ref not in path.name
    assert folder(live).stat().st_mode & 0o777 == 0o700
    assert "orders.csv" in s.get(live.url(f"/staff/requests/{ref}")).text

    # completing emails a link and, separately, the code; neither holds anything of the files
    assert delivery_mails(live, mailbox) == {}
    assert move(s, live, ref, "completed").status_code == 303
    mails = delivery_mails(live, mailbox)
    assert len(mails["link"]) == len(mails["code"]) == 1
    link_ref, token, code = link_and_code(mails)
    assert link_ref == ref and code not in mails["link"][0] and token not in mails["code"][0]
    assert "2 files" in mails["link"][0]
    for raw in mailbox.raw():
        assert b"TUBA-ORDER" not in raw and b"orders" not in raw and b"answer letter" not in raw

    # the link alone shows no file; a wrong code is refused; the right one opens the page
    shopper = requests.Session()
    first = shopper.get(live.url(f"/download/{ref}"), params={"code": token})
    assert first.status_code == 200 and "One-time code" in first.text and not file_ids(first.text)
    ids = sorted(live.sql("SELECT id FROM delivery_files ORDER BY id"))
    assert fetch(shopper, live, ref, token, ids[0][0]).status_code == 404  # no code confirmed yet
    wrong = confirm(shopper, live, ref, token, "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB")
    assert wrong.status_code == 400 and "not right" in wrong.text
    ok = confirm(shopper, live, ref, token, code.lower().replace("-", " "))  # typed loosely: still the code
    assert ok.status_code == 303
    page = shopper.get(live.url(f"/download/{ref}"), params={"code": token})
    csv_id, pdf_id = file_ids(page.text)
    assert "orders.csv" in page.text and "answer_letter.pdf" in page.text

    got = fetch(shopper, live, ref, token, csv_id)
    assert got.status_code == 200 and got.content == CSV
    assert "filename=orders.csv" in got.headers["Content-Disposition"] and got.headers["Cache-Control"] == "no-store"
    assert len(stored(live)) == 2
    assert fetch(shopper, live, ref, token, csv_id).content == CSV  # the last allowed download (2)
    assert len(stored(live)) == 1, "the file leaves the disk after its last allowed download"
    assert fetch(shopper, live, ref, token, csv_id).status_code == 410
    assert fetch(shopper, live, ref, token, pdf_id).content == PDF
    assert fetch(shopper, live, ref, token, pdf_id).content == PDF
    assert stored(live) == []
    assert shopper.get(live.url(f"/download/{ref}"), params={"code": token}).status_code == 410
    # the code was one-time: another browser cannot use it again
    assert confirm(requests.Session(), live, ref, token, code).status_code in (409, 410)

    trail = audits(live, ref)
    assert [a for a, _, _ in trail] == [
        "delivery_file_added",
        "delivery_file_added",
        "delivery_link_sent",
        "delivery_code_confirmed",
        "delivery_downloaded",
        "delivery_downloaded",
        "delivery_files_deleted",
        "delivery_downloaded",
        "delivery_downloaded",
        "delivery_files_deleted",
    ]
    assert trail[0][1] == "staff:caseworker-user" and trail[4][1] == "requester"
    assert trail[4][2].endswith("download 1 of 2") and "last allowed download" in trail[6][2]
    assert live.sql("SELECT ended_reason FROM deliveries") == [(delivery.ALL_DOWNLOADED,)]
    everything = " ".join(str(r) for r in live.sql("SELECT reason FROM audit_events"))
    assert "TUBA" not in everything and "orders" not in everything and code not in everything
    served = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("intake", "werkzeug")))
    assert "/download/" in served  # the server did log the visits...
    assert "TUBA" not in served and token not in served and code not in served  # ...without content or secrets


def test_the_admins_mail_view_hides_the_link_and_the_code(live, mailbox):
    s = login(live, "caseworker")
    completed_with(live, s, mailbox)
    admin = login(live, "admin")
    names = re.findall(r'href="/staff/mail/([^"]+\.eml)"', admin.get(live.url("/staff/mail")).text)
    shown = " ".join(admin.get(live.url(f"/staff/mail/{n}")).text for n in names)
    assert "/download/" in shown and "?code=[hidden]" in shown and "one-time code: [hidden]" in shown


def test_an_expired_link_ends_and_its_files_go_when_it_is_next_opened(live, mailbox):
    s = login(live, "caseworker")
    ref, (_, token, code) = completed_with(live, s, mailbox)
    cfg = live.app.config
    later = utcnow() + dt.timedelta(days=cfg["DELIVERY_LINK_DAYS"], minutes=1)
    with live.app.app_context(), live.db.write() as session:
        assert delivery.open_link(session, cfg, ref, token, now=later) == (None, delivery.GONE)
    assert stored(live) == []
    shopper = requests.Session()
    assert shopper.get(live.url(f"/download/{ref}"), params={"code": token}).status_code == 410
    assert confirm(shopper, live, ref, token, code).status_code == 410
    assert audits(live, ref)[-1][:2] == ("delivery_files_deleted", "system")
    assert "link expired" in audits(live, ref)[-1][2]


# --- the purge ----------------------------------------------------------------------------------------------


def purge(live, *args):
    return subprocess.run(
        [FLASK, "--app", "intake", "purge", *args],
        cwd=ROOT,
        env=subprocess_env(live.db_url, INTAKE_DELIVERY_DIR=live.app.config["DELIVERY_DIR"]),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_purge_deletes_expired_deliveries_idempotently(live, mailbox):
    s = login(live, "caseworker")
    ref, (_, token, _) = completed_with(live, s, mailbox)
    other = in_progress(live, s)  # still being answered: its file stays whatever the clock
    assert upload(s, live, other, "more.csv", CSV).status_code == 303
    now = utcnow().replace(microsecond=0)

    r = purge(live, "--now", (now + dt.timedelta(days=6)).isoformat())
    assert r.returncode == 0, r.stderr
    assert "ended 0 expired delivery link(s), deleted 0 delivery file(s)" in r.stdout
    assert len(stored(live)) == 2

    eight_days = (now + dt.timedelta(days=8)).isoformat()
    r = purge(live, "--dry-run", "--now", eight_days)
    assert "would end 1 expired delivery link(s) and delete 1 delivery file(s)" in r.stdout, r.stdout + r.stderr
    assert len(stored(live)) == 2

    r = purge(live, "--now", eight_days)
    assert r.returncode == 0, r.stderr
    assert "ended 1 expired delivery link(s), deleted 1 delivery file(s) (1 removed from disk)" in r.stdout
    assert len(stored(live)) == 1
    assert live.sql("SELECT ended_reason FROM deliveries") == [(delivery.LINK_EXPIRED,)]
    assert requests.get(live.url(f"/download/{ref}"), params={"code": token}).status_code == 410
    trail = audits(live, ref)

    r = purge(live, "--now", eight_days)  # again: nothing left to do, nothing written
    assert "ended 0 expired delivery link(s), deleted 0 delivery file(s) (0 removed from disk)" in r.stdout
    assert audits(live, ref) == trail and len(stored(live)) == 1
    assert live.sql("SELECT COUNT(*) FROM delivery_files WHERE deleted_at IS NULL")[0][0] == 1


def test_years_later_the_retention_purge_blanks_the_file_names(live, mailbox):
    s = login(live, "caseworker")
    ref, _ = completed_with(live, s, mailbox, name="ada-lovelace-orders.csv")
    later = (utcnow() + dt.timedelta(days=2193)).isoformat()
    r = purge(live, "--now", later)
    assert r.returncode == 0, r.stderr
    assert "anonymised 1 request(s)" in r.stdout and "deleted 1 delivery file(s)" in r.stdout
    assert live.sql("SELECT filename, deleted_reason FROM delivery_files") == [
        ("[removed under the retention policy]", delivery.LINK_EXPIRED)
    ]
    assert stored(live) == []


# --- staff: re-issue, roles, bad uploads, the chat, closing without delivery --------------------------------


def test_a_link_is_reissued_once_and_the_old_one_stops(live, mailbox):
    s = login(live, "caseworker")
    ref, (_, old_token, old_code) = completed_with(live, s, mailbox)
    assert "Re-issue the link" in s.get(live.url(f"/staff/requests/{ref}")).text
    assert post_form(s, live, ref, "/delivery/reissue").status_code == 303
    mails = delivery_mails(live, mailbox)
    assert len(mails["link"]) == 2 and "new link" in mails["link"][1]
    _, token, code = link_and_code(mails)
    assert token != old_token

    shopper = requests.Session()
    assert shopper.get(live.url(f"/download/{ref}"), params={"code": old_token}).status_code == 410
    assert confirm(shopper, live, ref, old_token, old_code).status_code == 410
    assert confirm(shopper, live, ref, token, code).status_code == 303
    page = shopper.get(live.url(f"/download/{ref}"), params={"code": token}).text
    assert fetch(shopper, live, ref, token, file_ids(page)[0]).content == CSV

    again = post_form(s, live, ref, "/delivery/reissue")
    assert again.status_code == 409 and "already been re-issued" in again.text
    assert "Re-issue the link" not in s.get(live.url(f"/staff/requests/{ref}")).text
    actions = [a for a, _, _ in audits(live, ref)]
    assert actions.count("delivery_link_sent") == 1 and actions.count("delivery_link_reissued") == 1


def test_completing_through_the_staff_api_sends_the_link_too(live, mailbox):
    s = login(live, "caseworker")
    ref = in_progress(live, s)
    assert upload(s, live, ref, "orders.csv", CSV).status_code == 303
    token = add_staff(live, "admin")
    r = live.http.post(
        live.url(f"/api/v1/staff/requests/{ref}/transition"),
        json={"to": "completed"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    _, link_token, code = link_and_code(delivery_mails(live, mailbox))
    shopper = requests.Session()
    assert confirm(shopper, live, ref, link_token, code).status_code == 303
    page = shopper.get(live.url(f"/download/{ref}"), params={"code": link_token}).text
    assert fetch(shopper, live, ref, link_token, file_ids(page)[0]).content == CSV
    assert audits(live, ref)[1][:2] == ("delivery_link_sent", "staff:admin-user")


def test_a_viewer_cannot_upload_and_nobody_unsigned_in_can(live):
    caseworker = login(live, "caseworker")
    ref = in_progress(live, caseworker)
    viewer = login(live, "viewer")
    assert "Upload a file of the answer" not in viewer.get(live.url(f"/staff/requests/{ref}")).text
    assert upload(viewer, live, ref, "orders.csv", CSV).status_code == 403
    assert post_form(viewer, live, ref, "/delivery/transcript").status_code == 403
    assert (
        requests.post(live.url(f"/staff/requests/{ref}/delivery/files"), files={"file": ("a.csv", CSV)}).status_code
        == 401
    )
    assert stored(live) == [] and live.count("delivery_files") == 0


def test_bad_uploads_are_clear_errors_and_keep_the_files_already_there(live):
    s = login(live, "caseworker")
    ref = in_progress(live, s)
    assert upload(s, live, ref, "orders.csv", CSV).status_code == 303
    before = [p.read_bytes() for p in stored(live)]

    big = upload(s, live, ref, "big.csv", b"a,b\n" * 2000)  # 8000 bytes: over the 4096-byte limit
    assert big.status_code == 413 and "the limit is 4,096 bytes per file" in big.text
    huge = upload(s, live, ref, "huge.csv", b"a,b\n" * 40000)  # past the whole body limit too
    assert huge.status_code == 413 and "nothing was stored" in huge.text
    exe = upload(s, live, ref, "tool.exe", b"MZ\x90\x00")
    assert exe.status_code == 415 and "EXE is not allowed" in exe.text
    fake = upload(s, live, ref, "letter.pdf", b"just text")
    assert fake.status_code == 422 and "not a PDF" in fake.text
    bad_json = upload(s, live, ref, "data.json", b"{not json")
    assert bad_json.status_code == 422 and "not valid JSON" in bad_json.text
    assert post_form(s, live, ref, "/delivery/files").status_code == 422  # no file chosen

    portability = in_progress(live, s, "portability")
    pdf = upload(s, live, portability, "letter.pdf", PDF)
    assert pdf.status_code == 415 and "CSV files" in pdf.text
    assert upload(s, live, portability, "data.json", b'{"orders": [1, 2]}').status_code == 303

    assert [p.read_bytes() for p in stored(live) if p.read_bytes() in before] == before
    assert live.sql("SELECT filename FROM delivery_files ORDER BY id") == [("orders.csv",), ("data.json",)]
    assert [a for a, _, _ in audits(live, ref)] == ["delivery_file_added"]


def test_staff_attach_the_chat_transcript_and_the_shopper_gets_it(live, rasa, mailbox):
    conversation = uuid.uuid4().hex
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    rasa.add(conversation, [(at, SAID, ANSWERED)])
    s = login(live, "caseworker")
    ref = in_progress(live, s, conversation_id=conversation)
    assert "Attach the chat transcript" in s.get(live.url(f"/staff/requests/{ref}")).text
    assert post_form(s, live, ref, "/delivery/transcript").status_code == 303
    assert live.sql("SELECT filename, source FROM delivery_files") == [(f"{ref}-conversation.txt", "transcript")]
    assert move(s, live, ref, "completed").status_code == 303
    _, token, code = link_and_code(delivery_mails(live, mailbox))
    shopper = requests.Session()
    assert confirm(shopper, live, ref, token, code).status_code == 303
    page = shopper.get(live.url(f"/download/{ref}"), params={"code": token}).text
    got = fetch(shopper, live, ref, token, file_ids(page)[0])
    assert f"You: {SAID}" in got.text and f"Assistant: {ANSWERED}" in got.text
    added = audits(live, ref)[0]
    assert added[0] == "delivery_file_added" and "(the chat transcript)" in added[2] and SAID not in added[2]


def test_a_refused_request_loses_its_files_and_sends_no_link(live, mailbox):
    s = login(live, "caseworker")
    ref = in_progress(live, s)
    assert upload(s, live, ref, "orders.csv", CSV).status_code == 303
    assert move(s, live, ref, "refused", "manifestly unfounded").status_code == 303
    assert stored(live) == [] and delivery_mails(live, mailbox) == {}
    assert audits(live, ref)[-1][0] == "delivery_files_deleted"


# --- configuration ------------------------------------------------------------------------------------------------


def test_a_missing_or_weak_delivery_key_stops_start_up_outside_development_mode(monkeypatch, sqlite_url, tmp_path):
    for name in ("INTAKE_DEVELOPMENT", "INTAKE_DELIVERY_KEY"):
        monkeypatch.delenv(name, raising=False)
    cfg = {**make_config(sqlite_url, None, tmp_path), "INTAKE_API_SECRET": "a" * 40, "SECRET_KEY": "s" * 40}
    for bad, problem in ((None, "is not set"), ("", "is not set"), ("short", "is shorter than 32 characters")):
        with pytest.raises(config.InsecureConfiguration) as err:
            create_app({**cfg, "DELIVERY_KEY": bad})
        assert f"refusing to start: INTAKE_DELIVERY_KEY {problem}" in str(err.value)
        assert "INTAKE_DEVELOPMENT=1" in str(err.value)
    create_app(cfg).extensions["intake_db"].dispose()  # a real one: starts
    monkeypatch.setenv("INTAKE_DEVELOPMENT", "1")  # development: a random key for this process, never a constant
    keys = set()
    for _ in range(2):
        app = create_app({**cfg, "DELIVERY_KEY": None})
        keys.add(app.config["DELIVERY_KEY"])
        app.extensions["intake_db"].dispose()
    assert len(keys) == 2 and all(len(k) >= 32 for k in keys)


def test_bad_delivery_settings_are_clear_errors():
    with pytest.raises(ValueError, match="INTAKE_DELIVERY_MAX_DOWNLOADS must be a whole number from 1 to 100"):
        config.load_config({"INTAKE_DELIVERY_MAX_DOWNLOADS": "0"})
    with pytest.raises(ValueError, match="INTAKE_DELIVERY_LINK_DAYS"):
        config.load_config({"INTAKE_DELIVERY_LINK_DAYS": "a week"})
    cfg = config.load_config({})
    assert (cfg["UPLOAD_MAX_BYTES"], cfg["DELIVERY_LINK_DAYS"], cfg["DELIVERY_MAX_DOWNLOADS"]) == (
        20 * 1024 * 1024,
        7,
        3,
    )
