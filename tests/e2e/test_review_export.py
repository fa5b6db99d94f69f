"""`make review-questions` (quality/review.py): the questions the real bot did not answer come out of
its real tracker store (SQLite, and PostgreSQL in the production shape) for staff to label:
redacted, counted, with no conversation id and nothing typed into a request form."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from intake.conversations import TrackerStore
from quality import review

from .chat import Chat
from .conftest import EITHER_STACK

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def export(stack, out, *extra):
    env = dict(stack.env(), TRACKER_STORE_URL=stack.tracker_store_url)
    done = subprocess.run(
        [sys.executable, "-m", "quality", "review-export", "--out", str(out), "--days", "1", *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600, "staff only: readable by its owner alone"
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == review.EXPORT_HEADER
    return {row[4]: row for row in rows[1:]}, out.read_text(encoding="utf-8") + done.stdout + done.stderr


@pytest.mark.parametrize("any_stack", EITHER_STACK, indirect=True)
def test_unanswered_questions_come_out_redacted_and_counted(any_stack, tmp_path):
    tag = uuid.uuid4().hex[:8]
    first, second = f"sam.{tag}@example.org", f"alex.{tag}@example.net"
    chats = [Chat(any_stack.rasa_url) for _ in range(3)]

    # the same uncovered question from two shoppers, each giving their own email and phone number
    for chat, email, phone in ((chats[0], first, "07700 900111"), (chats[1], second, "07700 900222")):
        turn = chat.say(f"do you track my location with gps? mail {email} or call {phone}")
        assert turn.payload["kind"] == "not_covered", turn.text
    answered = chats[2].say("what personal data do you collect about me?")
    assert answered.payload["kind"] == "answer", answered.text
    # a request form: what the shopper types into it is theirs, never a question to label
    chats[2].say("please delete my account")
    form_name = f"Quentin Zephyr{tag}"
    chats[2].say(form_name)
    chats[2].say("cancel")

    redacted = "do you track my location with gps? mail [email] or call [number]"
    rows, everything = export(any_stack, tmp_path / "unanswered.tsv")
    assert redacted in rows, sorted(rows)
    row = rows[redacted]
    assert row[0] == review.question_id(redacted) and row[1] == "" and int(row[2]) >= 2
    assert row[3].startswith("not_covered"), row
    assert "what personal data do you collect about me?" not in rows, "answered: not in the default export"
    for secret in (first, second, "900111", "900222", tag, *[chat.sender for chat in chats]):
        assert secret not in everything, secret

    rows, everything = export(any_stack, tmp_path / "all.tsv", "--all")
    assert rows["what personal data do you collect about me?"][3].startswith("answer "), "--all: answered too"
    assert redacted in rows
    assert form_name not in everything and "Quentin" not in everything, "nothing typed into a request form"

    # what the store says of each message: the form's answer is known as one, the questions are not
    store = TrackerStore(any_stack.tracker_store_url)
    try:
        said = {
            e.text: e for e in store.exchanges() if tag in e.text or e.text in ("please delete my account", form_name)
        }
    finally:
        store.dispose()
    assert said[form_name].in_form and not said["please delete my account"].in_form
    assert said["please delete my account"].payloads[0]["kind"] == "request"
    assert [e.in_form for e in said.values() if "location" in e.text] == [False, False]


def test_an_unreachable_tracker_store_is_a_clear_error(stack, tmp_path):
    env = dict(stack.env(), TRACKER_STORE_URL="postgresql://nobody:secret@127.0.0.1:9/none")
    done = subprocess.run(
        [sys.executable, "-m", "quality", "review-export", "--out", str(tmp_path / "x.tsv")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "tracker store could not be read" in done.stderr and "TRACKER_STORE_URL" in done.stderr
    assert "secret" not in done.stderr, "the URL's password is never printed"
    assert not (tmp_path / "x.tsv").exists()
