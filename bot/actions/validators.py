"""What the bot accepts as an answer to each form question (pure functions: text in, clean
value or None out), and the decorator the forms' `validate_<slot>` methods share."""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from spacy.lang.en.stop_words import STOP_WORDS

from dsar_contract import REFERENCE_PATTERN, is_valid_email

# The processing an objection can be about (the intake's OBJECTION_PROCESSING; held together
# by tests/unit/test_contract.py), with the word stems that name each in a shopper's words.
OBJECTION_CHOICES = {
    "profiling": ("profil", "scor", "analys", "analyz", "automat", "research"),
    "credit_checks": ("credit", "fraud", "agenc", "check", "reference"),
    "marketing": ("market", "email", "newsletter", "advert", "promot", "text", "call", "post"),
}

# Why a shopper wants processing restricted (dsar_contract.RESTRICTION_GROUNDS), in their words.
RESTRICTION_CHOICES = {
    "accuracy_contested": ("wrong", "inaccura", "accura", "incorrect", "out of date", "mistake", "check"),
    "objection_pending": ("object", "objection", "waiting for", "decid"),
    "unlawful": ("unlawful", "illegal", "shouldn't", "should not", "no right", "not allowed", "keep it"),
    "legal_claim": ("legal", "claim", "court", "solicitor", "lawyer", "evidence", "tribunal"),
}

# What a complaint is about (dsar_contract.COMPLAINT_SUBJECTS), in the shopper's words.
COMPLAINT_CHOICES = {
    "breach": ("breach", "leak", "hack", "stolen", "lost my", "exposed", "compromis"),
    "request_handling": (
        "request",
        "handl",
        "sar",
        "no reply",
        "ignored",
        "late",
        "took too long",
        "never replied",
        "delet",
        "erase",
        "copy of my data",
    ),
    "marketing": ("market", "spam", "newsletter", "email", "text", "call", "unsubscrib", "advert"),
    "data_use": ("use", "used", "using", "shar", "sold", "profil", "credit", "passed"),
    "other": ("other", "something else", "else"),
}

# The Art 22C safeguards (dsar_contract.AUTOMATED_DECISION_SAFEGUARDS), in the shopper's words.
SAFEGUARD_CHOICES = {
    "human_review": ("human", "person", "review", "someone", "people", "look again", "manual"),
    "express_view": ("my side", "my view", "explain", "say", "express", "views", "point of view"),
    "contest": ("contest", "challenge", "appeal", "dispute", "disagree"),
}

#: what a shopper says for "no" to an optional question (a reference, safeguards)
NONE_WORDS = re.compile(
    r"^(no|none|nope|n/?a|skip|nothing|not applicable|no reference|i don'?t have (one|it|a reference)"
    r"|don'?t have (one|it)|no thanks|not really)\b",
    re.I,
)
#: a form slot answered "none" (a form needs a value to move on; never sent to the intake)
NOT_GIVEN = "none"
TO_ME = re.compile(r"^(to )?(me|myself|my email|just me|send it to me|to my email|i want it|give it to me)\b", re.I)

RECTIFIABLE = ("address", "name", "email", "phone", "number", "postcode", "surname", "card")

UNSAFE_CHARACTERS = re.compile(r"[<>{}\[\]\\\r\n\t]")

EMAIL_PROBLEM = "That doesn't look like an email address. Could you type it again (like name@example.com)?"


def unless_reset(validate: Callable) -> Callable:
    """For a form's `validate_<slot>` method: a slot reset to None when a flow starts is
    not an answer from the shopper, so it is neither checked nor complained about."""
    slot = validate.__name__[len("validate_") :]

    @functools.wraps(validate)
    def checked(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}
        return validate(self, value, dispatcher, tracker, domain)

    return checked


def valid_email(value: Any) -> Optional[str]:
    """The address, trimmed (also of a full stop typed after it) and lower-cased, when the
    intake would accept it (dsar_contract's rule); else None."""
    text = str(value or "").strip().strip(".").lower()
    return text if is_valid_email(text) else None


#: one-word answers that are a reply to the bot, never somebody's name
NOT_A_NAME = frozenset(
    "yes yeah yep yup ok okay sure fine no nope nah cancel stop quit hi hello hey thanks thank cheers help".split()
)

