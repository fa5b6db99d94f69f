"""What the bot says when a submission to the intake was not sent (request or handoff)."""

from __future__ import annotations

from .intake_client import IntakeError, IntakeRefused


def not_sent_text(what: str, error: IntakeError, team_email: str) -> str:
    """Why `what` was not sent (nothing reached the intake, or it refused it) and what to do."""
    if isinstance(error, IntakeRefused):
        later = " or try again in a few minutes" if error.status == 429 else ""
        return (
            f"I'm sorry: our team's system didn't accept {what}, so it has NOT been sent. "
            f"Please email it to {team_email}{later}."
        )
    return (
        f"I'm sorry: I couldn't reach our team's system just now, so {what} has NOT been sent. "
        f"Please email it to {team_email}, or try again in a few minutes."
    )
