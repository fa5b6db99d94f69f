"""The machine-readable contract on bot messages (`custom` in channel output).

Each bot turn that answers, declines or starts something carries exactly one
of these payloads next to its text (see README, "Message contract"). The
widget renders citations from them and answer quality is measured on them.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from dsar_contract import REQUEST_TYPES

from .policy import default_policy

KINDS = ("answer", "request", "handoff", "not_covered", "out_of_scope", "clarify")
MAX_SECTIONS = 3  # clauses an answer cites (topics.yml is held to it too)


class ContractError(ValueError):
    """A payload that would break the message contract."""


def answer(sections: Iterable[str], law: Iterable[str] = ()) -> Dict[str, Any]:
    """An answer: the policy clauses it quotes (`sections`) and the statements of UK law it
    gives (`law`, ids from uk-law.yml). Either list may be empty, not both."""
    section_ids = list(dict.fromkeys(sections))
    law_ids = list(dict.fromkeys(law))
    if not section_ids and not law_ids:
        raise ContractError("an answer cites at least one policy section or law entry")
    if len(section_ids) > MAX_SECTIONS:
        raise ContractError(f"an answer cites at most {MAX_SECTIONS} sections, not {section_ids}")
    policy = default_policy()
    unknown = [section for section in section_ids if section not in policy]
    if unknown:
        raise ContractError(f"unknown clause ids {unknown}")
    if law_ids:
        from .law import default_law

        unknown_law = [law_id for law_id in law_ids if law_id not in default_law()]
        if unknown_law:
            raise ContractError(f"unknown law ids {unknown_law}")
    return {"kind": "answer", "sections": section_ids, "law": law_ids}


def request(request_type: str, **details: Any) -> Dict[str, Any]:
    """A data-rights request flow started (or, with `reference`, was lodged); `law`: the law
    ids (uk-law.yml) the turn's text gives, as in an answer."""
    if request_type not in REQUEST_TYPES:
        raise ContractError(f"unknown request type {request_type!r}")
    if details.get("law") is not None:
        from .law import default_law

        details["law"] = list(dict.fromkeys(details["law"]))
        unknown_law = [law_id for law_id in details["law"] if law_id not in default_law()]
        if unknown_law:
            raise ContractError(f"unknown law ids {unknown_law}")
        if not details["law"]:
            details["law"] = None
    payload: Dict[str, Any] = {"kind": "request", "request_type": request_type}
    payload.update({key: value for key, value in details.items() if value is not None})
    return payload


def handoff(reference: Optional[str] = None) -> Dict[str, Any]:
    payload: Dict[str, Any] = {"kind": "handoff"}
    if reference:
        payload["reference"] = reference
    return payload


def not_covered(nearest: Optional[str] = None) -> Dict[str, Any]:
    """The policy does not answer it; `nearest`: the clause nearest to the question, if any."""
    payload: Dict[str, Any] = {"kind": "not_covered"}
    if nearest:
        if nearest not in default_policy():
            raise ContractError(f"unknown clause id {nearest!r}")
        payload["nearest"] = nearest
    return payload


def clarify() -> Dict[str, Any]:
    """Not understood: asked to rephrase (suggested questions as buttons)."""
    return {"kind": "clarify"}


def out_of_scope() -> Dict[str, Any]:
    return {"kind": "out_of_scope"}
