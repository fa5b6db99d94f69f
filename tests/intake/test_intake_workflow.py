"""The one transition path: every status change (creation included) is checked against one table
and audited the same way; the status column holds only the lifecycle's states."""

from __future__ import annotations

import pytest
from intake_support import request_body
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from intake import workflow
from intake.errors import ApiError
from intake.models import DsarRequest, RequestStatus

TYPES = ("access", "erasure", "rectification", "objection", "marketing_opt_out")


def _events(live, ref):
    return live.sql(
        "SELECT a.actor, a.action, a.from_status, a.to_status, a.reason, a.at FROM audit_events a "
        "JOIN dsar_requests r ON r.id = a.request_id WHERE r.reference = :r ORDER BY a.id",
        r=ref,
    )


@pytest.mark.parametrize("rtype", TYPES)
def test_creation_records_received_then_the_first_move_in_one_chain(live, rtype):
    created = live.post_signed("/api/v1/requests", request_body(rtype)).json()
    events = _events(live, created["reference"])
    assert [e[:4] for e in events] == [
        ("api-client", "created", None, "received"),
        ("system", "status_change", "received", created["status"]),
    ]
    # each event starts where the one before ended, and the last one is what is stored
    for before, after in zip(events, events[1:]):
        assert after[2] == before[3]
    ((stored, closed_at, closing_reason, updated_at),) = live.sql(
        "SELECT status, closed_at, closing_reason, updated_at FROM dsar_requests WHERE reference = :r",
        r=created["reference"],
    )
    assert stored == events[-1][3]
    assert updated_at == events[-1][5]
    if rtype == "marketing_opt_out":
        assert stored == "completed"
        assert closed_at == events[-1][5] and closing_reason == events[-1][4]  # closed by the same move
    else:
        assert stored == "awaiting_verification" and closed_at is None


def _load(s, ref):
    return s.execute(select(DsarRequest).where(DsarRequest.reference == ref)).scalar_one()


@pytest.mark.parametrize(
    "rtype,actor,to",
    [
        ("marketing_opt_out", "requester", "in_progress"),  # a closed request cannot be reopened by a late link
        ("access", "system", "completed"),  # the service never completes a verified type itself
        ("access", "requester", "refused"),  # only staff refuse
        ("access", "api-client", "received"),  # creation happens once
        ("access", "staff:someone", "completed"),  # staff verify first
    ],
)
def test_a_move_the_table_does_not_allow_changes_nothing(live, rtype, actor, to):
    ref = live.post_signed("/api/v1/requests", request_body(rtype)).json()["reference"]
    before = _events(live, ref)
    status_before = live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref)
    with pytest.raises(ApiError) as err:
        with live.db.write() as s:
            workflow.set_status(s, _load(s, ref), to, actor=actor, reason="because")
    assert err.value.status == 409 and err.value.code == "illegal_transition"
    assert _events(live, ref) == before
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref) == status_before


def test_the_requester_and_staff_may_verify(live):
    refs = [live.post_signed("/api/v1/requests", request_body()).json()["reference"] for _ in range(2)]
    with live.db.write() as s:
        workflow.set_status(s, _load(s, refs[0]), RequestStatus.IN_PROGRESS, actor="requester", action="verified")
        workflow.set_status(s, _load(s, refs[1]), "in_progress", actor="staff:alex", reason="seen ID")
    assert live.sql("SELECT status FROM dsar_requests ORDER BY id") == [("in_progress",), ("in_progress",)]
    assert _events(live, refs[0])[-1][:4] == ("requester", "verified", "awaiting_verification", "in_progress")


def test_status_reads_back_as_the_enum_and_an_unknown_status_is_refused(live):
    ref = live.post_signed("/api/v1/requests", request_body()).json()["reference"]
    with live.db.read() as s:
        status = _load(s, ref).status
    assert status is RequestStatus.AWAITING_VERIFICATION and status == "awaiting_verification"
    with pytest.raises(StatementError) as err:
        with live.db.write() as s:
            _load(s, ref).status = "lost_in_the_post"
    assert "'lost_in_the_post' is not a valid RequestStatus" in str(err.value)
    assert live.sql("SELECT status FROM dsar_requests WHERE reference = :r", r=ref) == [("awaiting_verification",)]


def test_staff_options_come_from_the_transition_table():
    class Req:
        status = None

    expected = {
        RequestStatus.RECEIVED: ["refused", "withdrawn"],
        RequestStatus.AWAITING_VERIFICATION: ["in_progress", "refused", "withdrawn"],
        RequestStatus.IN_PROGRESS: ["completed", "refused", "withdrawn"],  # asking: its own form
        RequestStatus.AWAITING_CLARIFICATION: ["in_progress", "refused", "withdrawn"],
        RequestStatus.COMPLETED: [],
        RequestStatus.REFUSED: [],
        RequestStatus.WITHDRAWN: [],
    }
    assert set(expected) == set(RequestStatus)
    for status, options in expected.items():
        Req.status = status
        assert workflow.staff_options(Req) == options