#: a message made only of name-shaped words: letters, with ' - . between or after them
NAME_SHAPE = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]*)*(?: [^\W\d_]+(?:['’.-][^\W\d_]*)*){0,4}")


def valid_name(value: Any) -> Optional[str]:
    text = " ".join(str(value or "").split())
    if not 2 <= len(text) <= 100 or UNSAFE_CHARACTERS.search(text) or "@" in text or "?" in text:
        return None
    if text.lower().strip(".!") in NOT_A_NAME:
        return None
    if not re.search(r"[^\W\d_]", text) or len(text.split()) > 8:
        return None
    return text


def looks_like_a_name(value: Any) -> Optional[str]:
    """The name, when a message the NLU placed elsewhere (out of scope, say) is plainly one:
    one to five name-shaped words that are either written as a name (each capitalised) or
    are two or more words none of them a common English word ("Morgan Blake", "jo o'neill";
    not "where is my order", not "delivery").
    Used only while the form is asking for a name."""
    name = valid_name(value)
    if name is None or not NAME_SHAPE.fullmatch(name):
        return None
    words = name.split()
    if all(word[0].isupper() for word in words):
        return name
    if len(words) >= 2 and not any(word.lower() in STOP_WORDS for word in words):
        return name
    return None


def valid_free_text(value: Any, limit: int = 500) -> Optional[str]:
    text = " ".join(str(value or "").split())
    if not text or len(text) > limit or UNSAFE_CHARACTERS.search(text):
        return None
    return text


def objection_choice(text: str) -> Optional[str]:
    lowered = text.lower()
    for choice, stems in OBJECTION_CHOICES.items():
        if any(stem in lowered for stem in stems):
            return choice
    return None


def rectifiable_field(text: str) -> Optional[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return next((field for field in RECTIFIABLE if field in words), None)


def _choice(text: str, choices: Dict[str, tuple]) -> Optional[str]:
    lowered = str(text or "").lower()
    exact = lowered.strip().replace(" ", "_")
    if exact in choices:
        return exact
    for choice, stems in choices.items():
        if any(stem in lowered for stem in stems):
            return choice
    return None


def restriction_grounds(text: str) -> Optional[str]:
    return _choice(text, RESTRICTION_CHOICES)


def complaint_subject(text: str) -> Optional[str]:
    return _choice(text, COMPLAINT_CHOICES)


def request_reference(text: Any) -> Optional[str]:
    """An SM-XXXX-XXXX reference found in the text (any case; O read as 0, I and L as 1), else None."""
    upper = str(text or "").upper()
    match = REFERENCE_PATTERN.search(upper)
    if match is None:
        candidate = re.search(r"SM-[0-9A-Z]{4}-[0-9A-Z]{4}", upper)
        if candidate is None:
            return None
        fixed = candidate.group(0)[:3] + candidate.group(0)[3:].translate(str.maketrans("OIL", "011"))
        match = REFERENCE_PATTERN.fullmatch(fixed)
    return match.group(0) if match else None


def optional_reference(text: Any) -> Optional[str]:
    """A complaint's request reference: the reference, NOT_GIVEN for "none", else None (ask again)."""
    reference = request_reference(text)
    if reference:
        return reference
    return NOT_GIVEN if NONE_WORDS.match(" ".join(str(text or "").split())) else None


def safeguards(text: Any) -> Optional[str]:
    """The Art 22C safeguards asked for, comma-separated in the contract's order; NOT_GIVEN for
    "none"; None when the answer names none of them (ask again)."""
    words = " ".join(str(text or "").split())
    if re.search(r"\b(all|every|each|all three|everything)\b", words, re.I):
        return ",".join(SAFEGUARD_CHOICES)
    chosen = [
        name
        for name, stems in SAFEGUARD_CHOICES.items()
        if name == words.lower().replace(" ", "_") or any(stem in words.lower() for stem in stems)
    ]
    if chosen:
        return ",".join(chosen)
    return NOT_GIVEN if NONE_WORDS.match(words) else None


def portability_recipient(text: Any) -> Optional[str]:
    """ "requester" for "send it to me", else the organisation named (plain text), else None."""
    words = " ".join(str(text or "").split())
    if TO_ME.match(words) or words.lower() == "requester":
        return "requester"
    return valid_free_text(words, 200)
