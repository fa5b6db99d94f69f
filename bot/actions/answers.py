"""Compose bot messages from the policy: summary, verbatim quote, citation.

Functions here return plain message dicts ({"text": ..., "buttons": ...,
"json_message": ...}) so they can be tested without Rasa; the actions hand
them to the dispatcher unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from . import payloads
from .law import LawBook, LawEntry
from .policy import Clause, Policy
from .topics import SectionRef, Topic

Message = Dict[str, Any]


def clause_url(policy_url: str, clause_id: str) -> str:
    return f"{policy_url}#clause-{clause_id}"


def citation(clause: Clause, policy_url: str) -> str:
    return f"Privacy policy, section {clause.id}: {clause_url(policy_url, clause.id)}"


def quoted_section(policy: Policy, section: SectionRef, policy_url: str) -> str:
    """The clause's own words as a quote line, then the visible citation."""
    clause = policy[section.id]
    return f"> “{clause.quote(section.sentences)}”\n{citation(clause, policy_url)}"


def law_citation(entry: LawEntry) -> str:
    """A law citation, labelled as law: the legislation and the ICO's guidance page."""
    return f"UK law ({entry.title}): {entry.source} (ICO guidance: {entry.guidance})"


def topic_answer(
    topic: Topic, policy: Policy, policy_url: str, lead: str = "", law: Optional[LawBook] = None
) -> List[Message]:
    """The topic's summary and quoted clauses; where a quoted clause says something the law
    has since changed (uk-law.yml `outdated_policy_points`, kind `contradicts`), the law
    follows, introduced as law and with the policy named as out of date on that point."""
    summary = f"{lead} {topic.summary}".strip()
    messages: List[Message] = [{"text": summary}]
    corrections: List[LawEntry] = []
    for section in topic.sections:
        messages.append({"text": quoted_section(policy, section, policy_url)})
        if law is not None:
            quoted = policy[section.id].quote(section.sentences)
            for point in law.points_for(section.id):
                if point.kind == "contradicts" and point.applies_to(quoted):
                    corrections.extend(law[law_id] for law_id in point.law if law[law_id] not in corrections)
    for entry in corrections:
        messages.append(
            {
                "text": (
                    "Our 2018 policy is out of date on this point. Under UK data-protection law today: "
                    f"{entry.statement}\n{law_citation(entry)}"
                )
            }
        )
    messages.append({"json_message": payloads.answer(topic.section_ids, [e.id for e in corrections])})
    return messages


def law_statements(subject: str, entries: Sequence[LawEntry]) -> List[Message]:
    """Say the 2018 policy is silent on `subject`, then the law, labelled as law."""
    messages: List[Message] = [
        {
            "text": (
                f"Our 2018 privacy policy doesn't cover {subject}, so this isn't from the policy. "
                "Under UK data-protection law:"
            )
        }
    ]
    for entry in entries:
        messages.append({"text": f"{entry.statement}\n{law_citation(entry)}"})
    return messages


def request_offer(label: str) -> Message:
    """The closing offer to lodge a request (yes starts it: the `offered_request` slot)."""
    return {
        "text": f"Shall I lodge {label} with our team for you now? It's free.",
        "buttons": [{"title": "Yes, start it", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"}],
    }


def law_answer(
    subject: str, entries: Sequence[LawEntry], team_email: str, offer: Optional[str] = None
) -> List[Message]:
    """A subject the 2018 policy is silent on but the law speaks to: say so, then the law,
    labelled as law (never quoted as the policy), then the offer to lodge the matching request
    (`offer`: its label) or else to reach the team."""
    messages = law_statements(subject, entries)
    if offer:
        messages.append(request_offer(offer))
    else:
        messages.append(
            {
                "text": f"If you'd like the Session Music team to deal with this, I can pass it to them by email ({team_email}).",
                "buttons": [handoff_button(), no_thanks_button()],
            }
        )
    messages.append({"json_message": payloads.answer([], [entry.id for entry in entries])})
    return messages


def closest_clause_answer(policy: Policy, clause_id: str, policy_url: str, team_email: str) -> List[Message]:
    section = SectionRef(clause_id, policy[clause_id].fingerprint)
    return [
        {"text": "I couldn't find an exact answer to that, but the closest thing our privacy policy says is this:"},
        {"text": quoted_section(policy, section, policy_url)},
        {
            "text": f"If that doesn't answer your question, I can pass it to the team by email ({team_email}).",
            "buttons": [handoff_button(), no_thanks_button()],
        },
        {"json_message": payloads.answer([clause_id])},
    ]


def not_covered_answer(
    team_email: str,
    subject: Optional[str] = None,
    nearest: Optional[Clause] = None,
    policy_url: str = "",
) -> List[Message]:
    """The policy does not answer this; `nearest` names the nearest thing it does say
    (by its heading and a link, never quoted as if it were the answer)."""
    about = f" about {subject}" if subject else ""
    near = ""
    if nearest is not None:
        near = (
            f" The nearest thing it does cover is \u201c{nearest.heading}\u201d "
            f"(section {nearest.id}: {clause_url(policy_url, nearest.id)}), which may not be what you asked."
        )
    return [
        {
            "text": (
                f"Our privacy policy doesn't say anything{about} that answers this, "
                f"so I can't answer it from the policy and I won't guess.{near} "
                f"I can pass your question to the Session Music team by email ({team_email}). "
                "Would you like me to?"
            ),
            "buttons": [handoff_button(), no_thanks_button()],
        },
        {"json_message": payloads.not_covered(nearest.id if nearest is not None else None)},
    ]


def out_of_scope_answer(team_email: str) -> List[Message]:
    return [
        {
            "text": (
                "I can only help with privacy questions, such as what data we collect, cookies, "
                "marketing or your data rights. For orders, deliveries, returns, hire, products or "
                f"opening hours, please contact the Session Music team at {team_email} or through "
                "the Contact Us page on the site."
            )
        },
        {"json_message": payloads.out_of_scope()},
    ]


def clarify_answer(suggestions: Sequence[str]) -> List[Message]:
    """Not understood: ask to rephrase, with suggested questions as buttons."""
    text = "Sorry, I didn't understand that. Could you put it another way?"
    message: Message = {"text": text}
    if suggestions:
        message["text"] = text + " Or pick one of these questions:"
        message["buttons"] = [{"title": s, "payload": s} for s in suggestions]
    return [message, {"json_message": payloads.clarify()}]


def repeated_fallback_answer(team_email: str) -> List[Message]:
    return [
        {
            "text": (
                "Sorry, I still can't find an answer to that in our privacy policy. "
                f"The team can help: shall I pass your question to them by email ({team_email})?"
            ),
            "buttons": [handoff_button(), no_thanks_button()],
        },
        {"json_message": payloads.handoff()},
    ]


def handoff_button() -> Dict[str, str]:
    return {"title": "Yes, email the team", "payload": "/human_handoff"}


def no_thanks_button() -> Dict[str, str]:
    return {"title": "No thanks", "payload": "/deny"}


def cited_sections(messages: Sequence[Message]) -> List[str]:
    """Clause ids a composed reply cites in its payload (for tests and metrics)."""
    for message in messages:
        payload = message.get("json_message") or {}
        if payload.get("kind") == "answer":
            return list(payload["sections"])
    return []
