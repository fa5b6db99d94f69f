"""The answering actions, run on tracker fixtures."""

import pytest

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tests.actions.conftest import make_tracker
from actions.policy_actions import ActionAnswerPolicy, ActionAnswerUnclear, ActionNotCovered, consecutive_fallbacks


def payloads_of(dispatcher):
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def texts_of(dispatcher):
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def test_cookie_question_is_answered_from_the_cookies_clause(dispatcher, tracker_for, domain, policy_url):
    events = ActionAnswerPolicy().run(dispatcher, tracker_for("do you use cookies?", "ask_cookies"), domain)
    assert events == [SlotSet("offered_request", None)]  # an offer made by an earlier law answer lapses
    assert payloads_of(dispatcher) == [{"kind": "answer", "sections": ["cookies"], "law": []}]
    body = "\n".join(texts_of(dispatcher))
    assert "> “We may use technology to track" in body
    assert f"Privacy policy, section cookies: {policy_url}#clause-cookies" in body


def test_sub_topic_is_chosen_from_the_shoppers_words(dispatcher, tracker_for, domain):
    ActionAnswerPolicy().run(dispatcher, tracker_for("do the police get my data?", "ask_data_sharing"), domain)
    assert payloads_of(dispatcher) == [{"kind": "answer", "sections": ["sharing.legal", "2.3.2"], "law": []}]


def test_a_question_about_keeping_data_private_is_answered_from_security(dispatcher, tracker_for, domain):
    # The NLU files it under what we collect ("personal information"); it asks how it is protected.
    question = "what do you do to keep my personal information private?"
    ActionAnswerPolicy().run(dispatcher, tracker_for(question, "ask_data_collected"), domain)
    assert payloads_of(dispatcher) == [{"kind": "answer", "sections": ["3", "1.security", "3.3"], "law": []}]


def test_a_question_about_what_is_kept_stays_with_what_we_collect(dispatcher, tracker_for, domain):
    ActionAnswerPolicy().run(
        dispatcher, tracker_for("what personal information do you keep?", "ask_data_collected"), domain
    )
    assert payloads_of(dispatcher) == [{"kind": "answer", "sections": ["1.types", "1"], "law": []}]


def test_a_retention_period_in_numbers_is_declined_naming_what_the_policy_does_say(dispatcher, domain):
    """The policy keeps data "no longer than necessary" (2.1) and names no period: asked about one,
    the bot says so and points to 2.1; asked how long in general, it answers from 2.1."""
    for text in ("is my data deleted after 6 months?", "do you keep my details for a year after i order"):
        dispatcher.messages.clear()
        ActionAnswerPolicy().run(dispatcher, make_tracker(text, "ask_data_retention", confidence=0.95), domain)
        assert payloads_of(dispatcher) == [{"kind": "not_covered", "nearest": "2.1"}], text
        assert "a retention period in days, months or years" in texts_of(dispatcher)[0]
    # ... also when the NLU's guess is unsure, but is retention
    dispatcher.messages.clear()
    ranking = [("nlu_fallback", 0.4), ("ask_data_retention", 0.37), ("ask_data_collected", 0.2)]
    tracker = make_tracker("is my address deleted like 30 days after delivery or what", "nlu_fallback", ranking=ranking)
    ActionAnswerUnclear().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [{"kind": "not_covered", "nearest": "2.1"}]
    dispatcher.messages.clear()
    tracker = make_tracker("how long do you keep my data?", "ask_data_retention", confidence=0.95)
    ActionAnswerPolicy().run(dispatcher, tracker, domain)
    assert [p["kind"] for p in payloads_of(dispatcher)] == ["answer"]
    assert payloads_of(dispatcher)[0]["sections"][0] == "2.1"


def test_intent_without_topic_is_declined_not_guessed(dispatcher, tracker_for, domain):
    ActionAnswerPolicy().run(dispatcher, tracker_for("hello", "greet"), domain)
    assert payloads_of(dispatcher) == [{"kind": "not_covered"}]


