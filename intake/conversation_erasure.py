"""A completed erasure request erases the chat it was lodged in: the linked conversation is deleted
from the bot's tracker store (``conversations``) as part of completing the request.

Order: the conversation is deleted first, inside the request's write transaction; only then is the
completion committed. If the tracker store cannot be reached, the completion is refused (503) and the
request stays as it was, so "completed" never stands for an erasure that did not happen. (If the
intake's own commit then failed, the conversation would be gone and the request still open: completing
it again deletes nothing more and succeeds.) The audit names the conversation id, never its text.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app

from . import conversations, workflow
from .errors import ApiError
from .models import COMPLETED, DsarRequest

AUDIT_ACTION = "conversation_erased"


def erase_linked_conversation(session, req: DsarRequest, *, actor: str, now: dt.datetime) -> None:
    """Delete the conversation a just-completed erasure request links to, and audit it."""
    if req.request_type != "erasure" or req.status != COMPLETED or not req.conversation_id:
        return
    try:
        events = conversations.for_app(current_app).delete([req.conversation_id])
    except conversations.TrackerStoreUnavailable as exc:
        raise ApiError(
            503,
            "tracker_store_unavailable",
            f"The chat conversation linked to this request could not be deleted ({exc}), so the "
            "request was not completed. Try again when the bot's conversation store is reachable.",
        ) from None
    workflow.note(
        session,
        req,
        actor=actor,
        action=AUDIT_ACTION,
        at=now,
        reason=f"conversation {req.conversation_id} deleted from the bot's conversation store ({events} events)",
    )
