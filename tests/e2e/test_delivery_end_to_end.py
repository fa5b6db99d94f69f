"""Issue 11, delivering the answer, end to end on the real stack (launcher: Rasa over REST, action server,
intake under gunicorn, outbox worker, mail sink): a shopper lodges an access request in chat and confirms
it from the verification email; staff attach the chat's transcript and upload a file; completing the
request emails a link and, separately, a one-time code; a wrong code is refused, the right one lets the
shopper download the same bytes and a transcript holding exactly their conversation (every shopper and
bot message, nothing of another shopper's); after the allowed downloads the link has ended and the files
are gone; the staff page's audit trail shows every step and nothing of the content."""

import html
import re
import uuid

import pytest
import requests

from .chat import Chat
from .mailbox import body_of, mentions, row, wait_for_mail
from .test_conversation_erasure import REFERENCE, csrf_of, move, staff_session

pytestmark = pytest.mark.slow

MARKER = f"TUBA-ORDER-{uuid.uuid4().hex[:8].upper()} bought a karaoke machine"
ANSWER = ("order,item,note\n1,karaoke machine," + MARKER + "\n2,microphone,12.50\n").encode()
BYSTANDER_SAYS = "do you sell my data to advertisers?"


def to(email):
    return lambda m: email in str(m["To"]).lower()


def staff_post(s, stack, reference, path, **kwargs):
    page = s.get(f"{stack.intake_url}/staff/requests/{reference}", timeout=10).text
    data = {**kwargs.pop("data", {}), "csrf_token": csrf_of(page)}
    return s.post(
        f"{stack.intake_url}/staff/requests/{reference}{path}", data=data, timeout=30, allow_redirects=False, **kwargs
    )


def audit_trail(s, stack, reference):
    """The audit trail table of the request's staff page: (action, to status, reason) per row."""
    page = s.get(f"{stack.intake_url}/staff/requests/{reference}", timeout=10).text
    section = page.split("Audit trail", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", section, flags=re.S):
        cells = [html.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, flags=re.S)]
        if len(cells) == 6:
            rows.append((cells[2], cells[4], cells[5]))
    return section, rows