def test_unclear_message_with_a_good_clause_match_gets_the_closest_clause(dispatcher, tracker_for, domain):
    ActionAnswerUnclear().run(dispatcher, tracker_for("computer misuse act?", "nlu_fallback"), domain)
    assert payloads_of(dispatcher) == [{"kind": "answer", "sections": ["sharing.offences"], "law": []}]
    assert "closest thing our privacy policy says" in texts_of(dispatcher)[0]


def test_unclear_message_about_an_uncovered_subject_is_not_answered(dispatcher, tracker_for, domain):
    ActionAnswerUnclear().run(dispatcher, tracker_for("gps location??", "nlu_fallback"), domain)
    (payload,) = payloads_of(dispatcher)
    assert payload["kind"] == "not_covered"
    assert "sales@sessionmusic.co.uk" in texts_of(dispatcher)[0]


def test_not_covered_reply_names_the_nearest_clause_without_quoting_it(dispatcher, domain, policy_url):
    tracker = make_tracker("do you track my location with gps while i browse", "ask_uncovered")
    ActionNotCovered().run(dispatcher, tracker, domain)
    (payload,) = payloads_of(dispatcher)
    assert payload == {"kind": "not_covered", "nearest": "cookies"}
    text = texts_of(dispatcher)[0]
    assert "location tracking" in text and "Cookies and tracking" in text
    assert f"{policy_url}#clause-cookies" in text
    assert "> “" not in text  # named, never quoted as if it answered


def test_unclear_message_guessed_as_not_privacy_is_out_of_scope(dispatcher, domain):
    tracker = make_tracker(
        "zxcv karaoke delivery slot thursday",
        "nlu_fallback",
        confidence=0.3,
        ranking=[("nlu_fallback", 0.4), ("out_of_scope", 0.3), ("greet", 0.1)],
    )
    ActionAnswerUnclear().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [{"kind": "out_of_scope"}]


def test_not_understood_asks_to_rephrase_with_three_suggested_questions(dispatcher, domain):
    tracker = make_tracker(
        "blorp wibble sausages",
        "nlu_fallback",
        confidence=0.2,
        ranking=[("nlu_fallback", 0.4), ("ask_security", 0.2), ("greet", 0.1)],
    )
    ActionAnswerUnclear().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [{"kind": "clarify"}]
    buttons = [b for m in dispatcher.messages for b in m.get("buttons", [])]
    assert len(buttons) == 3
    from actions.topics import default_topics

    suggested = set(default_topics().suggested_questions.values())
    assert all(b["title"] == b["payload"] and b["title"] in suggested for b in buttons)


@pytest.mark.parametrize(
    "guess, kind",
    [("ask_cookies", "answer"), ("ask_data_collected", "clarify")],
)
def test_an_unsure_guess_a_phrase_confirms_is_answered_and_any_other_is_asked_again(dispatcher, domain, guess, kind):
    # "what I look at" is tracking on the site (phrase_rules.py): with the NLU's unsure guess also
    # cookies, two signals agree; with another guess, the bot asks the shopper to rephrase (the
    # clause search alone does not score this wording high enough to answer).
    tracker = make_tracker(
        "are the products i look at logged",
        "nlu_fallback",
        confidence=0.4,
        ranking=[("nlu_fallback", 0.4), (guess, 0.35), ("ask_uncovered", 0.1)],
    )
    ActionAnswerUnclear().run(dispatcher, tracker, domain)
    (payload,) = payloads_of(dispatcher)
    assert payload["kind"] == kind
    if kind == "answer":
        assert payload["sections"] == ["cookies"]


def test_a_question_on_where_data_is_stored_is_answered_from_transfers(dispatcher, tracker_for, domain):
    ActionAnswerPolicy().run(dispatcher, tracker_for("where is my information stored?", "ask_data_collected"), domain)
    (payload,) = payloads_of(dispatcher)
    assert payload["kind"] == "answer" and payload["sections"] == ["1.eea", "2.3.3"]


def test_a_price_question_the_nlu_took_for_a_policy_question_is_not_privacy(dispatcher, tracker_for, domain):
    # "cost" pulls the NLU to the access fee; nothing in it is about personal data
    ActionAnswerPolicy().run(
        dispatcher, tracker_for("how much does the party speaker cost?", "ask_right_access"), domain
    )
    assert payloads_of(dispatcher) == [{"kind": "out_of_scope"}]


