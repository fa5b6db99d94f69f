import pytest

from actions import payloads


def test_answer_payload_keeps_order_and_drops_repeats():
    assert payloads.answer(["2.1.6", "rights.marketing", "2.1.6"]) == {
        "kind": "answer",
        "sections": ["2.1.6", "rights.marketing"],
        "law": [],
    }


def test_an_answer_may_rest_on_the_law_alone_but_not_on_nothing():
    assert payloads.answer([], ["law.portability"]) == {"kind": "answer", "sections": [], "law": ["law.portability"]}
    with pytest.raises(payloads.ContractError):
        payloads.answer([], [])
    with pytest.raises(payloads.ContractError):
        payloads.answer(["cookies"], ["law.no-such-entry"])


@pytest.mark.parametrize("sections", [[], ["1", "2.1", "2.2", "2.3"], ["9.9"]])
def test_answer_payload_refuses_what_would_break_the_contract(sections):
    with pytest.raises(payloads.ContractError):
        payloads.answer(sections)


def test_request_payload_knows_the_request_types_and_no_other():
    assert payloads.request("access") == {"kind": "request", "request_type": "access"}
    lodged = payloads.request("erasure", reference="SM-AAAA-BBBB", due_date="2026-12-29", status=None)
    assert lodged == {
        "kind": "request",
        "request_type": "erasure",
        "reference": "SM-AAAA-BBBB",
        "due_date": "2026-12-29",
    }
    with pytest.raises(payloads.ContractError):
        payloads.request("data_holiday")
    with_law = payloads.request("complaint", law=["law.complaint-ico", "law.complaint-ico"])
    assert with_law == {"kind": "request", "request_type": "complaint", "law": ["law.complaint-ico"]}
    with pytest.raises(payloads.ContractError):
        payloads.request("complaint", law=["law.no-such-law"])


def test_not_covered_may_name_a_known_nearest_clause_only():
    from actions import payloads

    assert payloads.not_covered() == {"kind": "not_covered"}
    assert payloads.not_covered("cookies") == {"kind": "not_covered", "nearest": "cookies"}
    with pytest.raises(payloads.ContractError):
        payloads.not_covered("9.9.9")


def test_clarify_is_a_kind_of_its_own():
    from actions import payloads

    assert payloads.clarify() == {"kind": "clarify"} and "clarify" in payloads.KINDS