def test_an_access_request_lodged_in_chat_is_answered_through_a_coded_link_with_its_transcript(stack):
    bystander = Chat(stack.rasa_url)
    bystander_turn = bystander.say(BYSTANDER_SAYS)
    assert bystander_turn.texts, "another shopper's conversation, which must stay out of this answer"

    # the shopper lodges an access request in chat and confirms it from the verification email
    chat = Chat(stack.rasa_url)
    email = f"robin.{uuid.uuid4().hex[:8]}@example.com"
    said = [
        "hi, can you send me a copy of all the personal data you hold about me?",
        "Robin Okafor",
        email,
        "yes please",
    ]
    turns = [chat.say(text) for text in said]
    assert {"kind": "request", "request_type": "access"} in turns[0].payloads, turns[0].text
    reference = REFERENCE.search(turns[-1].text).group(1)
    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored["status"] == "awaiting_verification" and stored["conversation_id"] == chat.sender

    ack = wait_for_mail(stack.mail_dir, lambda m: to(email)(m) and mentions(reference)(m))[0]
    code = re.search(rf"{re.escape(stack.intake_url)}/verify/{reference}\?code=([^\s\"<>]+)", body_of(ack)).group(1)
    confirmed = requests.post(f"{stack.intake_url}/verify/{reference}", data={"code": code}, timeout=30)
    assert confirmed.status_code == 200, confirmed.text
    assert row(stack.database_url, "dsar_requests", reference=reference)["status"] == "in_progress"

    # staff: the request is in progress (verification moved it); attach the transcript, upload a file
    s = staff_session(stack)
    deliveries = stack.var_dir / "deliveries"  # other tests of the session may have files there too
    before = set(deliveries.iterdir()) if deliveries.is_dir() else set()
    assert move(s, stack, reference, "in_progress").status_code == 409, "already in progress: no second move"
    attached = staff_post(s, stack, reference, "/delivery/transcript")
    assert attached.status_code == 303, attached.text
    uploaded = staff_post(s, stack, reference, "/delivery/files", files={"file": ("orders.csv", ANSWER)})
    assert uploaded.status_code == 303, uploaded.text
    on_disk = set(deliveries.iterdir()) - before
    assert len(on_disk) == 2, f"the stack's files are kept under its own var/ ({deliveries})"
    assert all(MARKER.encode() not in p.read_bytes() and b"Robin" not in p.read_bytes() for p in on_disk)

    assert move(s, stack, reference, "completed").status_code == 303

    # the shopper gets the link and, separately, the code; neither holds anything of the files
    link_mail = wait_for_mail(stack.mail_dir, lambda m: to(email)(m) and "answer is ready" in str(m["Subject"]))[0]
    code_mail = wait_for_mail(stack.mail_dir, lambda m: to(email)(m) and "one-time code" in str(m["Subject"]))[0]
    link_ref, token = re.search(r"/download/(SM-[0-9A-Z-]+)\?code=(\S+)", body_of(link_mail)).groups()
    one_time = re.search(r"one-time code: ([0-9A-Z]{4}-[0-9A-Z]{4})", body_of(code_mail)).group(1)
    assert link_ref == reference and one_time not in body_of(link_mail) and token not in body_of(code_mail)
    for m in (link_mail, code_mail):
        assert MARKER not in body_of(m) and "orders" not in body_of(m) and "conversation" not in body_of(m)

    shopper = requests.Session()
    url = f"{stack.intake_url}/download/{reference}"
    assert shopper.get(url, params={"code": token}, timeout=10).status_code == 200
    wrong = "AAAA-AAAA" if one_time != "AAAA-AAAA" else "BBBB-BBBB"
    refused = shopper.post(url, data={"token": token, "code": wrong}, timeout=10, allow_redirects=False)
    assert refused.status_code == 400 and "not right" in refused.text
    assert (
        shopper.post(url, data={"token": token, "code": one_time}, timeout=10, allow_redirects=False).status_code == 303
    )
    page = shopper.get(url, params={"code": token}, timeout=10).text
    names = dict(
        (html.unescape(name), int(fid)) for fid, name in re.findall(r'<tr data-file="(\d+)"><td>([^<]+)</td>', page)
    )
    assert set(names) == {"orders.csv", f"{reference}-conversation.txt"}, page

    def fetch(file_id):
        return shopper.post(f"{url}/files/{file_id}", data={"token": token}, timeout=30, allow_redirects=False)

    got = fetch(names["orders.csv"])
    assert got.status_code == 200 and got.content == ANSWER, "the same bytes staff uploaded"
    transcript = fetch(names[f"{reference}-conversation.txt"])
    assert transcript.status_code == 200
    text = transcript.content.decode()
    # the transcript holds every message of this conversation, the shopper's and the bot's, in order ...
    bot_said = [t for turn in turns for t in turn.texts]
    assert chat.sender in text and reference in text
    for line in said:
        assert f"] You: {line}\n" in text, f"the shopper's {line!r} is missing from the transcript"
    for bot_text in bot_said:
        assert f"] Assistant: {bot_text}\n" in text, f"the bot's {bot_text!r} is missing from the transcript"
    assert text.count("] You: ") == len(said) and text.count("] Assistant: ") == len(bot_said), text
    assert text.index(said[1]) < text.index(said[2]) < text.index(said[3])
    # ... and nothing of another conversation
    assert BYSTANDER_SAYS not in text and bystander.sender not in text

    # after the allowed downloads (INTAKE_DELIVERY_MAX_DOWNLOADS per file) the files are gone and the link has ended
    limit = int(re.search(r"each can be downloaded\s+(\d+) time", page).group(1))
    for file_id, first in ((names["orders.csv"], got), (names[f"{reference}-conversation.txt"], transcript)):
        for _ in range(limit - 1):
            again = fetch(file_id)
            assert again.status_code == 200 and again.content == first.content
    assert not on_disk & set(deliveries.iterdir()), "every file left the disk after its last allowed download"
    assert fetch(names["orders.csv"]).status_code == 410
    assert shopper.get(url, params={"code": token}, timeout=10).status_code == 410
    assert requests.post(url, data={"token": token, "code": one_time}, timeout=10).status_code in (409, 410)

    # the staff page's audit trail shows every step, never the content
    section, trail = audit_trail(s, stack, reference)
    steps = [(action, status) for action, status, _ in trail if action != "acknowledged"]
    assert steps[:8] == [
        ("created", "received"),  # lodged in chat
        ("status_change", "awaiting_verification"),
        ("verified", "in_progress"),  # the verification email's link
        ("delivery_file_added", "in_progress"),  # the transcript ...
        ("delivery_file_added", "in_progress"),  # ... and the upload
        ("status_change", "completed"),
        ("delivery_link_sent", "completed"),
        ("delivery_code_confirmed", "completed"),  # the wrong code before it changed nothing
    ], trail
    reasons = [reason for action, _, reason in trail if action != "acknowledged"]
    assert "(the chat transcript)" in reasons[3] and reasons[4].startswith(f"file {names['orders.csv']}: csv, ")
    downloads = [(a, r) for a, _, r in trail[8:] if a != "acknowledged"]
    assert {a for a, _ in downloads} == {"delivery_downloaded", "delivery_files_deleted"}, downloads
    for file_id in names.values():  # each download of each file, then the file deleted after its last
        mine = [r for a, r in downloads if f"file {file_id} (" in r or f"file(s) {file_id} deleted" in r]
        assert [re.sub(r".*: ", "", r) for r in mine] == [
            f"download 1 of {limit}",
            f"download 2 of {limit}",
            f"download 3 of {limit}",
            f"file(s) {file_id} deleted",
        ], mine
    assert len(downloads) == 2 * (limit + 1)
    for secret in (MARKER, "orders", "conversation.txt", "Robin", email, said[0], one_time, token, code):
        assert secret not in html.unescape(section), f"{secret!r} in the audit trail"