def test_a_question_on_how_the_software_runs_filed_as_not_covered_is_not_privacy(dispatcher, tracker_for, domain):
    # "not covered" is a claim about a privacy question; working offline is not one (the guide)
    ActionNotCovered().run(dispatcher, tracker_for("does it work offline?", "ask_uncovered"), domain)
    assert payloads_of(dispatcher) == [{"kind": "out_of_scope"}]


def test_second_unclear_message_in_a_row_offers_the_team(dispatcher, tracker_for, domain):
    tracker = tracker_for("blorp", "nlu_fallback", history=[("zzz", "nlu_fallback")])
    assert consecutive_fallbacks(tracker) == 2
    ActionAnswerUnclear().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [{"kind": "handoff"}]
    buttons = [b["payload"] for m in dispatcher.messages for b in m.get("buttons", [])]
    assert "/human_handoff" in buttons


def test_fallback_count_restarts_after_an_understood_message(tracker_for):
    tracker = tracker_for("blorp", "nlu_fallback", history=[("zzz", "nlu_fallback"), ("cookies?", "ask_cookies")])
    assert consecutive_fallbacks(tracker) == 1


def test_uncovered_question_names_the_subject(dispatcher, tracker_for, domain):
    ActionNotCovered().run(dispatcher, tracker_for("what do you do about children's data", "ask_uncovered"), domain)
    assert payloads_of(dispatcher) == [{"kind": "not_covered"}]
    assert "children" in texts_of(dispatcher)[0]


def test_unsure_intent_on_an_uncovered_subject_is_declined(dispatcher, domain):
    tracker = make_tracker("if you get hacked and details leak will i be told?", "ask_data_sharing", confidence=0.73)
    ActionAnswerPolicy().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [{"kind": "not_covered"}]


def test_a_silent_subject_is_never_answered_from_the_policy_however_sure_the_nlu_is(dispatcher, domain):
    """Declined, or (where UK law speaks) answered from the law alone: never a policy clause."""
    for text, intent, expected in [
        (
            "can i move my data to another retailer",
            "ask_right_access",
            {"kind": "answer", "sections": [], "law": ["law.portability"]},
        ),
        (
            "can i restrict the processing of my data",
            "ask_rights",
            {"kind": "answer", "sections": [], "law": ["law.restriction"]},
        ),
        ("do you share my location with advertisers", "ask_data_sharing", {"kind": "not_covered"}),
    ]:
        dispatcher.messages.clear()
        ActionAnswerPolicy().run(dispatcher, make_tracker(text, intent, confidence=0.999), domain)
        assert [{k: v for k, v in p.items() if k != "nearest"} for p in payloads_of(dispatcher)] == [expected], text


def test_confident_intent_is_answered_when_no_silent_subject_is_named(dispatcher, domain):
    tracker = make_tracker("do you report hackers under the computer misuse act", "ask_data_sharing", confidence=0.97)
    ActionAnswerPolicy().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [{"kind": "answer", "sections": ["sharing.offences"], "law": []}]


def test_an_informational_rights_question_ends_by_offering_the_request(dispatcher, tracker_for, domain):
    ActionAnswerPolicy().run(dispatcher, tracker_for("how do i get a copy of my data", "ask_right_access"), domain)
    assert payloads_of(dispatcher) == [
        {"kind": "answer", "sections": ["access", "1.accuracy"], "law": ["law.access-free", "law.current-act"]}
    ]
    offer = dispatcher.messages[-1]
    assert "a copy of your personal data" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]


def test_no_offer_in_the_middle_of_a_request_form(dispatcher, domain):
    tracker = make_tracker("how do i get a copy of my data", "ask_right_access", active_loop={"name": "request_form"})
    ActionAnswerPolicy().run(dispatcher, tracker, domain)
    assert not any(m.get("buttons") for m in dispatcher.messages)


