"""What the bot tells a shopper when the intake does not give a clear answer: a hung intake
(a real intake process stopped with SIGSTOP, and a socket server that accepts and never
answers), a stopped one, and one that refuses a field (422). Real action code, real intake."""

import os
import signal
import socket
import threading
import time
import uuid

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_slots import REQUEST_SLOTS
from actions.handoff_actions import ActionSubmitHandoff
from actions.request_actions import ActionAskRequestConfirmed, ActionCancelRequest, ActionSubmitRequest
from tests.actions.conftest import make_tracker
from tests.e2e.mailbox import rows_of

DEADLINE = 3.0


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    from launcher import Ports, Stack

    running = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("intake"), services=["intake"]).start()
    yield running
    running.stop()


@pytest.fixture
def hung_server():
    """A real TCP server that accepts every connection, reads what is sent and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    received, connections, stop = [], [], threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connections.append(connection)
            connection.settimeout(0.3)
            data = b""
            try:
                while chunk := connection.recv(65536):  # headers and body may come apart
                    data += chunk
            except OSError:
                pass
            received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    stop.set()
    thread.join(timeout=2)
    for connection in connections:
        connection.close()
    server.close()


@pytest.fixture
def point_at(monkeypatch):
    def point(target, retries="3", timeout="2"):
        """`target`: a running stack (its intake, with the secret the launcher gave it) or a URL."""
        url = getattr(target, "intake_url", target)
        if not isinstance(target, str):
            monkeypatch.setenv("INTAKE_API_SECRET", target.env()["INTAKE_API_SECRET"])
        monkeypatch.setenv("INTAKE_URL", url)
        monkeypatch.setenv("INTAKE_RETRIES", retries)
        monkeypatch.setenv("INTAKE_TIMEOUT", timeout)
        monkeypatch.setenv("INTAKE_DEADLINE", str(DEADLINE))

    return point


def request_slots(**extra):
    slots = {
        "request_type": "access",
        "request_key": str(uuid.uuid4()),
        "request_text": "send me everything you hold on me",
        "requester_name": "Jane Smith",
        "requester_email": f"jane.{uuid.uuid4().hex[:6]}@example.com",
        "request_confirmed": True,
    }
    slots.update(extra)
    return slots


def texts(dispatcher):
    return "\n".join(m["text"] for m in dispatcher.messages if m.get("text"))


def payloads(dispatcher):
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def submit(slots, events_before=()):
    tracker = make_tracker("yes", "affirm", slots=slots)
    tracker.events[-1:-1] = list(events_before)
    dispatcher = CollectingDispatcher()
    started = time.monotonic()
    events = ActionSubmitRequest().run(dispatcher, tracker, {})
    return dispatcher, events, time.monotonic() - started


def after(slots, events):
    """The slots once Rasa applied the events the action returned."""
    updated = dict(slots)
    updated.update({event["name"]: event["value"] for event in events if event.get("event") == "slot"})
    return updated


def assert_honest_about_an_unknown_outcome(dispatcher, events, slots):
    said = texts(dispatcher)
    assert "NOT" not in said and "nothing was sent" not in said.lower()
    assert "may have been lodged" in said and "try again" in said and "sales@sessionmusic.co.uk" in said
    assert payloads(dispatcher) == [{"kind": "request", "request_type": "access", "status": "unconfirmed"}]
    assert FollowupAction("request_form") in events, "the form asks again whether to send it"
    kept = after(slots, events)
    assert kept["request_confirmed"] is None
    assert {k: v for k, v in kept.items() if k != "request_confirmed"} == {
        k: v for k, v in slots.items() if k != "request_confirmed"
    }, "slots and idempotency key kept"


def test_a_hung_intake_gets_an_honest_maybe_within_the_deadline(hung_server, point_at):
    url, received = hung_server
    point_at(url)
    slots = request_slots()
    dispatcher, events, took = submit(slots)
    assert took < DEADLINE + 1.0, f"waited {took:.1f} s, deadline {DEADLINE} s"
    assert any(slots["request_key"].encode() in data for data in received), "the body did arrive"
    assert_honest_about_an_unknown_outcome(dispatcher, events, slots)


def test_a_stopped_intake_lodges_the_request_later_and_trying_again_lodges_it_once(intake, point_at):
    point_at(intake)
    slots = request_slots()
    group = intake.service("intake").process.pid
    os.killpg(group, signal.SIGSTOP)
    try:
        dispatcher, events, took = submit(slots)
    finally:
        os.killpg(group, signal.SIGCONT)
    assert took < DEADLINE + 1.0
    assert_honest_about_an_unknown_outcome(dispatcher, events, slots)

    # What the bot said was true: the intake, resumed, lodges the request it was sent
    # ("NOT sent" would have been false)...
    for _ in range(40):
        if rows_of(intake.database_url, "dsar_requests", idempotency_key=slots["request_key"]):
            break
        time.sleep(0.25)
    else:
        pytest.fail("the resumed intake never lodged the request it had been sent")
    # ...and "yes, try again" sends the same submission, which is lodged once.
    again, _, _ = submit(dict(after(slots, events), request_confirmed=True))
    reference = payloads(again)[-1]["reference"]
    assert f"Your reference is {reference}" in texts(again)
    stored = rows_of(intake.database_url, "dsar_requests", idempotency_key=slots["request_key"])
    assert [row["reference"] for row in stored] == [reference]


def test_a_refused_connection_is_reported_as_not_sent_with_the_email_route(point_at):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    point_at(f"http://127.0.0.1:{port}")
    dispatcher, events, took = submit(request_slots())
    said = texts(dispatcher)
    assert "has NOT been sent" in said and "sales@sessionmusic.co.uk" in said
    assert payloads(dispatcher) == [{"kind": "request", "request_type": "access", "status": "failed"}]
    assert events == [SlotSet(name, None) for name in REQUEST_SLOTS]
    assert took < DEADLINE + 1.0


@pytest.mark.parametrize("email", ["jane..smith@example.com", "jane@example.c0m", "jane@example.c"])
def test_an_email_address_the_intake_refuses_is_asked_for_again_not_reported_as_an_outage(intake, point_at, email):
    # Slots as a bot with a looser email rule would have filled them.
    point_at(intake)
    slots = request_slots(requester_email=email)
    dispatcher, events, _ = submit(slots)
    said = texts(dispatcher)
    assert "email address" in said and "NOT been sent yet" in said
    assert "few minutes" not in said and payloads(dispatcher) == []
    kept = after(slots, events)
    assert kept["requester_email"] is None and kept["request_confirmed"] is None
    assert kept["request_key"] == slots["request_key"] and kept["requester_name"] == "Jane Smith"
    assert FollowupAction("request_form") in events
    assert rows_of(intake.database_url, "dsar_requests", idempotency_key=slots["request_key"]) == []


def test_a_handoff_email_the_intake_refuses_is_asked_for_again(intake, point_at):
    point_at(intake)
    key = str(uuid.uuid4())
    tracker = make_tracker(
        "no",
        "deny",
        slots={
            "handoff_email": "sam@example.c0m",
            "handoff_question": "cctv?",
            "handoff_consent": False,
            "handoff_key": key,
        },
    )
    dispatcher = CollectingDispatcher()
    events = ActionSubmitHandoff().run(dispatcher, tracker, {})
    assert "NOT been sent yet" in texts(dispatcher) and "few minutes" not in texts(dispatcher)
    assert SlotSet("handoff_email", None) in events and SlotSet("handoff_key", key) in events
    assert FollowupAction("handoff_form") in events


def test_a_hung_intake_during_a_handoff_is_not_reported_as_not_sent(hung_server, point_at):
    url, _ = hung_server
    point_at(url)
    tracker = make_tracker(
        "no",
        "deny",
        slots={
            "handoff_email": "sam@example.com",
            "handoff_question": "cctv?",
            "handoff_consent": False,
            "handoff_key": str(uuid.uuid4()),
        },
    )
    dispatcher = CollectingDispatcher()
    ActionSubmitHandoff().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert "NOT" not in said and "It may have" in said and "sales@sessionmusic.co.uk" in said


UNCONFIRMED_ATTEMPT = [
    {"event": "action", "name": "action_start_request"},
    {"event": "action", "name": "action_submit_request"},
    {
        "event": "bot",
        "text": "...",
        "data": {"custom": {"kind": "request", "request_type": "access", "status": "unconfirmed"}},
    },
]


def test_after_an_unconfirmed_attempt_stopping_never_claims_nothing_was_sent():
    slots = request_slots(request_confirmed=None)
    for tracker_text, intent, action in (
        ("cancel", "cancel", ActionCancelRequest()),
        ("no", "deny", ActionSubmitRequest()),
    ):
        tracker = make_tracker(tracker_text, intent, slots=dict(slots, request_confirmed=False))
        tracker.events[-1:-1] = UNCONFIRMED_ATTEMPT
        dispatcher = CollectingDispatcher()
        action.run(dispatcher, tracker, {})
        said = texts(dispatcher)
        assert "nothing was sent" not in said and "haven't sent anything" not in said
        assert "may still have reached our team" in said


def test_after_an_unconfirmed_attempt_the_question_is_whether_to_try_again():
    tracker = make_tracker("yes", "affirm", slots=request_slots(request_confirmed=None))
    tracker.events[-1:-1] = UNCONFIRMED_ATTEMPT
    dispatcher = CollectingDispatcher()
    ActionAskRequestConfirmed().run(dispatcher, tracker, {})
    assert "Shall I try sending it again?" in texts(dispatcher)
    fresh = CollectingDispatcher()
    ActionAskRequestConfirmed().run(fresh, make_tracker("x", "inform", slots=request_slots(request_confirmed=None)), {})
    assert "Shall I send it?" in texts(fresh)
