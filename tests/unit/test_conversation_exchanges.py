"""intake/conversations.py `TrackerStore.exchanges`: what a shopper typed and what the bot replied,
read from a real SQLite store holding the rows Rasa 3.6 writes (the e2e tests read the live bot's)."""

import json

import pytest
import sqlalchemy as sa

from intake.conversations import TrackerStore


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'conversations.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                "action_name VARCHAR(255), data TEXT)"
            )
        )
    engine.dispose()
    tracker_store = TrackerStore(url)
    yield tracker_store
    tracker_store.dispose()


def add(store, sender, at, kind, **data):
    data = dict(data, event=kind, timestamp=at)
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, :at, :d)"),
            {"s": sender, "t": kind, "at": at, "d": json.dumps(data)},
        )


def user(store, sender, at, text):
    add(store, sender, at, "user", text=text)


def bot(store, sender, at, text, custom=None, buttons=None):
    add(store, sender, at, "bot", text=text, data={"custom": custom, "buttons": buttons})


def loop(store, sender, at, name):
    add(store, sender, at, "active_loop", name=name)


def test_each_typed_message_comes_with_its_replys_payloads(store):
    user(store, "a", 10, "do you sell my data")
    bot(store, "a", 11, "No.", {"kind": "answer", "sections": ["no-sale"]})
    user(store, "b", 12, "do you track my location")  # another conversation, interleaved
    user(store, "a", 13, "/affirm")  # an intent sent directly: not typed
    bot(store, "b", 14, "Not covered.", {"kind": "not_covered"})
    bot(store, "b", 15, "Anything else?")
    user(store, "a", 16, "thanks")
    got = [(e.text, [p["kind"] for p in e.payloads], e.in_form) for e in store.exchanges()]
    assert got == [
        ("do you sell my data", ["answer"], False),
        ("thanks", [], False),
        ("do you track my location", ["not_covered"], False),
    ]


def test_a_form_opened_before_the_cut_off_still_marks_what_is_typed_into_it(store):
    user(store, "a", 100, "please delete my account")
    bot(store, "a", 101, "Starting.", {"kind": "request", "request_type": "erasure"})
    loop(store, "a", 102, "request_form")
    user(store, "a", 200, "Jo Bloggs")
    bot(store, "a", 201, "Sorry, I didn't understand that.", {"kind": "clarify"})
    user(store, "a", 202, "jo@example.org")
    loop(store, "a", 203, None)
    user(store, "a", 204, "what cookies do you use")
    bot(store, "a", 205, "...", {"kind": "answer", "sections": ["cookies"]})
    got = [(e.text, e.in_form) for e in store.exchanges(since=150)]
    assert got == [("Jo Bloggs", True), ("jo@example.org", True), ("what cookies do you use", False)]


def test_a_new_session_or_a_restart_ends_an_abandoned_form(store):
    for sender, reset in (("a", "session_started"), ("b", "restart")):
        loop(store, sender, 1, "request_form")
        user(store, sender, 2, "Jo Bloggs")
        add(store, sender, 5000, reset)
        user(store, sender, 5001, "who can see my data")
        bot(store, sender, 5002, "...", {"kind": "clarify"})
    got = [(e.text, e.in_form) for e in store.exchanges()]
    assert got == [("Jo Bloggs", True), ("who can see my data", False)] * 2


def test_a_pressed_button_is_not_a_typed_question(store):
    bot(
        store,
        "a",
        1,
        "Pick one",
        {"kind": "clarify"},
        buttons=[{"title": "Who sees my data?", "payload": "who sees my data?"}],
    )
    user(store, "a", 2, "who sees my data?")  # the button's payload: pressed
    bot(store, "a", 3, "...", {"kind": "answer", "sections": ["2.2"]})
    user(store, "a", 4, "who sees my data?")  # the same words typed after a turn with no buttons
    bot(store, "a", 5, "...", {"kind": "answer", "sections": ["2.2"]})
    assert [e.text for e in store.exchanges()] == ["who sees my data?"]


def test_a_button_pressed_after_the_session_expired_is_still_a_press(store):
    bot(
        store,
        "a",
        1,
        "Pick one",
        {"kind": "clarify"},
        buttons=[{"title": "Cookies?", "payload": "do you use cookies?"}],
    )
    add(store, "a", 4000, "session_started")  # an hour later the widget still shows the buttons
    user(store, "a", 4001, "do you use cookies?")
    bot(store, "a", 4002, "...", {"kind": "answer", "sections": ["cookies"]})
    assert list(store.exchanges()) == []


def test_nothing_before_the_cut_off_and_no_store_at_all(store, tmp_path):
    user(store, "a", 10, "old question")
    bot(store, "a", 11, "...", {"kind": "clarify"})
    user(store, "a", 20, "new question")
    bot(store, "a", 21, "...", {"kind": "clarify"})
    assert [e.text for e in store.exchanges(since=15)] == ["new question"]
    assert list(store.exchanges(since=25)) == []
    assert list(TrackerStore(f"sqlite:///{tmp_path / 'never.sqlite3'}").exchanges()) == []
    assert not (tmp_path / "never.sqlite3").exists()