def test_out_of_scope_reply_names_the_configured_team_address(dispatcher, tracker_for, domain, monkeypatch):
    from actions.policy_actions import ActionOutOfScope

    monkeypatch.setenv("HANDOFF_EMAIL", "privacy-team@example.org")
    ActionOutOfScope().run(dispatcher, tracker_for("where is my order", "out_of_scope"), domain)
    assert payloads_of(dispatcher) == [{"kind": "out_of_scope"}]
    assert "privacy-team@example.org" in texts_of(dispatcher)[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a privacy question the NLU called "not privacy": a silent subject is declined, a phrase
        # the guide answers from a clause is answered
        ("my 13 year old wants her own account. do you keep data on under 16s?", "not_covered"),
        ("i ordered on a library computer and forgot to log out, is that a problem?", "3.4"),
        # ... but the shop's products are not subjects: microphones, kids' karaoke machines
        ("do you sell kids karaoke machines?", "out_of_scope"),
        ("does this wireless mic work with a smart tv", "out_of_scope"),
        ("where is my order", "out_of_scope"),
    ],
)
def test_a_privacy_question_the_nlu_called_not_privacy_is_answered_as_one(
    dispatcher, tracker_for, domain, text, expected
):
    from actions.policy_actions import ActionOutOfScope

    ActionOutOfScope().run(dispatcher, tracker_for(text, "out_of_scope"), domain)
    (payload,) = payloads_of(dispatcher)
    assert (payload["sections"][0] if payload["kind"] == "answer" else payload["kind"]) == expected, payload


def test_a_shared_computer_question_the_nlu_called_not_covered_is_answered_from_the_passwords_clause(
    dispatcher, domain
):
    ranking = [("ask_uncovered", 0.86), ("ask_data_sharing", 0.05), ("ask_security", 0.03)]
    text = "my brother uses my laptop sometimes. could he get into my account on there?"
    ActionNotCovered().run(dispatcher, make_tracker(text, "ask_uncovered", confidence=0.86, ranking=ranking), domain)
    assert [p.get("sections", [None])[0] for p in payloads_of(dispatcher)] == ["3.4"]


def test_asked_for_a_name_a_name_the_nlu_placed_out_of_scope_is_taken_as_the_answer(dispatcher, tracker_for, domain):
    from actions.policy_actions import ActionOutOfScope

    asking = {"slots": {"requested_slot": "requester_name"}, "active_loop": {"name": "request_form"}}
    events = ActionOutOfScope().run(dispatcher, tracker_for("Morgan Blake", "out_of_scope", **asking), domain)
    assert events == [{"event": "slot", "timestamp": None, "name": "requester_name", "value": "Morgan Blake"}]
    assert dispatcher.messages == []  # no "I can only help with privacy questions" for a name

    dispatcher = CollectingDispatcher()
    events = ActionOutOfScope().run(dispatcher, tracker_for("where is my order", "out_of_scope", **asking), domain)
    assert events == [] and payloads_of(dispatcher) == [{"kind": "out_of_scope"}]  # a real stray question
    dispatcher = CollectingDispatcher()
    assert ActionOutOfScope().run(dispatcher, tracker_for("Morgan Blake", "out_of_scope"), domain) == []  # no form


def test_the_access_answer_says_the_policy_is_out_of_date_on_the_fee_and_gives_the_law(dispatcher, tracker_for, domain):
    ActionAnswerPolicy().run(
        dispatcher, tracker_for("do i have to pay for a copy of my data", "ask_right_access"), domain
    )
    body = "\n".join(texts_of(dispatcher))
    assert "£10" in body  # the policy is still quoted as it stands...
    assert "Our 2018 policy is out of date on this point" in body  # ...and named out of date, with the law
    assert "https://www.legislation.gov.uk/" in body
    assert "law.access-free" in payloads_of(dispatcher)[0]["law"]


def test_a_complaint_is_answered_from_the_law_with_the_ico_and_no_policy_quote(dispatcher, tracker_for, domain):
    tracker = tracker_for("I want to make a complaint about how you handled my data", "ask_uncovered")
    ActionNotCovered().run(dispatcher, tracker, domain)
    assert payloads_of(dispatcher) == [
        {"kind": "answer", "sections": [], "law": ["law.complaint-controller", "law.complaint-ico"]}
    ]
    body = "\n".join(texts_of(dispatcher))
    assert body.startswith("Our 2018 privacy policy doesn't cover complaints")
    assert "ico.org.uk/make-a-complaint" in body and "0303 123 1113" in body
    assert "> “" not in body and "Privacy policy, section" not in body  # nothing dressed up as the policy


