"""The bodies the bot posts to the intake, built from a form's slots without a tracker."""

from actions.intake_bodies import (
    HANDOFF_FIELD_SLOTS,
    REQUEST_FIELD_SLOTS,
    handoff_body,
    request_body,
    slot_of_refused_field,
)

SLOTS = {
    "request_type": "access",
    "requester_name": "Jane Smith",
    "requester_email": "jane@example.com",
    "request_text": "send me my data",
    "request_key": "k-123456789",
}


def test_the_same_slots_give_the_same_body():
    first = request_body(dict(SLOTS), "rest", "conv-1", "k-123456789")
    assert first == request_body(dict(SLOTS), "rest", "conv-1", "k-123456789")
    assert first == {
        "request_type": "access",
        "requester": {"name": "Jane Smith", "email": "jane@example.com"},
        "source": {"channel": "rest", "conversation_id": "conv-1", "text": "send me my data"},
        "conversation_id": "conv-1",
        "idempotency_key": "k-123456789",
    }


def test_a_rectification_carries_what_is_wrong_and_an_objection_what_it_objects_to():
    rectification = request_body(
        dict(SLOTS, request_type="rectification", rectification_what="address", rectification_value="1 High St"),
        None,
        "c",
        "k-123456789",
    )
    assert rectification["rectification"] == {"what": "address", "correct_value": "1 High St"}
    assert rectification["source"]["channel"] == "unknown" and "objection" not in rectification
    objection = request_body(dict(SLOTS, request_type="objection", objection_processing="profiling"), "rest", "c", "k")
    assert objection["objection"] == {"processing": "profiling"} and "rectification" not in objection


def test_a_request_started_by_yes_says_where_it_came_from():
    body = request_body(dict(SLOTS, request_text=None), "rest", "c", "k")
    assert body["source"]["text"] == "(request started from the chat: access)"


def test_the_transcript_goes_only_with_consent_and_only_the_latest_lines():
    events = [{"event": "user", "text": f"line {n}"} for n in range(60)] + [{"event": "action", "name": "x"}]
    slots = {"handoff_email": "sam@example.com", "handoff_question": "cctv?", "handoff_consent": False}
    assert "transcript" not in handoff_body(slots, "rest", "c", "k", events)
    with_consent = handoff_body(dict(slots, handoff_consent=True), "rest", "c", "k", events)
    assert [line["text"] for line in with_consent["transcript"]] == [f"line {n}" for n in range(10, 60)]


def test_requests_and_handoffs_link_the_conversation_they_were_lodged_in():
    sender = "0123456789abcdef0123456789abcdef"  # a widget conversation id
    handoff_slots = {"handoff_email": "sam@example.com", "handoff_question": "cctv?", "handoff_consent": False}
    assert request_body(dict(SLOTS), "rest", sender, "k-123456789")["conversation_id"] == sender
    assert handoff_body(handoff_slots, "rest", sender, "k-123456789", [])["conversation_id"] == sender


def test_a_sender_id_the_intake_would_refuse_is_not_sent_as_the_link():
    for odd in ("conv 1", "x" * 129, "", "-x", "conv\n1"):
        body = request_body(dict(SLOTS), "rest", odd, "k-123456789")
        assert body["conversation_id"] is None, odd
        assert body["source"]["conversation_id"] == odd  # where it came from is still said


def test_a_refused_field_names_the_slot_to_ask_again():
    assert (
        slot_of_refused_field({"requester.email": "not a valid email address"}, REQUEST_FIELD_SLOTS)
        == "requester_email"
    )
    assert (
        slot_of_refused_field({"rectification": "what and correct_value must not be blank"}, REQUEST_FIELD_SLOTS)
        == "rectification_what"
    )
    assert slot_of_refused_field({"email": "not a valid email address"}, HANDOFF_FIELD_SLOTS) == "handoff_email"
    assert slot_of_refused_field({"idempotency_key": "must be at least 8 characters"}, REQUEST_FIELD_SLOTS) is None
    assert slot_of_refused_field({}, REQUEST_FIELD_SLOTS) is None