def test_an_uncovered_guess_naming_no_silent_subject_is_answered_when_runner_up_and_search_agree(
    dispatcher, tracker_for, domain
):
    ranking = [("ask_uncovered", 0.9), ("ask_data_sharing", 0.05), ("ask_cookies", 0.02)]
    tracker = tracker_for("who can see my information?", "ask_uncovered", ranking=ranking)
    ActionNotCovered().run(dispatcher, tracker, domain)
    (payload,) = payloads_of(dispatcher)
    assert payload["kind"] == "answer" and set(payload["sections"]) & {"2.2", "2.3", "sharing", "no-sale"}


def test_an_uncovered_guess_is_still_declined_when_the_search_disagrees_or_a_silent_subject_is_named(
    dispatcher, tracker_for, domain
):
    # the runner-up (credit checks) has nothing to do with the question: the search doesn't back it
    ranking = [("ask_uncovered", 0.9), ("ask_credit_checks", 0.05)]
    ActionNotCovered().run(
        dispatcher, tracker_for("who can see my information?", "ask_uncovered", ranking=ranking), domain
    )
    ranking = [("ask_uncovered", 0.9), ("ask_data_sharing", 0.05)]
    ActionNotCovered().run(
        dispatcher, tracker_for("can other users see my contacts?", "ask_uncovered", ranking=ranking), domain
    )
    assert [p["kind"] for p in payloads_of(dispatcher)] == ["not_covered", "not_covered"]


def test_portability_and_restriction_questions_are_answered_from_the_law(dispatcher, tracker_for, domain):
    ActionAnswerUnclear().run(
        dispatcher, tracker_for("can you send my data to another shop? data portability", "nlu_fallback"), domain
    )
    ActionAnswerUnclear().run(
        dispatcher, tracker_for("please restrict processing of my data while you check it", "nlu_fallback"), domain
    )
    assert [p["law"] for p in payloads_of(dispatcher)] == [["law.portability"], ["law.restriction"]]


# --- law answers that offer a request (portability, restriction, complaints) -----------------


def test_a_complaints_question_gets_the_law_with_the_ico_and_the_offer_to_lodge_one(dispatcher, tracker_for, domain):
    from actions.law import default_law

    events = ActionNotCovered().run(dispatcher, tracker_for("how do I complain to the ICO?", "ask_uncovered"), domain)
    assert events == [SlotSet("offered_request", "complaint")]
    assert payloads_of(dispatcher) == [
        {"kind": "answer", "sections": [], "law": ["law.complaint-controller", "law.complaint-ico"]}
    ]
    body = "\n".join(texts_of(dispatcher))
    regulator = default_law().regulator
    assert regulator.complaint_url in body and regulator.helpline in body
    assert "doesn't cover complaints" in body
    offer = [m for m in dispatcher.messages if m.get("buttons")][-1]
    assert "Shall I lodge a complaint to Session Music" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]


def test_portability_and_restriction_questions_offer_their_requests(dispatcher, tracker_for, domain):
    events = ActionAnswerPolicy().run(dispatcher, tracker_for("what is data portability?", "ask_rights"), domain)
    assert events == [SlotSet("offered_request", "portability")]
    assert payloads_of(dispatcher)[-1]["law"] == ["law.portability"]
    other = type(dispatcher)()
    events = ActionAnswerUnclear().run(
        other, tracker_for("can you freeze my data while you verify it", "nlu_fallback"), domain
    )
    assert events == [SlotSet("offered_request", "restriction")]


def test_no_offer_in_the_middle_of_a_form_and_none_for_subjects_without_a_request(dispatcher, tracker_for, domain):
    in_form = make_tracker("how do I complain to the ICO?", "ask_uncovered", active_loop={"name": "request_form"})
    assert ActionNotCovered().run(dispatcher, in_form, domain) == [SlotSet("offered_request", None)]
    assert not any("Shall I lodge" in (m.get("text") or "") for m in dispatcher.messages)
    other = type(dispatcher)()
    events = ActionNotCovered().run(other, tracker_for("do you let kids buy from you?", "ask_uncovered"), domain)
    assert events == [SlotSet("offered_request", None)]
